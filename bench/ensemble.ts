/**
 * Ensemble benchmark: throughput of the case model with one worker and with every core, the
 * share of time spent outside model evaluation, and resident memory at 10,000 and 100,000 runs
 * (it should stay flat: results stream to disk).
 *
 *   npx tsx bench/ensemble.ts [--runs N] [--memory-model case|builtin]
 *
 * Prints a table and writes bench/results/ensemble.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadedSpec } from '../src/experiments/explore.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Measure the compiled library (what `interlock explore` runs) when dist/ is up to date; the
// TypeScript sources otherwise, whose workers load through tsx and run measurably slower.
const DIST_ENTRY = join(ROOT, 'dist/experiments/node.js');
const SOURCE_ENTRY = join(ROOT, 'src/experiments/node.ts');
const useDist =
  existsSync(DIST_ENTRY) &&
  statSync(DIST_ENTRY).mtimeMs >= statSync(join(ROOT, 'src/experiments/runner.ts')).mtimeMs;
const lib = (await import(
  pathToFileURL(useDist ? DIST_ENTRY : SOURCE_ENTRY).href
)) as typeof import('../src/experiments/node.js');
const { explore, loadSpecFile, buildPlan, createSimulation, modelSourceFor, ChunkRunner, parseSpec } = lib;
const CASE_SPEC = join(ROOT, 'models/north-korea-russia/experiments/thesis.json');

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A small shipped stand-in when the case model is absent: logistic growth with a series outcome. */
function builtinSpec(): LoadedSpec {
  const spec = parseSpec({
    model: 'builtin:logistic',
    seed: 1,
    samples: 1000,
    method: 'lhs',
    uncertainties: [
      { name: 'r', dist: 'uniform', low: 0.05, high: 0.5 },
      { name: 'K', dist: 'uniform', low: 50, high: 150 },
    ],
    outcomes: [
      { name: 'path', variable: 'x', reduce: 'series' },
      { name: 'peak', variable: 'x', reduce: 'max' },
    ],
  });
  return {
    spec,
    specFile: 'builtin',
    model: modelSourceFor(spec),
    modelHash: 'builtin',
    scenarios: new Map(),
  };
}

function caseSpec(): LoadedSpec | undefined {
  if (!existsSync(CASE_SPEC)) return undefined;
  try {
    return loadSpecFile(CASE_SPEC);
  } catch (err) {
    process.stderr.write(
      `case model unusable (${(err as Error).message}); falling back to a builtin model\n`,
    );
    return undefined;
  }
}

/** Samples so that samples x policies is about `runs`. */
function samplesFor(loaded: LoadedSpec, runs: number): number {
  const policies = buildPlan({ ...loaded.spec, samples: 1 }, loaded.scenarios).policies.length;
  return Math.max(1, Math.round(runs / policies));
}

interface Measurement {
  model: string;
  jobs: number;
  runs: number;
  wallSeconds: number;
  runsPerSecond: number;
  modelSeconds: number;
  /** 1 - model time / (wall time x workers): everything that is not the model's run(). */
  overheadShare: number;
  /** Within the workers' chunks only (sampling, reducing, copying series): excludes start-up and idle time. */
  inChunkOverheadShare: number;
  /** The model's own run() per run, in microseconds. */
  modelMicrosPerRun: number;
  /** (wall time x workers - model time) / runs: everything else, start-up and results.csv included. */
  overheadMicrosPerRun: number;
  peakRssMiB: number;
}

