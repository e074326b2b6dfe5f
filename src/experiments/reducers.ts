/** Reduce a simulated series to the scalar an outcome records. */
import type { OutcomeSpec } from './spec.js';

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
    case 'at': {
      const t = outcome.time ?? time[n - 1];
      if (t <= time[0]) return values[0];
      if (t >= time[n - 1]) return t === time[n - 1] ? values[n - 1] : NaN;
      // Linear interpolation between saved points.
      let lo = 0;
      let hi = n - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (time[mid] <= t) lo = mid;
        else hi = mid;
      }
      const w = (t - time[lo]) / (time[hi] - time[lo]);
      return values[lo] + w * (values[hi] - values[lo]);
    }
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
