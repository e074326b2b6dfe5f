import { readFileSync } from 'node:fs';
import { decodeUtf8 } from '../model/text.js';
import { readModel, type Budgets, type ReadResult } from '../engine.js';
import { dataSourceFor } from './data-files.js';

/** Read a model file (.xmile, .stmx, .xml). File-system errors become diagnostics. */
export function readModelFile(path: string, budgets?: Partial<Budgets>): ReadResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return {
      diagnostics: [
        { severity: 'error', code: 'file-unreadable', message: `cannot read model: ${why}`, file: path },
      ],
    };
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    const { message, line, column } = decoded;
    return { diagnostics: [{ severity: 'error', code: 'invalid-utf8', message, file: path, line, column }] };
  }
  const text = decoded.text;
  return readModel(text, { file: path, budgets, data: dataSourceFor(path) });
}
