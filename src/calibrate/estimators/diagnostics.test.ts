import { describe, expect, it } from 'vitest';
import { Rng } from '../../experiments/rng.js';
import {
  ess,
  essBulk,
  essTail,
  paretoK,
  quantile,
  rhat,
  rhatBasic,
  summariseDraws,
  weightedMean,
  weightedQuantiles,
  weightedSd,
  weightsEss,
} from './diagnostics.js';
import { standardNormal } from './random.js';

function iidChains(rng: Rng, m: number, n: number, shift: (c: number) => number = () => 0): Float64Array[] {
  return Array.from({ length: m }, (_, c) =>
    Float64Array.from({ length: n }, () => shift(c) + standardNormal(rng)),
  );
}

/** Stationary AR(1) chains x_t = rho x_{t-1} + e_t with unit innovation variance. */
function ar1Chains(rng: Rng, m: number, n: number, rho: number): Float64Array[] {
  return Array.from({ length: m }, () => {
    const x = new Float64Array(n);
    x[0] = standardNormal(rng) / Math.sqrt(1 - rho * rho);
    for (let t = 1; t < n; t++) x[t] = rho * x[t - 1]! + standardNormal(rng);
    return x;
  });
}

describe('R-hat (split, rank-normalised)', () => {
  it('is near 1 for independent chains of one distribution', () => {
    const r = rhat(iidChains(new Rng(1), 4, 1000));
    // For 8 split chains of 500 iid draws R-hat - 1 is of order 1/(2 n) plus noise of about 0.002.
    expect(r).toBeGreaterThan(0.995);
    expect(r).toBeLessThan(1.01);
  });

  it('is clearly above 1.1 when one chain sits one sd away', () => {
    const chains = iidChains(new Rng(2), 4, 1000, (c) => (c === 3 ? 1 : 0));
    // Between-chain variance of the means (0, 0, 0, 1) is 0.25; with W = 1 the classic R-hat is
    // about sqrt(1 + 0.25) = 1.118 (split chains: the same shift appears in 2 of 8 halves).
    expect(rhatBasic(chains)).toBeCloseTo(Math.sqrt(1 + 0.25 - 0.25 / 1000), 1);
    expect(rhat(chains)).toBeGreaterThan(1.1);
  });

  it('catches chains that agree in mean but not in spread (the folded, tail R-hat)', () => {
    const rng = new Rng(3);
    const chains = Array.from({ length: 4 }, (_, c) =>
      Float64Array.from({ length: 1000 }, () => (c === 0 ? 3 : 1) * standardNormal(rng)),
    );
    expect(rhatBasic(chains)).toBeLessThan(1.02);
    expect(rhat(chains)).toBeGreaterThan(1.1);
  });

  it('catches a chain that drifts (the split halves disagree)', () => {
    const rng = new Rng(4);
    const chains = Array.from({ length: 4 }, (_, c) =>
      Float64Array.from({ length: 1000 }, (_, t) => (c === 0 ? (3 * t) / 1000 : 0) + standardNormal(rng)),
    );
    expect(rhat(chains)).toBeGreaterThan(1.05);
  });
});

describe('effective sample size', () => {
  it('is close to the number of draws for independent chains', () => {
    const chains = iidChains(new Rng(5), 4, 2000);
    // The estimator's own error for iid draws is a few percent.
    expect(ess(chains) / 8000).toBeGreaterThan(0.9);
    expect(ess(chains) / 8000).toBeLessThan(1.1);
    expect(essBulk(chains) / 8000).toBeGreaterThan(0.9);
  });

  it('matches N (1 - rho) / (1 + rho) for AR(1) chains', () => {
    for (const rho of [0.5, 0.8]) {
      const chains = ar1Chains(new Rng(6, rho * 10), 4, 5000, rho);
      const expected = (20000 * (1 - rho)) / (1 + rho);
      // Relative error of the Geyer estimator at these lengths is about 3-5%; allow 12%.
      expect(Math.abs(ess(chains) / expected - 1)).toBeLessThan(0.12);
      expect(Math.abs(essBulk(chains) / expected - 1)).toBeLessThan(0.12);
      // The tail ESS of AR(1) indicators is larger than the bulk (indicators decorrelate faster)
      // but below the number of draws.
      const tail = essTail(chains);
      expect(tail).toBeGreaterThan(0.8 * expected);
      expect(tail).toBeLessThan(20000);
    }
  });
});

