/** Random draws the estimators share, all from the run's one `Rng`. */
import type { Rng } from '../../experiments/rng.js';
import { normalQuantile } from '../../experiments/distributions.js';

/** Standard normal draw by inversion (the project's one normal quantile). */
export function standardNormal(rng: Rng): number {
  return normalQuantile(rng.nextOpen());
}

/**
 * Systematic resampling (Kitagawa 1996): one uniform offset, n evenly spaced pointers through the
 * cumulative weights. Returns the index of the parent of each of the n offspring, in order.
 */
export function systematicResample(weights: ArrayLike<number>, n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let last = weights.length - 1;
  while (last > 0 && !(weights[last]! > 0)) last--;
  const step = total / n;
  let u = rng.nextOpen() * step;
  let cum = weights[0]!;
  let j = 0;
  for (let k = 0; k < n; k++) {
    // `>=` skips zero-weight particles that sit exactly on a pointer.
    while (u >= cum && j < last) {
      j++;
      cum += weights[j]!;
    }
    out[k] = j;
    u += step;
  }
  return out;
}
