/**
 * The unit of work: a chunk of consecutive rows -> their results. A pure function of
 * (plan, model, start, end); workers, the in-process runner and (later) remote machines all
 * call it, so results never depend on who ran a chunk.
 */
import type { Simulation } from '../engine.js';
import type { ExperimentPlan } from './plan.js';
import { reduceSeries } from './reducers.js';
import { SpecError } from './spec-error.js';
import { firstNonFinite } from '../simulate/finite.js';
import { CsvBytes, CsvFormatter, csvLayoutOfPlan } from './csv.js';

export const STATUS_PENDING = 0;
export const STATUS_OK = 1;
export const STATUS_FAILED = 2;
/** The run finished, but a variable an outcome reads became NaN or infinite. */
export const STATUS_NONFINITE = 3;

export interface RunFailure {
  row: number;
  message: string;
}

export interface ChunkResult {
  start: number;
  count: number;
  /** Sampled input values, row-major (count x inputs). */
  inputs: Float64Array;
  /** Scalar outcome values, outcome-major (outcomes x count). Series outcomes give their final value. */
  scalars: Float64Array;
  /** One array per series outcome, row-major (count x times). */
  series: Float64Array[];
  times: Float64Array;
  status: Uint8Array;
  failures: RunFailure[];
  /** The rows' lines of results.csv as UTF-8, each ending in a newline (when the runner was asked for them). */
  csv?: Uint8Array;
  /** Seconds spent inside the model's run(), for overhead accounting. */
  modelSeconds: number;
  /** Seconds spent in this chunk altogether (sampling, running, reducing). */
  chunkSeconds: number;
}

export interface ChunkRunnerOptions {
  /** Format the rows' lines of results.csv as they run (`ChunkResult.csv`). */
  csv?: boolean;
}

/**
 * Sampled inputs kept per sample, when every policy meets the same samples, so a sample's inputs
 * are drawn and formatted once rather than once per policy: at most this many values.
 */
const SAMPLE_CACHE_CELLS = 1 << 20;

export class ChunkRunner {
  private readonly inputIndex: number[];
  /** Per policy: [parameter index, value] pairs. */
  private readonly policyOverrides: Array<Array<[number, number]>>;
  /** Distinct model variables read by the outcomes, and each outcome's index into them. */
  private readonly variables: string[];
  private readonly outcomeVariable: number[];
  private readonly seriesOutcomes: number[];
  private readonly unit: Float64Array;
  private readonly format?: CsvFormatter;
  /** Per sample of the design: its inputs (row-major), whether drawn yet, and its input cells. */
  private readonly cache?: { values: Float64Array; drawn: Uint8Array; cells: (Uint8Array | undefined)[] };
  private readonly csvBytes = new CsvBytes();

  constructor(
    private readonly plan: ExperimentPlan,
    private readonly sim: Simulation,
    options: ChunkRunnerOptions = {},
  ) {
    const spec = plan.spec;
    const resolve = (name: string, field: string): number => {
      try {
        return sim.parameterIndex(name);
      } catch (err) {
        throw new SpecError(
          field,
          `the model has no settable parameter '${name}' (${(err as Error).message})`,
        );
      }
    };
    this.inputIndex = spec.uncertainties.map((u, i) => resolve(u.variable, `uncertainties[${i}].variable`));
    this.policyOverrides = plan.policies.map((p) =>
      Object.entries(p.overrides).map(([name, value]): [number, number] => {
        const lever = spec.levers.findIndex((l) => l.variable === name);
        const field =
          lever >= 0 ? `levers[${lever}].variable` : `scenarios (${p.scenario}).overrides.${name}`;
        return [resolve(name, field), value];
      }),
    );
    this.variables = [...new Set(spec.outcomes.map((o) => o.variable))];
    this.outcomeVariable = spec.outcomes.map((o, i) => {
      try {
        sim.series(o.variable);
      } catch (err) {
        throw new SpecError(
          `outcomes[${i}].variable`,
          `the model has no variable '${o.variable}' (${(err as Error).message})`,
        );
      }
      return this.variables.indexOf(o.variable);
    });
    this.seriesOutcomes = spec.outcomes.flatMap((o, i) => (o.reduce === 'series' ? [i] : []));
    this.unit = new Float64Array(Math.max(1, spec.uncertainties.length));
    if (options.csv) this.format = new CsvFormatter(csvLayoutOfPlan(plan));
    const cells = plan.designRows * plan.inputNames.length;
    if (plan.policies.length > 1 && cells <= SAMPLE_CACHE_CELLS)
      this.cache = { values: new Float64Array(cells), drawn: new Uint8Array(plan.designRows), cells: [] };
  }

