import { describe, expect, it } from 'vitest';
import { crpsEnsemble, crpsLognormal, crpsNormal, logMeanExp, pitEnsemble } from './scores.js';
import { Rng } from '../experiments/rng.js';
import { normalQuantile } from '../experiments/distributions.js';

// Known answers: the closed forms evaluated independently (calibration reference notes, section 5).
describe('forecast scores', () => {
  it('normal CRPS matches its closed form at known points', () => {
    expect(crpsNormal(0, 1, 0)).toBeCloseTo(0.233695, 6);
    expect(crpsNormal(0, 1, 1)).toBeCloseTo(0.602441, 6);
    expect(crpsNormal(0, 1, 2)).toBeCloseTo(1.452792, 6);
    expect(crpsNormal(10, 2, 13)).toBeCloseTo(1.988848, 6);
  });

  it('lognormal CRPS matches its closed form', () => {
    expect(crpsLognormal(Math.log(100), 0.2, 120)).toBeCloseTo(11.703139, 5);
  });

  it('ensemble CRPS: energy and fair forms', () => {
    expect(crpsEnsemble([0, 1, 2], 0.5)).toBeCloseTo(0.388889, 6);
    expect(crpsEnsemble([0, 1, 2], 0.5, true)).toBeCloseTo(0.166667, 6);
    // A point forecast scores its absolute error.
    expect(crpsEnsemble([7], 4)).toBe(3);
  });

  it('fair CRPS of small normal ensembles is unbiased for the normal CRPS; energy is not', () => {
    const rng = new Rng(11, 1, 0);
    let fair = 0;
    let energy = 0;
    const reps = 20000;
    for (let r = 0; r < reps; r++) {
      const x = Array.from({ length: 5 }, () => normalQuantile(rng.nextOpen()));
      fair += crpsEnsemble(x, 0, true) / reps;
      energy += crpsEnsemble(x, 0) / reps;
    }
    expect(fair).toBeCloseTo(crpsNormal(0, 1, 0), 2);
    expect(energy).toBeGreaterThan(crpsNormal(0, 1, 0) + 0.08);
  });

  it('a large ensemble of lognormal draws approaches the lognormal closed form', () => {
    const m = 4000;
    const x = Array.from({ length: m }, (_, i) =>
      Math.exp(Math.log(100) + 0.2 * normalQuantile((i + 0.5) / m)),
    );
    expect(crpsEnsemble(x, 120, true)).toBeCloseTo(11.703139, 1);
  });

  it('PIT counts draws below, and ties by the randomiser', () => {
    expect(pitEnsemble([1, 2, 3], 2.5, 0.5)).toBeCloseTo(2.5 / 4, 12);
    expect(pitEnsemble([1, 2, 2, 3], 2, 0)).toBeCloseTo(1 / 5, 12);
    expect(pitEnsemble([1, 2, 2, 3], 2, 1)).toBeCloseTo(4 / 5, 12);
  });

  it('logMeanExp is the log of a mixture, stable far below underflow', () => {
    expect(logMeanExp([Math.log(1), Math.log(3)])).toBeCloseTo(Math.log(2), 12);
    expect(logMeanExp([-1000, -1000])).toBeCloseTo(-1000, 12);
    expect(logMeanExp([-Infinity, -Infinity])).toBe(-Infinity);
  });
  it('refuses forecasts with no members or non-finite members', () => {
    expect(() => crpsEnsemble([], 1)).toThrow(/at least one member/);
    expect(() => crpsEnsemble([1, NaN], 1)).toThrow(/non-finite/);
  });
});
