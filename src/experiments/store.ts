/**
 * Results on disk (Node only). A results directory holds:
 *   metadata.json          spec, seed, model hash, interlock version, policies, outcomes, progress
 *   status.u8              one byte per run: 0 not run, 1 ok, 2 failed
 *   inputs.f64             sampled inputs, row-major float64 (runs x inputs)
 *   outcomes/<name>.f64    one float64 per run for every outcome
 *   series/<name>.f64      runs x times float64 for series outcomes (times in metadata)
 *   failures.jsonl         {"row", "message"} per failed run, sorted by row when finished
 *   results.csv            everything scalar in one table, in row order as the chunks come in
 *                          (formatted by the workers), completed with the rows not run at the end
 * Chunks are written at their row offsets as they arrive, so memory stays flat and the files
 * are identical whatever the number of workers or the order in which chunks finish.
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
} from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../version.js';
import { csvHeader, csvRows } from './csv.js';
import type { ExperimentPlan } from './plan.js';
import { STATUS_OK, type ChunkResult, type RunFailure } from './runner.js';
import type { ExperimentSpec } from './spec.js';
import type { ExperimentTable } from './table.js';

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
  elapsedSeconds: number;
  jobs: number;
}

const safeFileName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, '_');

export class ResultsWriter {
  private readonly statusFd: number;
  private readonly inputsFd: number;
  private readonly outcomeFds: number[];
  private seriesFds: number[] = [];
  private readonly seriesNames: string[];
  private times?: Float64Array;
  private readonly csvFd: number;
  /** Next row of results.csv to write, and formatted blocks waiting for the rows before them. */
  private csvNext = 0;
  private readonly csvWaiting = new Map<number, { count: number; text: string }>();
  readonly metadata: ResultsMetadata;

  constructor(
    readonly dir: string,
    private readonly plan: ExperimentPlan,
    info: { specFile?: string; modelFile?: string; modelHash: string; jobs: number },
  ) {
    mkdirSync(join(dir, 'outcomes'), { recursive: true });
    const spec = plan.spec;
    this.seriesNames = spec.outcomes.filter((o) => o.reduce === 'series').map((o) => o.name);
    if (this.seriesNames.length) mkdirSync(join(dir, 'series'), { recursive: true });
    // Start from empty files: a rerun into the same directory must not keep stale rows.
    this.statusFd = openSync(join(dir, 'status.u8'), 'w+');
    this.inputsFd = openSync(join(dir, 'inputs.f64'), 'w+');
    this.outcomeFds = spec.outcomes.map((o) =>
      openSync(join(dir, 'outcomes', `${safeFileName(o.name)}.f64`), 'w+'),
    );
    writeFileSync(join(dir, 'failures.jsonl'), '');
    this.csvFd = openSync(join(dir, 'results.csv'), 'w');
    writeSync(this.csvFd, csvHeader(plan));
    this.metadata = {
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
      elapsedSeconds: 0,
      jobs: info.jobs,
    };
    this.writeMetadata();
  }

  private writeMetadata(): void {
    writeFileSync(join(this.dir, 'metadata.json'), JSON.stringify(this.metadata, null, 2) + '\n');
  }

  write(chunk: ChunkResult): void {
    const { start, count } = chunk;
    const nInputs = this.plan.inputNames.length;
    writeSync(this.statusFd, chunk.status, 0, count, start);
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
        this.seriesFds = this.seriesNames.map((n) =>
          openSync(join(this.dir, 'series', `${safeFileName(n)}.f64`), 'w+'),
        );
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
    this.csvWaiting.set(start, { count, text: chunk.csv ?? csvRows(this.plan, chunk) });
    this.flushCsv(false);
    let ok = 0;
    for (let i = 0; i < count; i++) if (chunk.status[i] === STATUS_OK) ok++;
    this.metadata.completedRuns += count;
    this.metadata.failedRuns += count - ok;
  }

  /**
   * Append the waiting blocks that continue results.csv; at the end (`all`), every row left,
   * the rows that never ran as pending.
   */
  private flushCsv(all: boolean): void {
    for (;;) {
      const block = this.csvWaiting.get(this.csvNext);
      if (block) {
        this.csvWaiting.delete(this.csvNext);
        writeSync(this.csvFd, block.text);
        this.csvNext += block.count;
        continue;
      }
      if (!all || this.csvNext >= this.plan.rows) return;
      let end = this.plan.rows;
      for (const start of this.csvWaiting.keys()) if (start > this.csvNext && start < end) end = start;
      for (let from = this.csvNext; from < end; from += 4096) {
        const count = Math.min(4096, end - from);
        const nInputs = this.plan.spec.uncertainties.length;
        const pending = {
          start: from,
          count,
          status: new Uint8Array(count),
          inputs: new Float64Array(count * nInputs).fill(NaN),
          scalars: new Float64Array(0),
        };
        writeSync(this.csvFd, csvRows(this.plan, pending));
      }
      this.csvNext = end;
    }
  }

  /** Close the files, sort the failures, complete results.csv, write the final metadata. */
  finish(state: 'complete' | 'interrupted' | 'failed', elapsedSeconds: number): void {
    this.flushCsv(true);
    closeSync(this.csvFd);
    for (const fd of [this.statusFd, this.inputsFd, ...this.outcomeFds, ...this.seriesFds]) closeSync(fd);
    const failuresFile = join(this.dir, 'failures.jsonl');
    const failures = readFileSync(failuresFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RunFailure)
      .sort((a, b) => a.row - b.row);
    writeFileSync(failuresFile, failures.map((f) => JSON.stringify(f) + '\n').join(''));
    this.metadata.state = state;
    this.metadata.elapsedSeconds = elapsedSeconds;
    this.writeMetadata();
  }
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
