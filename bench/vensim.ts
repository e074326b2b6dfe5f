/**
 * Vensim benchmark: read, compile and run time of the suite's largest .mdl models, and the same
 * generated model (N chains: a stock with a lookup-driven inflow, an outflow, a first-order smooth
 * and a third-order delay) written in Vensim and in XMILE, measured in the same run so the ratio
 * Vensim / XMILE is machine-independent. Each of the suite's largest models is also converted to
 * XMILE (`interlock convert`'s writer) and timed beside the .mdl in the same run (ratio per model).
 * Writes bench/results/vensim.json.
 *
 *   npx tsx bench/vensim.ts [--quick]
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModel, readModel, writeXmile } from '../src/engine.js';
import { readModelFile } from '../src/node/files.js';
import { scalarChains } from './models.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const suite = join(repo, '..', 'shared', 'sd-test-models', 'tests');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

/** The chains of bench/models.ts's scalarChains, written in Vensim. */
function vensimChains(n: number): string {
  const recs: string[] = ['{UTF-8}'];
  const table =
    '([(0,0)-(100,40)],(0,0),(10,5),(20,20),(30,35),(40,40),(50,38),(60,30),(70,25),(80,22),(90,20),(100,20))';
  for (let i = 0; i < n; i++) {
    recs.push(
      `inflow ${i} = WITH LOOKUP(Time + ${i % 7}, ${table}) ~ ~ |`,
      `stock ${i} = INTEG(inflow ${i} - outflow ${i}, ${10 + (i % 5)}) ~ ~ |`,
      `outflow ${i} = stock ${i} / 5 ~ ~ |`,
      `smoothed ${i} = SMOOTH(outflow ${i}, 3) ~ ~ |`,
      `delayed ${i} = DELAY3(outflow ${i}, 4) ~ ~ |`,
    );
  }
  recs.push(
    'INITIAL TIME = 0 ~ ~ |',
    'FINAL TIME = 100 ~ ~ |',
    'TIME STEP = 0.125 ~ ~ |',
    'SAVEPER = TIME STEP ~ ~ |',
  );
  return recs.join('\n') + '\n';
}

interface Row {
  model: string;
  readMs: number;
  compileMs: number;
  runMs: number;
}

/** Times reading, compiling and running; `output` (default: the first) is the variable saved, so a
 * model and its conversion save the same one (a run computes only what its saved variables need). */
function measure(
  name: string,
  read: () => ReturnType<typeof readModel>,
  repeats: number,
  output?: string,
): Row & { output: string } {
  const reads: number[] = [];
  const compiles: number[] = [];
  let compiled;
  for (let i = 0; i < repeats; i++) {
    const r = time(read);
    if (!r.value.model) throw new Error(`${name}: ${r.value.diagnostics[0]?.message}`);
    reads.push(r.ms);
    const c = time(() => compileModel(r.value.model!));
    if (!c.value.compiled)
      throw new Error(`${name}: ${c.value.diagnostics.find((d) => d.severity === 'error')?.message}`);
    compiles.push(c.ms);
    compiled = c.value.compiled;
  }
  const saved = output ?? compiled!.outputs[0]!.name;
  const sim = compiled!.simulation({ vars: [saved] });
  sim.run();
  const runs: number[] = [];
  for (let i = 0; i < repeats * 3; i++) runs.push(time(() => sim.run()).ms);
  return {
    model: name,
    readMs: median(reads),
    compileMs: median(compiles),
    runMs: median(runs),
    output: saved,
  };
}

const repeats = quick ? 3 : 7;
const n = quick ? 300 : 1000;
const xmile = measure(
  `chains ${n} (XMILE)`,
  () => readModel(scalarChains(n, { total: false }), { file: 'chains.xmile' }),
  repeats,
);
const vensim = measure(
  `chains ${n} (Vensim)`,
  () => readModel(vensimChains(n), { file: 'chains.mdl' }),
  repeats,
);
const ratios = {
  read: vensim.readMs / xmile.readMs,
  compile: vensim.compileMs / xmile.compileMs,
  run: vensim.runMs / xmile.runMs,
  readAndCompile: (vensim.readMs + vensim.compileMs) / (xmile.readMs + xmile.compileMs),
};

const largest: Row[] = [];
/** Each large suite model beside the same model converted to XMILE, with the Vensim / XMILE ratios. */
const converted: { model: string; xmile: Row; ratios: { read: number; compile: number; run: number } }[] = [];
if (existsSync(suite)) {
  const files: { path: string; size: number }[] = [];
  for (const d of readdirSync(suite)) {
    const dir = join(suite, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir))
      if (/\.mdl$/i.test(f)) files.push({ path: join(dir, f), size: statSync(join(dir, f)).size });
  }
  files.sort((a, b) => b.size - a.size);
  for (const f of files) {
    if (largest.length >= (quick ? 3 : 6)) break;
    try {
      const name = f.path.slice(suite.length + 1);
      const row = measure(name, () => readModelFile(f.path), repeats);
      largest.push(row);
      const text = writeXmile(readModelFile(f.path).model!);
      const x = measure(
        `${name} as XMILE`,
        () => readModel(text, { file: 'converted.xmile' }),
        repeats,
        row.output,
      );
      converted.push({
        model: name,
        xmile: x,
        ratios: {
          read: row.readMs / x.readMs,
          compile: row.compileMs / x.compileMs,
          run: row.runMs / x.runMs,
        },
      });
    } catch {
      // A model the engine does not run yet is left out of the timing (the conformance report names it).
    }
  }
} else console.log('vensim bench: ../shared/sd-test-models is absent; the suite models are skipped.');

const fmt = (x: number) => x.toFixed(2).padStart(9);
console.log('model'.padEnd(58), 'read ms', 'compile ms', '  run ms');
for (const r of [xmile, vensim, ...largest])
  console.log(r.model.padEnd(58), fmt(r.readMs), fmt(r.compileMs), fmt(r.runMs));
for (const c of converted)
  console.log(
    `${c.model} / its XMILE conversion: read ${c.ratios.read.toFixed(2)}x, compile ${c.ratios.compile.toFixed(2)}x, run ${c.ratios.run.toFixed(2)}x`,
  );
console.log(
  `Vensim / XMILE, same model: read ${ratios.read.toFixed(2)}x, compile ${ratios.compile.toFixed(2)}x, read+compile ${ratios.readAndCompile.toFixed(2)}x, run ${ratios.run.toFixed(2)}x`,
);
mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(repo, 'bench', 'results', 'vensim.json'),
  JSON.stringify({ chains: { xmile, vensim, ratios }, largestSuiteModels: largest, converted }, null, 2) +
    '\n',
);
