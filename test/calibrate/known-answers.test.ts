/**
 * Calibration recovers what generated the data: models that make their own noisy data, checked
 * against brute-force grid posteriors computed here with a likelihood written out by hand, and
 * against closed forms (linear-Gaussian, censored data).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.js';
import { loadCalibrationFile } from '../../src/calibrate/load.js';
import { normalCdf } from '../../src/experiments/distributions.js';
import {
  compiled,
  csv,
  DECAY,
  gaussianNoise,
  gridPosterior,
  LOGISTIC,
  seriesAt,
  tempFolder,
  xmile,
} from './helpers.js';

const METHODS = ['optimize', 'mcmc', 'smc'] as const;

async function run(dir: string, spec: object, method?: (typeof METHODS)[number], jobs = 1) {
  const file = join(dir, `spec-${method ?? 'x'}.json`);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, JSON.stringify(spec));
  const loaded = loadCalibrationFile(file, method ? { method } : {});
  return { loaded, outcome: await calibrate(loaded, { jobs }) };
}

function expectNear(
  outcome: Awaited<ReturnType<typeof run>>['outcome'],
  names: string[],
  grid: { mean: number[]; sd: number[] },
  meanTolerance = 0.5,
  sdTolerance = 0.35,
): void {
  names.forEach((name, j) => {
    const p = outcome.parameters[name];
    expect(Math.abs(p.mean - grid.mean[j]) / grid.sd[j], `${outcome.method} ${name} mean`).toBeLessThan(
      meanTolerance,
    );
    expect(Math.abs(p.sd / grid.sd[j] - 1), `${outcome.method} ${name} sd`).toBeLessThan(sdTolerance);
  });
}

describe('a first-order delay: time constant and initial value', () => {
  const model = compiled(DECAY);
  const times = Array.from({ length: 21 }, (_, t) => t);
  const noise = gaussianNoise(11);
  const truth = seriesAt(model, { tau: 4, s0: 100 }, 'S', times);
  const sigma = 3;
  const data = truth.map((v, t) => ({ time: t, value: v + sigma * noise() }));
  const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': csv(data) });
  const spec = {
    model: 'model.xmile',
    seed: 5,
    samples: 3000,
    parameters: [
      { name: 'tau', dist: 'uniform', low: 2, high: 7 },
      { name: 's0', dist: 'uniform', low: 80, high: 120 },
    ],
    data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: sigma } }],
  };
  const grid = gridPosterior([2, 80], [7, 120], 90, ([tau, s0]) => {
    const m = seriesAt(model, { tau, s0 }, 'S', times);
    return m.reduce((s, v, i) => s - 0.5 * ((data[i].value - v) / sigma) ** 2, 0);
  });
  for (const method of METHODS) {
    it(`${method} matches the grid posterior`, async () => {
      const { outcome } = await run(dir, spec, method);
      expectNear(outcome, ['tau', 's0'], grid);
      expect(outcome.result.failedEvaluations).toBe(0);
    });
  }
});

describe('logistic growth: rate and capacity, lognormal errors and a lognormal prior', () => {
  const model = compiled(LOGISTIC);
  const times = Array.from({ length: 16 }, (_, k) => 2 * k);
  const noise = gaussianNoise(12);
  const sigma = 0.08;
  const truth = seriesAt(model, { r: 0.4, K: 1000 }, 'P', times);
  const data = truth.map((v, k) => ({ time: times[k], value: v * Math.exp(sigma * noise()) }));
  const dir = tempFolder({ 'model.xmile': LOGISTIC, 'obs.csv': csv(data) });
  const spec = {
    model: 'model.xmile',
    seed: 9,
    samples: 3000,
    parameters: [
      { name: 'r', dist: 'uniform', low: 0.05, high: 1 },
      { name: 'K', dist: 'lognormal', mu: 7, sigma: 0.5 },
    ],
    data: [{ file: 'obs.csv', variable: 'P', error: { dist: 'lognormal', sd: sigma } }],
  };
  // The posterior sits well inside this box (checked by its mass near the edges being negligible).
  const grid = gridPosterior(
    [0.3, 800],
    [0.5, 1250],
    90,
    ([r, K]) => {
      const m = seriesAt(model, { r, K }, 'P', times);
      return m.reduce((s, v, i) => s - 0.5 * ((Math.log(data[i].value) - Math.log(v)) / sigma) ** 2, 0);
    },
    ([, K]) => -0.5 * ((Math.log(K) - 7) / 0.5) ** 2 - Math.log(K),
  );
  for (const method of METHODS) {
    it(`${method} matches the grid posterior`, async () => {
      const { outcome } = await run(dir, spec, method);
      expectNear(outcome, ['r', 'K'], grid);
    });
  }
});

describe('a linear-Gaussian model has a closed-form posterior', () => {
  // y(t) = a + b t, normal priors, known noise: the posterior is normal with
  // precision P = X'X / s^2 + diag(1 / tau^2) and mean P^-1 (X'y / s^2 + m0 / tau^2).
  const text = xmile(
    `<aux name="a"><eqn>1</eqn></aux><aux name="b"><eqn>0.5</eqn></aux><aux name="y"><eqn>a + b * TIME</eqn></aux>`,
    10,
    1,
  );
  const noise = gaussianNoise(13);
  const s = 0.7;
  const tau = 3;
  const data = Array.from({ length: 11 }, (_, t) => ({ time: t, value: 1 + 0.5 * t + s * noise() }));
  const dir = tempFolder({ 'model.xmile': text, 'y.csv': csv(data) });
  let sxx = 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  for (const { time, value } of data) {
    sx += time;
    sxx += time * time;
    sy += value;
    sxy += time * value;
  }
  const n = data.length;
  const P = [n / s ** 2 + 1 / tau ** 2, sx / s ** 2, sx / s ** 2, sxx / s ** 2 + 1 / tau ** 2];
  const det = P[0] * P[3] - P[1] * P[2];
  const cov = [P[3] / det, -P[1] / det, -P[2] / det, P[0] / det];
  const rhs = [sy / s ** 2, sxy / s ** 2];
  const mean = [cov[0] * rhs[0] + cov[1] * rhs[1], cov[2] * rhs[0] + cov[3] * rhs[1]];
  const sd = [Math.sqrt(cov[0]), Math.sqrt(cov[3])];
  const spec = {
    model: 'model.xmile',
    seed: 21,
    samples: 4000,
    parameters: [
      { name: 'a', dist: 'normal', mean: 0, sd: tau },
      { name: 'b', dist: 'normal', mean: 0, sd: tau },
    ],
    data: [{ file: 'y.csv', variable: 'y', error: { dist: 'normal', sd: s } }],
  };
  for (const method of METHODS) {
    it(`${method} gives the closed-form mean and sd`, async () => {
      const { outcome } = await run(dir, spec, method);
      expectNear(outcome, ['a', 'b'], { mean, sd }, 0.2, 0.15);
    });
  }
});

describe('censored data enter as probabilities', () => {
  // theta is read through "at least 5", "up to 8" and "between 6 and 7" with unit normal error,
  // under a uniform prior on [0, 15]: the posterior density is proportional to
  // Phi(theta - 5) Phi(8 - theta) (Phi(7 - theta) - Phi(6 - theta)), integrated numerically here.
  const text = xmile(`<aux name="theta"><eqn>3</eqn></aux>`, 1, 1);
  const rows = 'time,value,low,high\n0,,5,\n0,,,8\n1,,6,7\n';
  const dir = tempFolder({ 'model.xmile': text, 'c.csv': rows });
  const density = (x: number) => normalCdf(x - 5) * normalCdf(8 - x) * (normalCdf(7 - x) - normalCdf(6 - x));
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  const h = 15 / 20000;
  for (let i = 0; i < 20000; i++) {
    const x = (i + 0.5) * h;
    const f = density(x);
    z += f;
    m1 += f * x;
    m2 += f * x * x;
  }
  const mean = m1 / z;
  const sd = Math.sqrt(m2 / z - mean * mean);
  const spec = {
    model: 'model.xmile',
    seed: 4,
    samples: 4000,
    parameters: [{ name: 'theta', dist: 'uniform', low: 0, high: 15 }],
    data: [{ file: 'c.csv', variable: 'theta', error: { dist: 'normal', sd: 1 } }],
  };
  for (const method of ['mcmc', 'smc'] as const) {
    it(`${method} matches the exact posterior`, async () => {
      const { outcome } = await run(dir, spec, method);
      expectNear(outcome, ['theta'], { mean: [mean], sd: [sd] }, 0.15, 0.12);
    });
  }
});

describe('observation model parameters', () => {
  const text = xmile(`<aux name="level"><eqn>10</eqn></aux>`, 40, 1);
  const noise = gaussianNoise(31);

  it('recovers a second stream’s multiplicative bias against an unbiased one', async () => {
    const a = Array.from({ length: 41 }, (_, t) => ({ time: t, value: 10 * Math.exp(0.05 * noise()) }));
    const b = Array.from({ length: 41 }, (_, t) => ({ time: t, value: 0.8 * 10 * Math.exp(0.05 * noise()) }));
    const dir = tempFolder({ 'model.xmile': text, 'a.csv': csv(a), 'b.csv': csv(b) });
    const { outcome } = await run(dir, {
      model: 'model.xmile',
      seed: 2,
      samples: 3000,
      parameters: [{ name: 'level', dist: 'uniform', low: 1, high: 30 }],
      data: [
        { name: 'a', file: 'a.csv', variable: 'level', error: { dist: 'lognormal', sd: 0.05 } },
        { name: 'b', file: 'b.csv', variable: 'level', error: { dist: 'lognormal', sd: 0.05 }, bias: true },
      ],
    });
    const bias = outcome.parameters['bias.b'];
    expect(Math.abs(bias.mean - 0.8)).toBeLessThan(3 * bias.sd + 0.01);
    expect(bias.sd).toBeLessThan(0.02);
    expect(Math.abs(outcome.parameters.level.mean - 10)).toBeLessThan(0.3);
  });

  it('recovers an estimated error scale', async () => {
    const y = Array.from({ length: 41 }, (_, t) => ({ time: t, value: 10 * Math.exp(0.12 * noise()) }));
    const dir = tempFolder({ 'model.xmile': text, 'y.csv': csv(y) });
    const { outcome } = await run(dir, {
      model: 'model.xmile',
      seed: 8,
      samples: 3000,
      parameters: [{ name: 'level', dist: 'uniform', low: 1, high: 30 }],
      data: [{ name: 'y', file: 'y.csv', variable: 'level', error: { dist: 'lognormal', sd: 'estimate' } }],
    });
    const scale = outcome.parameters['sd.y'];
    // 41 draws: the scale's posterior sd is about 0.12 / sqrt(2 x 41) = 0.013.
    expect(Math.abs(scale.mean - 0.12)).toBeLessThan(0.035);
    expect(scale.q05).toBeLessThan(0.12);
    expect(scale.q95).toBeGreaterThan(0.12);
  });
});

describe('re-weighting an explore ensemble by the data', () => {
  it('gives the grid posterior and re-weighted outcome quantiles', async () => {
    const { explore, loadSpecFile } = await import('../../src/experiments/explore.js');
    const { reweightExplore } = await import('../../src/calibrate/reweight.js');
    const { writeFileSync } = await import('node:fs');
    const model = compiled(DECAY);
    const times = Array.from({ length: 11 }, (_, t) => 2 * t);
    const noise = gaussianNoise(51);
    const sigma = 8;
    const data = seriesAt(model, { tau: 5, s0: 90 }, 'S', times).map((v, k) => ({
      time: times[k],
      value: v + sigma * noise(),
    }));
    const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': csv(data) });
    writeFileSync(
      join(dir, 'explore.json'),
      JSON.stringify({
        model: 'model.xmile',
        seed: 3,
        samples: 20000,
        method: 'mc',
        uncertainties: [
          { name: 'tau', dist: 'uniform', low: 2, high: 8 },
          { name: 's0', dist: 'uniform', low: 60, high: 120 },
        ],
        outcomes: [{ name: 'S10', variable: 'S', reduce: 'at', time: 10 }],
      }),
    );
    await explore(loadSpecFile(join(dir, 'explore.json')), { outDir: join(dir, 'runs'), inProcess: true });
    writeFileSync(
      join(dir, 'cal.json'),
      JSON.stringify({
        model: 'model.xmile',
        parameters: [
          { name: 'tau', dist: 'uniform', low: 2, high: 8 },
          { name: 's0', dist: 'normal', mean: 90, sd: 10 },
        ],
        data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: sigma } }],
      }),
    );
    const loaded = loadCalibrationFile(join(dir, 'cal.json'));
    const rw = await reweightExplore(loaded, join(dir, 'runs'), { jobs: 1 });
    const outcome = await calibrate(loaded, { jobs: 1, precomputed: rw.result });
    const logPrior = ([, s0]: number[]) => -0.5 * ((s0 - 90) / 10) ** 2;
    const logLik = (x: number[]) =>
      seriesAt(model, { tau: x[0], s0: x[1] }, 'S', times).reduce(
        (s, v, i) => s - 0.5 * ((data[i].value - v) / sigma) ** 2,
        0,
      );
    const grid = gridPosterior([2, 60], [8, 120], 80, logLik, logPrior);
    expectNear(outcome, ['tau', 's0'], grid, 0.15, 0.12);
    expect(rw.result.diagnostics.ess as number).toBeGreaterThan(1000);
    // S at time 10 under the posterior: the grid's posterior mean of the model's value there.
    let total = 0;
    let mean = 0;
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 60; j++) {
        const x = [2 + ((i + 0.5) / 60) * 6, 60 + ((j + 0.5) / 60) * 60];
        const w = Math.exp(logLik(x) + logPrior(x) - outcome.mapLogLik);
        total += w;
        mean += w * seriesAt(model, { tau: x[0], s0: x[1] }, 'S', [10])[0];
      }
    }
    const s10 = rw.outcomes.find((o) => o.outcome === 'S10')!;
    expect(s10.weighted.mean).toBeCloseTo(mean / total, 0);
    expect(s10.weighted.q95 - s10.weighted.q05).toBeLessThan((s10.prior.q95 - s10.prior.q05) / 2);
  }, 120_000);
});

describe('sources that disagree are modelled, not averaged', () => {
  it('one bias per source, against a reference source', async () => {
    const { writeFileSync } = await import('node:fs');
    const text = xmile(`<aux name="level"><eqn>10</eqn></aux>`, 60, 1);
    const noise = gaussianNoise(61);
    const sources = [
      { id: 'src-a', name: 'A', kind: 'government', reliability: 'A' },
      { id: 'src-b', name: 'B', kind: 'press', reliability: 'A' },
    ];
    const reports: object[] = [];
    const estimates: object[] = [];
    for (let day = 1; day <= 28; day++) {
      for (const [source, factor] of [
        ['src-a', 1],
        ['src-b', 1.5],
      ] as const) {
        const date = `2024-02-${String(day).padStart(2, '0')}`;
        const id = `${source}-${day}`;
        reports.push({ id: `rep-${id}`, source, published: date, claim: 'a count', credibility: 1 });
        estimates.push({
          id: `est-${id}`,
          quantity: 'x.level',
          value: 1000 * factor * Math.exp(0.05 * noise()),
          unit: 'people',
          asOf: date,
          basis: 'observed',
          source,
          report: `rep-${id}`,
        });
      }
    }
    const evidence = { format: 'interlock-evidence', version: 1, sources, reports, estimates };
    const dir = tempFolder({ 'model.xmile': text, 'evidence.json': JSON.stringify(evidence) });
    writeFileSync(
      join(dir, 'spec.json'),
      JSON.stringify({
        model: 'model.xmile',
        samples: 3000,
        calendar: { start: '2024-02-01', daysPerTimeUnit: 1 },
        parameters: [{ name: 'level', dist: 'uniform', low: 100, high: 5000 }],
        data: [
          {
            name: 'x',
            evidence: 'evidence.json',
            quantity: 'x.level',
            variable: 'level',
            error: { dist: 'lognormal', sd: 0.05 },
            bias: { by: 'source', reference: 'src-a' },
          },
        ],
      }),
    );
    const loaded = loadCalibrationFile(join(dir, 'spec.json'));
    expect(loaded.definition.entries.map((e) => e.name)).toEqual(['level', 'bias.x.src-b']);
    const outcome = await calibrate(loaded, { jobs: 1 });
    expect(Math.abs(outcome.parameters['bias.x.src-b'].mean - 1.5)).toBeLessThan(0.06);
    expect(Math.abs(outcome.parameters.level.mean - 1000)).toBeLessThan(30);
  });
});
