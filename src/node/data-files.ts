/**
 * The Node side of Vensim's external data: reads the CSV, XLS and XLSX files a model's GET
 * functions name, relative to the model's folder, into the cells the reader lays out (see
 * src/vensim/external.ts). XLS/XLSX go through SheetJS (@e965/xlsx, a maintained build of it);
 * files are read once per model, and a sheet larger than MAX_CELLS is refused.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import * as XLSX from '@e965/xlsx';
import { type Cell, type DataSource, type Sheet, parseDelimited, parseCell } from '../vensim/external.js';

const MAX_CELLS = 4_000_000;

export function dataSourceFor(modelPath: string): DataSource {
  const dir = dirname(modelPath);
  const books = new Map<string, XLSX.WorkBook | string>();
  const sheets = new Map<string, Sheet | string>();
  const book = (path: string): XLSX.WorkBook | string => {
    let b = books.get(path);
    if (b === undefined) {
      try {
        b = XLSX.read(readFileSync(path), {
          type: 'buffer',
          cellFormula: false,
          cellHTML: false,
          cellStyles: false,
        });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        b = e.code === 'ENOENT' ? `no such file '${path}'` : `cannot read '${path}': ${e.message}`;
      }
      books.set(path, b);
    }
    return b;
  };
  return {
    sheet(file: string, tab: string): Sheet | string {
      const path = isAbsolute(file) ? file : resolve(dir, file);
      const key = `${path}\u0000${tab}`;
      const cached = sheets.get(key);
      if (cached !== undefined) return cached;
      let out: Sheet | string;
      if (/\.(csv|tab|txt)$/i.test(path)) {
        try {
          out = { cells: parseDelimited(readFileSync(path, 'utf8'), tab), names: new Map() };
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          out = e.code === 'ENOENT' ? `no such file '${file}'` : `cannot read '${file}': ${e.message}`;
        }
      } else {
        const b = book(path);
        out = typeof b === 'string' ? b.replace(path, file) : toSheet(b, tab, file);
      }
      sheets.set(key, out);
      return out;
    },
  };
}

function toSheet(b: XLSX.WorkBook, tab: string, file: string): Sheet | string {
  const ws = b.Sheets[tab];
  if (!ws)
    return `file '${file}' has no sheet '${tab}' (it has ${b.SheetNames.map((n) => `'${n}'`).join(', ')})`;
  const cells: Cell[][] = [];
  if (ws['!ref']) {
    const range = XLSX.utils.decode_range(ws['!ref']);
    if ((range.e.r + 1) * (range.e.c + 1) > MAX_CELLS) return `sheet '${tab}' of '${file}' is too large`;
    for (let r = 0; r <= range.e.r; r++) {
      const row: Cell[] = [];
      for (let c = 0; c <= range.e.c; c++) {
        const cell = ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined;
        const v = cell?.v;
        row.push(typeof v === 'number' ? v : typeof v === 'string' ? v : undefined);
      }
      cells.push(row);
    }
  }
  const names: Sheet['names'] = new Map();
  for (const n of b.Workbook?.Names ?? []) {
    const m = /^(?:'?([^'!]+)'?!)?(\$?[A-Za-z]+\$?\d+)(?::(\$?[A-Za-z]+\$?\d+))?$/.exec(n.Ref ?? '');
    if (!m) continue;
    if (m[1] && m[1] !== tab) continue;
    const a = parseCell(m[2]!.replace(/\$/g, ''));
    const z = parseCell((m[3] ?? m[2]!).replace(/\$/g, ''));
    if (a && z) names.set(n.Name.toLowerCase(), { sheet: m[1], r: a.r, c: a.c, r2: z.r, c2: z.c });
  }
  return { cells, names };
}
