/**
 * Results on disk (Node only). A results directory holds:
 *   metadata.json          spec, seed, model hash, interlock version, policies, outcomes, progress
 *   status.u8              one byte per run: 0 not run, 1 ok, 2 failed, 3 non-finite outputs
 *   inputs.f64             sampled inputs, row-major float64 (runs x inputs)
 *   outcomes/<name>.f64    one float64 per run for every outcome
 *   series/<name>.f64      runs x times float64 for series outcomes (times in metadata)
 *   failures.jsonl         {"row", "message"} per failed run, sorted by row when finished
 *   results.csv            everything scalar in one table: the rows the workers format, streamed in
 *                          row order to results.csv.part and renamed when whole; otherwise (resumed,
 *                          interrupted) written from the columns at the end, the same bytes
 * Chunks are written at their row offsets as they arrive, so memory stays flat and the files
 * are identical whatever the number of workers or the order in which chunks finish. A chunk's
 * status bytes are written last, after its values: a row marked run is a row whose values are on
 * disk, so a folder killed at any point can be resumed from its status file alone. The saved
 * times go into metadata.json before the first series row is written, and a resumed folder's
 * series files are opened for update, never truncated, whatever metadata.json says.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
  existsSync,
  appendFileSync,
  readSync,
  fstatSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../version.js';
import type { ExperimentPlan } from './plan.js';
import {
  STATUS_FAILED,
  STATUS_NONFINITE,
  STATUS_PENDING,
  type ChunkResult,
  type RunFailure,
} from './runner.js';
import type { ExperimentSpec } from './spec.js';
import type { ExperimentTable } from './table.js';
import { CsvBytes, CsvFormatter, csvLayoutOfPlan, type CsvLayout } from './csv.js';

export const RESULTS_FORMAT = 'interlock-experiments';

export interface ResultsMetadata {
  format: typeof RESULTS_FORMAT;
  formatVersion: 1;
  interlockVersion: string;
  createdAt: string;
  spec: ExperimentSpec;
  specFile?: string;
  modelFile?: string;
  /** sha256 of the model file's text (or of the builtin name). */
  modelHash: string;
  seed: number;
  method: string;
  rows: number;
  designRows: number;
  inputs: { name: string; variable: string; dist: string; discrete: boolean }[];
  policies: {
    name: string;
    scenario?: string;
    levers: Record<string, number>;
    overrides: Record<string, number>;
  }[];
  outcomes: { name: string; variable: string; reduce: string; kind: string; series: boolean }[];
  times?: number[];
  state: 'running' | 'complete' | 'interrupted' | 'failed';
  completedRuns: number;
  failedRuns: number;
  /** Runs that finished with NaN or infinite values in a variable an outcome reads. */
  nonFiniteRuns?: number;
  elapsedSeconds: number;
  jobs: number;
}

/**
 * The rows of results.csv as they stream in: renamed to results.csv when whole, so a folder
 * killed mid-run never holds a truncated table (its resume writes the table from the columns).
 */
export const STREAMED_CSV = 'results.csv.part';

/** Chunks that may wait for an earlier one before results.csv is written from the columns instead. */
const MAX_WAITING_CSV_CHUNKS = 256;

const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_');

export class ResultsWriter {
  private readonly statusFd: number;
  private readonly inputsFd: number;
  private readonly outcomeFds: number[];
  private seriesFds: number[] = [];
  private readonly seriesNames: string[];
  private times?: Float64Array;
  /**
   * results.csv as the chunks arrive, in row order (the workers format their rows): chunks that
   * come early wait here. Undefined until the first chunk with rows, null once the stream can no
   * longer give the whole table (a resumed folder, a chunk without rows or stopped early, too many
   * chunks waiting): finish() then writes the table from the columns.
   */
  private csv?: {
    fd: number;
    next: number;
    waiting: Map<number, { count: number; text: Uint8Array }>;
  } | null;
  readonly metadata: ResultsMetadata;

