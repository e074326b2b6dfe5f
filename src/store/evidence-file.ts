/**
 * Reading an evidence JSON file from disk (Node). The parsing and validation themselves are
 * Node-free in src/evidence/data.ts; this adds only the file access.
 */
import { readFileSync } from 'node:fs';
import { decodeUtf8 } from '../model/text.js';
import { parseEvidenceJson, type ParseResult } from '../evidence/data.js';

/** Read and validate an evidence file. Never throws: an unreadable file is an issue at `$`. */
export function loadEvidenceDocument(path: string): ParseResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return { ok: false, issues: [{ path: '$', message: `cannot read ${path}: ${why}` }] };
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok)
    return {
      ok: false,
      issues: [{ path: '$', message: decoded.message, line: decoded.line, column: decoded.column }],
    };
  return parseEvidenceJson(decoded.text);
}