async function measure(
  loaded: LoadedSpec,
  label: string,
  runs: number,
  jobs: number,
  inProcess = false,
): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'interlock-bench-'));
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const result = await explore(loaded, { outDir: dir, jobs, inProcess, samples: samplesFor(loaded, runs) });
    peak = Math.max(peak, process.memoryUsage().rss);
    const m = result.metadata;
    return {
      model: label,
      jobs,
      runs: m.completedRuns,
      wallSeconds: result.wallSeconds,
      runsPerSecond: m.completedRuns / result.wallSeconds,
      modelSeconds: result.modelSeconds,
      overheadShare: 1 - result.modelSeconds / (result.wallSeconds * jobs),
      inChunkOverheadShare: 1 - result.modelSeconds / result.chunkSeconds,
      modelMicrosPerRun: (result.modelSeconds / m.completedRuns) * 1e6,
      overheadMicrosPerRun: ((result.wallSeconds * jobs - result.modelSeconds) / m.completedRuns) * 1e6,
      peakRssMiB: peak / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A pure-CPU spin loop in 1 thread, then in `threads` threads at once: work per second with all
 * of them over work per second with one. About `threads` when that many cores are free; less
 * when other processes hold them (a loaded machine shows here, beside the throughput).
 */
async function spinTest(
  threads: number,
): Promise<{ oneThreadMops: number; allThreadsMops: number; scaling: number }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    let x = 0;
    const t0 = performance.now();
    for (let i = 0; i < 300e6; i++) x = (x * 1.0000001 + i) % 1e9;
    parentPort.postMessage({ ms: performance.now() - t0, x });`;
  const spin = () =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', (m: { ms: number }) => resolve(m.ms));
      w.once('error', reject);
    });
  const one = await spin();
  const all = await Promise.all(Array.from({ length: threads }, spin));
  const oneThreadMops = 300 / (one / 1000);
  const allThreadsMops = (300 * threads) / (Math.max(...all) / 1000);
  return { oneThreadMops, allThreadsMops, scaling: allThreadsMops / oneThreadMops };
}

/**
 * The workers' chunk runner in this thread, without workers or files: the floor of per-run
 * overhead (drawing inputs, setting them, reducing outcomes, formatting the rows of results.csv).
 */
function inThread(
  loaded: LoadedSpec,
  runs: number,
  csv = true,
): { runsPerSecond: number; overheadShare: number; modelMicrosPerRun: number; overheadMicrosPerRun: number } {
  const plan = buildPlan(loaded.spec, loaded.scenarios, samplesFor(loaded, runs));
  const runner = new ChunkRunner(plan, createSimulation(loaded.model, plan.spec), { csv });
  runner.run(0, Math.min(plan.rows, 200)); // warm up the JIT
  const t0 = performance.now();
  let model = 0;
  for (let start = 0; start < plan.rows; start += 1024)
    model += runner.run(start, Math.min(plan.rows, start + 1024)).modelSeconds;
  const wall = (performance.now() - t0) / 1000;
  return {
    runsPerSecond: plan.rows / wall,
    overheadShare: 1 - model / wall,
    modelMicrosPerRun: (model / plan.rows) * 1e6,
    overheadMicrosPerRun: ((wall - model) / plan.rows) * 1e6,
  };
}

async function main(): Promise<void> {
  const runs = Number(argument('--runs', process.argv.includes('--quick') ? '1000' : '8000'));
  const memoryModel = argument('--memory-model', 'builtin');
  const cores = availableParallelism();
  const caseLoaded = caseSpec();
  const throughputModel = caseLoaded ?? builtinSpec();
  const label = caseLoaded ? 'case model' : 'builtin:logistic (case model absent)';

  const spinBefore = await spinTest(cores);
  const single = inThread(throughputModel, Math.min(runs, 2000));
  const noCsv = inThread(throughputModel, Math.min(runs, 2000), false);
  const rows: Measurement[] = [];
  rows.push(await measure(throughputModel, label, runs, 1, true));
  rows.push(await measure(throughputModel, label, runs, 1));
  if (cores > 1) rows.push(await measure(throughputModel, label, runs, cores));
  const spinAfter = await spinTest(cores);
  const memLoaded = memoryModel === 'case' && caseLoaded ? caseLoaded : builtinSpec();
  const memLabel = memoryModel === 'case' && caseLoaded ? 'case model' : 'builtin:logistic';
  const mem10k = await measure(memLoaded, memLabel, 10_000, cores);
  const mem100k = await measure(memLoaded, memLabel, 100_000, cores);

  const us = (x: number): string => x.toFixed(1);
  const table = [
    [
      'measurement',
      'model',
      'workers',
      'runs',
      'runs/s',
      'model us/run',
      'other us/run',
      'outside model',
      'in chunks',
      'peak RSS MiB',
    ],
    [
      'chunk runner in this thread',
      label,
      '0',
      String(Math.min(runs, 2000)),
      single.runsPerSecond.toFixed(0),
      us(single.modelMicrosPerRun),
      us(single.overheadMicrosPerRun),
      `${(100 * single.overheadShare).toFixed(1)}%`,
      `${(100 * single.overheadShare).toFixed(1)}%`,
      '-',
    ],
    [
      'chunk runner, no results.csv rows',
      label,
      '0',
      String(Math.min(runs, 2000)),
      noCsv.runsPerSecond.toFixed(0),
      us(noCsv.modelMicrosPerRun),
      us(noCsv.overheadMicrosPerRun),
      `${(100 * noCsv.overheadShare).toFixed(1)}%`,
      `${(100 * noCsv.overheadShare).toFixed(1)}%`,
      '-',
    ],
    ...[...rows.map((r, i) => [i === 0 ? 'explore, in-process' : 'explore', r] as const)].map(([what, r]) => [
      what,
      r.model,
      what === 'explore, in-process' ? '0' : String(r.jobs),
      String(r.runs),
      r.runsPerSecond.toFixed(0),
      us(r.modelMicrosPerRun),
      us(r.overheadMicrosPerRun),
      `${(100 * r.overheadShare).toFixed(1)}%`,
      `${(100 * r.inChunkOverheadShare).toFixed(1)}%`,
      r.peakRssMiB.toFixed(0),
    ]),
    ...[mem10k, mem100k].map((r) => [
      `memory (explore)`,
      r.model,
      String(r.jobs),
      String(r.runs),
      r.runsPerSecond.toFixed(0),
      us(r.modelMicrosPerRun),
      us(r.overheadMicrosPerRun),
      `${(100 * r.overheadShare).toFixed(1)}%`,
      `${(100 * r.inChunkOverheadShare).toFixed(1)}%`,
      r.peakRssMiB.toFixed(0),
    ]),
  ];
  process.stdout.write(
    `code measured: ${useDist ? 'dist/ (compiled)' : 'src/ through tsx (dist/ missing or stale)'}\n`,
  );
  process.stdout.write(
    "model us/run: the model's own run(); other us/run: (wall x workers - model) / runs, everything else " +
      '(start-up, inputs, outcomes, results.csv and the other files)\n',
  );
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table)
    process.stdout.write(
      r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + '\n',
    );
  process.stdout.write(
    `memory growth 10k -> 100k runs: ${(mem100k.peakRssMiB - mem10k.peakRssMiB).toFixed(0)} MiB\n`,
  );
  process.stdout.write(
    `in-thread overhead outside the model: ${single.overheadMicrosPerRun.toFixed(1)} us per run\n`,
  );
  const scaling = rows.length > 2 ? rows[2]!.runsPerSecond / rows[1]!.runsPerSecond : 1;
  process.stdout.write(
    `spin test (pure CPU, ${cores} threads against 1): ${spinBefore.scaling.toFixed(2)}x before, ` +
      `${spinAfter.scaling.toFixed(2)}x after (${cores.toFixed(0)}x = all cores free); ` +
      `ensemble ${cores} workers against 1: ${scaling.toFixed(2)}x\n`,
  );
  const best = Math.max(...rows.map((r) => r.runsPerSecond));
  process.stdout.write(
    `25,000 runs/s on ${cores} cores leaves ${((cores / 25_000) * 1e6).toFixed(0)} us of CPU per run; ` +
      `the model alone takes ${us(single.modelMicrosPerRun)} us here (best measured: ${best.toFixed(0)} runs/s)\n`,
  );

  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'ensemble.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        code: useDist ? 'dist (compiled)' : 'src via tsx',
        note: 'Machine may be shared; throughput depends on load. overheadShare = 1 - model run() time / (wall x workers); overheadMicrosPerRun = (wall x workers - model run() time) / runs. throughput[0] is explore in-process, [1] one worker, [2] all cores.',
        inThread: { model: label, ...single },
        inThreadWithoutCsv: { model: label, ...noCsv },
        spinTest: { before: spinBefore, after: spinAfter },
        workerScaling: scaling,
        throughput: rows,
        memory: { at10k: mem10k, at100k: mem100k, growthMiB: mem100k.peakRssMiB - mem10k.peakRssMiB },
      },
      null,
      2,
    ) + '\n',
  );
}

await main();
