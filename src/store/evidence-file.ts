/**
 * Reading an evidence JSON file from disk (Node). The parsing and validation themselves are
 * Node-free in src/evidence/data.ts; this adds only the file access.
 */
import { readFileSync } from 'node:fs';
import { parseEvidenceJson, type ParseResult } from '../evidence/data.js';

/** Read and validate an evidence file. Never throws: an unreadable file is an issue at `$`. */
export function loadEvidenceDocument(path: string): ParseResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return { ok: false, issues: [{ path: '$', message: `cannot read ${path}: ${why}` }] };
  }
  return parseEvidenceJson(text);
}
