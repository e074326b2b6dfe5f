/**
 * Calibration benchmark: likelihood evaluations per second on the logistic model and on the case
 * model (one thread, and through the worker pool), and the time to a posterior with at least 1,000
 * effective samples (bulk ESS of every parameter) for the case calibration. A pure-CPU spin loop is
 * timed in the same run (one copy, then one per core) so a loaded machine shows as such.
 *
 *   npx tsx bench/calibrate.ts [--quick]
 *
 * Prints a table and writes bench/results/calibrate.json.
 */
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedCalibration } from '../src/calibrate/load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The compiled library when dist/ is current (tsx-loaded worker threads run slower), else the sources.
const fresh = (name: string) =>
  existsSync(join(ROOT, `dist/calibrate/${name}.js`)) &&
  statSync(join(ROOT, `dist/calibrate/${name}.js`)).mtimeMs >=
    statSync(join(ROOT, `src/calibrate/${name}.ts`)).mtimeMs;
const useDist = ['calibrate', 'load', 'pool', 'problem', 'likelihood'].every(fresh);
const from = async <T>(path: string): Promise<T> =>
  (await import(pathToFileURL(join(ROOT, useDist ? `dist/${path}.js` : `src/${path}.ts`)).href)) as T;
const { calibrate } = await from<typeof import('../src/calibrate/calibrate.js')>('calibrate/calibrate');
const { loadCalibrationFile } = await from<typeof import('../src/calibrate/load.js')>('calibrate/load');
const { LikelihoodPool } = await from<typeof import('../src/calibrate/pool.js')>('calibrate/pool');
const { Problem } = await from<typeof import('../src/calibrate/problem.js')>('calibrate/problem');
const { Rng } = await from<typeof import('../src/experiments/rng.js')>('experiments/rng');
const QUICK = process.argv.includes('--quick');
const CASE_SPEC = join(ROOT, 'models/north-korea-russia/calibration.json');

const LOGISTIC = `<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"><header><name>logistic</name></header>
<sim_specs><start>0</start><stop>30</stop><dt>0.25</dt></sim_specs>
<model><variables>
<stock name="P"><eqn>10</eqn><inflow>growth</inflow></stock>
<flow name="growth"><eqn>r * P * (1 - P / K)</eqn></flow>
<aux name="r"><eqn>0.4</eqn></aux><aux name="K"><eqn>1000</eqn></aux>
</variables></model></xmile>`;

function logisticSpec(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interlock-bench-cal-'));
  writeFileSync(join(dir, 'model.xmile'), LOGISTIC);
  const rows = ['time,value'];
  for (let t = 0; t <= 30; t += 2) rows.push(`${t},${1000 / (1 + 99 * Math.exp(-0.4 * t))}`);
  writeFileSync(join(dir, 'obs.csv'), rows.join('\n') + '\n');
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      model: 'model.xmile',
      parameters: [
        { name: 'r', dist: 'uniform', low: 0.05, high: 1 },
        { name: 'K', dist: 'lognormal', mu: 7, sigma: 0.5 },
      ],
      data: [{ file: 'obs.csv', variable: 'P', error: { dist: 'lognormal', sd: 0.08 } }],
    }),
  );
  return join(dir, 'spec.json');
}

function priorPoints(loaded: LoadedCalibration, n: number): Float64Array[] {
  const rng = new Rng(1, 99);
  return Array.from({ length: n }, () => Float64Array.from(loaded.priors, (p) => p.quantile(rng.nextOpen())));
}

async function evaluationsPerSecond(specFile: string, seconds: number) {
  const loaded = loadCalibrationFile(specFile);
  const problem = new Problem(loaded.definition);
  const points = priorPoints(loaded, 2000);
  for (let i = 0; i < 200; i++) problem.logLikelihood(points[i % points.length]);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) problem.logLikelihood(points[n++ % points.length]);
  const oneThread = n / ((performance.now() - start) / 1000);
  const jobs = availableParallelism();
  const pool = await LikelihoodPool.create(loaded.definition, jobs);
  await pool.logLikelihood(points.slice(0, 200));
  let m = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await pool.logLikelihood(points.slice(0, 64));
    m += 64;
  }
  const pooled = m / ((performance.now() - t0) / 1000);
  await pool.close();
  return {
    parameters: loaded.definition.entries.length,
    rows: loaded.definition.rows.length,
    oneThread,
    pooled,
    jobs,
  };
}

