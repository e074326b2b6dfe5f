/**
 * Engine benchmark: compile and run time of generated chain models (1,000 and 5,000 chains,
 * scalar and arrayed) and of the suite's largest models, nanoseconds per equation evaluation,
 * the same computation hand-written over typed arrays as a baseline in the same run (runs
 * interleaved with the generated ones and timed in CPU time; compile in wall and CPU time, first
 * run in wall time), and the start-up time of `interlock run` on a small model. Measures the
 * built library (dist/) when it is current. Writes bench/results/engine.json.
 *
 *   npx tsx bench/engine.ts [--quick] [--src]   (--src: the sources through tsx even when dist/ is current)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { CompiledModel } from '../src/simulate/types.js';
import { arrayedChains, handWrittenChains, scalarChains } from './models.js';
import { FROM_DIST, libraryModule, REPO } from './library.js';

const repo = REPO;
const quick = process.argv.includes('--quick');

// The engine as `interlock` runs it: the compiled library (dist/) when it is current
// (bench/library.ts, shared with the other benchmarks).
const { compileModel, readModel } = await libraryModule<typeof import('../src/engine.js')>('engine');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

/**
 * CPU time of this process (user + system) for `f`: on a shared machine a run that waits for a
 * core is not charged for the wait, as wall time would charge it.
 */
function cpuTime<T>(f: () => T): { ms: number; value: T } {
  const u0 = process.cpuUsage();
  const value = f();
  const u = process.cpuUsage(u0);
  return { ms: (u.user + u.system) / 1000, value };
}

/** Statements evaluated per step: assignments in the generated aux and rates functions, loops counted per iteration. */
function equationsPerStep(compiled: CompiledModel): number {
  let count = 0;
  let inStep = false;
  for (const line of compiled.source.split('\n')) {
    if (line.startsWith('function ')) inStep = /^function (aux|rates)(_\d+)?\(/.test(line);
    else if (!inStep) continue;
    else if (/^(s|r)\[\d+\] = /.test(line)) count++;
    else {
      const loop = /^for \(let i = 0; i < (\d+); i\+\+\) \{(.*)\}$/.exec(line);
      if (loop) count += Number(loop[1]) * (loop[2]!.match(/(^|;)\s*(s|r)\[[^\]]+\] = /g)?.length ?? 1);
    }
  }
  return count;
}

interface ModelRow {
  model: string;
  variables: number;
  equationsPerStep: number;
  steps: number;
  readMs: number;
  /** Wall time of `compileModel`. */
  compileMs: number;
  /** CPU time of the same call (this process: user + system). */
  compileCpuMs: number;
  firstRunMs: number;
  runMs: number;
  nsPerEquation: number;
  baselineMs?: number;
  ratioToBaseline?: number;
}

function measure(name: string, text: string, repeats: number, baseline?: () => void): ModelRow {
  const read = time(() => readModel(text, { file: name }));
  if (!read.value.model) throw new Error(`${name}: ${read.value.diagnostics[0]?.message}`);
  const u0 = process.cpuUsage();
  const compiled = time(() => compileModel(read.value.model!));
  const u1 = process.cpuUsage(u0);
  const c = compiled.value.compiled;
  if (!c) throw new Error(`${name}: ${compiled.value.diagnostics[0]?.message}`);
  const sim = c.simulation({ vars: [c.outputs[0]!.name] });
  const first = time(() => sim.run());
  // Generated and hand-written runs interleaved, in CPU time, so that a change of load during
  // the measurement falls on both sides of the ratio.
  const runs: number[] = [];
  const b: number[] = [];
  if (baseline) baseline();
  for (let i = 0; i < repeats; i++) {
    runs.push(cpuTime(() => sim.run()).ms);
    if (baseline) b.push(cpuTime(baseline).ms);
  }
  const runMs = median(runs);
  const steps = Math.round((c.simSpecs.stop - c.simSpecs.start) / c.simSpecs.dt) + 1;
  const eqs = equationsPerStep(c);
  const row: ModelRow = {
    model: name,
    variables: c.outputs.length,
    equationsPerStep: eqs,
    steps,
    readMs: read.ms,
    compileMs: compiled.ms,
    compileCpuMs: (u1.user + u1.system) / 1000,
    firstRunMs: first.ms,
    runMs,
    nsPerEquation: (runMs * 1e6) / Math.max(1, eqs * steps),
  };
  if (baseline) {
    row.baselineMs = median(b);
    row.ratioToBaseline = runMs / row.baselineMs;
  }
  return row;
}

