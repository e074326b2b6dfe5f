import { describe, expect, it } from 'vitest';
import { Rng } from '../../experiments/rng.js';
import { summariseDraws } from './diagnostics.js';
import { smc } from './smc.js';
import { inverseSpd, cholesky } from './linalg.js';
import {
  bananaTarget,
  binomialTarget,
  conjugateNormal,
  CORR5,
  covariance,
  gaussianTarget,
  MEAN5,
  momentMismatches,
  SD5,
} from './testing-fixtures.js';

/** log of the integral of exp(-q/2) over R^d, minus the log volume of the uniform prior's box. */
function gaussianBoxEvidence(sd: number[], cov: Float64Array): number {
  const d = sd.length;
  const l = cholesky(cov, d)!;
  let logDet = 0;
  for (let j = 0; j < d; j++) logDet += 2 * Math.log(l[j * d + j]!);
  const logVolume = sd.reduce((a, s) => a + Math.log(40 * s), 0);
  return (d / 2) * Math.log(2 * Math.PI) + logDet / 2 - logVolume;
}

/** log B(a, b) for integer a, b: log((a-1)! (b-1)! / (a+b-1)!). */
function logBetaInt(a: number, b: number): number {
  const logFact = (n: number): number => {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  };
  return logFact(a - 1) + logFact(b - 1) - logFact(a + b - 1);
}

describe('smc (likelihood tempering)', () => {
  it('samples a correlated 2-D Gaussian and estimates its evidence', async () => {
    const sd = [1, 3];
    const cov = covariance(sd, [
      [1, -0.8],
      [-0.8, 1],
    ]);
    const target = gaussianTarget([1, -2], cov);
    const r = await smc(target, { rng: new Rng(21) }, { particles: 1500 });
    // 1500 particles, each refreshed by several Metropolis steps: Monte Carlo sd of a mean about
    // 0.03 sd, of an sd about 2-3%.
    expect(momentMismatches(summariseDraws(target.names, r.draws.points), [1, -2], sd, 0.1, 0.1)).toEqual([]);
    const diag = r.diagnostics;
    expect(Math.abs(diag.logEvidence - gaussianBoxEvidence(sd, cov))).toBeLessThan(0.15);
    expect(diag.schedule.at(-1)).toBe(1);
    expect(diag.schedule.every((b, i) => i === 0 || b > diag.schedule[i - 1]!)).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(inverseSpd(cov, 2)).not.toBeNull();
  });

  it('samples a correlated 5-D Gaussian', async () => {
    const cov = covariance(SD5, CORR5);
    const target = gaussianTarget(MEAN5, cov);
    const r = await smc(target, { rng: new Rng(22) }, { particles: 1500 });
    expect(momentMismatches(summariseDraws(target.names, r.draws.points), MEAN5, SD5, 0.1, 0.1)).toEqual([]);
    const diag = r.diagnostics;
    expect(Math.abs(diag.logEvidence - gaussianBoxEvidence(SD5, cov))).toBeLessThan(0.2);
  });

  it('matches the conjugate normal model, log evidence within 0.1 of the closed form', async () => {
    const c = conjugateNormal(1, 2, 0.5, [2.1, 1.7, 2.5, 1.9, 2.2, 2.4, 1.6, 2.0]);
    const r = await smc(c.target, { rng: new Rng(23) }, { particles: 1500 });
    expect(
      momentMismatches(summariseDraws(c.target.names, r.draws.points), [c.postMean], [c.postSd], 0.1, 0.1),
    ).toEqual([]);
    const diag = r.diagnostics;
    expect(Math.abs(diag.logEvidence - c.logEvidence)).toBeLessThan(0.1);
  });

  it('returns weighted final particles on request, with the same posterior', async () => {
    const c = conjugateNormal(1, 2, 0.5, [2.1, 1.7, 2.5, 1.9, 2.2, 2.4, 1.6, 2.0]);
    const r = await smc(c.target, { rng: new Rng(24) }, { particles: 1500, final: 'weighted' });
    const w = r.draws.weights!;
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(
      momentMismatches(summariseDraws(c.target.names, r.draws.points, w), [c.postMean], [c.postSd], 0.1, 0.1),
    ).toEqual([]);
    expect(Math.abs(r.diagnostics.logEvidence - c.logEvidence)).toBeLessThan(0.1);
  });

  it('matches a bounded Beta posterior and its evidence B(k+1, n-k+1)', async () => {
    const b = binomialTarget(2, 20);
    const r = await smc(b.target, { rng: new Rng(25) }, { particles: 1500 });
    expect(
      momentMismatches(summariseDraws(b.target.names, r.draws.points), [b.mean], [b.sd], 0.1, 0.1),
    ).toEqual([]);
    const diag = r.diagnostics;
    expect(Math.abs(diag.logEvidence - logBetaInt(3, 19))).toBeLessThan(0.1);
  });

  it('crosses a banana-shaped posterior', async () => {
    const r = await smc(bananaTarget(), { rng: new Rng(26) }, { particles: 1500 });
    expect(
      momentMismatches(summariseDraws(['x', 'y'], r.draws.points), [1, 2], [1, Math.sqrt(6.1)], 0.15, 0.15),
    ).toEqual([]);
  });
});
