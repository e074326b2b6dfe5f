/**
 * External data for Vensim's GET XLS/DIRECT CONSTANTS, DATA and LOOKUPS. The reader asks a
 * DataSource for a sheet's cells (the Node side reads CSV and XLS/XLSX files beside the model,
 * see src/node/data-files.ts; the engine itself does no I/O), then lays the cells out over the
 * elements being defined: constants along the last subscript to the right and the one before it
 * down (`cell*` transposes); data and lookups with their x (time) values along the row or column
 * named by the third argument and one series per element the other way.
 */

export type Cell = number | string | undefined;

export interface Sheet {
  /** cells[row][column], 0-based. */
  cells: Cell[][];
  /** Workbook defined names -> the top-left and bottom-right cells of their range (0-based). */
  names: Map<string, { sheet?: string; r: number; c: number; r2: number; c2: number }>;
}

export interface DataSource {
  /** The cells of a sheet of a file (for CSV, `tab` is the delimiter), or why it cannot be read. */
  sheet(file: string, tab: string): Sheet | string;
}

export class ExternalError extends Error {}

/** `B7` -> { r: 6, c: 1 }; undefined when the text is not a cell reference. */
export function parseCell(ref: string): { r: number; c: number } | undefined {
  const m = /^\s*\$?([A-Za-z]{1,3})\$?(\d{1,7})\s*$/.exec(ref);
  if (!m) return undefined;
  return { r: Number(m[2]) - 1, c: columnIndex(m[1]!) };
}

function columnIndex(letters: string): number {
  let c = 0;
  for (const ch of letters.toUpperCase()) c = c * 26 + (ch.charCodeAt(0) - 64);
  return c - 1;
}

const value = (sheet: Sheet, r: number, c: number): number | undefined => {
  const v = sheet.cells[r]?.[c];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Where a cell argument points: a cell (`A2`, `B2*`) or a defined name (`var1_`, `valuev*`). */
function anchor(
  sheet: Sheet,
  ref: string,
  what: string,
): { r: number; c: number; transpose: boolean; r2?: number; c2?: number } {
  const transpose = ref.trim().endsWith('*');
  const bare = ref.trim().replace(/\*$/, '');
  const cell = parseCell(bare);
  if (cell) return { ...cell, transpose };
  const named = sheet.names.get(bare.toLowerCase());
  if (named) return { r: named.r, c: named.c, r2: named.r2, c2: named.c2, transpose };
  throw new ExternalError(`${what} '${ref}' is neither a cell (like B2) nor a name defined in the workbook`);
}

/** Constants: `count` values in rows x columns starting at the anchor. */
export function readConstants(sheet: Sheet, ref: string, rows: number, cols: number): number[] {
  const a = anchor(sheet, ref, 'cell');
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const [r, c] = a.transpose ? [a.r + j, a.c + i] : [a.r + i, a.c + j];
      const v = value(sheet, r, c);
      if (v === undefined)
        throw new ExternalError(
          `no number in cell ${cellName(r, c)} (needed for ${rows * cols} value(s) from ${ref})`,
        );
      out.push(v);
    }
  }
  return out;
}

/**
 * Data or lookups: x values from the row (`'4'`) or column (`'A'`) `xRef`, or a defined name;
 * `series` series starting at the cell `first`, running the same way as the x values.
 */
export function readSeries(
  sheet: Sheet,
  xRef: string,
  first: string,
  series: number,
): { xs: number[]; ys: number[] }[] {
  const f = anchor(sheet, first, 'first data cell');
  let across: boolean;
  let x0: { r: number; c: number };
  const trimmed = xRef.trim();
  if (/^\d+$/.test(trimmed)) {
    across = true;
    x0 = { r: Number(trimmed) - 1, c: f.c };
  } else if (/^[A-Za-z]{1,3}$/.test(trimmed)) {
    across = false;
    x0 = { r: f.r, c: columnIndex(trimmed) };
  } else {
    const t = anchor(sheet, trimmed, 'time row or column');
    across = t.c2 !== undefined && t.r2 !== undefined ? t.c2 - t.c >= t.r2 - t.r : true;
    x0 = { r: t.r, c: t.c };
  }
  // x values run to the end of the row (column); blank or non-numeric cells are skipped points.
  const xs: (number | undefined)[] = [];
  const extent = across ? (sheet.cells[x0.r]?.length ?? 0) - x0.c : sheet.cells.length - x0.r;
  for (let k = 0; k < extent; k++)
    xs.push(across ? value(sheet, x0.r, x0.c + k) : value(sheet, x0.r + k, x0.c));
  while (xs.length && xs[xs.length - 1] === undefined) xs.pop();
  if (xs.length === 0) throw new ExternalError(`no x (time) values at ${cellName(x0.r, x0.c)}`);
  const out: { xs: number[]; ys: number[] }[] = [];
  for (let s = 0; s < series; s++) {
    const pts = { xs: [] as number[], ys: [] as number[] };
    xs.forEach((x, k) => {
      const v = across ? value(sheet, f.r + s, f.c + k) : value(sheet, f.r + k, f.c + s);
      if (v !== undefined && x !== undefined) {
        pts.xs.push(x);
        pts.ys.push(v);
      }
    });
    if (pts.xs.length === 0)
      throw new ExternalError(
        `no values for series ${s + 1} starting at ${across ? cellName(f.r + s, f.c) : cellName(f.r, f.c + s)}`,
      );
    out.push(pts);
  }
  return out;
}

export function cellName(r: number, c: number): string {
  let letters = '';
  let n = c + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    letters = String.fromCharCode(65 + m) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${r + 1}`;
}

/** Parse a delimited text file into cells (numbers where they parse). */
export function parseDelimited(text: string, delimiter: string): Cell[][] {
  const d = delimiter === '' ? ',' : delimiter === '\\t' ? '\t' : delimiter;
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line.split(d).map((cell) => {
        const t = cell.trim().replace(/^"(.*)"$/, '$1');
        if (t === '') return undefined;
        const n = Number(t);
        return Number.isFinite(n) ? n : t;
      }),
    );
}
