/**
 * Calibration's behaviour beyond point answers: special functions against closed forms, priors'
 * densities, evidence streams (censoring, grades, repeated briefings, asOf), sequential updating,
 * determinism over workers, simulation-based calibration, failing runs and bad input.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.js';
import {
  CREDIBILITY_SCALE,
  duplicateKey,
  evidenceRows,
  loadCalibrationFile,
  RELIABILITY_SCALE,
  shareBriefings,
} from '../../src/calibrate/load.js';
import { posteriorCsv } from '../../src/calibrate/output.js';
import { parseSequence } from '../../src/calibrate/sequence.js';
import { parseCalibrationSpec } from '../../src/calibrate/spec.js';
import {
  incompleteBeta,
  logGamma,
  normalLogCdf,
  studentTCdf,
  studentTLogPdf,
} from '../../src/calibrate/special.js';
import { makeDistribution, normalQuantile } from '../../src/experiments/distributions.js';
import { Rng } from '../../src/experiments/rng.js';
import { sampleDocument } from '../../src/evidence/testing-fixtures.js';
import { csv, DECAY, gaussianNoise, tempFolder, xmile } from './helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('special functions', () => {
  it('log-gamma at known values', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
  it('the incomplete beta function against its closed forms', () => {
    for (const x of [0.01, 0.3, 0.77, 0.99]) {
      expect(incompleteBeta(x, 2.5, 1)).toBeCloseTo(x ** 2.5, 12);
      expect(incompleteBeta(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 12);
    }
  });
  it('Student-t against the Cauchy (df 1) and df 2 closed forms and a table value', () => {
    for (const t of [-30, -2, -0.4, 0, 0.4, 2, 30]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
      expect(studentTLogPdf(t, 1)).toBeCloseTo(-Math.log(Math.PI * (1 + t * t)), 12);
    }
    expect(studentTCdf(2.131847, 4)).toBeCloseTo(0.95, 6);
  });
  it('the normal log-CDF deep in the lower tail', () => {
    expect(normalLogCdf(-10)).toBeCloseTo(Math.log(7.619853024160527e-24), 6);
    // Beyond where Phi underflows: log Phi(-40) = -804.608442013754 (Mills-ratio series).
    expect(normalLogCdf(-40)).toBeCloseTo(-804.608442013754, 6);
    expect(normalLogCdf(3)).toBeCloseTo(Math.log(0.9986501019683699), 9);
  });
});

describe('prior densities', () => {
  it.each([
    [{ dist: 'uniform', low: 2, high: 5 }],
    [{ dist: 'triangular', low: 0, mode: 1, high: 4 }],
    [{ dist: 'normal', mean: 1, sd: 2, low: 0, high: 6 }],
    [{ dist: 'lognormal', mu: 1, sigma: 0.5 }],
    [{ dist: 'lognormal', mu: 0, sigma: 1, low: 0.5, high: 3 }],
  ] as const)('%o integrates to 1 and is the derivative of its CDF', (spec) => {
    const d = makeDistribution(spec);
    const lo = Number.isFinite(d.support[0]) ? d.support[0] : d.quantile(1e-9);
    const hi = Number.isFinite(d.support[1]) ? d.support[1] : d.quantile(1 - 1e-9);
    const n = 200000;
    const h = (hi - lo) / n;
    let total = 0;
    for (let i = 0; i < n; i++) total += Math.exp(d.logDensity(lo + (i + 0.5) * h)) * h;
    expect(total).toBeCloseTo(1, 4);
    const x = d.quantile(0.3);
    const slope = (d.cdf(x + 1e-5) - d.cdf(x - 1e-5)) / 2e-5;
    expect(Math.exp(d.logDensity(x))).toBeCloseTo(slope, 4);
    expect(d.logDensity(d.support[0] - 1)).toBe(-Infinity);
  });
});

describe('evidence streams', () => {
  const doc = sampleDocument();
  const spec = parseCalibrationSpec({
    model: 'm.xmile',
    parameters: [{ name: 'k', dist: 'uniform', low: 0, high: 1 }],
    data: [{ evidence: 'e.json', quantity: 'x.count', variable: 'x', error: { dist: 'lognormal', sd: 0.2 } }],
  });
  const stream = spec.data[0];
  const toTime = (date: string) => (Date.parse(date) - Date.parse('2024-01-01')) / 86400000;

  it('turns qualifiers and ranges into censored rows, scales errors by grade and leaves plans out', () => {
    const duplicates: string[] = [];
    const rows = evidenceRows(doc, stream, 0, toTime, duplicates);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.has('est-3')).toBe(false); // a plan is not an observation
    expect(byId.get('est-1')).toMatchObject({ kind: 'point', value: 1000, time: 0 });
    expect(byId.get('est-1')!.scale).toBeCloseTo(RELIABILITY_SCALE.B * CREDIBILITY_SCALE[2], 12);
    expect(byId.get('est-2')).toMatchObject({ kind: 'range', low: 1500, high: 2500, time: 7 });
    expect(byId.get('est-2')!.scale).toBeCloseTo(RELIABILITY_SCALE.C * CREDIBILITY_SCALE[3], 12);
    expect(byId.get('est-4')).toMatchObject({ kind: 'at-least', low: 3000, published: '2024-05-01' });
  });

  it('counts a repeated briefing once', () => {
    const repeated = structuredClone(doc);
    const first = repeated.estimates.find((e) => e.id === 'est-1')!;
    repeated.estimates.push({ ...first, id: 'est-1-again' });
    const duplicates: string[] = [];
    const rows = evidenceRows(repeated, stream, 0, toTime, duplicates);
    expect(duplicates).toEqual(['est-1-again']);
    expect(rows.filter((r) => r.value === 1000)).toHaveLength(1);
    // An explicit briefing key joins estimates that differ in wording but repeat one briefing.
    const a = { ...first, id: 'a', briefing: 'b-1' };
    const b = { ...first, id: 'b', value: 1100, briefing: 'b-1' };
    expect(duplicateKey(a)).toBe(duplicateKey(b));
    expect(duplicateKey(first)).not.toBe(duplicateKey({ ...first, value: 1100 }));
  });

  it('a briefing that feeds several streams counts once in all: each of its k rows weighs 1/k', () => {
    const briefed = structuredClone(doc);
    for (const e of briefed.estimates) if (e.id === 'est-1' || e.id === 'est-2') e.briefing = 'b-1';
    const first = evidenceRows(briefed, stream, 0, toTime, []);
    const second = evidenceRows(briefed, stream, 1, toTime, []).filter((r) => r.id === 'est-1');
    const rows = [...first, ...second];
    shareBriefings(rows);
    // Within a stream est-2 repeats est-1's briefing and is dropped; across the two streams the
    // briefing's two rows weigh a half each.
    expect(first.some((r) => r.id === 'est-2')).toBe(false);
    const weights = rows.filter((r) => r.briefing === 'b-1').map((r) => r.weight);
    expect(weights).toEqual([0.5, 0.5]);
    expect(rows.filter((r) => r.briefing === undefined).every((r) => r.weight === undefined)).toBe(true);
  });
});

describe('dates', () => {
  it('a month range gives every month end, a list is sorted, bad dates are refused', () => {
    expect(parseSequence('2024-11..2025-02')).toEqual([
      '2024-11-30',
      '2024-12-31',
      '2025-01-31',
      '2025-02-28',
    ]);
    expect(parseSequence('2025-01-15,2024-12-01')).toEqual(['2024-12-01', '2025-01-15']);
    expect(() => parseSequence('2025-02-30')).toThrow(/not a date/);
    expect(() => parseSequence('2025-03..2025-01')).toThrow(/before/);
  });
});

describe('sequential updating, determinism and failing runs', () => {
  const noise = gaussianNoise(41);
  const data = Array.from({ length: 21 }, (_, t) => ({
    time: t,
    value: 100 * Math.exp(-t / 4) + 3 * noise(),
    // One row published each day from 2024-01-01 on.
    published: `2024-01-${String(t + 1).padStart(2, '0')}`,
  }));
  const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': csv(data) });
  const spec = {
    model: 'model.xmile',
    seed: 12,
    samples: 1000,
    parameters: [
      { name: 'tau', dist: 'uniform', low: 1, high: 10 },
      { name: 's0', dist: 'uniform', low: 50, high: 150 },
    ],
    data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: 3 } }],
  };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  const file = join(dir, 'spec.json');

  it('asOf after every publication gives the batch posterior, bit for bit; an earlier asOf uses fewer rows', async () => {
    const batch = loadCalibrationFile(file);
    const late = loadCalibrationFile(file, { asOf: '2024-02-01' });
    const early = loadCalibrationFile(file, { asOf: '2024-01-05' });
    expect(early.definition.rows).toHaveLength(5);
    expect(early.streams[0].afterAsOf).toBe(16);
    const a = await calibrate(batch, { jobs: 1 });
    const b = await calibrate(late, { jobs: 1 });
    expect(posteriorCsv(b)).toBe(posteriorCsv(a));
    const c = await calibrate(early, { jobs: 1 });
    expect(c.parameters.tau.sd).toBeGreaterThan(a.parameters.tau.sd);
  });

  it('the same seed gives the same draws with 1 and 2 worker threads', async () => {
    const one = await calibrate(loadCalibrationFile(file), { jobs: 1 });
    const two = await calibrate(loadCalibrationFile(file), { jobs: 2 });
    expect(posteriorCsv(two)).toBe(posteriorCsv(one));
    const smc1 = await calibrate(loadCalibrationFile(file, { method: 'smc', samples: 400 }), { jobs: 1 });
    const smc2 = await calibrate(loadCalibrationFile(file, { method: 'smc', samples: 400 }), { jobs: 2 });
    expect(posteriorCsv(smc2)).toBe(posteriorCsv(smc1));
  });

  it('a model that fails for some draws is counted and the estimator goes on', async () => {
    const text = xmile(
      `<aux name="theta"><eqn>1</eqn></aux><aux name="y"><eqn>SQRT(theta)</eqn></aux>`,
      5,
      1,
    );
    const rows = Array.from({ length: 6 }, (_, t) => ({ time: t, value: 1.5 + 0.1 * noise() }));
    const d = tempFolder({ 'model.xmile': text, 'y.csv': csv(rows) });
    writeFileSync(
      join(d, 'spec.json'),
      JSON.stringify({
        model: 'model.xmile',
        samples: 1000,
        parameters: [{ name: 'theta', dist: 'uniform', low: -4, high: 4 }],
        data: [{ file: 'y.csv', variable: 'y', error: { dist: 'normal', sd: 0.1 } }],
      }),
    );
    const outcome = await calibrate(loadCalibrationFile(join(d, 'spec.json')), { jobs: 1 });
    expect(outcome.result.failedEvaluations).toBeGreaterThan(0);
    expect(Math.abs(outcome.parameters.theta.mean - 2.25)).toBeLessThan(0.15);
  });
});

describe('simulation-based calibration', () => {
  // theta ~ N(0, 1); five observations y_i ~ N(theta, 1). For each of 100 replications, draw
  // theta from the prior, simulate data, calibrate, and rank theta among 49 thinned posterior
  // draws. If the calibration is right, the ranks are uniform on 0..49 (Talts et al. 2018).
  it('ranks of the true value among posterior draws are uniform', async () => {
    const text = xmile(`<aux name="theta"><eqn>0</eqn></aux>`, 4, 1);
    const rng = new Rng(2024, 5);
    const bins = new Array<number>(10).fill(0);
    const replications = 100;
    for (let rep = 0; rep < replications; rep++) {
      const theta = normalQuantile(rng.nextOpen());
      const rows = Array.from({ length: 5 }, (_, t) => ({
        time: t,
        value: theta + normalQuantile(rng.nextOpen()),
      }));
      const dir = tempFolder({ 'model.xmile': text, 'y.csv': csv(rows) });
      writeFileSync(
        join(dir, 'spec.json'),
        JSON.stringify({
          model: 'model.xmile',
          seed: rep,
          samples: 1960,
          parameters: [{ name: 'theta', dist: 'normal', mean: 0, sd: 1 }],
          data: [{ file: 'y.csv', variable: 'theta', error: { dist: 'normal', sd: 1 } }],
          predict: { draws: 10 },
        }),
      );
      const outcome = await calibrate(loadCalibrationFile(join(dir, 'spec.json')), { jobs: 1 });
      const draws = outcome.result.draws.points;
      let rank = 0;
      for (let k = 0; k < 49; k++) if (draws[Math.floor(((k + 0.5) * draws.length) / 49)][0] < theta) rank++;
      bins[Math.min(9, Math.floor(rank / 5))]++;
    }
    const expected = replications / 10;
    const chi2 = bins.reduce((s, b) => s + (b - expected) ** 2 / expected, 0);
    // chi-square with 9 degrees of freedom: P(> 27.88) = 0.001.
    expect(chi2, `rank histogram ${bins.join(' ')}`).toBeLessThan(27.88);
  }, 120_000);
});

describe('bad input: a located message and exit 1', () => {
  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, INTERLOCK_DEBUG: '' },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  const base = {
    model: 'model.xmile',
    samples: 100,
    parameters: [{ name: 'tau', dist: 'uniform', low: 1, high: 10 }],
    data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: 3 } }],
  };
  const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': 'time,value\n0,100\n1,80\n' });
  const withSpec = (spec: object, name: string) => {
    writeFileSync(join(dir, name), JSON.stringify(spec));
    return cli('calibrate', join(dir, name), '--out', join(dir, `out-${name}`), '-q');
  };

  it.each([
    [
      'an unknown parameter',
      { ...base, parameters: [{ name: 'nope', dist: 'uniform', low: 0, high: 1 }] },
      /parameters\[0\]\.variable: 'nope' is not a constant/,
    ],
    [
      'an unknown variable',
      { ...base, data: [{ ...base.data[0], variable: 'T' }] },
      /data\[0\]\.variable: unknown model variable 'T'/,
    ],
    [
      'a prior with low >= high',
      { ...base, parameters: [{ name: 'tau', dist: 'uniform', low: 3, high: 3 }] },
      /parameters\[0\]\.high: must be greater than low/,
    ],
    [
      'a missing data file',
      { ...base, data: [{ ...base.data[0], file: 'none.csv' }] },
      /data\[0\]\.file: cannot read .*none\.csv: no such file/,
    ],
    ['an unknown spec field', { ...base, sample: 3 }, /sample: unknown field/],
  ])('%s', (_what, spec, message) => {
    const r = withSpec(spec, `${_what.replace(/\W+/g, '-')}.json`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a data file with a bad row names the file and line', () => {
    writeFileSync(join(dir, 'bad.csv'), 'time,value\n0,100\n1,eighty\n');
    const r = withSpec({ ...base, data: [{ ...base.data[0], file: 'bad.csv' }] }, 'badrow.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:3: 'value' is not a finite number: 'eighty'/);
  });

  it('an evidence quantity that does not exist', () => {
    writeFileSync(join(dir, 'evidence.json'), JSON.stringify(sampleDocument()));
    const r = withSpec(
      {
        ...base,
        calendar: { start: '2024-01-01', daysPerTimeUnit: 1 },
        data: [
          {
            evidence: 'evidence.json',
            quantity: 'y.count',
            variable: 'S',
            error: { dist: 'lognormal', sd: 0.2 },
          },
        ],
      },
      'quantity.json',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data\[0\]\.quantity: no estimate of 'y\.count' .*known: x\.count/);
  });

  it('bad flags are usage errors (exit 2)', () => {
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(base));
    expect(cli('calibrate', join(dir, 'ok.json'), '--out', join(dir, 'o'), '--method', 'magic').code).toBe(2);
    expect(
      cli('calibrate', join(dir, 'ok.json'), '--out', join(dir, 'o'), '--sequence', '2025-13..2025-14').code,
    ).toBe(2);
    expect(cli('calibrate', join(dir, 'ok.json'), '--out', join(dir, 'o'), '--jobs', '0').code).toBe(2);
  });

  it('a good run writes the summary with exactly the promised keys per parameter', () => {
    writeFileSync(join(dir, 'ok.json'), JSON.stringify(base));
    const r = cli('calibrate', join(dir, 'ok.json'), '--out', join(dir, 'good'), '-q', '-j', '1');
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'good', 'summary.json'), 'utf8'));
    expect(Object.keys(summary.parameters.tau).sort()).toEqual(['map', 'mean', 'q05', 'q50', 'q95', 'sd']);
    expect(summary.method).toBe('mcmc');
    const header = readFileSync(join(dir, 'good', 'posterior.csv'), 'utf8').split('\n')[0];
    expect(header).toBe('chain,tau,log_likelihood,log_posterior');
    expect(r.stdout).toMatch(/^tau\s/m);
  });
});

describe('interrupting a calibration', () => {
  it('Ctrl-C stops after the batch in flight and keeps what was drawn', async () => {
    const { spawn } = await import('node:child_process');
    const dir = tempFolder({ 'model.xmile': DECAY, 'data.csv': 'time,value\n0,100\n5,30\n10,8\n' });
    writeFileSync(
      join(dir, 'spec.json'),
      JSON.stringify({
        model: 'model.xmile',
        samples: 4_000_000,
        parameters: [{ name: 'tau', dist: 'uniform', low: 1, high: 10 }],
        data: [{ file: 'data.csv', variable: 'S', error: { dist: 'normal', sd: 3 } }],
      }),
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'calibrate',
        join(dir, 'spec.json'),
        '--out',
        join(dir, 'out'),
        '-j',
        '1',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, INTERLOCK_DEBUG: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    // Wait for the first progress line (the sampler is running), then interrupt.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (/calibrate: /.test(stderr)) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping after the batch in flight/);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8'));
    expect(summary.diagnostics.interrupted).toBe(true);
    expect(summary.diagnostics.evaluations).toBeGreaterThan(0);
  }, 60_000);
});
