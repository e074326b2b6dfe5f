/**
 * Global sensitivity analysis over a plain table: Sobol' indices (Saltelli 2010 first order,
 * Jansen total order, Saltelli 2002 second order, as in SALib) with bootstrap confidence
 * intervals, and Morris elementary effects (mu, mu*, sigma). Pure functions, no Node imports.
 */
import { normalQuantile } from './distributions.js';
import { Rng } from './rng.js';
import { STATUS_OK } from './runner.js';
import type { ExperimentTable } from './table.js';

export interface SobolResult {
  names: string[];
  S1: number[];
  S1_conf: number[];
  ST: number[];
  ST_conf: number[];
  /** S2[j][k] for j < k; NaN elsewhere or without second-order rows. */
  S2: number[][];
  S2_conf: number[][];
  /** Base samples used, and those dropped because a run in their block failed or was not finite. */
  baseSamples: number;
  droppedBaseSamples: number;
}

export interface SensitivityOptions {
  /** Bootstrap resamples for confidence intervals (default 100, as SALib). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  confidence?: number;
  seed?: number;
}

function mean(x: Float64Array | number[], idx?: Uint32Array): number {
  let s = 0;
  const n = idx ? idx.length : x.length;
  for (let i = 0; i < n; i++) s += x[idx ? idx[i] : i];
  return s / n;
}

function sampleStd(values: number[]): number {
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/**
 * Sobol' indices from outputs `y` laid out as a Saltelli design (see samplers.ts), i.e. one
 * policy's rows in order. `valid(i)` marks usable rows; a base sample whose block contains an
 * unusable row is dropped whole, which keeps the estimators consistent on the rest.
 */
export function sobolIndices(
  y: ArrayLike<number>,
  names: string[],
  secondOrder: boolean,
  options: SensitivityOptions = {},
  valid: (row: number) => boolean = () => true,
): SobolResult {
  const D = names.length;
  const block = secondOrder ? 2 * D + 2 : D + 2;
  const total = Math.floor(y.length / block);
  const keep: number[] = [];
  for (let i = 0; i < total; i++) {
    let ok = true;
    for (let k = 0; k < block && ok; k++) {
      const r = i * block + k;
      ok = valid(r) && Number.isFinite(y[r]);
    }
    if (ok) keep.push(i);
  }
  const N = keep.length;
  const result: SobolResult = {
    names,
    S1: [],
    S1_conf: [],
    ST: [],
    ST_conf: [],
    S2: names.map(() => names.map(() => NaN)),
    S2_conf: names.map(() => names.map(() => NaN)),
    baseSamples: N,
    droppedBaseSamples: total - N,
  };
  if (N < 2) {
    const none = names.map(() => NaN);
    return { ...result, S1: none, S1_conf: none, ST: none, ST_conf: none };
  }
  // Standardise Y (as SALib does) so the estimators are scale-free.
  let m = 0;
  for (const i of keep) for (let k = 0; k < block; k++) m += y[i * block + k];
  m /= N * block;
  let v = 0;
  for (const i of keep) for (let k = 0; k < block; k++) v += (y[i * block + k] - m) ** 2;
  const sd = Math.sqrt(v / (N * block)) || 1;
  const at = (i: number, k: number): number => (y[keep[i] * block + k] - m) / sd;
  const A = Float64Array.from({ length: N }, (_, i) => at(i, 0));
  const B = Float64Array.from({ length: N }, (_, i) => at(i, block - 1));
  const AB = names.map((_, j) => Float64Array.from({ length: N }, (_, i) => at(i, 1 + j)));
  const BA = secondOrder
    ? names.map((_, j) => Float64Array.from({ length: N }, (_, i) => at(i, 1 + D + j)))
    : [];

  const varianceAB = (idx?: Uint32Array): number => {
    const n = idx ? idx.length : N;
    let s = 0;
    let s2 = 0;
    for (let t = 0; t < n; t++) {
      const i = idx ? idx[t] : t;
      s += A[i] + B[i];
      s2 += A[i] * A[i] + B[i] * B[i];
    }
    const mu = s / (2 * n);
    return s2 / (2 * n) - mu * mu;
  };
  const firstOrder = (j: number, idx?: Uint32Array): number => {
    const n = idx ? idx.length : N;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const i = idx ? idx[t] : t;
      s += B[i] * (AB[j][i] - A[i]);
    }
    return s / n / varianceAB(idx);
  };
  const totalOrder = (j: number, idx?: Uint32Array): number => {
    const n = idx ? idx.length : N;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const i = idx ? idx[t] : t;
      s += (A[i] - AB[j][i]) ** 2;
    }
    return (0.5 * s) / n / varianceAB(idx);
  };
  const secondOrderIndex = (j: number, k: number, idx?: Uint32Array): number => {
    const n = idx ? idx.length : N;
    let s = 0;
    for (let t = 0; t < n; t++) {
      const i = idx ? idx[t] : t;
      s += BA[j][i] * AB[k][i] - A[i] * B[i];
    }
    return s / n / varianceAB(idx) - firstOrder(j, idx) - firstOrder(k, idx);
  };

  const resamples = options.resamples ?? 100;
  const z = normalQuantile(0.5 + (options.confidence ?? 0.95) / 2);
  const rng = new Rng(options.seed ?? 1, 0x5eed);
  const boots: Uint32Array[] = [];
  for (let b = 0; b < resamples; b++) boots.push(Uint32Array.from({ length: N }, () => rng.int(N)));
  const conf = (f: (idx: Uint32Array) => number): number =>
    resamples > 1 ? z * sampleStd(boots.map(f)) : NaN;

  for (let j = 0; j < D; j++) {
    result.S1.push(firstOrder(j));
    result.S1_conf.push(conf((idx) => firstOrder(j, idx)));
    result.ST.push(totalOrder(j));
    result.ST_conf.push(conf((idx) => totalOrder(j, idx)));
  }
  if (secondOrder) {
    for (let j = 0; j < D; j++) {
      for (let k = j + 1; k < D; k++) {
        result.S2[j][k] = secondOrderIndex(j, k);
        result.S2_conf[j][k] = conf((idx) => secondOrderIndex(j, k, idx));
      }
    }
  }
  return result;
}

