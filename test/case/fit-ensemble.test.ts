/** Known answers for the fit statistics and the ensemble helpers of src/case. */
import { describe, expect, it } from 'vitest';
import { theilStatistics } from '../../src/case/fit.js';
import { recurrences, restrictionsOf, wilsonInterval } from '../../src/case/ensemble.js';
import type { PrimBox } from '../../src/experiments/prim.js';

describe('Theil inequality statistics', () => {
  it('a pure bias is all U^M; a pure scale error is all U^S', () => {
    const a = [1, 2, 3, 4];
    const biased = theilStatistics(
      a.map((x) => x + 2),
      a,
    );
    expect(biased.mse).toBeCloseTo(4, 12);
    expect(biased.um).toBeCloseTo(1, 12);
    expect(biased.us).toBeCloseTo(0, 12);
    expect(biased.uc).toBeCloseTo(0, 12);
    // S = 2A - mean: same mean and correlation 1, twice the spread.
    const scaled = theilStatistics(
      a.map((x) => 2 * x - 2.5),
      a,
    );
    expect(scaled.um).toBeCloseTo(0, 12);
    expect(scaled.us).toBeCloseTo(1, 12);
    expect(scaled.r2).toBeCloseTo(1, 12);
  });

  it('hand-computed case: S = [2, 1, 4], A = [1, 2, 3]', () => {
    // Errors 1, -1, 1: MSE = 1. Means 7/3 and 2: U^M = (1/3)^2 = 1/9.
    // Population sd: S = sqrt(14/9), A = sqrt(2/3); covariance (S, A) = 2/3.
    const f = theilStatistics([2, 1, 4], [1, 2, 3]);
    expect(f.mse).toBeCloseTo(1, 12);
    expect(f.um).toBeCloseTo(1 / 9, 12);
    const sdS = Math.sqrt(14 / 9);
    const sdA = Math.sqrt(2 / 3);
    expect(f.us).toBeCloseTo((sdS - sdA) ** 2, 12);
    const r = 2 / 3 / (sdS * sdA);
    expect(f.uc).toBeCloseTo(2 * (1 - r) * sdS * sdA, 12);
    expect(f.um + f.us + f.uc).toBeCloseTo(1, 12);
    expect(f.mape).toBeCloseTo((1 + 0.5 + 1 / 3) / 3, 12);
  });

  it('refuses unpaired or too short series', () => {
    expect(() => theilStatistics([1, 2], [1])).toThrow(/paired/);
    expect(() => theilStatistics([1], [1])).toThrow(/two pairs/);
  });
});

describe('Wilson interval', () => {
  it('matches the textbook value for 8 of 20 (0.2188 to 0.6134)', () => {
    const [lo, hi] = wilsonInterval(8, 20);
    expect(lo).toBeCloseTo(0.2188, 4);
    expect(hi).toBeCloseTo(0.6134, 4);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
  });
});

describe('recurrence of PRIM restrictions over seeds', () => {
  const box = (
    limits: Record<string, [number, number]>,
    categories: Record<string, number[]> = {},
  ): PrimBox => ({
    coverage: 0.5,
    density: 0.8,
    mass: 0.2,
    n: 20,
    k: 16,
    resDim: Object.keys(limits).length,
    limits,
    categories,
  });
  const ranges: Record<string, [number, number]> = { a: [0, 1], b: [0, 10] };

  it('names each restricted side against the full range', () => {
    expect(restrictionsOf(box({ a: [0.2, 1], b: [0, 7] }), ranges)).toEqual([
      { input: 'a', side: 'low', value: 0.2 },
      { input: 'b', side: 'high', value: 7 },
    ]);
  });

  it('counts in how many seeds each restriction recurs', () => {
    const boxes = [
      box({ a: [0.2, 1] }),
      box({ a: [0.3, 1], b: [0, 8] }),
      box({ a: [0.25, 1] }, { s: [1] }),
      box({ b: [2, 10] }, { s: [1] }),
      box({ a: [0.1, 1] }, { s: [0] }),
    ];
    const r = recurrences(boxes, ranges);
    expect(r[0]).toMatchObject({ input: 'a', side: 'low', seeds: 4, of: 5 });
    const s1 = r.find((x) => x.input === 's' && String(x.value) === '1')!;
    expect(s1.seeds).toBe(2);
    expect(r.find((x) => x.input === 'b' && x.side === 'high')!.seeds).toBe(1);
    expect(r.find((x) => x.input === 'b' && x.side === 'low')!.seeds).toBe(1);
  });
});
