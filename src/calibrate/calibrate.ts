/**
 * Calibration end to end: a loaded spec becomes a Target (priors plus the batched likelihood of
 * the worker pool), one of the estimators draws the posterior, and the draws are summarised and
 * pushed through the model again for the posterior predictive (fans, point forecasts, coverage).
 */
import { Rng } from '../experiments/rng.js';
import { normalQuantile } from '../experiments/distributions.js';
import { mcmc, optimize, smc } from './estimators/index.js';
import { summariseDraws, weightedQuantiles, type ParameterSummary } from './estimators/diagnostics.js';
import type { EstimatorResult, RunControl, Target } from './estimators/types.js';
import { drawObservation, type StreamError } from './likelihood.js';
import type { LoadedCalibration } from './load.js';
import { LikelihoodPool, type BatchEvaluator } from './pool.js';
import { Problem } from './problem.js';

/** Seed streams: the estimator and the predictive draws never share random numbers. */
const STREAM_ESTIMATOR = 1;
const STREAM_PREDICTIVE = 2;
/** The stream of forecast scoring (src/calibrate/forecast.ts), apart from both. */
export const STREAM_FORECAST = 3;

export const FAN_LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

export interface CalibrateOptions {
  jobs: number;
  /**
   * Where batches are evaluated (default: `jobs` worker threads); `src/queue/calibrate.ts` gives
   * one that sends them as jobs to `interlock worker` processes.
   */
  evaluator?: (loaded: LoadedCalibration) => Promise<BatchEvaluator>;
  /** A posterior already drawn (re-weighting an ensemble): summarise it, run no estimator. */
  precomputed?: EstimatorResult;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface ParameterResult extends ParameterSummary {
  map: number;
}

export interface Fan {
  variable: string;
  time: number[];
  /** One array per FAN_LEVELS entry. */
  quantiles: number[][];
}

export interface RowFit {
  id: string;
  stream: string;
  time: number;
  date?: string;
  published?: string;
  source?: string;
  kind: string;
  value: number | null;
  low: number | null;
  high: number | null;
  /** Model value at the MAP (bias applied). */
  map: number;
  /** Posterior predictive 5%, 50%, 95% of the observation (noise included). */
  q05: number;
  q50: number;
  q95: number;
  /** Point rows: is the value inside the 90% band? */
  inside90: boolean | null;
}

export interface CalibrationOutcome {
  method: string;
  names: string[];
  parameters: Record<string, ParameterResult>;
  result: EstimatorResult;
  fans: Fan[];
  points: { name: string; variable: string; time: number; date?: string; quantiles: number[] }[];
  rows: RowFit[];
  coverage90: number | null;
  mapLogLik: number;
  seconds: number;
  failedPredictive: number;
}

/** Priors and the pool's likelihood as an estimator's Target. */
export function makeTarget(
  loaded: LoadedCalibration,
  pool: { logLikelihood(b: readonly Float64Array[]): Promise<Float64Array> },
): Target {
  const priors = loaded.priors;
  return {
    names: loaded.definition.entries.map((e) => e.name),
    lower: priors.map((p) => p.support[0]),
    upper: priors.map((p) => p.support[1]),
    logPrior(x) {
      let s = 0;
      for (let i = 0; i < priors.length; i++) s += priors[i].logDensity(x[i]);
      return s;
    },
    samplePrior(rng, out) {
      for (let i = 0; i < priors.length; i++) out[i] = priors[i].quantile(rng.nextOpen());
    },
    logLikelihood: (batch) => pool.logLikelihood(batch),
  };
}

/** Rows outside the simulated span cannot be compared: drop them (counted per stream). */
export function dropRowsOutsideRun(loaded: LoadedCalibration, problem: Problem): void {
  const { start, stop } = problem.span;
  const eps = 1e-9 * Math.max(1, Math.abs(stop - start));
  const kept = loaded.definition.rows.filter((row) => {
    const inside = row.time >= start - eps && row.time <= stop + eps;
    if (!inside) {
      loaded.streams[row.stream].outsideRun++;
      loaded.streams[row.stream].rows--;
    }
    return inside;
  });
  const dropped = loaded.definition.rows.length - kept.length;
  if (dropped) {
    loaded.warnings.push(
      `${dropped} data row(s) fall outside the simulated time span [${start}, ${stop}] and are not used`,
    );
  }
  loaded.definition.rows = kept;
}

export async function runEstimator(
  loaded: LoadedCalibration,
  target: Target,
  control: RunControl,
): Promise<EstimatorResult> {
  const spec = loaded.spec;
  switch (spec.method) {
    case 'optimize':
      return optimize(target, control, {});
    case 'smc':
      return smc(target, control, { particles: spec.samples });
    case 'mcmc':
      return mcmc(target, control, { samples: spec.samples, chains: spec.chains });
  }
}

/**
 * A random observation of a row given mu and sigma: the error model's draw, with a chi-square(df)
 * draw for Student-t errors from the Wilson-Hilferty approximation.
 */
export function randomObservation(mu: number, sigma: number, error: StreamError, rng: Rng): number {
  const normal = normalQuantile(rng.nextOpen());
  let chi2 = 1;
  if (error.dist === 'student-t') {
    const df = error.df ?? 4;
    const z = normalQuantile(rng.nextOpen());
    chi2 = df * Math.max(1e-12, 1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
  }
  return drawObservation(mu, sigma, error, normal, chi2);
}

/** Weighted draws resampled to `n` equally weighted ones (systematic resampling). */
export function resample(
  points: readonly Float64Array[],
  weights: ArrayLike<number> | undefined,
  n: number,
  rng: Rng,
): Float64Array[] {
  if (points.length === 0) return [];
  const out: Float64Array[] = [];
  if (!weights) {
    // Evenly spaced through the (ordered) draws: no randomness needed, every chain represented.
    const step = points.length / n;
    for (let i = 0; i < n; i++) out.push(points[Math.min(points.length - 1, Math.floor((i + 0.5) * step))]);
    return out;
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const u0 = rng.next() / n;
  let cumulative = weights[0] / total;
  let j = 0;
  for (let i = 0; i < n; i++) {
    const u = u0 + i / n;
    while (u > cumulative && j < points.length - 1) cumulative += weights[++j] / total;
    out.push(points[j]);
  }
  return out;
}

/** At most `max` evenly spaced indices of a series of length n (always the first and the last). */
function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let k = 0; k < max; k++) out.push(Math.round((k * (n - 1)) / (max - 1)));
  return [...new Set(out)];
}

export async function calibrate(
  loaded: LoadedCalibration,
  options: CalibrateOptions,
): Promise<CalibrationOutcome> {
  const started = performance.now();
  const local = new Problem(loaded.definition);
  dropRowsOutsideRun(loaded, local);
  let result: EstimatorResult;
  if (options.precomputed) result = options.precomputed;
  else {
    const pool = options.evaluator
      ? await options.evaluator(loaded)
      : await LikelihoodPool.create(loaded.definition, options.jobs, local);
    try {
      const target = makeTarget(loaded, pool);
      result = await runEstimator(loaded, target, {
        rng: new Rng(loaded.spec.seed, STREAM_ESTIMATOR),
        signal: options.signal,
        onProgress: options.onProgress,
      });
    } finally {
      await pool.close();
    }
  }
  const names = loaded.definition.entries.map((e) => e.name);
  const draws = result.draws;
  const map = result.map;
  const parameters: Record<string, ParameterResult> = {};
  if (result.method === 'optimize') {
    // A point estimate with Laplace intervals from the curvature at the optimum.
    const sd = (result.diagnostics.sd ?? {}) as Record<string, number>;
    names.forEach((name, j) => {
      const s = sd[name] ?? NaN;
      const z = normalQuantile(0.95);
      const lo = loaded.priors[j].support[0];
      const hi = loaded.priors[j].support[1];
      parameters[name] = {
        map: map[j],
        mean: map[j],
        sd: s,
        q05: Math.max(lo, map[j] - z * s),
        q50: map[j],
        q95: Math.min(hi, map[j] + z * s),
      };
    });
  } else {
    const summary = summariseDraws(names, draws.points, draws.weights);
    names.forEach((name, j) => (parameters[name] = { map: map[j], ...summary[name] }));
  }

  // Posterior predictive: the model at equally weighted draws, with observation noise for the rows.
  const rng = new Rng(loaded.spec.seed, STREAM_PREDICTIVE);
  const predictive =
    result.method === 'optimize'
      ? [map]
      : resample(
          draws.points,
          draws.weights,
          Math.min(loaded.spec.predict.draws, Math.max(1, draws.points.length)),
          rng,
        );
  const definition = loaded.definition;
  const rows = definition.rows;
  const streams = definition.streams;
  const variables = loaded.spec.predict.variables;
  const pointsSpec = loaded.spec.predict.points;
  const observed: Float64Array[] = rows.map(() => new Float64Array(predictive.length).fill(NaN));
  const seriesDraws: Float64Array[][] = variables.map(() => []);
  const pointDraws: Float64Array[] = pointsSpec.map(() => new Float64Array(predictive.length).fill(NaN));
  let failedPredictive = 0;
  let time: Float64Array | undefined;
  predictive.forEach((x, d) => {
    const evaluation = local.evaluate(x, true);
    if (
      Number.isNaN(evaluation.logLik) &&
      evaluation.predicted.every((v) => Number.isNaN(v)) &&
      rows.length
    ) {
      failedPredictive++;
      return;
    }
    time ??= Float64Array.from(local.simulation.time);
    rows.forEach((row, k) => {
      const s = streams[row.stream];
      const base = s.rowScale ? row.sd : s.scaleIndex >= 0 ? x[s.scaleIndex] : s.fixedScale;
      observed[k][d] = randomObservation(evaluation.predicted[k], base * row.scale, s.error, rng);
    });
    variables.forEach((v, i) => seriesDraws[i].push(Float64Array.from(local.seriesOf(v))));
    pointsSpec.forEach((p, i) => {
      const series = local.seriesOf(p.variable);
      const t = local.simulation.time;
      pointDraws[i][d] = interpolate(t, series, p.time!);
    });
  });

  const fans: Fan[] = [];
  if (time) {
    const keep = thinIndices(time.length, 241);
    variables.forEach((variable, i) => {
      const quantiles = FAN_LEVELS.map(() => [] as number[]);
      for (const k of keep) {
        const column = Float64Array.from(seriesDraws[i], (s) => s[k]);
        const q = weightedQuantiles(column, FAN_LEVELS);
        q.forEach((v, l) => quantiles[l].push(v));
      }
      fans.push({ variable, time: keep.map((k) => time![k]), quantiles });
    });
  }
  const points = pointsSpec.map((p, i) => ({
    name: p.name,
    variable: p.variable,
    time: p.time!,
    ...(p.date ? { date: p.date } : {}),
    quantiles: weightedQuantiles(pointDraws[i], FAN_LEVELS),
  }));

  const atMap = local.evaluate(map, true);
  let inside = 0;
  let pointsCounted = 0;
  const rowFits: RowFit[] = rows.map((row, k) => {
    const [q05, q50, q95] = weightedQuantiles(observed[k], [0.05, 0.5, 0.95]);
    let inside90: boolean | null = null;
    if (row.kind === 'point' && Number.isFinite(q05)) {
      inside90 = row.value >= q05 && row.value <= q95;
      pointsCounted++;
      if (inside90) inside++;
    }
    return {
      id: row.id,
      stream: streams[row.stream].name,
      time: row.time,
      ...(row.date ? { date: row.date } : {}),
      ...(row.published ? { published: row.published } : {}),
      ...(row.source ? { source: row.source } : {}),
      kind: row.kind,
      value: Number.isNaN(row.value) ? null : row.value,
      low: Number.isNaN(row.low) ? null : row.low,
      high: Number.isNaN(row.high) ? null : row.high,
      map: atMap.predicted[k],
      q05,
      q50,
      q95,
      inside90,
    };
  });
  return {
    method: result.method,
    names,
    parameters,
    result,
    fans,
    points,
    rows: rowFits,
    coverage90: pointsCounted ? inside / pointsCounted : null,
    mapLogLik: atMap.logLik,
    seconds: (performance.now() - started) / 1000,
    failedPredictive,
  };
}

function interpolate(time: Float64Array, values: Float64Array, t: number): number {
  const n = time.length;
  if (t <= time[0]) return values[0];
  if (t >= time[n - 1]) return values[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (time[mid] <= t) lo = mid;
    else hi = mid;
  }
  const w = (t - time[lo]) / (time[hi] - time[lo]);
  return values[lo] * (1 - w) + values[hi] * w;
}