export interface MorrisResult {
  names: string[];
  mu: number[];
  muStar: number[];
  sigma: number[];
  muStarConf: number[];
  /** Elementary effects used per input. */
  effects: number[];
}

/**
 * Morris elementary effects from trajectories laid out as in samplers.ts (D+1 rows each).
 * The input that changed between two rows, and the direction, are read from the inputs
 * themselves; EE = +-(y' - y) / Delta with Delta = levels / (2 (levels - 1)), as SALib.
 */
export function morrisIndices(
  inputs: ArrayLike<number>[],
  y: ArrayLike<number>,
  names: string[],
  levels: number,
  options: SensitivityOptions = {},
  valid: (row: number) => boolean = () => true,
): MorrisResult {
  const D = names.length;
  const delta = levels / (2 * (levels - 1));
  const trajectories = Math.floor(y.length / (D + 1));
  const effects: number[][] = names.map(() => []);
  for (let t = 0; t < trajectories; t++) {
    for (let s = 0; s < D; s++) {
      const r0 = t * (D + 1) + s;
      const r1 = r0 + 1;
      let changed = -1;
      for (let d = 0; d < D; d++) if (inputs[d][r1] !== inputs[d][r0]) changed = d;
      if (changed < 0) continue;
      if (!valid(r0) || !valid(r1) || !Number.isFinite(y[r0]) || !Number.isFinite(y[r1])) continue;
      const up = inputs[changed][r1] > inputs[changed][r0] ? 1 : -1;
      effects[changed].push((up * (y[r1] - y[r0])) / delta);
    }
  }
  const resamples = options.resamples ?? 1000;
  const z = normalQuantile(0.5 + (options.confidence ?? 0.95) / 2);
  const rng = new Rng(options.seed ?? 1, 0x302);
  const result: MorrisResult = { names, mu: [], muStar: [], sigma: [], muStarConf: [], effects: [] };
  for (let d = 0; d < D; d++) {
    const ee = effects[d];
    const abs = ee.map(Math.abs);
    result.effects.push(ee.length);
    result.mu.push(ee.length ? mean(ee) : NaN);
    result.muStar.push(ee.length ? mean(abs) : NaN);
    result.sigma.push(ee.length > 1 ? sampleStd(ee) : NaN);
    const boots: number[] = [];
    if (ee.length > 1) {
      for (let b = 0; b < resamples; b++) {
        let s = 0;
        for (let i = 0; i < abs.length; i++) s += abs[rng.int(abs.length)];
        boots.push(s / abs.length);
      }
    }
    result.muStarConf.push(boots.length > 1 ? z * sampleStd(boots) : NaN);
  }
  return result;
}

