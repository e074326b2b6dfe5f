import { describe, expect, it } from 'vitest';
import { reduceSeries, valueAtTime } from './reducers.js';
import { reduceOutcome } from '../case/compare.js';
import type { OutcomeSpec } from './spec.js';

const time = Float64Array.from([0, 1, 2, 4]);
const values = Float64Array.from([0, 10, 5, 25]);
const reduce = (spec: Partial<OutcomeSpec>, v = values, t = time): number =>
  reduceSeries({ name: 'o', variable: 'v', reduce: 'final', kind: 'info', ...spec }, v, t);

describe('series reducers', () => {
  it('takes the final value, extremes and the time-weighted mean', () => {
    expect(reduce({ reduce: 'final' })).toBe(25);
    expect(reduce({ reduce: 'max' })).toBe(25);
    expect(reduce({ reduce: 'min' })).toBe(0);
    // Trapezoids: (0+10)/2*1 + (10+5)/2*1 + (5+25)/2*2 = 5 + 7.5 + 30 = 42.5 over 4 time units.
    expect(reduce({ reduce: 'mean' })).toBeCloseTo(42.5 / 4, 12);
    expect(reduce({ reduce: 'max' }, Float64Array.from([1, NaN, 3]), Float64Array.from([0, 1, 2]))).toBeNaN();
  });

  it('interpolates the value at a time and refuses times past the end', () => {
    expect(reduce({ reduce: 'at', time: 1 })).toBe(10);
    expect(reduce({ reduce: 'at', time: 1.5 })).toBe(7.5);
    expect(reduce({ reduce: 'at', time: 3 })).toBe(15);
    expect(reduce({ reduce: 'at', time: 4 })).toBe(25);
    expect(reduce({ reduce: 'at', time: 5 })).toBeNaN();
    expect(reduce({ reduce: 'at', time: -1 })).toBeNaN();
    // save grids built by repeated addition still hit their points
    const grid = Float64Array.from({ length: 11 }, (_, i) => i * 0.1);
    expect(
      valueAtTime(
        grid,
        grid.map((t) => t * t),
        0.30000000000000004,
      ),
    ).toBeCloseTo(0.09, 12);
  });

  it('means the same in the case outcomes as in the experiments (one definition of at)', () => {
    for (const t of [0, 1, 1.5, 3, 4, 5, -1]) {
      const c = reduceOutcome({ name: 'o', label: 'o', variable: 'v', reduce: 'at', time: t }, values, time);
      const e = reduce({ reduce: 'at', time: t });
      if (Number.isNaN(e)) expect(c).toBeNaN();
      else expect(c).toBe(e);
    }
  });

  it('finds the first crossing time upward and downward, NaN when never crossed', () => {
    expect(reduce({ reduce: 'crossing', threshold: 5 })).toBe(0.5);
    // 15 is first reached between t=2 (5) and t=4 (25): 2 + 2 * (10/20) = 3.
    expect(reduce({ reduce: 'crossing', threshold: 15 })).toBe(3);
    expect(reduce({ reduce: 'crossing', threshold: 0 })).toBe(0);
    expect(reduce({ reduce: 'crossing', threshold: 100 })).toBeNaN();
    // Downward: first value <= 6 after the start... the start (0) already qualifies.
    expect(reduce({ reduce: 'crossing', threshold: 6, direction: 'down' })).toBe(0);
    const falling = Float64Array.from([10, 8, 2, 1]);
    expect(reduce({ reduce: 'crossing', threshold: 5, direction: 'down' }, falling)).toBe(1.5);
  });
});
