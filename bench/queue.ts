/**
 * Queue benchmark (needs PostgreSQL: INTERLOCK_TEST_PG or INTERLOCK_BENCH_PG, a role that may
 * create databases; skipped with a message otherwise). In the same run:
 *   - the case model's thesis experiment on worker threads (`explore --jobs`, the baseline),
 *   - the same experiment through the queue with 1, 2 and 4 `interlock worker` processes,
 *   - jobs per second the database sustains: one trivial run per job, 4 worker processes;
 *   - the case calibration by SMC on worker threads (the baseline) and through the queue with 1,
 *     2 and 4 worker processes (`calibrate --queue`), likelihood evaluations per second, and
 *     whether each posterior equals the threads one.
 *
 *   npx tsx bench/queue.ts [--samples N] [--jobs-total N] [--particles N]
 *
 * Prints a table and writes bench/results/queue.json. Workers run the compiled CLI (dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate } from '../src/calibrate/calibrate.js';
import { loadCalibrationFile } from '../src/calibrate/load.js';
import { posteriorCsv } from '../src/calibrate/output.js';
import { explore, loadSpecFile } from '../src/experiments/explore.js';
import { QueuedLikelihood } from '../src/queue/calibrate.js';
import { parseSpec } from '../src/experiments/spec.js';
import { exploreQueued } from '../src/queue/explore.js';
import { DEFAULT_SETTINGS, QueueConnection } from '../src/queue/queue.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const URL_ = process.env.INTERLOCK_BENCH_PG || process.env.INTERLOCK_TEST_PG;
if (!URL_) {
  console.log('bench queue: skipped (set INTERLOCK_BENCH_PG or INTERLOCK_TEST_PG to a postgres:// URL)');
  process.exit(0);
}
process.env.INTERLOCK_TEST_PG = URL_;
// Imported after the variable is set: the helper reads it when loaded.
const { freshDatabase } = await import('../src/store/pg-testing.js');

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const quick = process.argv.includes('--quick');
const samples = argument('--samples', quick ? 300 : 1000);
const jobsTotal = argument('--jobs-total', quick ? 500 : 2000);
const particles = argument('--particles', quick ? 100 : 300);
// --calibration-only: skip the ensemble sections (their table is then absent).
const calibrationOnly = process.argv.includes('--calibration-only');
const scratch = mkdtempSync(join(tmpdir(), 'interlock-bench-queue-'));

const exits = new WeakMap<ChildProcess, Promise<void>>();
async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  // The queue's schemas first, so that the workers' start-up does not include creating them.
  await (await QueueConnection.open(url, DEFAULT_SETTINGS)).close();
  return Array.from({ length: n }, () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/interlock.js'), 'worker', '--queue', url, '--quiet'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    exits.set(child, new Promise<void>((resolve) => child.on('close', () => resolve())));
    return child;
  });
}
async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => exits.get(w)));
}
const stage = (text: string) => process.stderr.write(`bench queue: ${text}\n`);

const thesis = loadSpecFile(join(ROOT, 'models/north-korea-russia/experiments/thesis.json'));
const rows: {
  setting: string;
  runs: number;
  seconds: number;
  runsPerSecond: number;
  jobsPerSecond?: number;
}[] = [];

// Baseline: worker threads in one process.
if (!calibrationOnly) {
  stage('worker threads');
  const threads = availableParallelism();
  const r = await explore(thesis, { outDir: join(scratch, 'threads'), jobs: threads, samples });
  rows.push({
    setting: `threads only (explore --jobs ${threads})`,
    runs: r.metadata.completedRuns,
    seconds: r.wallSeconds,
    runsPerSecond: r.metadata.completedRuns / r.wallSeconds,
  });
}

for (const n of calibrationOnly ? [] : [1, 2, 4]) {
  stage(`${n} worker process(es)`);
  const db = await freshDatabase('interlock_bench');
  const workers = await startWorkers(db.url, n);
  try {
    // Let the workers connect first: their start-up is not the queue's throughput.
    await new Promise((r) => setTimeout(r, 3000));
    const r = await exploreQueued(thesis, {
      url: db.url,
      outDir: join(scratch, `queue-${n}`),
      samples,
      pollMs: 100,
    });
    rows.push({
      setting: `queue, ${n} worker process${n > 1 ? 'es' : ''}`,
      runs: r.metadata.completedRuns,
      seconds: r.wallSeconds,
      runsPerSecond: r.metadata.completedRuns / r.wallSeconds,
    });
  } finally {
    await stopWorkers(workers);
    await db.drop();
  }
}

// The database's ceiling: jobs of one trivial run each.
if (!calibrationOnly) {
  stage('database ceiling');
  const specFile = join(scratch, 'trivial.json');
  const spec = {
    model: 'builtin:linear',
    seed: 1,
    samples: jobsTotal,
    method: 'mc',
    uncertainties: [{ name: 'x1', dist: 'uniform', low: 0, high: 1 }],
    outcomes: [{ name: 'y', variable: 'y' }],
  };
  parseSpec(spec);
  writeFileSync(specFile, JSON.stringify(spec));
  const loaded = loadSpecFile(specFile);
  const db = await freshDatabase('interlock_bench');
  const workers = await startWorkers(db.url, 4);
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const r = await exploreQueued(loaded, {
      url: db.url,
      outDir: join(scratch, 'trivial'),
      chunkSize: 1,
      pollMs: 100,
    });
    rows.push({
      setting: 'database ceiling: 1 trivial run per job, 4 worker processes',
      runs: r.metadata.completedRuns,
      seconds: r.wallSeconds,
      runsPerSecond: r.metadata.completedRuns / r.wallSeconds,
      jobsPerSecond: jobsTotal / r.wallSeconds,
    });
  } finally {
    await stopWorkers(workers);
    await db.drop();
  }
}

// Calibration: the case model's SMC, threads against worker processes.
const calRows: {
  setting: string;
  evaluations: number;
  seconds: number;
  evaluationsPerSecond: number;
  jobs?: number;
  samePosterior: boolean;
}[] = [];
{
  const calFile = join(ROOT, 'models/north-korea-russia/calibration.json');
  const load = () => loadCalibrationFile(calFile, { method: 'smc', samples: particles });
  stage(`calibration on worker threads (smc, ${particles} particles)`);
  const threads = availableParallelism();
  const reference = await calibrate(load(), { jobs: threads });
  const expected = posteriorCsv(reference);
  calRows.push({
    setting: `threads only (calibrate --jobs ${threads})`,
    evaluations: reference.result.evaluations,
    seconds: reference.seconds,
    evaluationsPerSecond: reference.result.evaluations / reference.seconds,
    samePosterior: true,
  });
  // The default slice size, and small slices (8 points per job) to show the cost of a job.
  for (const [n, sliceSize] of [[1], [2], [4], [2, 8]] as [number, number?][]) {
    stage(`calibration, ${n} worker process(es)${sliceSize ? `, ${sliceSize} points per job` : ''}`);
    const db = await freshDatabase('interlock_bench');
    const workers = await startWorkers(db.url, n);
    try {
      await new Promise((r) => setTimeout(r, 3000));
      let opened: QueuedLikelihood | undefined;
      const outcome = await calibrate(load(), {
        jobs: 1,
        evaluator: async (loaded) =>
          (opened = await QueuedLikelihood.open(loaded.definition, {
            url: db.url,
            key: loaded.spec,
            sliceSize,
          })),
      });
      calRows.push({
        setting: `queue, ${n} worker process${n > 1 ? 'es' : ''}${sliceSize ? `, ${sliceSize} points/job` : ''}`,
        evaluations: outcome.result.evaluations,
        seconds: outcome.seconds,
        evaluationsPerSecond: outcome.result.evaluations / outcome.seconds,
        jobs: opened?.sentJobs,
        samePosterior: posteriorCsv(outcome) === expected,
      });
    } finally {
      await stopWorkers(workers);
      await db.drop();
    }
  }
}

rmSync(scratch, { recursive: true, force: true });
const base = rows[0]?.runsPerSecond ?? NaN;
console.log(`samples ${samples} (x 6 policies); ${availableParallelism()} cores`);
console.log(
  'setting'.padEnd(62) +
    'runs'.padStart(8) +
    's'.padStart(8) +
    'runs/s'.padStart(10) +
    'x threads'.padStart(11),
);
for (const r of rows) {
  console.log(
    r.setting.padEnd(62) +
      String(r.runs).padStart(8) +
      r.seconds.toFixed(1).padStart(8) +
      Math.round(r.runsPerSecond).toString().padStart(10) +
      (r.jobsPerSecond === undefined
        ? (r.runsPerSecond / base).toFixed(2)
        : `${Math.round(r.jobsPerSecond)} jobs/s`
      ).padStart(11),
  );
}
const calBase = calRows[0]!.evaluationsPerSecond;
console.log(`\ncalibration: case model, smc with ${particles} particles`);
console.log(
  'setting'.padEnd(40) +
    'evals'.padStart(8) +
    'jobs'.padStart(7) +
    's'.padStart(8) +
    'evals/s'.padStart(10) +
    'x threads'.padStart(11) +
    '  same posterior',
);
for (const r of calRows) {
  console.log(
    r.setting.padEnd(40) +
      String(r.evaluations).padStart(8) +
      (r.jobs === undefined ? '-' : String(r.jobs)).padStart(7) +
      r.seconds.toFixed(1).padStart(8) +
      Math.round(r.evaluationsPerSecond).toString().padStart(10) +
      (r.evaluationsPerSecond / calBase).toFixed(2).padStart(11) +
      `  ${r.samePosterior ? 'yes' : 'NO'}`,
  );
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(ROOT, 'bench', 'results', 'queue.json'),
  JSON.stringify({ samples, rows, particles, calibration: calRows }, null, 2) + '\n',
);
