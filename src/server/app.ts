/**
 * The workbench server: the built web app plus a JSON API (described by /api/openapi.json).
 * Plain node:http; every input is validated and bounded; file paths are confined to one root.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModel, readModel, type Diagnostic } from '../engine.js';
import { checkQuery, HttpError, parseJsonBody, readBody, sendBytes, sendError, sendJson } from './http.js';
import { MODEL_ID_PATTERN, openApiDocument, openModelRequest } from './openapi.js';
import { listModelFiles, MODEL_EXTENSIONS, resolveUnder } from './paths.js';
import { ExperimentService } from './experiments.js';
import { readCaseData } from './case.js';
import { VERSION } from '../version.js';
import type { EvidenceStore } from '../store/store.js';

export interface ServerOptions {
  /** Model opened at start (a file, or a folder holding one). */
  model?: string;
  /** Folder that model paths from requests are resolved against. Default: the working directory. */
  root?: string;
  /** Folder of the built web app. Default: web-dist/ of this package. */
  webDir?: string;
  /**
   * SQLite evidence store: when given, the opened case model's evidence comes from it instead of
   * the evidence.json beside the model.
   */
  db?: string;
  modelBytes?: number;
  jsonBytes?: number;
}

export interface OpenModel {
  id: string;
  name: string;
  /** Root-relative path when read from a file (absent for uploads). */
  file?: string;
  text: string;
  diagnostics: Diagnostic[];
  /** The folder whose case files (scenarios.json, ...) belong to this model. */
  dir?: string;
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_OPEN_MODELS = 32;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
};

/** Find the model file of a path given on the command line: the file itself, or the one in a folder. */
export function locateModel(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) throw new Error(`no such model file or folder: ${path}`);
  if (!statSync(full).isDirectory()) return full;
  const preferred = join(full, 'model.xmile');
  if (existsSync(preferred)) return preferred;
  const found = listModelFiles(full, 0, 1);
  if (!found.length) throw new Error(`no .xmile or .stmx model in ${path}`);
  return join(full, found[0]!);
}

/** Check a model's text with the engine. Errors become a 422 with located messages. */
export function checkModelText(text: string, file?: string): { name: string; diagnostics: Diagnostic[] } {
  let diagnostics: Diagnostic[];
  let name: string | undefined;
  try {
    const read = readModel(text, { file });
    diagnostics = [...read.diagnostics];
    if (read.model) {
      name = read.model.header.name;
      diagnostics.push(...compileModel(read.model).diagnostics);
    }
  } catch (err) {
    throw new HttpError(422, `the engine could not read this model: ${(err as Error).message}`);
  }
  const errorsFound = diagnostics.filter((d) => d.severity === 'error');
  if (errorsFound.length) {
    throw new HttpError(
      422,
      'the model has errors',
      errorsFound
        .slice(0, 30)
        .map(
          (d) => `${d.line ? `line ${d.line}: ` : ''}${d.message}${d.variable ? ` (in ${d.variable})` : ''}`,
        ),
    );
  }
  return { name: name || (file ? basename(file).replace(/\.[^.]+$/, '') : 'uploaded model'), diagnostics };
}

export class Workbench {
  readonly root: string;
  readonly webDir: string;
  readonly modelBytes: number;
  readonly jsonBytes: number;
  readonly models = new Map<string, OpenModel>();
  readonly experiments: ExperimentService;
  /** Set by startServer when it binds a loopback address (see checkHost). */
  loopbackOnly = false;
  /** Opened by startServer when `db` is given. */
  evidenceStore?: EvidenceStore;
  private counter = 0;

  constructor(readonly options: ServerOptions = {}) {
    this.root = resolve(options.root ?? process.cwd());
    this.webDir = resolve(options.webDir ?? join(PACKAGE_ROOT, 'web-dist'));
    this.modelBytes = options.modelBytes ?? 4 * 1024 * 1024;
    this.jsonBytes = options.jsonBytes ?? 64 * 1024;
    this.experiments = new ExperimentService((id) => this.models.get(id));
    if (options.model) this.openFile(locateModel(options.model), 'default');
  }