describe('weighted summaries', () => {
  it('weighted mean and sd follow their formulas', () => {
    const v = [1, 2, 4, 8];
    const w = [0.1, 0.2, 0.3, 0.4];
    const m = 0.1 * 1 + 0.2 * 2 + 0.3 * 4 + 0.4 * 8;
    expect(weightedMean(v, w)).toBeCloseTo(m, 12);
    const s2 =
      w.reduce((a, wi, i) => a + wi * (v[i]! - m) ** 2, 0) / (1 - w.reduce((a, wi) => a + wi * wi, 0));
    expect(weightedSd(v, w)).toBeCloseTo(Math.sqrt(s2), 12);
    // Equal weights: the usual sample sd.
    const mean = 15 / 4;
    expect(weightedSd(v)).toBeCloseTo(Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / 3), 12);
  });

  it('weighted quantiles recover a known distribution from a weighted sample', () => {
    // Uniform draws weighted by 2u have density 2u on [0, 1], whose quantile function is sqrt(p).
    const rng = new Rng(7);
    const u = Float64Array.from({ length: 20000 }, () => rng.next());
    const probs = [0.05, 0.25, 0.5, 0.75, 0.95];
    const q = weightedQuantiles(
      u,
      probs,
      Float64Array.from(u, (x) => 2 * x),
    );
    // Sampling error of a quantile here is below 0.006 (binomial sd / density).
    probs.forEach((p, i) => expect(Math.abs(q[i]! - Math.sqrt(p))).toBeLessThan(0.015));
  });

  it('equal weights give Hazen quantiles, the extremes outside the first and last midpoints', () => {
    const v = [3, 1, 2, 4];
    // Sorted 1,2,3,4 stand at 0.125, 0.375, 0.625, 0.875.
    expect(quantile(v, 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile(v, 0.25)).toBeCloseTo(1.5, 12);
    expect(quantile(v, 0.01)).toBe(1);
    expect(quantile(v, 0.99)).toBe(4);
    expect(weightedQuantiles(v, [0.25, 0.5], [1, 1, 1, 1])).toEqual([1.5, 2.5]);
  });

  it('Kish ESS of weights', () => {
    expect(weightsEss([1, 1, 1, 1])).toBeCloseTo(4, 12);
    expect(weightsEss([0, 0, 5, 0])).toBeCloseTo(1, 12);
    expect(weightsEss([1, 1, 2, 4])).toBeCloseTo(64 / 22, 12);
  });

  it('summariseDraws gives mean, sd and quantiles per parameter', () => {
    const points = [1, 2, 3, 4].map((v) => Float64Array.of(v, -v));
    const s = summariseDraws(['a', 'b'], points);
    expect(s.a!.mean).toBeCloseTo(2.5, 12);
    expect(s.b!.mean).toBeCloseTo(-2.5, 12);
    expect(s.a!.q50).toBeCloseTo(2.5, 12);
    expect(s.a!.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
});

describe('Pareto k-hat of importance weights', () => {
  it('recovers the tail index of Pareto-distributed weights', () => {
    // w = U^-xi has a Pareto tail with index xi; with 20000 weights (a 425-point tail) the
    // estimator's sd is about 0.07, so 0.2 is three of those.
    for (const xi of [0.3, 1.2]) {
      const rng = new Rng(8, xi * 10);
      const logW = Float64Array.from({ length: 20000 }, () => -xi * Math.log(rng.nextOpen()));
      expect(Math.abs(paretoK(logW) - xi)).toBeLessThan(0.2);
    }
  });

  it('is near 0 for light-tailed (exponential) weights and NaN for too few', () => {
    const rng = new Rng(9);
    const logW = Float64Array.from({ length: 4000 }, () => Math.log(-Math.log(rng.nextOpen())));
    expect(paretoK(logW)).toBeLessThan(0.15);
    expect(paretoK([0, 1, 2])).toBeNaN();
  });
});
