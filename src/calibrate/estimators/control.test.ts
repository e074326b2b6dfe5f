/**
 * What every estimator owes its caller: determinism by seed (and independence from the order in
 * which a batch is computed), clean interruption, and survival of failed (NaN) likelihoods.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../experiments/rng.js';
import { normalCdf } from '../../experiments/distributions.js';
import { summariseDraws } from './diagnostics.js';
import { mcmc } from './mcmc.js';
import { optimize } from './optimize.js';
import { smc } from './smc.js';
import { boxTarget, covariance, gaussianTarget } from './testing-fixtures.js';
import type { EstimatorResult, RunControl, Target } from './types.js';

type Run = (target: Target, control: RunControl) => Promise<EstimatorResult>;
const methods: [string, Run][] = [
  ['optimize', (t, c) => optimize(t, c, { generations: 40 })],
  ['mcmc', (t, c) => mcmc(t, c, { samples: 800, burnIn: 100 })],
  ['smc', (t, c) => smc(t, c, { particles: 200 })],
];

const cov = covariance(
  [1, 2],
  [
    [1, 0.5],
    [0.5, 1],
  ],
);

function fingerprint(r: EstimatorResult): number[] {
  return [
    ...r.draws.points.flatMap((p) => Array.from(p)),
    ...r.draws.logPost,
    ...r.map,
    r.mapLogPost,
    r.evaluations,
  ];
}

describe.each(methods)('%s', (_name, run) => {
  it('gives bit-identical results for the same seed, different ones for another seed', async () => {
    const a = await run(gaussianTarget([0, 0], cov), { rng: new Rng(51) });
    const b = await run(gaussianTarget([0, 0], cov), { rng: new Rng(51) });
    const c = await run(gaussianTarget([0, 0], cov), { rng: new Rng(52) });
    expect(fingerprint(b)).toEqual(fingerprint(a));
    expect(fingerprint(c)).not.toEqual(fingerprint(a));
  });

  it('does not depend on the order in which a batch is evaluated', async () => {
    const a = await run(gaussianTarget([0, 0], cov), { rng: new Rng(53) });
    const b = await run(gaussianTarget([0, 0], cov, { reorder: true }), { rng: new Rng(53) });
    expect(fingerprint(b)).toEqual(fingerprint(a));
  });

  it('reports progress in likelihood evaluations, ending complete', async () => {
    const seen: [number, number][] = [];
    const r = await run(gaussianTarget([0, 0], cov), {
      rng: new Rng(62),
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen.length).toBeGreaterThan(2);
    seen.forEach(([done, total], i) => {
      expect(done).toBeLessThanOrEqual(total);
      if (i > 0) expect(done).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    });
    expect(seen.at(-1)).toEqual([r.evaluations, r.evaluations]);
  });

  it('stops on abort between batches and returns what is done', async () => {
    const full = await run(gaussianTarget([0, 0], cov), { rng: new Rng(54) });
    const controller = new AbortController();
    let calls = 0;
    const r = await run(gaussianTarget([0, 0], cov), {
      rng: new Rng(54),
      signal: controller.signal,
      onProgress: (done, total) => {
        expect(done).toBeLessThanOrEqual(total);
        if (done >= full.evaluations / 2) controller.abort();
        calls++;
      },
    });
    expect(r.interrupted).toBe(true);
    expect(calls).toBeGreaterThan(0);
    expect(r.evaluations).toBeLessThan(full.evaluations);
    expect(r.evaluations).toBeGreaterThanOrEqual(full.evaluations / 2);
    expect(r.warnings.some((w) => /interrupted/.test(w))).toBe(true);
    // The draws done so far are kept.
    expect(r.draws.points.length).toBeGreaterThan(0);
    expect(Number.isFinite(r.mapLogPost)).toBe(true);
  });

  it('treats an abort while a batch is running as an interruption', async () => {
    const controller = new AbortController();
    const base = gaussianTarget([0, 0], cov);
    let batches = 0;
    const target: Target = {
      ...base,
      logLikelihood: async (batch) => {
        if (++batches === 3) {
          controller.abort();
          throw new Error('worker pool stopped');
        }
        return base.logLikelihood(batch);
      },
    };
    const r = await run(target, { rng: new Rng(55), signal: controller.signal });
    expect(r.interrupted).toBe(true);
  });

  it('survives a region where the model fails (NaN), counts it and samples the rest', async () => {
    // A standard normal in x whose likelihood fails wherever x > 1: the posterior is the normal
    // truncated at 1, with mean -phi(1) / Phi(1).
    const target = boxTarget(['x', 'y'], [-10, -10], [10, 10], (p) =>
      p[0]! > 1 ? NaN : -0.5 * (p[0]! ** 2 + p[1]! ** 2),
    );
    const r = await run(target, { rng: new Rng(56) });
    expect(r.failedEvaluations).toBeGreaterThan(0);
    expect(r.warnings.some((w) => /failed \(NaN\)/.test(w))).toBe(true);
    expect(r.draws.points.every((p, i) => p[0]! <= 1 || r.draws.logPost[i] === -Infinity)).toBe(true);
    expect(Math.abs(r.map[0]!)).toBeLessThan(0.1);
    expect(r.interrupted).toBe(false);
  });

  it('survives a model that fails everywhere: no crash, every evaluation counted, a warning', async () => {
    const target = boxTarget(['x', 'y'], [-1, -1], [1, 1], () => NaN);
    const r = await run(target, { rng: new Rng(61) });
    expect(r.evaluations).toBeGreaterThan(0);
    expect(r.failedEvaluations).toBe(r.evaluations);
    expect(r.mapLogPost).toBe(-Infinity);
    expect(r.warnings.length).toBeGreaterThan(1);
    expect(r.interrupted).toBe(false);
  });

  it('rejects a target whose batch answer has the wrong length', async () => {
    const base = gaussianTarget([0, 0], cov);
    const target: Target = { ...base, logLikelihood: async (b) => new Float64Array(b.length + 1) };
    await expect(run(target, { rng: new Rng(57) })).rejects.toThrow(
      /returned \d+ values for a batch of \d+ points/,
    );
  });
});

it('an interrupted mcmc run keeps exactly the first draws of the full run', async () => {
  const full = await mcmc(gaussianTarget([0, 0], cov), { rng: new Rng(60) }, { samples: 800, burnIn: 100 });
  const controller = new AbortController();
  const r = await mcmc(
    gaussianTarget([0, 0], cov),
    { rng: new Rng(60), signal: controller.signal, onProgress: (done) => done >= 800 && controller.abort() },
    { samples: 800, burnIn: 100 },
  );
  const kept = r.draws.points.length;
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(800);
  expect(kept % 4).toBe(0);
  expect(r.draws.points.map((p) => Array.from(p))).toEqual(
    full.draws.points.slice(0, kept).map((p) => Array.from(p)),
  );
});

describe('sampling through failed regions recovers the truncated posterior', () => {
  const target = boxTarget(['x', 'y'], [-10, -10], [10, 10], (p) =>
    p[0]! > 1 ? NaN : -0.5 * (p[0]! ** 2 + p[1]! ** 2),
  );
  const phi1 = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
  const truncatedMean = -phi1 / normalCdf(1);
  const truncatedSd = Math.sqrt(1 - phi1 / normalCdf(1) - truncatedMean ** 2);

  it('mcmc', async () => {
    const r = await mcmc(target, { rng: new Rng(58) }, { samples: 8000, burnIn: 500 });
    const s = summariseDraws(['x', 'y'], r.draws.points).x!;
    expect(Math.abs(s.mean - truncatedMean) / truncatedSd).toBeLessThan(0.1);
    expect(Math.abs(s.sd / truncatedSd - 1)).toBeLessThan(0.1);
  });

  it('smc', async () => {
    const r = await smc(target, { rng: new Rng(59) }, { particles: 1500 });
    const s = summariseDraws(['x', 'y'], r.draws.points).x!;
    expect(Math.abs(s.mean - truncatedMean) / truncatedSd).toBeLessThan(0.1);
    expect(Math.abs(s.sd / truncatedSd - 1)).toBeLessThan(0.1);
  });
});