function largestSuiteModels(count: number): { name: string; text: string }[] {
  const root = resolve(repo, '..', 'shared', 'sd-test-models', 'tests');
  if (!existsSync(root)) return [];
  const files: { path: string; size: number }[] = [];
  for (const d of readdirSync(root)) {
    const dir = join(root, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir))
      if (f.endsWith('.xmile')) files.push({ path: join(dir, f), size: statSync(join(dir, f)).size });
  }
  files.sort((a, b) => b.size - a.size);
  const out: { name: string; text: string }[] = [];
  for (const f of files) {
    const text = readFileSync(f.path, 'utf8');
    const r = readModel(text);
    if (r.model && compileModel(r.model).compiled)
      out.push({ name: `suite: ${f.path.slice(root.length + 1)}`, text });
    if (out.length === count) break;
  }
  return out;
}

/** Start-up of `interlock run` on a small model, beside a bare `node -e ""` in the same run. */
function startup():
  { medianMs: number; nodeBaselineMs: number; overheadMs: number; runs: number } | undefined {
  const bin = join(repo, 'bin', 'interlock.js');
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) return undefined;
  const model = join(repo, 'models', 'examples', 'teacup.xmile');
  const ms: number[] = [];
  const bare: number[] = [];
  const n = quick ? 3 : 9;
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    execFileSync(process.execPath, ['-e', ''], { stdio: 'pipe' });
    bare.push(performance.now() - t0);
    t0 = performance.now();
    execFileSync(process.execPath, [bin, 'run', model, '--save-step', '5'], { stdio: 'pipe' });
    ms.push(performance.now() - t0);
  }
  const medianMs = median(ms);
  const nodeBaselineMs = median(bare);
  return { medianMs, nodeBaselineMs, overheadMs: medianMs - nodeBaselineMs, runs: n };
}

function main(): void {
  const rows: ModelRow[] = [];
  const sizes = quick ? [1000] : [1000, 5000];
  const repeats = quick ? 3 : 7;
  for (const n of sizes) {
    rows.push(measure(`arrayed ${n} chains`, arrayedChains(n), repeats, () => handWrittenChains(n)));
    rows.push(measure(`scalar ${n} chains`, scalarChains(n), repeats, () => handWrittenChains(n)));
  }
  for (const m of largestSuiteModels(2)) rows.push(measure(m.name, m.text, repeats * 3));
  const start = startup();

  const table = rows.map((r) => ({
    model: r.model,
    vars: r.variables,
    'eqs/step': r.equationsPerStep,
    'compile ms': r.compileMs.toFixed(1),
    'compile cpu ms': r.compileCpuMs.toFixed(1),
    'run ms': r.runMs.toFixed(2),
    'ns/eq': r.nsPerEquation.toFixed(2),
    'hand-written ms': r.baselineMs?.toFixed(2) ?? '',
    'x hand-written': r.ratioToBaseline?.toFixed(2) ?? '',
  }));
  console.log(
    `code measured: ${FROM_DIST ? 'dist/ (compiled)' : 'src/ through tsx (dist/ missing, stale, or --src)'}`,
  );
  console.table(table);
  if (start) {
    console.log(
      `start-up of \`interlock run\` on a small model: ${start.medianMs.toFixed(0)} ms; bare \`node -e ""\`: ` +
        `${start.nodeBaselineMs.toFixed(0)} ms; interlock's own share: ${start.overheadMs.toFixed(0)} ms (medians of ${start.runs})`,
    );
  }
  const out = join(repo, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'engine.json'),
    JSON.stringify(
      {
        machine: { node: process.version, cpus: cpus().length },
        code: FROM_DIST ? 'dist (compiled)' : 'src via tsx',
        targets: { compile5000Ms: 500, nsPerEquation: 2, startupMs: 300 },
        models: rows,
        startup: start,
      },
      null,
      2,
    ) + '\n',
  );
}

main();