/** Rows of one policy in the table, with their validity. */
function policySlice(table: ExperimentTable, policy: number) {
  const start = policy * table.designRows;
  return {
    y: (outcome: number): Float64Array => table.outcomes[outcome].subarray(start, start + table.designRows),
    inputs: table.inputs.map((c) => c.subarray(start, start + table.designRows)),
    valid: (row: number): boolean => table.status[start + row] === STATUS_OK,
  };
}

export type SensitivityReport =
  | { method: 'sobol'; byPolicy: { policy: string; outcomes: Record<string, SobolResult> }[] }
  | { method: 'morris'; byPolicy: { policy: string; outcomes: Record<string, MorrisResult> }[] };

/** Sensitivity of every outcome, per policy, by the method the design was made for. */
export function analyseSensitivity(
  table: ExperimentTable,
  options: SensitivityOptions & { levels?: number } = {},
): SensitivityReport {
  if (table.method === 'sobol') {
    return {
      method: 'sobol',
      byPolicy: table.policyNames.map((policy, p) => {
        const slice = policySlice(table, p);
        const outcomes: Record<string, SobolResult> = {};
        table.outcomeNames.forEach((name, o) => {
          outcomes[name] = sobolIndices(
            slice.y(o),
            table.inputNames,
            table.secondOrder,
            options,
            slice.valid,
          );
        });
        return { policy, outcomes };
      }),
    };
  }
  if (table.method === 'morris') {
    return {
      method: 'morris',
      byPolicy: table.policyNames.map((policy, p) => {
        const slice = policySlice(table, p);
        const outcomes: Record<string, MorrisResult> = {};
        table.outcomeNames.forEach((name, o) => {
          outcomes[name] = morrisIndices(
            slice.inputs,
            slice.y(o),
            table.inputNames,
            options.levels ?? 4,
            options,
            slice.valid,
          );
        });
        return { policy, outcomes };
      }),
    };
  }
  throw new Error(
    `sensitivity analysis needs a "sobol" or "morris" design; these results used "${table.method}"`,
  );
}

/** JSON shape: {"<outcome>": {"<input>": {"S1", "S1_conf", "ST", "ST_conf", "S2": {...}}}} for one policy. */
export function sensitivityJson(
  report: SensitivityReport,
  policyIndex: number,
): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  const entry = report.byPolicy[policyIndex];
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  for (const [outcome, r] of Object.entries(entry.outcomes)) {
    const perInput: Record<string, Record<string, unknown>> = {};
    r.names.forEach((input: string, j: number) => {
      if (report.method === 'sobol') {
        const s = r as SobolResult;
        const s2: Record<string, number | null> = {};
        const s2conf: Record<string, number | null> = {};
        s.names.forEach((other, k) => {
          if (k === j) return;
          const [a, b] = j < k ? [j, k] : [k, j];
          if (Number.isFinite(s.S2[a][b])) {
            s2[other] = s.S2[a][b];
            s2conf[other] = finite(s.S2_conf[a][b]);
          }
        });
        perInput[input] = {
          S1: finite(s.S1[j]),
          S1_conf: finite(s.S1_conf[j]),
          ST: finite(s.ST[j]),
          ST_conf: finite(s.ST_conf[j]),
          ...(Object.keys(s2).length ? { S2: s2, S2_conf: s2conf } : {}),
        };
      } else {
        const m = r as MorrisResult;
        perInput[input] = {
          mu: finite(m.mu[j]),
          mu_star: finite(m.muStar[j]),
          sigma: finite(m.sigma[j]),
          mu_star_conf: finite(m.muStarConf[j]),
        };
      }
    });
    out[outcome] = perInput;
  }
  return out;
}