  /**
   * `resume`: keep the files of an earlier run of the same plan (explore checks that it is the
   * same) and add the missing rows; otherwise start from empty files.
   */
  constructor(
    readonly dir: string,
    private readonly plan: ExperimentPlan,
    info: { specFile?: string; modelFile?: string; modelHash: string; jobs: number },
    private readonly resume = false,
  ) {
    const spec = plan.spec;
    this.seriesNames = spec.outcomes.filter((o) => o.reduce === 'series').map((o) => o.name);
    const earlier = resume ? readMetadata(dir) : undefined;
    // metadata.json first: a folder killed at any later point is recognisably ours (--resume, --force).
    mkdirSync(dir, { recursive: true });
    this.metadata = this.initialMetadata(info);
    if (earlier) {
      this.metadata.createdAt = earlier.createdAt;
      this.metadata.times = earlier.times;
      this.metadata.elapsedSeconds = earlier.elapsedSeconds;
      const counts = countStatus(dir, plan.rows);
      this.metadata.completedRuns = counts.done;
      this.metadata.failedRuns = counts.failed;
      this.metadata.nonFiniteRuns = counts.nonFinite;
    }
    this.writeMetadata();
    mkdirSync(join(dir, 'outcomes'), { recursive: true });
    if (this.seriesNames.length) mkdirSync(join(dir, 'series'), { recursive: true });
    const mode = (file: string): string => (resume && existsSync(file) ? 'r+' : 'w+');
    const open = (file: string): number => openSync(file, mode(file));
    this.statusFd = open(join(dir, 'status.u8'));
    this.inputsFd = open(join(dir, 'inputs.f64'));
    this.outcomeFds = spec.outcomes.map((o) => open(join(dir, 'outcomes', `${safeFileName(o.name)}.f64`)));
    if (!resume || !existsSync(join(dir, 'failures.jsonl'))) writeFileSync(join(dir, 'failures.jsonl'), '');
    if (earlier?.times) {
      this.times = Float64Array.from(earlier.times);
      this.seriesFds = this.seriesNames.map((n) => open(join(dir, 'series', `${safeFileName(n)}.f64`)));
    }
  }

  private initialMetadata(info: {
    specFile?: string;
    modelFile?: string;
    modelHash: string;
    jobs: number;
  }): ResultsMetadata {
    const plan = this.plan;
    const spec = plan.spec;
    return {
      format: RESULTS_FORMAT,
      formatVersion: 1,
      interlockVersion: VERSION,
      createdAt: new Date().toISOString(),
      spec,
      specFile: info.specFile,
      modelFile: info.modelFile,
      modelHash: info.modelHash,
      seed: spec.seed,
      method: spec.method,
      rows: plan.rows,
      designRows: plan.designRows,
      inputs: spec.uncertainties.map((u, i) => ({
        name: u.name,
        variable: u.variable,
        dist: u.dist,
        discrete: plan.distributions[i].discrete,
      })),
      policies: plan.policies.map((p) => ({
        name: p.name,
        scenario: p.scenario,
        levers: p.levers,
        overrides: p.overrides,
      })),
      outcomes: spec.outcomes.map((o) => ({
        name: o.name,
        variable: o.variable,
        reduce: o.reduce,
        kind: o.kind,
        series: o.reduce === 'series',
      })),
      state: 'running',
      completedRuns: 0,
      failedRuns: 0,
      nonFiniteRuns: 0,
      elapsedSeconds: 0,
      jobs: info.jobs,
    };
  }

