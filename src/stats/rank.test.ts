import { describe, expect, it } from 'vitest';
import { correlationRatio, fractionalRanks, spearman } from './rank.js';

/** Pearson's r computed directly, to check rho against its definition. */
function pearson(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('spearman', () => {
  it('matches 1 - 6 sum d^2 / (n (n^2 - 1)) without ties', () => {
    const x = [86, 97, 99, 100, 101, 103, 106, 110, 112, 113];
    const y = [2, 20, 28, 27, 50, 29, 7, 17, 6, 12];
    // ranks of y: 0,5,7,6,9,8,2,4,1,3 ; d = rank x - rank y
    const d = [0, -4, -5, -3, -5, -3, 4, 3, 7, 6];
    const n = x.length;
    const expected = 1 - (6 * d.reduce((a, b) => a + b * b, 0)) / (n * (n * n - 1));
    expect(spearman(x, y)).toBeCloseTo(expected, 12);
    expect(expected).toBeCloseTo(-0.175757575, 8);
  });
  it('gives tied values the mean rank, so rho with ties is Pearson of fractional ranks', () => {
    expect(fractionalRanks([10, 20, 20, 30, 20])).toEqual([0, 2, 2, 4, 2]);
    const x = [1, 2, 2, 3, 4, 4, 4, 5];
    const y = [0, 0, 1, 1, 1, 2, 2, 3];
    expect(spearman(x, y)).toBeCloseTo(pearson(fractionalRanks(x), fractionalRanks(y)), 12);
    // a monotone but heavily tied relation is still a perfect correlation
    expect(spearman([0, 0, 0, 1, 1, 1], [5, 5, 5, 9, 9, 9])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
  });
  it('drops non-finite pairs and returns 0 when undefined', () => {
    expect(spearman([1, 2, NaN, 3, 4], [1, 2, 100, 3, 4])).toBeCloseTo(1, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(spearman([1, 2], [1, 2])).toBe(0);
  });
});

describe('correlationRatio', () => {
  const x = Array.from({ length: 200 }, (_, i) => i - 99.5);
  it('is 1 when y is a step function of the rank bins of x, and sees a peak that rho misses', () => {
    const step = x.map((v) => Math.floor((v + 100) / 20));
    expect(correlationRatio(x, step, 10)).toBeCloseTo(1, 12);
    const peak = x.map((v) => -(v * v));
    expect(Math.abs(spearman(x, peak))).toBeLessThan(0.01);
    expect(correlationRatio(x, peak, 10)).toBeGreaterThan(0.9);
  });
  it('matches the between-bin share of variance computed by hand', () => {
    // 4 pairs, 2 bins: bin means 1.5 and 5.5, grand mean 3.5, total SS 1+0.25... by hand below
    const y = [1, 2, 5, 6];
    // between = 2 (1.5-3.5)^2 + 2 (5.5-3.5)^2 = 16; total = 6.25+2.25+2.25+6.25 = 17
    expect(correlationRatio([10, 20, 30, 40], y, 2)).toBeCloseTo(16 / 17, 12);
  });
  it('is 0 for too few pairs or a constant y, and drops non-finite pairs', () => {
    expect(correlationRatio([1, 2, 3], [1, 2, 3], 2)).toBe(0);
    expect(
      correlationRatio(
        x,
        x.map(() => 4),
        10,
      ),
    ).toBe(0);
    expect(correlationRatio([10, 20, NaN, 30, 40], [1, 2, 9, 5, 6], 2)).toBeCloseTo(16 / 17, 12);
  });
});
