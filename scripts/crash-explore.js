#!/usr/bin/env node
// Crash test of `interlock explore --resume`: run an experiment uninterrupted once, then run it
// again into a second folder, killing it with SIGKILL at seeded random moments (--kills, default
// 20) and resuming each time, and finally compare every data file of the two folders byte for
// byte. Exit 0 when identical, 1 otherwise. Bounded: a fixed experiment, a fixed number of kills.
//   node scripts/crash-explore.js [--kills N] [--seed S] [--samples N]
// INTERLOCK_CLI_TSX=1 runs the CLI from the TypeScript sources (tests), else from dist/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const kills = flag('--kills', 20);
const samples = flag('--samples', 20000);
let seed = flag('--seed', 1) >>> 0;
// A small seeded generator (xorshift32) for the kill moments.
const random = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};
const cli = process.env.INTERLOCK_CLI_TSX ? ['--import', 'tsx', 'src/cli/main.ts'] : ['bin/interlock.js'];

const work = mkdtempSync(join(tmpdir(), 'interlock-crash-'));
const spec = join(work, 'spec.json');
writeFileSync(
  spec,
  JSON.stringify({
    model: 'builtin:ishigami-flaky',
    seed: 11,
    samples,
    method: 'lhs',
    uncertainties: ['x1', 'x2', 'x3'].map((name) => ({
      name,
      dist: 'uniform',
      low: -Math.PI,
      high: Math.PI,
    })),
    levers: [{ name: 'a', values: [7, 5] }],
    outcomes: [
      { name: 'y', variable: 'y' },
      { name: 'ys', variable: 'y', reduce: 'series' },
    ],
  }),
);
const explore = (out, extra) => [
  'explore',
  spec,
  '--out',
  out,
  '-q',
  '--chunk-size',
  '64',
  '-j',
  '2',
  ...extra,
];

const ref = join(work, 'reference');
const t0 = performance.now();
const r = spawnSync(process.execPath, [...cli, ...explore(ref, [])], { cwd: repo, encoding: 'utf8' });
const refSeconds = (performance.now() - t0) / 1000;
if (r.status !== 0) {
  process.stderr.write(`reference run failed (exit ${r.status}):\n${r.stderr}\n`);
  process.exit(1);
}

const crashed = join(work, 'crashed');
let effective = 0;
const runOnce = (killAfterMs) =>
  new Promise((done) => {
    const resume = existsSync(join(crashed, 'metadata.json')) ? ['--resume'] : [];
    const child = spawn(process.execPath, [...cli, ...explore(crashed, resume)], {
      cwd: repo,
      stdio: 'ignore',
    });
    const timer = setTimeout(() => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        effective++;
      }
    }, killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal });
    });
  });
for (let k = 0; k < kills; k++) {
  const at = Math.round(random() * refSeconds * 1000);
  const outcome = await runOnce(at);
  process.stderr.write(`kill ${k + 1}/${kills} at ${at} ms: ${outcome.signal ?? `exit ${outcome.code}`}\n`);
  if (outcome.signal === null && outcome.code !== 0) {
    process.stderr.write('a resumed run failed instead of finishing or being killed\n');
    process.exit(1);
  }
}
const last = await runOnce(10 * 60_000);
if (last.code !== 0) {
  process.stderr.write(`the final --resume failed (exit ${last.code})\n`);
  process.exit(1);
}
const files = ['status.u8', 'inputs.f64', 'outcomes/y.f64', 'series/ys.f64', 'failures.jsonl', 'results.csv'];
const differ = files.filter((f) => !readFileSync(join(ref, f)).equals(readFileSync(join(crashed, f))));
const meta = JSON.parse(readFileSync(join(crashed, 'metadata.json'), 'utf8'));
process.stdout.write(
  `${effective} of ${kills} kills landed mid-run (reference run ${refSeconds.toFixed(1)} s, ${meta.rows} runs); ` +
    `final state ${meta.state}; ${differ.length ? `DIFFERENT: ${differ.join(', ')}` : 'all data files identical'}\n`,
);
rmSync(work, { recursive: true, force: true });
process.exit(differ.length || meta.state !== 'complete' ? 1 : 0);
