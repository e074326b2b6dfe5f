/**
 * A calibration problem made concrete: the parameter vector's layout, the data rows and the
 * compiled model, with the log-likelihood of a parameter vector. Node-free and serialisable (a
 * `ProblemDefinition` is plain data), so each worker thread builds the same problem from the
 * same definition and any point gives the same log-likelihood wherever it is evaluated.
 */
import { compileModel, readModel, type Simulation } from '../engine.js';
import { canonicalName } from '../equations/names.js';
import { SpecError, type RunSettings } from '../experiments/spec.js';
import { rowLogLikelihood, type ObservationRow, type StreamError } from './likelihood.js';

/** One entry of the parameter vector: a model parameter, or a stream's error scale or bias. */
export interface VectorEntry {
  name: string;
  kind: 'model' | 'scale' | 'bias';
  /** The model parameter set (kind model). */
  variable?: string;
  /** The stream (kinds scale and bias). */
  stream?: number;
  /** Where the entry was declared in the spec (for messages). */
  field: string;
}

export interface StreamDefinition {
  name: string;
  variable: string;
  error: StreamError;
  /** Fixed error scale; NaN when estimated or given per row. */
  fixedScale: number;
  /** Per-row scales. */
  rowScale: boolean;
  /** Vector index of the estimated scale, or -1. */
  scaleIndex: number;
  field: string;
}

export interface ProblemDefinition {
  model: { text: string; file: string };
  run: RunSettings;
  seed: number;
  entries: VectorEntry[];
  streams: StreamDefinition[];
  rows: ObservationRow[];
  /** Extra series to save (posterior predictive). */
  extraVariables: string[];
}

export interface Evaluation {
  logLik: number;
  /** Model value (bias applied) at each row; NaN where the run failed. */
  predicted: Float64Array;
  /** Per-row log-likelihood. */
  rowLogLik: Float64Array;
}

export class Problem {
  readonly simulation: Simulation;
  /** The simulated time span (the run settings over the model's own). */
  readonly span: { start: number; stop: number };
  private readonly modelIndex: { entry: number; parameter: number }[] = [];
  private readonly series: string[];
  private timeIndex?: Int32Array;
  private timeWeight?: Float64Array;

  constructor(readonly definition: ProblemDefinition) {
    const read = readModel(definition.model.text, { file: definition.model.file });
    const errors = read.diagnostics.filter((d) => d.severity === 'error');
    if (!read.model || errors.length) {
      throw new SpecError(
        'model',
        `cannot read ${definition.model.file}: ${errors.map((d) => d.message).join('; ')}`,
      );
    }
    const compiled = compileModel(read.model);
    const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error');
    if (!compiled.compiled || compileErrors.length) {
      throw new SpecError(
        'model',
        `cannot compile ${definition.model.file}: ${compileErrors.map((d) => d.message).join('; ')}`,
      );
    }
    const known = new Set(compiled.compiled.outputs.map((o) => canonicalName(o.name)));
    const check = (name: string, field: string): void => {
      if (!known.has(canonicalName(name))) {
        throw new SpecError(field, `unknown model variable '${name}'`);
      }
    };
    definition.streams.forEach((s) => check(s.variable, `${s.field}.variable`));
    definition.extraVariables.forEach((v) => check(v, 'predict'));
    this.series = [...new Set([...definition.streams.map((s) => s.variable), ...definition.extraVariables])];
    const run = definition.run;
    const specs = compiled.compiled.simSpecs;
    this.span = { start: run.start ?? specs.start, stop: run.stop ?? specs.stop };
    this.simulation = compiled.compiled.simulation({
      start: run.start,
      stop: run.stop,
      dt: run.dt,
      saveStep: run.saveStep,
      method: run.method,
      seed: definition.seed,
      vars: this.series,
      // WebAssembly where supported and measured faster on this simulation (the same bits either way).
      backend: 'auto',
    });
    definition.entries.forEach((e, i) => {
      if (e.kind !== 'model') return;
      let parameter: number;
      try {
        parameter = this.simulation.parameterIndex(e.variable!);
      } catch {
        throw new SpecError(
          `${e.field}.variable`,
          `'${e.variable}' is not a constant or stock of the model that can be set`,
        );
      }
      this.modelIndex.push({ entry: i, parameter });
    });
  }

  /** Run the model at a point; false when the run failed. */
  private runAt(x: Float64Array): boolean {
    const sim = this.simulation;
    sim.clearOverrides();
    for (const { entry, parameter } of this.modelIndex) sim.set(parameter, x[entry]);
    try {
      sim.run();
    } catch {
      return false;
    }
    if (!this.timeIndex) this.locateRows(sim.time);
    return true;
  }

  /** Each row's position between saved times, found once (saved times never change). */
  private locateRows(time: Float64Array): void {
    const rows = this.definition.rows;
    this.timeIndex = new Int32Array(rows.length);
    this.timeWeight = new Float64Array(rows.length);
    const n = time.length;
    rows.forEach((row, k) => {
      let lo = 0;
      let hi = n - 1;
      if (row.time <= time[0]) hi = 0;
      else if (row.time >= time[n - 1]) lo = hi = n - 1;
      else {
        while (hi - lo > 1) {
          const mid = (lo + hi) >> 1;
          if (time[mid] <= row.time) lo = mid;
          else hi = mid;
        }
      }
      this.timeIndex![k] = lo;
      this.timeWeight![k] = hi === lo ? 0 : (row.time - time[lo]) / (time[hi] - time[lo]);
    });
  }

  /** The saved series of a variable after the last run. */
  seriesOf(name: string): Float64Array {
    return this.simulation.series(name);
  }

  /** Log-likelihood of a point (NaN when the model fails there or a value is not finite). */
  logLikelihood(x: Float64Array): number {
    return this.evaluate(x, false).logLik;
  }

  /** Log-likelihood with per-row detail. */
  evaluate(x: Float64Array, detail = true): Evaluation {
    const rows = this.definition.rows;
    const predicted = detail ? new Float64Array(rows.length).fill(NaN) : EMPTY;
    const rowLogLik = detail ? new Float64Array(rows.length).fill(NaN) : EMPTY;
    if (!this.runAt(x)) return { logLik: NaN, predicted, rowLogLik };
    const streams = this.definition.streams;
    const columns = streams.map((s) => this.simulation.series(s.variable));
    const index = this.timeIndex!;
    const weight = this.timeWeight!;
    let total = 0;
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      const s = streams[row.stream];
      const column = columns[row.stream];
      const i = index[k];
      const w = weight[k];
      const m = w === 0 ? column[i] : column[i] * (1 - w) + column[i + 1] * w;
      const bias = row.biasIndex >= 0 ? x[row.biasIndex] : 1;
      const base = s.rowScale ? row.sd : s.scaleIndex >= 0 ? x[s.scaleIndex] : s.fixedScale;
      const mu = m * bias;
      const ll = rowLogLikelihood(row, mu, base * row.scale, s.error);
      if (detail) {
        predicted[k] = mu;
        rowLogLik[k] = ll;
      }
      total += row.weight === undefined ? ll : ll * row.weight;
    }
    // -Infinity is a real answer (a censored row the model cannot meet); NaN marks a failed run.
    return { logLik: Number.isNaN(total) || total === Infinity ? NaN : total, predicted, rowLogLik };
  }
}

const EMPTY = new Float64Array(0);
