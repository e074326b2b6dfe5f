/**
 * Reduce a simulated series to the scalar an outcome records. The one definition of the
 * reducers: the case's outcomes (src/case) and the experiments use these.
 */
import type { OutcomeSpec } from './spec.js';

/**
 * The value of a saved series at time t: `at` everywhere in the project. Exact at a saved point,
 * linear between saved points, NaN outside the run (a tolerance of 1e-9 of the time span absorbs
 * rounding of the save grid).
 */
export function valueAtTime(time: ArrayLike<number>, values: ArrayLike<number>, t: number): number {
  const n = Math.min(time.length, values.length);
  if (n === 0 || !Number.isFinite(t)) return NaN;
  const t0 = time[0]!;
  const t1 = time[n - 1]!;
  const eps = 1e-9 * Math.max(1, Math.abs(t1 - t0));
  if (t < t0 - eps || t > t1 + eps) return NaN;
  if (t <= t0) return values[0]!;
  if (t >= t1) return values[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! <= t) lo = mid;
    else hi = mid;
  }
  if (Math.abs(time[lo]! - t) <= eps) return values[lo]!;
  const w = (t - time[lo]!) / (time[hi]! - time[lo]!);
  return values[lo]! + w * (values[hi]! - values[lo]!);
}

export function reduceSeries(outcome: OutcomeSpec, values: Float64Array, time: Float64Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  switch (outcome.reduce) {
    case 'final':
    case 'series':
      return values[n - 1];
    case 'max': {
      let m = -Infinity;
      for (let i = 0; i < n; i++) if (values[i] > m || Number.isNaN(values[i])) m = values[i];
      return m;
    }
    case 'min': {
      let m = Infinity;
      for (let i = 0; i < n; i++) if (values[i] < m || Number.isNaN(values[i])) m = values[i];
      return m;
    }
    case 'mean': {
      // Time-weighted (trapezoidal) mean, so an uneven save grid does not bias it.
      if (n === 1) return values[0];
      let area = 0;
      for (let i = 1; i < n; i++) area += 0.5 * (values[i] + values[i - 1]) * (time[i] - time[i - 1]);
      return area / (time[n - 1] - time[0]);
    }
    case 'at':
      return valueAtTime(time, values, outcome.time ?? time[n - 1]);
    case 'crossing': {
      // Time of the first crossing, interpolated; NaN when the threshold is never reached.
      const level = outcome.threshold ?? 0;
      const up = outcome.direction !== 'down';
      const reached = (v: number): boolean => (up ? v >= level : v <= level);
      if (reached(values[0])) return time[0];
      for (let i = 1; i < n; i++) {
        if (reached(values[i])) {
          const a = values[i - 1];
          const b = values[i];
          const w = b === a ? 1 : (level - a) / (b - a);
          return time[i - 1] + w * (time[i] - time[i - 1]);
        }
      }
      return NaN;
    }
  }
}
