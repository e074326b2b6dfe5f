import { readFileSync } from 'node:fs';
import { readModel, type Budgets, type ReadResult } from '../engine.js';

/** Read a model file (.xmile, .stmx, .xml). File-system errors become diagnostics. */
export function readModelFile(path: string, budgets?: Partial<Budgets>): ReadResult {
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
  return readModel(text, { file: path, budgets });
}