/** Iterations of a fixed arithmetic loop per second, in `copies` threads at once. */
async function spin(copies: number): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads');
    let x = 0; const t = Date.now(); let n = 0;
    while (Date.now() - t < 1000) { for (let i = 0; i < 1e5; i++) x = (x * 1.000001 + 1) % 1e9; n++; }
    parentPort.postMessage(n + (x < 0 ? 1 : 0));`;
  const counts = await Promise.all(
    Array.from(
      { length: copies },
      () => new Promise<number>((resolve) => new Worker(code, { eval: true }).once('message', resolve)),
    ),
  );
  return counts.reduce((a, b) => a + b, 0) / copies;
}

async function timeToEss(specFile: string, target: number) {
  let samples = 4000;
  const attempts: { samples: number; seconds: number; minEss: number }[] = [];
  for (let k = 0; k < 5; k++) {
    const loaded = loadCalibrationFile(specFile, { method: 'mcmc', samples });
    const outcome = await calibrate(loaded, { jobs: availableParallelism() });
    const ess = Object.values((outcome.result.diagnostics.essBulk ?? {}) as Record<string, number>);
    const minEss = ess.length ? Math.min(...ess) : 0;
    attempts.push({ samples, seconds: outcome.seconds, minEss });
    if (minEss >= target) break;
    samples = Math.ceil((samples * Math.min(8, (1.2 * target) / Math.max(minEss, 1))) / 100) * 100;
  }
  return attempts;
}

const spinOne = await spin(1);
const spinAll = await spin(availableParallelism());
const logistic = await evaluationsPerSecond(logisticSpec(), QUICK ? 1 : 3);
const hasCase = existsSync(CASE_SPEC);
const caseRate = hasCase ? await evaluationsPerSecond(CASE_SPEC, QUICK ? 1 : 3) : undefined;
const ess = hasCase && !QUICK ? await timeToEss(CASE_SPEC, 1000) : undefined;

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(
  `spin test: ${fmt(spinOne)} loops/s alone, ${fmt(spinAll)} per thread with ${availableParallelism()} threads (${(spinAll / spinOne).toFixed(2)} of alone: 1.00 means the cores are free)`,
);
console.log('\nlikelihood evaluations per second');
console.log('model      parameters  rows  1 thread  pool (threads)');
for (const [name, r] of [
  ['logistic', logistic],
  ['case', caseRate],
] as const) {
  if (!r) {
    console.log(`${name.padEnd(10)} (no ${CASE_SPEC.slice(ROOT.length)}: skipped)`);
    continue;
  }
  console.log(
    `${name.padEnd(10)} ${String(r.parameters).padStart(10)}  ${String(r.rows).padStart(4)}  ${fmt(r.oneThread).padStart(8)}  ${fmt(r.pooled)} (${r.jobs})`,
  );
}
if (ess) {
  console.log('\ntime to a posterior with bulk ESS >= 1,000 for every parameter (case, mcmc, all cores)');
  for (const a of ess)
    console.log(`  ${a.samples} draws: ${a.seconds.toFixed(1)} s, min ESS ${Math.round(a.minEss)}`);
  const ok = ess.find((a) => a.minEss >= 1000);
  console.log(
    ok ? `  -> ${ok.seconds.toFixed(1)} s (target: under 120 s)` : '  -> not reached in five attempts',
  );
}
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench/results/calibrate.json'),
  JSON.stringify(
    { spin: { one: spinOne, all: spinAll }, logistic, case: caseRate ?? null, timeToEss1000: ess ?? null },
    null,
    2,
  ) + '\n',
);