  /** Written whole or not at all (a temporary file renamed over it): a kill never tears it. */
  private writeMetadata(): void {
    const file = join(this.dir, 'metadata.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(this.metadata, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  }

  write(chunk: ChunkResult): void {
    const { start, count } = chunk;
    const nInputs = this.plan.inputNames.length;
    if (nInputs)
      writeSync(
        this.inputsFd,
        new Uint8Array(chunk.inputs.buffer, chunk.inputs.byteOffset, count * nInputs * 8),
        0,
        count * nInputs * 8,
        start * nInputs * 8,
      );
    this.outcomeFds.forEach((fd, o) => {
      writeSync(
        fd,
        new Uint8Array(chunk.scalars.buffer, chunk.scalars.byteOffset + o * count * 8, count * 8),
        0,
        count * 8,
        start * 8,
      );
    });
    if (this.seriesNames.length && chunk.times.length) {
      if (!this.times) {
        this.times = chunk.times;
        this.metadata.times = Array.from(chunk.times);
        // On disk before any series row: a folder killed from here on says what its series hold.
        this.writeMetadata();
        // A resumed folder killed before its first finish has series rows on disk (their status
        // bytes say so) while its metadata.json has no times: keep them.
        this.seriesFds = this.seriesNames.map((n) => {
          const file = join(this.dir, 'series', `${safeFileName(n)}.f64`);
          return openSync(file, this.resume && existsSync(file) ? 'r+' : 'w+');
        });
      }
      const nTimes = this.times.length;
      chunk.series.forEach((values, s) => {
        writeSync(
          this.seriesFds[s],
          new Uint8Array(values.buffer, values.byteOffset, count * nTimes * 8),
          0,
          count * nTimes * 8,
          start * nTimes * 8,
        );
      });
    }
    if (chunk.failures.length) {
      appendFileSync(
        join(this.dir, 'failures.jsonl'),
        chunk.failures.map((f) => JSON.stringify(f)).join('\n') + '\n',
      );
    }
    this.streamCsv(chunk);
    // Last: the status bytes say these rows are on disk.
    writeSync(this.statusFd, chunk.status, 0, count, start);
    for (let i = 0; i < count; i++) {
      if (chunk.status[i] === STATUS_FAILED) this.metadata.failedRuns++;
      else if (chunk.status[i] === STATUS_NONFINITE) this.metadata.nonFiniteRuns!++;
    }
    this.metadata.completedRuns += count;
  }

  private streamCsv(chunk: ChunkResult): void {
    if (this.csv === null) return;
    if (this.resume || chunk.csv === undefined) {
      this.stopCsv();
      return;
    }
    if (!this.csv) {
      const fd = openSync(join(this.dir, STREAMED_CSV), 'w');
      writeSync(fd, new CsvFormatter(csvLayoutOfPlan(this.plan)).header());
      this.csv = { fd, next: 0, waiting: new Map() };
    }
    const csv = this.csv;
    csv.waiting.set(chunk.start, { count: chunk.count, text: chunk.csv });
    for (let part = csv.waiting.get(csv.next); part; part = csv.waiting.get(csv.next)) {
      csv.waiting.delete(csv.next);
      writeSync(csv.fd, part.text);
      csv.next += part.count;
    }
    // A chunk stopped early leaves a gap no later chunk fills: bound what waits behind it.
    if (csv.waiting.size > MAX_WAITING_CSV_CHUNKS) this.stopCsv();
  }

  private stopCsv(): void {
    if (this.csv) closeSync(this.csv.fd);
    this.csv = null;
  }

  /** Close the files, sort the failures, write results.csv and the final metadata. */
  finish(state: 'complete' | 'interrupted' | 'failed', elapsedSeconds: number): void {
    for (const fd of [this.statusFd, this.inputsFd, ...this.outcomeFds, ...this.seriesFds]) closeSync(fd);
    const streamed = this.csv ? this.csv.next : -1;
    if (this.csv) closeSync(this.csv.fd);
    this.csv = null;
    const failuresFile = join(this.dir, 'failures.jsonl');
    // One line per failed row: a row killed after its failure was logged but before its status was
    // written is run again on resume and logged again; a torn last line is dropped.
    const byRow = new Map<number, RunFailure>();
    for (const line of readFileSync(failuresFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const f = JSON.parse(line) as RunFailure;
        byRow.set(f.row, f);
      } catch {
        // torn write
      }
    }
    const failures = [...byRow.values()].sort((a, b) => a.row - b.row);
    writeFileSync(failuresFile, failures.map((f) => JSON.stringify(f) + '\n').join(''));
    // Complete only when every row has run, whatever the caller believed.
    const counts = countStatus(this.dir, this.plan.rows);
    this.metadata.completedRuns = counts.done;
    this.metadata.failedRuns = counts.failed;
    this.metadata.nonFiniteRuns = counts.nonFinite;
    this.metadata.state = state === 'complete' && counts.done < this.plan.rows ? 'interrupted' : state;
    this.metadata.elapsedSeconds = (this.metadata.elapsedSeconds ?? 0) + elapsedSeconds;
    this.writeMetadata();
    // The rows streamed as they ran are the whole table only when every row ran in this session.
    if (streamed === this.plan.rows && this.metadata.completedRuns === this.plan.rows)
      renameSync(join(this.dir, STREAMED_CSV), join(this.dir, 'results.csv'));
    else {
      writeResultsCsv(this.dir, this.metadata);
      rmSync(join(this.dir, STREAMED_CSV), { force: true });
    }
  }
}

/** Rows of a results directory that have run, failed, or given non-finite values. */
export function countStatus(dir: string, rows: number): { done: number; failed: number; nonFinite: number } {
  const status = readStatusFile(dir, rows);
  let done = 0;
  let failed = 0;
  let nonFinite = 0;
  for (let i = 0; i < rows; i++) {
    const s = status[i]!;
    if (s !== STATUS_PENDING) done++;
    if (s === STATUS_FAILED) failed++;
    else if (s === STATUS_NONFINITE) nonFinite++;
  }
  return { done, failed, nonFinite };
}

/** The rows still to run, as ranges [start, end) in row order. */
export function pendingRanges(dir: string, rows: number): [number, number][] {
  const status = readStatusFile(dir, rows);
  const out: [number, number][] = [];
  let i = 0;
  while (i < rows) {
    if (status[i] !== STATUS_PENDING) {
      i++;
      continue;
    }
    const start = i;
    while (i < rows && status[i] === STATUS_PENDING) i++;
    out.push([start, i]);
  }
  return out;
}

function readStatusFile(dir: string, rows: number): Uint8Array {
  const status = new Uint8Array(rows);
  const file = join(dir, 'status.u8');
  if (!existsSync(file)) return status;
  const fd = openSync(file, 'r');
  try {
    const available = Math.min(rows, fstatSync(fd).size);
    if (available > 0) readSync(fd, status, 0, available, 0);
  } finally {
    closeSync(fd);
  }
  return status;
}

/** The layout of a folder's results.csv, from its metadata. */
export function csvLayoutOf(meta: ResultsMetadata): CsvLayout {
  return {
    leverNames: meta.spec.levers.map((l) => l.name),
    inputNames: meta.inputs.map((i) => i.name),
    outcomeNames: meta.outcomes.map((o) => o.name),
    policies: meta.policies,
    designRows: meta.designRows,
  };
}

/** The whole of results.csv from the binary columns, a block of rows at a time. */
function writeResultsCsv(dir: string, meta: ResultsMetadata): void {
  const nInputs = meta.inputs.length;
  const format = new CsvFormatter(csvLayoutOf(meta));
  const out = openSync(join(dir, 'results.csv'), 'w');
  writeSync(out, format.header());
  const files = openColumns(dir, meta);
  const block = 4096;
  const text = new CsvBytes();
  for (let start = 0; start < meta.rows; start += block) {
    const count = Math.min(block, meta.rows - start);
    const status = files.readStatus(start, count);
    const inputs = files.readInputs(start, count);
    const outcomes = meta.outcomes.map((_, o) => files.readOutcome(o, start, count));
    for (let k = 0; k < count; k++) {
      const cells = format.inputCells(inputs, k * nInputs);
      format.line(text, start + k, cells, status[k]!, (o) => outcomes[o]![k]!);
    }
    writeSync(out, text.take());
  }
  files.close();
  closeSync(out);
}

function openColumns(dir: string, meta: ResultsMetadata) {
  const nInputs = meta.inputs.length;
  const statusFd = openSync(join(dir, 'status.u8'), 'r');
  const inputsFd = openSync(join(dir, 'inputs.f64'), 'r');
  const outcomeFds = meta.outcomes.map((o) =>
    openSync(join(dir, 'outcomes', `${safeFileName(o.name)}.f64`), 'r'),
  );
  // Files end at the last written row; anything beyond reads as "not run" (zero status).
  const readInto = (fd: number, bytes: Uint8Array, position: number): void => {
    const size = fstatSync(fd).size;
    const available = Math.max(0, Math.min(bytes.length, size - position));
    if (available > 0) readSync(fd, bytes, 0, available, position);
  };
  return {
    readStatus(start: number, count: number): Uint8Array {
      const b = new Uint8Array(count);
      readInto(statusFd, b, start);
      return b;
    },
    readInputs(start: number, count: number): Float64Array {
      const f = new Float64Array(count * nInputs).fill(NaN);
      readInto(inputsFd, new Uint8Array(f.buffer), start * nInputs * 8);
      return f;
    },
    readOutcome(o: number, start: number, count: number): Float64Array {
      const f = new Float64Array(count).fill(NaN);
      readInto(outcomeFds[o], new Uint8Array(f.buffer), start * 8);
      return f;
    },
    close(): void {
      for (const fd of [statusFd, inputsFd, ...outcomeFds]) closeSync(fd);
    },
  };
}

export function readMetadata(dir: string): ResultsMetadata {
  const file = join(dir, 'metadata.json');
  if (!existsSync(file)) throw new Error(`${dir} is not an experiment results directory (no metadata.json)`);
  const meta = JSON.parse(readFileSync(file, 'utf8')) as ResultsMetadata;
  if (meta.format !== RESULTS_FORMAT) throw new Error(`${file}: not an interlock experiments file`);
  return meta;
}

/** Load the scalar table (inputs, status, outcomes) for analysis. */
export function loadTable(dir: string): { table: ExperimentTable; meta: ResultsMetadata } {
  const meta = readMetadata(dir);
  const files = openColumns(dir, meta);
  const n = meta.rows;
  const nInputs = meta.inputs.length;
  const status = files.readStatus(0, n);
  const flat = files.readInputs(0, n);
  const inputs = meta.inputs.map((_, d) => {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = flat[i * nInputs + d];
    return col;
  });
  const outcomes = meta.outcomes.map((_, o) => files.readOutcome(o, 0, n));
  files.close();
  const table: ExperimentTable = {
    rows: n,
    designRows: meta.designRows,
    method: meta.spec.method,
    secondOrder: meta.spec.secondOrder,
    inputNames: meta.inputs.map((i) => i.name),
    inputs,
    inputDiscrete: meta.inputs.map((i) => i.discrete),
    policyNames: meta.policies.map((p) => p.name),
    policyLevers: meta.policies.map((p) => p.levers),
    policyScenarios: meta.policies.map((p) => p.scenario),
    status,
    outcomeNames: meta.outcomes.map((o) => o.name),
    outcomeKinds: meta.outcomes.map((o) => o.kind as ExperimentTable['outcomeKinds'][number]),
    outcomes,
  };
  return { table, meta };
}

/** Read a series outcome for the given rows (row-major rows x times); NaN where not run. */
export function readSeries(dir: string, meta: ResultsMetadata, name: string, rows: number[]): Float64Array {
  const nTimes = meta.times?.length ?? 0;
  const out = new Float64Array(rows.length * nTimes).fill(NaN);
  const file = join(dir, 'series', `${safeFileName(name)}.f64`);
  if (!nTimes || !existsSync(file)) return out;
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  rows.forEach((row, k) => {
    const position = row * nTimes * 8;
    if (position + nTimes * 8 <= size)
      readSync(fd, new Uint8Array(out.buffer, k * nTimes * 8, nTimes * 8), 0, nTimes * 8, position);
  });
  closeSync(fd);
  return out;
}
