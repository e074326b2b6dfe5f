import { describe, expect, it } from 'vitest';
import { makeDistribution, normalCdf, normalQuantile, type DistributionSpec } from './distributions.js';
import { Rng, hashSeed } from './rng.js';
import {
  factorialDesign,
  latinHypercubeDesign,
  monteCarloDesign,
  morrisDesign,
  saltelliDesign,
  type UnitDesign,
} from './samplers.js';
import { SobolSequence } from './sobol-sequence.js';

function column(design: UnitDesign, d: number): Float64Array {
  const out = new Float64Array(design.rows);
  const row = new Float64Array(design.dims);
  for (let i = 0; i < design.rows; i++) {
    design.row(i, row);
    out[i] = row[d];
  }
  return out;
}

/** Kolmogorov-Smirnov statistic of a sample against a continuous CDF. */
function ksStatistic(sample: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

describe('random numbers', () => {
  it('is reproducible per stream and differs between streams', () => {
    const a = new Rng(42, 1, 7);
    const b = new Rng(42, 1, 7);
    const c = new Rng(42, 1, 8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(hashSeed(0)).not.toBe(hashSeed(1));
    expect(hashSeed(1, 2)).not.toBe(hashSeed(2, 1));
  });

  it('draws uniforms that pass a KS test even from small seeds', () => {
    for (const seed of [0, 1, 2]) {
      const rng = new Rng(seed);
      const xs = Float64Array.from({ length: 20000 }, () => rng.next());
      expect(ksStatistic(xs, (x) => x)).toBeLessThan(1.63 / Math.sqrt(20000)); // alpha = 0.01
    }
  });
});

describe('distributions', () => {
  it('inverts the normal CDF accurately', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalCdf(1)).toBeCloseTo(0.841344746, 6);
  });

  const continuous: DistributionSpec[] = [
    { dist: 'uniform', low: -2, high: 5 },
    { dist: 'triangular', low: 0, mode: 3, high: 4 },
    { dist: 'normal', mean: 10, sd: 2 },
    { dist: 'normal', mean: 0, sd: 1, low: -0.5, high: 2 },
    { dist: 'lognormal', mu: 0.5, sigma: 0.8 },
  ];
  for (const spec of continuous) {
    it(`samples ${JSON.stringify(spec)} with the right marginal (KS) under MC and LHS`, () => {
      const dist = makeDistribution(spec);
      for (const design of [monteCarloDesign(4000, 2, 9), latinHypercubeDesign(4000, 2, 9)]) {
        const xs = column(design, 1).map((u) => dist.quantile(u));
        expect(ksStatistic(xs, (x) => dist.cdf(x))).toBeLessThan(1.63 / Math.sqrt(4000));
      }
    });
  }

  it('samples integers and weighted categories with the right frequencies', () => {
    const integer = makeDistribution({ dist: 'integer', low: 1, high: 4 });
    const categorical = makeDistribution({ dist: 'categorical', values: [10, 20, 30], weights: [1, 2, 1] });
    const us = column(latinHypercubeDesign(4000, 1, 3), 0);
    const counts = new Map<number, number>();
    const cats = new Map<number, number>();
    for (const u of us) {
      const i = integer.quantile(u);
      counts.set(i, (counts.get(i) ?? 0) + 1);
      const c = categorical.quantile(u);
      cats.set(c, (cats.get(c) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const n of counts.values()) expect(n).toBe(1000); // LHS: exact strata
    expect(cats.get(10)).toBe(1000);
    expect(cats.get(20)).toBe(2000);
    expect(cats.get(30)).toBe(1000);
  });
});

describe("Sobol' sequence", () => {
  it('matches the published first points (Joe-Kuo directions)', () => {
    const expected = [
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
      [0.1875, 0.3125, 0.9375],
      [0.6875, 0.8125, 0.4375],
    ];
    const seq = new SobolSequence(3);
    const p = new Float64Array(3);
    expected.forEach((point, i) => {
      seq.point(i, p);
      expect(Array.from(p)).toEqual(point);
    });
  });

  /** Each of the 2^m elementary boxes 2^-a x 2^-(m-a) of dims (0, 1) holds exactly one point. */
  function isZeroNet(seq: SobolSequence, start: number, m: number): boolean {
    const ints = new Uint32Array(seq.dimensions);
    for (let a = 0; a <= m; a++) {
      const seen = new Uint8Array(2 ** m);
      for (let i = start; i < start + 2 ** m; i++) {
        seq.integerPoint(i, ints);
        // Leading a bits of x0 and leading m-a bits of x1 (a shift by 32 is a no-op in JS).
        const high = a === 0 ? 0 : ints[0] >>> (32 - a);
        const low = m - a === 0 ? 0 : ints[1] >>> (32 - (m - a));
        const key = high * 2 ** (m - a) + low;
        if (seen[key]) return false;
        seen[key] = 1;
      }
    }
    return true;
  }

  it('keeps its net structure past 2^20 points, scrambled or not', () => {
    for (const seq of [new SobolSequence(4), new SobolSequence(4, { scrambleSeed: 7 })]) {
      expect(isZeroNet(seq, 0, 10)).toBe(true);
      expect(isZeroNet(seq, 2 ** 20, 10)).toBe(true);
      expect(isZeroNet(seq, 2 ** 20 + 5 * 2 ** 12, 12)).toBe(true);
      expect(isZeroNet(seq, 2 ** 31 + 2 ** 10, 10)).toBe(true);
    }
  });

  it('gives 2^21 distinct values per dimension over the first 2^21 points (scrambled)', () => {
    const dims = 6;
    const seq = new SobolSequence(dims, { scrambleSeed: 3 });
    const ints = new Uint32Array(dims);
    const seen = Array.from({ length: dims }, () => new Uint8Array(2 ** 21));
    let duplicates = 0;
    for (let i = 0; i < 2 ** 21; i++) {
      seq.integerPoint(i, ints);
      for (let d = 0; d < dims; d++) {
        const cell = ints[d] >>> 11;
        if (seen[d][cell]) duplicates++;
        seen[d][cell] = 1;
      }
    }
    expect(duplicates).toBe(0);
  });
});

describe('designs', () => {
  it('puts exactly one Latin hypercube point in each stratum of each column', () => {
    const n = 500;
    const design = latinHypercubeDesign(n, 6, 11);
    for (let d = 0; d < 6; d++) {
      const hits = new Uint16Array(n);
      for (const u of column(design, d)) hits[Math.floor(u * n)]++;
      expect(hits.every((h) => h === 1)).toBe(true);
    }
  });

  it('lays out Saltelli rows as A, AB_j, BA_j, B (SALib order)', () => {
    const dims = 3;
    const design = saltelliDesign(8, dims, 5, true);
    expect(design.rows).toBe(8 * (2 * dims + 2));
    const rows = Array.from({ length: 2 * dims + 2 }, (_, k) => {
      const r = new Float64Array(dims);
      design.row(8 + k, r); // second base point
      return Array.from(r);
    });
    const a = rows[0];
    const b = rows[2 * dims + 1];
    for (let j = 0; j < dims; j++) {
      const ab = rows[1 + j];
      const ba = rows[1 + dims + j];
      for (let d = 0; d < dims; d++) {
        expect(ab[d]).toBe(d === j ? b[d] : a[d]);
        expect(ba[d]).toBe(d === j ? a[d] : b[d]);
      }
    }
    expect(saltelliDesign(8, dims, 5, false).rows).toBe(8 * (dims + 2));
  });

  it('moves one input by +-Delta per Morris step, each input once per trajectory', () => {
    const dims = 5;
    const design = morrisDesign(20, dims, 1, 4);
    const delta = 4 / 6;
    const prev = new Float64Array(dims);
    const cur = new Float64Array(dims);
    for (let t = 0; t < 20; t++) {
      const moved = new Set<number>();
      design.row(t * (dims + 1), prev);
      for (let s = 1; s <= dims; s++) {
        design.row(t * (dims + 1) + s, cur);
        const changed = [...cur.keys()].filter((d) => cur[d] !== prev[d]);
        expect(changed).toHaveLength(1);
        expect(Math.abs(cur[changed[0]] - prev[changed[0]])).toBeCloseTo(delta, 12);
        moved.add(changed[0]);
        prev.set(cur);
      }
      expect(moved.size).toBe(dims);
      for (const v of cur) expect(v >= 0 && v <= 1).toBe(true);
    }
  });

  it('enumerates every factorial combination once', () => {
    const design = factorialDesign([3, 2, 4], [false, true, false]);
    expect(design.rows).toBe(24);
    const keys = new Set<string>();
    const row = new Float64Array(3);
    for (let i = 0; i < 24; i++) {
      design.row(i, row);
      keys.add(row.join(','));
      expect([0, 0.5, 1]).toContain(row[0]);
      expect([0.25, 0.75]).toContain(row[1]);
    }
    expect(keys.size).toBe(24);
  });
});
