import { readFileSync } from 'node:fs';
import { readModel, type ReadResult } from '../engine.js';
import { dataSourceFor } from './data-files.js';

/** Read a model file (.xmile, .stmx, .xml). File-system errors become diagnostics. */
export function readModelFile(path: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    return {
      diagnostics: [
        { severity: 'error', code: 'file-unreadable', message: `cannot read model: ${why}`, file: path },
      ],
    };
  }
  return readModel(text, { file: path, data: dataSourceFor(path) });
}
