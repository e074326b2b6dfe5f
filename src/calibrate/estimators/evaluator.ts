/**
 * The one place where estimators meet the target: a batch of points goes through the prior, the
 * points inside the support go to `logLikelihood` as one batch, NaN results (and +Infinity, which no
 * proper likelihood gives) are counted and read as -Infinity, the best point is tracked, progress is reported and interruption is checked. Results
 * are consumed strictly in batch order, so nothing depends on how the batch was computed.
 */
import type { RunControl, Target } from './types.js';

export interface Evaluated {
  logLik: Float64Array;
  logPost: Float64Array;
  /** Log prior of each point (-Infinity outside the support; such points are not evaluated). */
  logPrior: Float64Array;
}

export class Evaluator {
  evaluations = 0;
  failed = 0;
  interrupted = false;
  /** Best point so far by log posterior (the first of equals wins). */
  best: Float64Array;
  bestLogPost = -Infinity;
  bestLogLik = -Infinity;
  /** Estimated total of likelihood evaluations, for progress. */
  total: number;

  constructor(
    readonly target: Target,
    readonly control: RunControl,
    total: number,
  ) {
    this.total = total;
    this.best = new Float64Array(target.names.length).fill(NaN);
    checkTarget(target);
  }

  get dim(): number {
    return this.target.names.length;
  }

  /** True when the caller asked to stop (checked between batches). */
  stopRequested(): boolean {
    if (this.control.signal?.aborted) this.interrupted = true;
    return this.interrupted;
  }

  /** Log prior with NaN read as -Infinity. */
  logPrior(x: Float64Array): number {
    const v = this.target.logPrior(x);
    return Number.isNaN(v) ? -Infinity : v;
  }

  /**
   * Evaluate a batch; `null` when interrupted before or during the batch (the batch is then
   * discarded). Points outside the support cost no likelihood evaluation.
   */
  async evaluate(points: readonly Float64Array[]): Promise<Evaluated | null> {
    if (this.stopRequested()) return null;
    const n = points.length;
    const logPrior = new Float64Array(n);
    const logLik = new Float64Array(n).fill(-Infinity);
    const logPost = new Float64Array(n).fill(-Infinity);
    const inside: Float64Array[] = [];
    const index: number[] = [];
    for (let i = 0; i < n; i++) {
      logPrior[i] = this.logPrior(points[i]!);
      if (logPrior[i] > -Infinity) {
        inside.push(points[i]!);
        index.push(i);
      }
    }
    if (inside.length) {
      let values: Float64Array;
      try {
        values = await this.target.logLikelihood(inside);
      } catch (err) {
        if (this.control.signal?.aborted) {
          this.interrupted = true;
          return null;
        }
        throw err;
      }
      if (values.length !== inside.length) {
        throw new Error(
          `logLikelihood returned ${values.length} values for a batch of ${inside.length} points`,
        );
      }
      this.evaluations += inside.length;
      for (let k = 0; k < index.length; k++) {
        const i = index[k]!;
        let v = values[k]!;
        if (Number.isNaN(v) || v === Infinity) {
          this.failed++;
          v = -Infinity;
        }
        logLik[i] = v;
        logPost[i] = v + logPrior[i]!;
        if (logPost[i]! > this.bestLogPost) {
          this.bestLogPost = logPost[i]!;
          this.bestLogLik = v;
          this.best = Float64Array.from(points[i]!);
        }
      }
      this.control.onProgress?.(this.evaluations, Math.max(this.total, this.evaluations));
    }
    return { logLik, logPost, logPrior };
  }

  /** Report the final count as complete (the total was an estimate). */
  finish(): void {
    if (this.evaluations > 0) this.control.onProgress?.(this.evaluations, this.evaluations);
  }

  /** Warnings every estimator shares. */
  commonWarnings(): string[] {
    const out: string[] = [];
    if (this.failed > 0) {
      out.push(
        `${this.failed} of ${this.evaluations} likelihood evaluations failed (NaN) and were treated as impossible`,
      );
    }
    if (this.interrupted) out.push('interrupted: the result holds only the work done before the stop');
    return out;
  }
}

function checkTarget(target: Target): void {
  const d = target.names.length;
  if (d === 0) throw new RangeError('target has no parameters');
  if (target.lower.length !== d || target.upper.length !== d) {
    throw new RangeError(`target bounds must have ${d} entries, one per parameter`);
  }
  for (let j = 0; j < d; j++) {
    if (!(target.lower[j]! < target.upper[j]!)) {
      throw new RangeError(
        `parameter ${target.names[j]}: lower bound ${target.lower[j]} is not below upper bound ${target.upper[j]}`,
      );
    }
  }
}

/** Draw from the prior until the log prior is finite (a prior with holes is allowed), bounded tries. */
export function drawInSupport(evaluator: Evaluator, out: Float64Array): void {
  const { target, control } = evaluator;
  for (let attempt = 0; attempt < 1000; attempt++) {
    target.samplePrior(control.rng, out);
    if (evaluator.logPrior(out) > -Infinity) return;
  }
  throw new Error('samplePrior gave 1000 draws in a row with zero prior density');
}

/** Log of the mean of exp(values), stable; -Infinity when all are -Infinity. */
export function logMeanExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Math.exp(values[i]! - max);
  return max + Math.log(s / values.length);
}

/** Normalised weights from log weights (all zero weights -> all NaN-free zeros). */
export function normaliseLogWeights(logW: ArrayLike<number>): Float64Array {
  const n = logW.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logW[i]! > max) max = logW[i]!;
  const w = new Float64Array(n);
  if (max === -Infinity) return w;
  let s = 0;
  for (let i = 0; i < n; i++) {
    w[i] = Math.exp(logW[i]! - max);
    s += w[i]!;
  }
  for (let i = 0; i < n; i++) w[i] = w[i]! / s;
  return w;
}
