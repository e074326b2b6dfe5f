/**
 * Read back what `interlock calibrate --out DIR` writes (src/calibrate/output.ts): summary.json,
 * posterior.csv, predictive.json, rows.csv, and with `--sequence` the sequence.json beside one
 * folder per date. Node only; a missing or malformed file is an error naming it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class CalibrationFolderError extends Error {}

/** RFC 4180 rows (quoted cells, doubled quotes); the header is the first row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV cell as output.ts writes numbers ('NaN', 'Inf', '-Inf', '' for none). */
export function csvNumber(cell: string | undefined): number {
  if (cell === undefined || cell === '') return NaN;
  if (cell === 'Inf') return Infinity;
  if (cell === '-Inf') return -Infinity;
  return Number(cell);
}

function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new CalibrationFolderError(`${file}: ${(err as Error).message}`);
  }
}

export interface CalibrationSummaryFile {
  method: string;
  parameters: Record<
    string,
    {
      map: number | null;
      mean: number | null;
      sd: number | null;
      q05: number | null;
      q50: number | null;
      q95: number | null;
    }
  >;
  diagnostics: Record<string, unknown> & { warnings?: string[]; seconds?: number; interrupted?: boolean };
  fit: {
    mapLogLikelihood: number | null;
    observations: number;
    coverage90: number | null;
    streams: { name: string; variable: string; rows: number; coverage90: number | null }[];
  };
  spec: { file: string; model: string; seed: number; samples: number; asOf: string | null };
}

export interface CalibrationFolder {
  dir: string;
  summary: CalibrationSummaryFile;
  /** Column names of posterior.csv and its rows as numbers. */
  posterior: { columns: string[]; rows: Float64Array[] };
  predictive: {
    levels: number[];
    fans: { variable: string; time: number[]; quantiles: number[][] }[];
    points: unknown[];
  };
  /** rows.csv as records (numbers where output.ts writes numbers). */
  rows: Record<string, string | number | null>[];
}

const ROW_NUMBERS = new Set(['time', 'value', 'low', 'high', 'map', 'q05', 'q50', 'q95']);

export function isCalibrationFolder(dir: string): boolean {
  return existsSync(join(dir, 'summary.json')) && existsSync(join(dir, 'posterior.csv'));
}

export function readCalibrationFolder(dir: string): CalibrationFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new CalibrationFolderError(`${dir}: no such folder`);
  const need = ['summary.json', 'posterior.csv', 'rows.csv'];
  const missing = need.filter((f) => !existsSync(join(dir, f)));
  if (missing.length)
    throw new CalibrationFolderError(
      `${dir}: not a calibration output folder (missing ${missing.join(', ')}; write one with interlock calibrate SPEC --out DIR)`,
    );
  const summary = readJsonFile(join(dir, 'summary.json')) as CalibrationSummaryFile;
  if (!summary || typeof summary !== 'object' || !summary.parameters)
    throw new CalibrationFolderError(`${join(dir, 'summary.json')}: has no parameters`);
  const csv = parseCsv(readFileSync(join(dir, 'posterior.csv'), 'utf8'));
  const columns = csv[0] ?? [];
  const rows = csv
    .slice(1)
    .filter((r) => r.length === columns.length)
    .map((r) => Float64Array.from(r, csvNumber));
  const predictiveFile = join(dir, 'predictive.json');
  const predictive = existsSync(predictiveFile)
    ? (readJsonFile(predictiveFile) as CalibrationFolder['predictive'])
    : { levels: [], fans: [], points: [] };
  const rowCsv = parseCsv(readFileSync(join(dir, 'rows.csv'), 'utf8'));
  const header = rowCsv[0] ?? [];
  const records = rowCsv
    .slice(1)
    .filter((r) => r.length === header.length)
    .map((r) =>
      Object.fromEntries(
        header.map((h, i) => [
          h,
          ROW_NUMBERS.has(h) ? (r[i] === '' ? null : csvNumber(r[i])) : r[i] === '' ? null : r[i]!,
        ]),
      ),
    );
  return { dir, summary, posterior: { columns, rows }, predictive, rows: records };
}

/** sequence.json of `calibrate --sequence`: the dates and each date's folder. */
export interface SequenceFile {
  dates: string[];
  steps: {
    asOf: string;
    folder: string;
    rows: number;
    coverage90: number | null;
    parameters: Record<string, { mean: number; q05: number; q50: number; q95: number }>;
    points: { name: string; variable: string; time: number; date?: string; quantiles: number[] }[];
  }[];
}

export function readSequence(dir: string): SequenceFile | undefined {
  const file = join(dir, 'sequence.json');
  if (!existsSync(file)) return undefined;
  const seq = readJsonFile(file) as SequenceFile;
  if (!seq || !Array.isArray(seq.steps)) throw new CalibrationFolderError(`${file}: has no steps`);
  return seq;
}