  /** Open a model file (already confined to the root or given by the operator). */
  openFile(full: string, id?: string): OpenModel {
    const text = readFileSync(full, 'utf8');
    if (Buffer.byteLength(text) > this.modelBytes) throw new HttpError(413, 'model file too large');
    const rel = relative(this.root, full).split(sep).join('/');
    const shown = rel.startsWith('..') ? basename(full) : rel;
    const checked = checkModelText(text, shown);
    return this.register({
      id,
      name: checked.name,
      file: shown,
      text,
      diagnostics: checked.diagnostics,
      dir: dirname(full),
    });
  }

  register(m: Omit<OpenModel, 'id'> & { id?: string }): OpenModel {
    const id = m.id ?? `m${++this.counter}`;
    const model: OpenModel = { ...m, id };
    this.models.set(id, model);
    if (this.models.size > MAX_OPEN_MODELS) {
      for (const key of this.models.keys()) {
        if (key !== 'default') {
          this.models.delete(key);
          break;
        }
      }
    }
    return model;
  }

  handler = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) sendError(res, err);
      else {
        // Log for the operator; the client gets a plain message and no stack.
        process.stderr.write(`interlock serve: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
        if (!res.headersSent) sendError(res, new HttpError(500, 'internal error'));
        else res.end();
      }
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, 'malformed request URL');
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';
    this.checkHost(req);
    if (!path.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method not allowed');
      return this.serveStatic(path, res);
    }
    const noQuery = { type: 'object', additionalProperties: false } as const;
    if (path === '/api/openapi.json' && method === 'GET') {
      checkQuery(url.searchParams, noQuery);
      return sendJson(res, 200, openApiDocument({ modelBytes: this.modelBytes, jsonBytes: this.jsonBytes }));
    }
    if (path === '/api/health' && method === 'GET') {
      return sendJson(res, 200, {
        ok: true,
        version: VERSION,
        db: this.options.db ? basename(this.options.db) : null,
      });
    }
    if (path === '/api/models' && method === 'GET') {
      checkQuery(url.searchParams, noQuery);
      return sendJson(res, 200, {
        models: [...this.models.values()].map(({ id, name, file }) => ({ id, name, file })),
        files: listModelFiles(this.root),
      });
    }
    if (path === '/api/models' && method === 'POST') return this.postModel(req, res);
    const modelMatch = /^\/api\/models\/([^/]+)$/.exec(path);
    if (modelMatch && method === 'GET') {
      const id = decodeURIComponent(modelMatch[1]!);
      if (!new RegExp(MODEL_ID_PATTERN).test(id)) throw new HttpError(400, 'malformed model id');
      const m = this.models.get(id);
      if (!m) throw new HttpError(404, `no open model '${id}'`);
      let caseData = readCaseData(m.dir);
      if (this.evidenceStore && m.id === 'default') {
        caseData = { ...(caseData ?? {}), evidence: await this.evidenceStore.exportDocument() };
      }
      return sendJson(res, 200, {
        id: m.id,
        name: m.name,
        file: m.file ?? null,
        text: m.text,
        diagnostics: m.diagnostics,
        case: caseData,
      });
    }
    if (path === '/api/experiments' && method === 'POST') {
      requireJson(req);
      const body = await readBody(req, this.jsonBytes);
      return sendJson(res, 202, this.experiments.start(body));
    }
    const expMatch = /^\/api\/experiments\/([^/]+)$/.exec(path);
    if (expMatch && method === 'GET') {
      return sendJson(res, 200, this.experiments.status(decodeURIComponent(expMatch[1]!)));
    }
    if (
      ['/api/models', '/api/experiments', '/api/openapi.json', '/api/health'].includes(path) ||
      modelMatch ||
      expMatch
    ) {
      throw new HttpError(405, 'method not allowed');
    }
    throw new HttpError(404, `no such API endpoint: ${path}`);
  }

  private async postModel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/json') {
      const body = parseJsonBody<{ path: string }>(await readBody(req, this.jsonBytes), openModelRequest);
      const full = resolveUnder(this.root, body.path);
      if (!full) throw new HttpError(403, 'that path is outside the folder this server may read');
      if (!MODEL_EXTENSIONS.includes(extname(full).toLowerCase())) {
        throw new HttpError(400, `not a model file (expected ${MODEL_EXTENSIONS.join(', ')})`);
      }
      if (!existsSync(full) || !statSync(full).isFile())
        throw new HttpError(404, `no such model file: ${body.path}`);
      const m = this.openFile(full);
      return sendJson(res, 201, { id: m.id, name: m.name, file: m.file, diagnostics: m.diagnostics });
    }
    // Not text/plain: a cross-site form could send that without a CORS preflight.
    if (['application/xml', 'text/xml', 'application/octet-stream'].includes(type)) {
      const text = await readBody(req, this.modelBytes);
      if (!text.trim()) throw new HttpError(400, 'empty model');
      const nameHeader = String(req.headers['x-model-name'] ?? '')
        .slice(0, 200)
        .replace(/[^\w .-]/g, '');
      const checked = checkModelText(text, nameHeader || undefined);
      const m = this.register({ name: checked.name, text, diagnostics: checked.diagnostics });
      return sendJson(res, 201, { id: m.id, name: m.name, diagnostics: m.diagnostics });
    }
    throw new HttpError(415, 'send XMILE as application/xml, or {"path": ...} as application/json');
  }

  /**
   * On a loopback address, answer only requests addressed to loopback names, so that a web page
   * elsewhere cannot reach the API through DNS rebinding.
   */
  private checkHost(req: IncomingMessage): void {
    if (!this.loopbackOnly) return;
    const host = String(req.headers.host ?? '')
      .toLowerCase()
      .replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
      throw new HttpError(403, 'this server answers only requests addressed to localhost');
    }
  }

  private serveStatic(path: string, res: ServerResponse): void {
    if (!existsSync(join(this.webDir, 'index.html'))) {
      throw new HttpError(503, 'the web app is not built: run `npm run build` first');
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      throw new HttpError(400, 'malformed path');
    }
    const rel = decoded.replace(/^\/+/, '') || 'index.html';
    const full = resolveUnder(this.webDir, rel);
    if (!full) throw new HttpError(403, 'forbidden');
    let file = full;
    if (!existsSync(file) || !statSync(file).isFile()) {
      // Unknown asset: 404. Anything else (a page address): the app shell.
      if (rel.startsWith('assets/') || extname(rel)) throw new HttpError(404, 'not found');
      file = join(this.webDir, 'index.html');
    }
    const hashed = file.includes(`${sep}assets${sep}`);
    sendBytes(res, 200, readFileSync(file), CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', {
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(extname(file) === '.html'
        ? {
            'content-security-policy':
              "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
          }
        : {}),
    });
  }
}

function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'send the request as application/json');
}

export interface RunningServer {
  server: Server;
  workbench: Workbench;
  url: string;
  close(): Promise<void>;
}

/** Start the server; resolves once it listens. Port 0 picks a free port. */
export async function startServer(
  options: ServerOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const workbench = new Workbench(options);
  if (options.db) {
    // Loaded only when asked for: the store needs the native SQLite module (or pg).
    const { openEvidenceStore } = await import('../store/open.js');
    workbench.evidenceStore = await openEvidenceStore(options.db, { mustExist: true });
  }
  const host = options.host ?? '127.0.0.1';
  workbench.loopbackOnly = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const server = createServer(workbench.handler);
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4321, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : options.port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolveStart({
        server,
        workbench,
        url: `http://${shownHost}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            workbench.experiments.stopAll();
            server.closeAllConnections();
            server.close(() => {
              if (workbench.evidenceStore) void workbench.evidenceStore.close().then(done, done);
              else done();
            });
          }),
      });
    });
  });
}
