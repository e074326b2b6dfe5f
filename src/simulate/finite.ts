/**
 * Where a run's values stop being finite: a scan of the saved columns after the run, so the
 * check costs nothing per integration step. One definition for the CLI's numerical warnings
 * and the experiments' non-finite flag.
 */
import type { Results } from './types.js';

export interface NonFinite {
  /** The output (display name, `name[element]` for array elements). */
  variable: string;
  /** The first saved time at which it is NaN or infinite. */
  time: number;
  /** Its value there: NaN, Infinity or -Infinity. */
  value: number;
}

/** Index of the first non-finite value of `values`, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is 0 for finite numbers and NaN for NaN and +-Infinity.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Every output that becomes non-finite, earliest first (ties in output order). */
export function nonFiniteOutputs(r: Pick<Results, 'names' | 'time' | 'columns'>): NonFinite[] {
  const found: (NonFinite & { order: number })[] = [];
  r.columns.forEach((values, c) => {
    const i = firstNonFinite(values);
    if (i >= 0) found.push({ variable: r.names[c]!, time: r.time[i]!, value: values[i]!, order: c });
  });
  found.sort((a, b) => a.time - b.time || a.order - b.order);
  return found.map(({ variable, time, value }) => ({ variable, time, value }));
}

/** "NaN", "+Inf" or "-Inf". */
export function describeNonFinite(value: number): string {
  return Number.isNaN(value) ? 'NaN (not a number)' : value > 0 ? 'infinite (+Inf)' : 'infinite (-Inf)';
}
