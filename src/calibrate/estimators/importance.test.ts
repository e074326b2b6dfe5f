import { describe, expect, it } from 'vitest';
import { Rng } from '../../experiments/rng.js';
import { summariseDraws, weightsEss } from './diagnostics.js';
import { importanceReweight } from './importance.js';
import { conjugateNormal } from './testing-fixtures.js';
import { standardNormal } from './random.js';

const Y = [2.1, 1.7, 2.5, 1.9, 2.2, 2.4, 1.6, 2.0];

async function logLiks(c: ReturnType<typeof conjugateNormal>, points: Float64Array[]): Promise<Float64Array> {
  return c.target.logLikelihood(points);
}

describe('importanceReweight', () => {
  it('reweights a prior sample to the conjugate posterior', async () => {
    const c = conjugateNormal(1, 2, 0.5, Y);
    const rng = new Rng(41);
    const points = Array.from({ length: 20000 }, () => {
      const x = new Float64Array(1);
      c.target.samplePrior(rng, x);
      return x;
    });
    const r = importanceReweight({ points, logLik: await logLiks(c, points) });
    const diag = r.diagnostics;
    // The weighted mean's Monte Carlo sd is about postSd / sqrt(ESS): allow four of them.
    expect(diag.ess).toBeGreaterThan(1000);
    expect(r.diagnostics.paretoK).toBeLessThan(0.5);
    const s = summariseDraws(['theta'], r.draws.points, r.draws.weights).theta!;
    expect(Math.abs(s.mean - c.postMean)).toBeLessThan((4 * c.postSd) / Math.sqrt(diag.ess));
    expect(Math.abs(s.sd / c.postSd - 1)).toBeLessThan(0.1);
    // With prior draws, mean(L) estimates the evidence.
    expect(Math.abs(diag.logEvidence - c.logEvidence)).toBeLessThan(0.1);
    expect(r.warnings).toEqual([]);
    expect(r.evaluations).toBe(0);
  });

  it('reweights draws from another proposal given its density and the prior', async () => {
    const c = conjugateNormal(1, 2, 0.5, Y);
    const rng = new Rng(42);
    const m = 2;
    const s = 0.3; // a proposal close to the posterior (mean 2.04, sd 0.18)
    const points = Array.from({ length: 4000 }, () => Float64Array.of(m + s * standardNormal(rng)));
    const logProposal = points.map(
      (x) => -0.5 * ((x[0]! - m) / s) ** 2 - Math.log(s * Math.sqrt(2 * Math.PI)),
    );
    const logPrior = points.map((x) => c.target.logPrior(x));
    const r = importanceReweight({ points, logLik: await logLiks(c, points), logProposal, logPrior });
    const diag = r.diagnostics;
    expect(diag.ess).toBeGreaterThan(2000);
    const sum = summariseDraws(['theta'], r.draws.points, r.draws.weights).theta!;
    expect(Math.abs(sum.mean - c.postMean)).toBeLessThan((4 * c.postSd) / Math.sqrt(diag.ess));
    expect(Math.abs(sum.sd / c.postSd - 1)).toBeLessThan(0.1);
    expect(Math.abs(diag.logEvidence - c.logEvidence)).toBeLessThan(0.05);
  });

  it('warns on heavy-tailed weights (Pareto k-hat) even when the ESS is not small', () => {
    // Log-likelihoods giving Pareto weights with tail index 0.9 (infinite variance).
    const rng = new Rng(43);
    const n = 20000;
    const points = Array.from({ length: n }, (_, i) => Float64Array.of(i));
    const logLik = Float64Array.from({ length: n }, () => -0.9 * Math.log(rng.nextOpen()));
    const r = importanceReweight({ points, logLik });
    expect(r.diagnostics.paretoK).toBeGreaterThan(0.7);
    expect(r.diagnostics.ess).toBeGreaterThan(200);
    expect(r.warnings.some((w) => /heavy tail/.test(w))).toBe(true);
  });

  it('weights and ESS follow the formula', () => {
    // log-likelihoods giving weights proportional to 1, 1, 2, 4.
    const logLik = [0, 0, Math.log(2), Math.log(4)];
    const points = logLik.map((_, i) => Float64Array.of(i));
    const r = importanceReweight({ points, logLik }, { minEss: 1 });
    expect(Array.from(r.draws.weights!).map((w) => w * 8)).toEqual(
      [1, 1, 2, 4].map((v) => expect.closeTo(v, 12)),
    );
    expect(r.diagnostics.ess).toBeCloseTo(64 / 22, 12);
    expect(weightsEss(r.draws.weights!)).toBeCloseTo(64 / 22, 12);
    expect(r.map[0]).toBe(3);
  });

  it('warns when the weights degenerate, and counts failed points', () => {
    const n = 1000;
    const points = Array.from({ length: n }, (_, i) => Float64Array.of(i));
    const logLik = Float64Array.from({ length: n }, (_, i) => (i === 7 ? 0 : i === 8 ? NaN : -50 - i));
    const r = importanceReweight({ points, logLik });
    expect(r.diagnostics.ess).toBeLessThan(1.01);
    expect(r.warnings.some((w) => /degenerate/.test(w))).toBe(true);
    expect(r.failedEvaluations).toBe(1);
    expect(r.draws.weights![8]).toBe(0);
    expect(r.draws.weights![7]).toBeGreaterThan(0.99);
  });

  it('rejects inconsistent input', () => {
    const points = [Float64Array.of(1), Float64Array.of(2)];
    expect(() => importanceReweight({ points, logLik: [0] })).toThrow(/logLik has 1 values for 2 points/);
    expect(() => importanceReweight({ points, logLik: [0, 0], logProposal: [0, 0] })).toThrow(
      /logPrior is needed/,
    );
    expect(() => importanceReweight({ points: [], logLik: [] })).toThrow(/empty/);
  });
});
