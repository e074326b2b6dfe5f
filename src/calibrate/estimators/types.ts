/**
 * The contract between the estimators and the rest of calibration: a `Target` (the prior and a
 * batched log-likelihood), a `RunControl` (randomness, interruption, progress) and the result every
 * estimator returns. The estimators know nothing of models, data or workers.
 */
import type { Rng } from '../../experiments/rng.js';

export interface Target {
  /** Parameter names, in vector order. */
  names: readonly string[];
  /** Support per parameter (may be -Infinity/Infinity). */
  lower: readonly number[];
  upper: readonly number[];
  /** Log prior density up to a constant; -Infinity outside the support. */
  logPrior(x: Float64Array): number;
  /** One independent draw from the prior into `out`. */
  samplePrior(rng: Rng, out: Float64Array): void;
  /**
   * Log-likelihood of each point of a batch, in order (the lead runs these on worker threads; a
   * model that fails for a point gives NaN, which estimators treat as -Infinity and count).
   * Tempering (SMC) multiplies this by beta; estimators never call it with a tempered flag.
   */
  logLikelihood(batch: readonly Float64Array[]): Promise<Float64Array>;
}

export interface RunControl {
  /** The only source of randomness (src/experiments/rng.ts). */
  rng: Rng;
  /** Stop between batches; return what is done, interrupted: true. */
  signal?: AbortSignal;
  /** In likelihood evaluations; `total` is an estimate where the method adapts its length (SMC). */
  onProgress?(done: number, total: number): void;
}

export interface Draws {
  /** points[i] is one draw (length = names.length). */
  points: Float64Array[];
  logLik: Float64Array;
  logPost: Float64Array;
  /** Normalised weights when draws are weighted (SMC, importance sampling); absent = equal. */
  weights?: Float64Array;
  /** Chain index per draw (MCMC). */
  chain?: Int32Array;
}

export interface EstimatorResult {
  method: 'optimize' | 'mcmc' | 'smc' | 'importance';
  /** For optimize: the final population of differential evolution. */
  draws: Draws;
  /** Best log-posterior point found. */
  map: Float64Array;
  mapLogPost: number;
  evaluations: number;
  /** NaN likelihoods. */
  failedEvaluations: number;
  interrupted: boolean;
  /**
   * Per-method: rhat/ess per parameter name, acceptance, tempering schedule, log evidence, ESS,
   * warnings: string[].
   */
  diagnostics: Record<string, unknown>;
  warnings: string[];
}
