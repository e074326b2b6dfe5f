import { describe, expect, it } from 'vitest';
import { Rng } from '../../experiments/rng.js';
import { optimize } from './optimize.js';
import {
  bananaTarget,
  binomialTarget,
  boxTarget,
  conjugateNormal,
  CORR5,
  covariance,
  gaussianTarget,
  MEAN5,
  SD5,
} from './testing-fixtures.js';

describe('optimize (differential evolution + Nelder-Mead + curvature)', () => {
  it('finds the mode of a correlated 5-D Gaussian, its sds and covariance from the curvature', async () => {
    const cov = covariance(SD5, CORR5);
    const target = gaussianTarget(MEAN5, cov);
    const r = await optimize(target, { rng: new Rng(31) });
    const diag = r.diagnostics;
    MEAN5.forEach((m, j) => expect(Math.abs(r.map[j]! - m) / SD5[j]!).toBeLessThan(1e-3));
    // Central differences are exact on a quadratic, up to rounding.
    target.names.forEach((name, j) => expect(diag.sd[name]! / SD5[j]!).toBeCloseTo(1, 4));
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) expect(diag.covariance![i]![j]!).toBeCloseTo(cov[i * 5 + j]!, 3);
    }
    expect(diag.startsAgreed).toBe(diag.starts.length);
    expect(diag.starts.length).toBe(4);
    expect(r.mapLogPost).toBeCloseTo(target.logPrior(r.map), 6); // the likelihood's maximum is 0
    expect(r.warnings).toEqual([]);
  });

  it('profile intervals of a Gaussian are the mean +- 1.96 sd', async () => {
    const sd = [1, 3];
    const target = gaussianTarget(
      [1, -2],
      covariance(sd, [
        [1, 0.6],
        [0.6, 1],
      ]),
    );
    const r = await optimize(target, { rng: new Rng(32) }, { profile: true });
    const profile = r.diagnostics.profile!;
    [1, -2].forEach((m, j) => {
      const p = profile[target.names[j]!]!;
      expect(p.lowOpen || p.highOpen).toBe(false);
      expect((p.low95 - m) / sd[j]!).toBeCloseTo(-1.96, 2);
      expect((p.high95 - m) / sd[j]!).toBeCloseTo(1.96, 2);
    });
  });

  it('reaches the optimum (1, 1) of a banana and its curvature', async () => {
    const r = await optimize(bananaTarget(), { rng: new Rng(33) });
    expect(r.map[0]).toBeCloseTo(1, 4);
    expect(r.map[1]).toBeCloseTo(1, 4);
    // -Hessian at (1, 1) is [[41, -20], [-20, 10]], whose inverse is [[1, 2], [2, 4.1]].
    const sd = r.diagnostics.sd;
    expect(Math.abs(sd.x! - 1)).toBeLessThan(0.01);
    expect(Math.abs(sd.y! / Math.sqrt(4.1) - 1)).toBeLessThan(0.01);
  });

  it('matches the conjugate normal posterior: the mode is the mean, the curvature sd exact', async () => {
    const c = conjugateNormal(1, 2, 0.5, [2.1, 1.7, 2.5, 1.9, 2.2, 2.4, 1.6, 2.0]);
    const r = await optimize(c.target, { rng: new Rng(34) });
    expect(Math.abs(r.map[0]! - c.postMean) / c.postSd).toBeLessThan(1e-3);
    expect(r.diagnostics.sd.theta! / c.postSd).toBeCloseTo(1, 4);
  });

  it('a bounded binomial posterior: mode k/n and curvature sd sqrt(p (1 - p) / n)', async () => {
    const r = await optimize(binomialTarget(2, 20).target, { rng: new Rng(35) });
    expect(r.map[0]).toBeCloseTo(0.1, 5);
    expect(r.diagnostics.sd.p! / Math.sqrt((0.1 * 0.9) / 20)).toBeCloseTo(1, 2);
  });

  it('a mode on the bound is found and reported without a curvature interval', async () => {
    const r = await optimize(binomialTarget(0, 20).target, { rng: new Rng(36) });
    expect(r.map[0]).toBeLessThan(1e-6);
    expect(Number.isNaN(r.diagnostics.sd.p)).toBe(true);
    expect(r.warnings.some((w) => /on its bound/.test(w))).toBe(true);
  });

  it('finds the higher of two separated modes and says when starts disagree', async () => {
    // Two narrow bumps: the one at (-3, -3) is e^2 times higher than the one at (3, 3).
    const target = boxTarget(['a', 'b'], [-6, -6], [6, 6], (x) => {
      const d1 = (x[0]! + 3) ** 2 + (x[1]! + 3) ** 2;
      const d2 = (x[0]! - 3) ** 2 + (x[1]! - 3) ** 2;
      return Math.log(Math.exp(-d1 / 0.5) + Math.exp(-2 - d2 / 0.5));
    });
    const r = await optimize(target, { rng: new Rng(37) }, { starts: 8 });
    expect(r.map[0]).toBeCloseTo(-3, 3);
    expect(r.map[1]).toBeCloseTo(-3, 3);
    const diag = r.diagnostics;
    // Each start stops in one of the two basins; whichever stopped at (3, 3) does not agree.
    const atOther = diag.starts.filter((s) => Math.abs(s.optimum[0]! - 3) < 0.01).length;
    expect(atOther).toBeGreaterThan(0);
    expect(diag.startsAgreed).toBe(diag.starts.length - atOther);
    expect(r.warnings.some((w) => /starts reached the MAP/.test(w))).toBe(true);
  });
});
