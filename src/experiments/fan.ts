/**
 * Fan-chart bands of a series outcome (pure): at each shown time, the 5, 25, 50, 75 and 95%
 * points of the finite values across runs. The HTML report and the workbench both draw these.
 */
import { percentile } from './robustness.js';

/** The levels of a fan, low to high; the middle one is the median. */
export const FAN_LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/** Labels of the bands a fan draws: outer band, inner band, the line. */
export const FAN_LABELS = ['5-95% of runs', '25-75% of runs', 'median'] as const;

/** At most `max` evenly spaced time indices, always with the last. */
export function shownTimes(count: number, max = 240): number[] {
  const stride = Math.max(1, Math.ceil(count / max));
  const out: number[] = [];
  for (let t = 0; t < count; t++) if (t % stride === 0 || t === count - 1) out.push(t);
  return out;
}

/**
 * Bands of `rows` runs stored row-major (`rows` x `nTimes`) at the time indices `shown`: one
 * [q05, q25, q50, q75, q95] per shown time (NaN where no run has a finite value).
 */
export function fanBands(
  values: ArrayLike<number>,
  rows: number,
  nTimes: number,
  shown: readonly number[],
): number[][] {
  const column = new Float64Array(rows);
  return shown.map((t) => {
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = values[r * nTimes + t]!;
      if (Number.isFinite(v)) column[n++] = v;
    }
    const sorted = column.subarray(0, n).sort();
    return FAN_LEVELS.map((q) => percentile(sorted, q));
  });
}