  /** Write the inputs of design sample `sample` at `out[offset...]`. */
  private drawInputs(sample: number, out: Float64Array, offset: number): void {
    const { plan, cache } = this;
    const n = plan.inputNames.length;
    if (cache?.drawn[sample]) {
      const values = cache.values;
      for (let d = 0, at = sample * n; d < n; d++) out[offset + d] = values[at + d]!;
      return;
    }
    plan.design.row(sample, this.unit);
    for (let d = 0; d < n; d++) out[offset + d] = plan.distributions[d].quantile(this.unit[d]);
    if (cache) {
      cache.values.set(out.subarray(offset, offset + n), sample * n);
      cache.drawn[sample] = 1;
    }
  }

  /** The input cells of a row of results.csv for design sample `sample`. */
  private inputCells(format: CsvFormatter, sample: number, inputs: Float64Array, offset: number): Uint8Array {
    const cache = this.cache;
    let cells = cache?.cells[sample];
    if (cells === undefined) {
      cells = format.inputCells(inputs, offset);
      if (cache) cache.cells[sample] = cells;
    }
    return cells;
  }

  /** Saved times of one run (the length of a series outcome). */
  get savedTimes(): number {
    return this.sim.time.length;
  }

  /**
   * Run rows [start, end). When `shouldStop` turns true the chunk ends early: the result then
   * covers only the rows before that point (count < end - start), all of them complete.
   */
  run(start: number, end: number, shouldStop?: () => boolean): ChunkResult {
    const { plan, sim } = this;
    let count = end - start;
    const nInputs = plan.inputNames.length;
    const outcomes = plan.spec.outcomes;
    const inputs = new Float64Array(count * nInputs);
    const scalars = new Float64Array(outcomes.length * count).fill(NaN);
    const status = new Uint8Array(count);
    const failures: RunFailure[] = [];
    // The saved times are known before any run: every row of a series outcome is written, NaN
    // where the run failed, so a chunk of failures gives the same bytes however rows are chunked.
    const times = this.seriesOutcomes.length ? Float64Array.from(sim.time) : new Float64Array(0);
    const series = this.seriesOutcomes.map(() => new Float64Array(count * times.length).fill(NaN));
    const format = this.format;
    const csv = this.csvBytes;
    csv.length = 0;
    let modelSeconds = 0;
    const chunkStarted = performance.now();
    // A Simulation reuses preallocated buffers run after run, so the series views are looked up
    // once per chunk rather than once per run (a lookup by name costs as much as a small model).
    let views = this.variables.map((v) => sim.series(v));
    let viewsOf = sim.time;

    // Every row's inputs first, in one pass (as for results.csv below: work between model runs
    // runs with cold caches).
    for (let k = 0; k < count; k++) {
      const row = start + k;
      this.drawInputs(row - Math.floor(row / plan.designRows) * plan.designRows, inputs, k * nInputs);
    }
    for (let k = 0; k < count; k++) {
      if (shouldStop?.()) {
        count = k;
        break;
      }
      const row = start + k;
      const policy = Math.floor(row / plan.designRows);
      const sample = row - policy * plan.designRows;
      sim.clearOverrides();
      for (let d = 0; d < nInputs; d++) sim.set(this.inputIndex[d], inputs[k * nInputs + d]);
      // Policy settings win over sampled values of the same parameter.
      const overrides = this.policyOverrides[policy];
      for (let j = 0; j < overrides.length; j++) sim.set(overrides[j][0], overrides[j][1]);
      // Each sampled future has its own random draws, the same under every policy (common random
      // numbers), derived from the spec's seed so that the experiment repeats exactly.
      sim.setSeed(futureSeed(plan.spec.seed, sample));
      try {
        const t0 = performance.now();
        sim.run();
        modelSeconds += (performance.now() - t0) / 1000;
        const time = sim.time;
        // A run whose saved times changed (a Vensim FINAL TIME or SAVEPER that depends on the
        // inputs) has new buffers: look the views up again.
        if (time !== viewsOf) {
          views = this.variables.map((v) => sim.series(v));
          viewsOf = time;
        }
        for (let o = 0; o < outcomes.length; o++) {
          scalars[o * count + k] = reduceSeries(outcomes[o], views[this.outcomeVariable[o]], time);
        }
        for (let s = 0; s < this.seriesOutcomes.length; s++) {
          const values = views[this.outcomeVariable[this.seriesOutcomes[s]]];
          if (values.length === times.length) series[s].set(values, k * times.length);
        }
        let finite = true;
        for (const values of views) if (firstNonFinite(values) >= 0) finite = false;
        status[k] = finite ? STATUS_OK : STATUS_NONFINITE;
      } catch (err) {
        status[k] = STATUS_FAILED;
        for (let o = 0; o < outcomes.length; o++) scalars[o * count + k] = NaN;
        for (const values of series) values.fill(NaN, k * times.length, (k + 1) * times.length);
        failures.push({ row, message: err instanceof Error ? err.message : String(err) });
      }
    }
    if (format) {
      // After the runs, in one pass: formatting numbers between model runs, with the caches cold,
      // measured several times slower than in a loop of its own.
      const stride = end - start;
      for (let k = 0; k < count; k++) {
        const row = start + k;
        const sample = row - Math.floor(row / plan.designRows) * plan.designRows;
        const cells = this.inputCells(format, sample, inputs, k * nInputs);
        format.line(csv, row, cells, status[k], (o) => scalars[o * stride + k]);
      }
    }
    if (count < end - start) {
      // Stopped early: keep only the rows that ran (scalars are outcome-major, so repack them).
      const full = end - start;
      const packed = new Float64Array(outcomes.length * count);
      for (let o = 0; o < outcomes.length; o++)
        packed.set(scalars.subarray(o * full, o * full + count), o * count);
      return {
        start,
        count,
        inputs: inputs.slice(0, count * nInputs),
        scalars: packed,
        series: series.map((values) => values.slice(0, count * times.length)),
        times,
        status: status.slice(0, count),
        failures,
        csv: format ? csv.take() : undefined,
        modelSeconds,
        chunkSeconds: (performance.now() - chunkStarted) / 1000,
      };
    }
    const chunkSeconds = (performance.now() - chunkStarted) / 1000;
    const lines = format ? csv.take() : undefined;
    return {
      start,
      count,
      inputs,
      scalars,
      series,
      times,
      status,
      failures,
      csv: lines,
      modelSeconds,
      chunkSeconds,
    };
  }
}

/**
 * Split row ranges [start, end) into chunks of at most `size` rows, in row order. A chunk's
 * results depend only on its rows, so any split gives the same files.
 */
export function chunksOf(ranges: readonly (readonly [number, number])[], size: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [start, end] of ranges)
    for (let s = start; s < end; s += size) out.push([s, Math.min(end, s + size)]);
  return out;
}

/** A well-mixed 32-bit seed for sample `sample` of an experiment seeded with `seed`. */
export function futureSeed(seed: number, sample: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(sample + 1, 0x85ebca6b)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}
