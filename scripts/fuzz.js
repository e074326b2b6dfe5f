#!/usr/bin/env node
// `npm run fuzz -- --cases N [--seed S]`: seeded fuzzing of the XMILE and Vensim readers and the
// compiler, the equation parser, experiment and calibration specs, evidence files, and API bodies
// and query strings (src/node/fuzz.ts, from dist/). Prints crashes, hangs over 2 s and cases over 1 GB; exit 1 if there is any.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/node/fuzz.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('fuzz: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}
const { fuzz } = await import(entry.href);
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  const n = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fuzz: ${name} expects a whole number\n`);
    process.exit(2);
  }
  return n;
};
const cases = flag('--cases', 10000);
const seed = flag('--seed', 1);
let lastPrint = 0;
const started = performance.now();
const report = await fuzz({
  cases,
  seed,
  onProgress: (done) => {
    const now = performance.now();
    if (now - lastPrint < 5000 && done < cases) return;
    lastPrint = now;
    const rate = done / ((now - started) / 1000);
    const left = rate > 0 ? (cases - done) / rate : 0;
    process.stderr.write(`fuzz: ${done}/${cases} cases, ${Math.round(rate)}/s, ${Math.round(left)} s left\n`);
  },
});
const { crashes, hangs, memory } = report;
process.stdout.write(
  `fuzz: ${report.cases} cases (seed ${report.seed}: ${Object.entries(report.perTarget)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}) in ${report.seconds.toFixed(0)} s\n` +
    `crashes ${crashes.length}, hangs over 2 s ${hangs.length}, cases over 1 GB ${memory.length}; ` +
    `slowest case ${report.slowestMs.toFixed(0)} ms, peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MB\n`,
);
for (const c of crashes.slice(0, 20))
  process.stdout.write(
    `crash: case ${c.index} (${c.target}): ${c.message}\n  input: ${JSON.stringify(c.input.slice(0, 300))}\n`,
  );
for (const h of hangs.slice(0, 20)) process.stdout.write(`hang: case ${h.index} (${h.ms} ms)\n`);
process.exit(crashes.length || hangs.length || memory.length ? 1 : 0);
