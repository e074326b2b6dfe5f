#!/usr/bin/env node
// `npm run bench`: runs every benchmark under bench/ (engine, wasm, ensemble, calibrate, web, editor, vensim, queue) one after another,
// each printing its table, then merges their results into bench/results.json.
// Pass --quick for a shorter run. Speed is reported here, never asserted in tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const flags = args.filter((a) => a.startsWith('--'));
const suites = ['engine', 'wasm', 'ensemble', 'calibrate', 'web', 'editor', 'vensim', 'queue'].filter(
  (s) => only.length === 0 || only.includes(s),
);
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });

// Running a subset (`npm run bench -- engine`) keeps the other sections of the last full run.
const previous = existsSync(join(repo, 'bench', 'results.json'))
  ? JSON.parse(readFileSync(join(repo, 'bench', 'results.json'), 'utf8'))
  : {};
const merged = {
  ...previous,
  date: new Date().toISOString(),
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  },
};
let failed = false;
for (const name of suites) {
  const file = join(repo, 'bench', `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n== bench: ${name} ==`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...flags], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench ${name} failed (exit ${r.status})`);
    failed = true;
    continue;
  }
  const out = join(repo, 'bench', 'results', `${name}.json`);
  if (existsSync(out)) merged[name] = JSON.parse(readFileSync(out, 'utf8'));
}
writeFileSync(join(repo, 'bench', 'results.json'), JSON.stringify(merged, null, 2) + '\n');
console.log('\nResults: bench/results.json');
process.exit(failed ? 1 : 0);
