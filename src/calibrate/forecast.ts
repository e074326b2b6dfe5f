/**
 * Forecasts made at a date, scored against what was reported later: the calibration as of date D
 * (only rows published by then) is pushed forward to the rows published after D, and each of
 * those rows gets the model's observation predictive (parameter uncertainty, source bias and the
 * row's error), its CRPS and log score, and beside it the analysts' own figure at D (the latest
 * estimate of the same stream published by D, read as a forecast that nothing changes) with the
 * same scores. Scores are on the stream's scale (log for relative errors), so a troop count and a
 * casualty count weigh alike. Node-free apart from what the caller loads.
 */
import { Rng } from '../experiments/rng.js';
import { percentile } from '../experiments/robustness.js';
import { crpsEnsemble, logMeanExp, pitEnsemble } from '../stats/scores.js';
import { randomObservation, resample, STREAM_FORECAST, type CalibrationOutcome } from './calibrate.js';
import { LOG_FLOOR, rowLogLikelihood, type ObservationRow } from './likelihood.js';
import type { LoadedCalibration } from './load.js';
import { Problem } from './problem.js';
import type { AnalystForecast, ForecastRow, ScoredForecast } from './forecast-summary.js';

export * from './forecast-summary.js';

export interface ForecastOptions {
  /** Equally weighted posterior draws pushed forward (default 400). */
  draws?: number;
}

/** A row's central value: the point, or the middle of a range on the stream's scale. */
function central(row: ObservationRow, log: boolean): number {
  if (row.kind === 'point') return row.value;
  if (row.kind === 'range') return log ? Math.sqrt(row.low * row.high) : (row.low + row.high) / 2;
  return row.kind === 'at-least' ? row.low : row.high;
}

const publishedOf = (row: ObservationRow): string => row.published ?? row.date ?? '';

/**
 * Score the forecasts a calibration as of `asOf` makes for the rows of `full` (the same spec
 * with every row) published after `asOf`. `outcome` is the as-of calibration of `step`.
 */
export function scoreForecasts(
  full: LoadedCalibration,
  step: LoadedCalibration,
  outcome: CalibrationOutcome,
  asOf: string,
  options: ForecastOptions = {},
): ForecastRow[] {
  const problem = new Problem(full.definition);
  const entries = full.definition.entries;
  const stepIndex = new Map(step.definition.entries.map((e, j) => [e.name, j]));
  const rng = new Rng(full.spec.seed, STREAM_FORECAST, dayHash(asOf));
  const draws = resample(
    outcome.result.draws.points,
    outcome.result.draws.weights,
    Math.min(options.draws ?? 400, Math.max(1, outcome.result.draws.points.length)),
    rng,
  );
  const rows = full.definition.rows;
  const streams = full.definition.streams;
  const targets = rows.map((r, k) => ({ r, k })).filter(({ r }) => publishedOf(r) > asOf);
  if (targets.length === 0 || draws.length === 0) return [];

  // Per target: observation draws (for CRPS and quantiles) and log-density terms (log score).
  const observed = targets.map(() => [] as number[]);
  const logTerms = targets.map(() => [] as number[]);
  const x = new Float64Array(entries.length);
  for (const d of draws) {
    // The full vector by name; entries the as-of problem did not have (the bias of a source that
    // had not reported yet) come from their priors: what was known of them at the date.
    entries.forEach((e, j) => {
      const i = stepIndex.get(e.name);
      x[j] = i !== undefined ? d[i] : full.priors[j].quantile(rng.nextOpen());
    });
    const evaluation = problem.evaluate(x, true);
    targets.forEach(({ r, k }, t) => {
      const s = streams[r.stream];
      const mu = evaluation.predicted[k];
      if (!Number.isFinite(mu)) return;
      const base = s.rowScale ? r.sd : s.scaleIndex >= 0 ? x[s.scaleIndex] : s.fixedScale;
      const sigma = base * r.scale;
      logTerms[t].push(rowLogLikelihood(r, mu, sigma, s.error));
      observed[t].push(randomObservation(mu, sigma, s.error, rng));
    });
  }

  // The analysts at the date: per stream, the latest figure published by then (the as-of data).
  // Bounds ("at least", "up to") are not figures anyone forecast with: only points and ranges.
  const latest = new Map<number, ObservationRow>();
  for (const r of step.definition.rows) {
    if (r.kind !== 'point' && r.kind !== 'range') continue;
    const stream = full.definition.streams.findIndex(
      (s) => s.name === step.definition.streams[r.stream].name,
    );
    const prior = latest.get(stream);
    const key = (o: ObservationRow) => `${publishedOf(o)} ${o.date ?? ''}`;
    if (!prior || key(r) > key(prior)) latest.set(stream, r);
  }

  return targets.map(({ r }, t) => {
    const s = streams[r.stream];
    const g = (v: number) => (s.error.log ? Math.log(Math.max(v, LOG_FLOOR)) : v);
    const sorted = Float64Array.from(observed[t]).sort();
    const value = central(r, s.error.log);
    const point = r.kind === 'point';
    const model: ScoredForecast = {
      q05: percentile(sorted, 0.05),
      q50: percentile(sorted, 0.5),
      q95: percentile(sorted, 0.95),
      crps: point && sorted.length ? crpsEnsemble(Array.from(sorted, g), g(r.value), true) : null,
      logScore: logMeanExp(logTerms[t]),
      pit: point && sorted.length ? pitEnsemble(sorted, r.value, rng.nextOpen()) : null,
    };
    const a = latest.get(r.stream);
    let analyst: AnalystForecast | null = null;
    if (a) {
      const av = central(a, s.error.log);
      const base = s.rowScale ? r.sd : s.fixedScale;
      analyst = {
        id: a.id,
        ...(a.source ? { source: a.source } : {}),
        value: av,
        ...(a.published ? { published: a.published } : {}),
        crps: point ? Math.abs(g(av) - g(r.value)) : null,
        // The analysts' figure with the same observation error as the model's forecast.
        logScore: Number.isFinite(base) ? rowLogLikelihood(r, av, base * r.scale, s.error) : NaN,
      };
    }
    return {
      id: r.id,
      stream: s.name,
      ...(r.source ? { source: r.source } : {}),
      ...(r.date ? { date: r.date } : {}),
      ...(r.published ? { published: r.published } : {}),
      kind: r.kind,
      value,
      model,
      analyst,
    };
  });
}

/** A number from a date, so each date's forecast draws use their own random stream. */
function dayHash(date: string): number {
  let h = 0;
  for (let i = 0; i < date.length; i++) h = (h * 31 + date.charCodeAt(i)) >>> 0;
  return h;
}
