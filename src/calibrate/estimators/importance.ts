/**
 * Importance reweighting of an existing sample (for example an `explore` run whose inputs cover the
 * parameters): draws x_i from a proposal q with known log density get weights
 * w_i ∝ prior(x_i) L(x_i) / q(x_i), or w_i ∝ L(x_i) when they were drawn from the prior itself.
 * No new likelihood evaluations are made. The weights' effective sample size (Kish) says how much
 * of the sample survives; below `minEss` the result carries a warning, because a few points then
 * carry the whole posterior and its summaries cannot be trusted. A second warning comes from the
 * Pareto k-hat of the largest weights (Vehtari et al. 2024), which catches heavy-tailed weights whose
 * ESS is itself unreliable.
 *
 * Also reported: the log evidence estimate log mean(w_i) (unnormalised weights), meaningful when the
 * proposal and prior densities are normalised, and the share of weight held by the largest weight.
 */
import { logMeanExp, normaliseLogWeights } from './evaluator.js';
import { paretoK, paretoKThreshold, weightsEss } from './diagnostics.js';
import type { EstimatorResult } from './types.js';

export interface ImportanceInput {
  /** The sample, one point per draw (length = number of parameters). */
  points: readonly Float64Array[];
  /** Log-likelihood of each point (NaN = failed run: weight zero, counted). */
  logLik: ArrayLike<number>;
  /** Log density of the distribution the points were drawn from; omit when it was the prior. */
  logProposal?: ArrayLike<number>;
  /** Log prior density of each point: required with `logProposal`, used for logPost otherwise. */
  logPrior?: ArrayLike<number>;
}

export interface ImportanceOptions {
  /** Warn when the effective sample size is below this (default 200). */
  minEss?: number;
}

export interface ImportanceDiagnostics {
  /** Kish effective sample size of the weights, and as a share of the points. */
  ess: number;
  essShare: number;
  /** The largest normalised weight. */
  maxWeight: number;
  /** Pareto k-hat of the weights' tail (Vehtari et al. 2024); above `paretoKLimit` a warning. */
  paretoK: number;
  paretoKLimit: number;
  /** log mean of the unnormalised weights: log p(data) when both densities are normalised. */
  logEvidence: number;
  points: number;
  warnings: string[];
  [key: string]: unknown;
}

export type ImportanceResult = EstimatorResult & { diagnostics: ImportanceDiagnostics };

export function importanceReweight(
  input: ImportanceInput,
  options: ImportanceOptions = {},
): ImportanceResult {
  const { points, logLik, logProposal, logPrior } = input;
  const n = points.length;
  if (n === 0) throw new RangeError('importanceReweight: the sample is empty');
  for (const [name, a] of [
    ['logLik', logLik],
    ['logProposal', logProposal],
    ['logPrior', logPrior],
  ] as const) {
    if (a && a.length !== n)
      throw new RangeError(`importanceReweight: ${name} has ${a.length} values for ${n} points`);
  }
  if (logProposal && !logPrior) {
    throw new RangeError(
      'importanceReweight: logPrior is needed when the points come from a proposal other than the prior',
    );
  }
  const minEss = options.minEss ?? 200;
  const warnings: string[] = [];
  let failed = 0;
  const ll = new Float64Array(n);
  const lp = new Float64Array(n);
  const logW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = logLik[i]!;
    if (Number.isNaN(v) || v === Infinity) {
      failed++;
      v = -Infinity;
    }
    ll[i] = v;
    const prior = logPrior ? logPrior[i]! : 0;
    lp[i] = Number.isNaN(prior) ? -Infinity : prior;
    logW[i] = logProposal ? v + lp[i]! - logProposal[i]! : v;
    if (Number.isNaN(logW[i]!)) logW[i] = -Infinity;
  }
  const weights = normaliseLogWeights(logW);
  const ess = weightsEss(weights);
  let maxWeight = 0;
  let map = 0;
  const logPost = Float64Array.from(ll, (v, i) => v + lp[i]!);
  for (let i = 0; i < n; i++) {
    if (weights[i]! > maxWeight) maxWeight = weights[i]!;
    if (logPost[i]! > logPost[map]!) map = i;
  }
  if (ess === 0) warnings.push('every point has zero weight: no posterior can be formed from this sample');
  else if (ess < minEss) {
    warnings.push(
      `importance weights are degenerate: effective sample size ${ess.toFixed(1)} of ${n} (below ${minEss}); the reweighted summaries cannot be trusted`,
    );
  }
  const k = paretoK(logW);
  const kLimit = paretoKThreshold(n);
  if (k > kLimit) {
    warnings.push(
      `importance weights have a heavy tail (Pareto k-hat ${k.toFixed(2)} > ${kLimit.toFixed(2)}): the estimates are unreliable even where the ESS looks large`,
    );
  }
  if (failed) warnings.push(`${failed} of ${n} points had failed likelihoods (NaN) and get zero weight`);
  return {
    method: 'importance',
    draws: { points: points.slice(), logLik: ll, logPost, weights },
    map: Float64Array.from(points[map]!),
    mapLogPost: logPost[map]!,
    evaluations: 0,
    failedEvaluations: failed,
    interrupted: false,
    diagnostics: {
      ess,
      essShare: ess / n,
      maxWeight,
      paretoK: k,
      paretoKLimit: kLimit,
      logEvidence: logMeanExp(logW),
      points: n,
      warnings,
    },
    warnings,
  };
}
