/** Small request/response helpers over node:http: bounded bodies, JSON replies, errors as values. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { check } from '../validation.js';

/** An error the client caused (or may see): a status and a plain message, never a stack. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: string[],
  ) {
    super(message);
  }
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** Send JSON already serialised (a cached document). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  sendJson(res, err.status, { error: err.message, ...(err.details?.length ? { details: err.details } : {}) });
}

export function sendBytes(
  res: ServerResponse,
  status: number,
  body: Buffer | string,
  contentType: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** Read the request body, refusing (413) anything larger than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, `request body too large (limit ${limit} bytes)`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new HttpError(413, `request body too large (limit ${limit} bytes)`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolveBody(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {
      if (!failed) reject(new HttpError(400, 'could not read the request body'));
    });
  });
}

/** The problems of a value against a schema, as `where.path: message` lines. */
function problems(
  schema: z.ZodType,
  value: unknown,
  where: string,
): { ok: true; value: unknown } | { ok: false; lines: string[] } {
  const r = check(schema, value);
  if (r.ok) return r;
  const lines = r.problems
    .slice(0, 20)
    .map((p) => `${where}${p.path ? (p.path.startsWith('[') ? '' : '.') + p.path : ''}: ${p.message}`);
  return { ok: false, lines };
}

/** Parse a JSON body and check it against its schema (400 with the problems listed otherwise). */
export function parseJsonBody<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  const r = problems(schema, value, 'body');
  if (!r.ok) throw new HttpError(400, 'request body does not match its schema', r.lines);
  return r.value as z.output<S>;
}

/** Check query parameters (all strings) against a schema of string properties. */
export function checkQuery<S extends z.ZodType>(query: URLSearchParams, schema: S): z.output<S> {
  // fromEntries defines own properties, so a `__proto__` parameter is seen (and refused), not dropped.
  const r = problems(schema, Object.fromEntries(query), 'query');
  if (!r.ok) throw new HttpError(400, 'query does not match its schema', r.lines);
  return r.value as z.output<S>;
}
