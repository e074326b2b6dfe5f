/**
 * Summaries for the Explore page: quantiles (fan charts) and rank correlation (sensitivity).
 * Pure functions over plain arrays.
 */

/** Quantiles of the finite values (linear interpolation); NaN when there are none. */
export function quantiles(values: ArrayLike<number>, probs: number[]): number[] {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (!v.length) return probs.map(() => NaN);
  return probs.map((p) => {
    const x = p * (v.length - 1);
    const lo = Math.floor(x);
    const hi = Math.min(lo + 1, v.length - 1);
    return v[lo]! + (v[hi]! - v[lo]!) * (x - lo);
  });
}

/** Spearman rank correlation: the project's one definition lives in src/stats/rank.ts. */
export { spearman } from '../stats/rank.js';
