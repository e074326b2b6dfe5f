import { describe, expect, it } from 'vitest';
import { makeTable, runtime } from '../../src/simulate/runtime.js';

describe('lookup tables with evenly spaced x', () => {
  it('find the same segment as a search over the points, including points on the grid', () => {
    const xs = Array.from({ length: 11 }, (_, i) => -1 + 0.3 * i);
    const ys = xs.map((x) => Math.sin(3 * x) + x * x);
    const even = makeTable(xs, ys, 'continuous');
    const uneven = { ...even, invStep: 0 };
    expect(even.invStep).toBeCloseTo(1 / 0.3, 12);
    const probes = [...xs, ...xs.map((x) => x + 1e-13), ...xs.map((x) => x - 1e-13)];
    for (let k = 0; k < 500; k++) probes.push(-1.2 + (3.5 * k) / 499);
    for (const x of probes) {
      expect(runtime.lookup(even, x)).toBe(runtime.lookup(uneven, x));
    }
    const discrete = makeTable(xs, ys, 'discrete');
    for (const x of probes)
      expect(runtime.lookup(discrete, x)).toBe(runtime.lookup({ ...discrete, invStep: 0 }, x));
  });

  it('leaves uneven tables to the search', () => {
    expect(makeTable([0, 1, 3], [0, 1, 2], 'continuous').invStep).toBe(0);
    expect(runtime.lookup(makeTable([0, 1, 3], [0, 1, 2], 'continuous'), 2)).toBeCloseTo(1.5, 12);
  });
});
