/**
 * Vensim benchmark: read, compile and run time of the suite's largest .mdl models, and the same
 * generated model (N chains: a stock with a lookup-driven inflow, an outflow, a first-order smooth
 * and a third-order delay) written in Vensim and in XMILE, measured in the same run so the ratio
 * Vensim / XMILE is machine-independent. Each of the suite's largest models is also converted to
 * XMILE (`interlock convert`'s writer) and timed beside the .mdl in the same run (ratio per model).
 * The two sides of a ratio are measured in alternation (one read, compile and run of each, then
 * again), after a warm-up of both, and in CPU time, so neither is favoured by JIT warm-up or by a
 * change of load. The built library (dist/) is measured when it is current (bench/library.ts).
 * Writes bench/results/vensim.json.
 *
 *   npx tsx bench/vensim.ts [--quick] [--src]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FROM_DIST, libraryModule, REPO } from './library.js';
import { scalarChains } from './models.js';

const { compileModel, readModel, writeXmile } =
  await libraryModule<typeof import('../src/engine.js')>('engine');
const { readModelFile } = await libraryModule<typeof import('../src/node/files.js')>('node/files');
const { dataSourceFor } = await libraryModule<typeof import('../src/node/data-files.js')>('node/data-files');

const repo = REPO;
const quick = process.argv.includes('--quick');
const suite = join(repo, '..', 'shared', 'sd-test-models', 'tests');

/**
 * The least of the times: a loaded machine only ever adds time to a measurement (other processes'
 * turns, their use of the caches), so the minimum is the steadiest estimate of the work itself.
 */
const least = (xs: number[]) => Math.min(...xs);
/** CPU time of this process (user + system) spent in f, in ms. */
function time<T>(f: () => T): { ms: number; value: T } {
  const u0 = process.cpuUsage();
  const value = f();
  const u = process.cpuUsage(u0);
  return { ms: (u.user + u.system) / 1000, value };
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

type Read = () => ReturnType<typeof readModel>;

/**
 * Times reading, compiling and running two forms of one model, alternating between them so both
 * see the same machine. `output` (default: the first form's first variable) is the variable saved
 * by both, since a run computes only what its saved variables need.
 */
function measurePair(
  names: [string, string],
  reads: [Read, Read],
  repeats: number,
  output?: string,
): [Row, Row] {
  const sides = [0, 1].map(() => ({ reads: [] as number[], compiles: [] as number[], runs: [] as number[] }));
  const compiled = [0, 1].map((i) => {
    const r = reads[i]!();
    if (!r.model) throw new Error(`${names[i]}: ${r.diagnostics[0]?.message}`);
    const c = compileModel(r.model);
    if (!c.compiled)
      throw new Error(`${names[i]}: ${c.diagnostics.find((d) => d.severity === 'error')?.message}`);
    return c.compiled;
  });
  const saved = output ?? compiled[0]!.outputs[0]!.name;
  const sims = compiled.map((c) => c.simulation({ vars: [saved] }));
  // Warm-up: two reads and compiles and five runs of each before anything is timed.
  for (let w = 0; w < 2; w++) for (let i = 0; i < 2; i++) compileModel(reads[i]!().model!);
  for (let w = 0; w < 5; w++) for (let i = 0; i < 2; i++) sims[i]!.run();
  for (let k = 0; k < repeats; k++) {
    for (let i = 0; i < 2; i++) {
      const r = time(reads[i]!);
      sides[i]!.reads.push(r.ms);
      sides[i]!.compiles.push(time(() => compileModel(r.value.model!)).ms);
    }
  }
  // Runs apart from reading and compiling, so the collection of their garbage falls on neither.
  for (let k = 0; k < repeats * 3; k++)
    for (let i = 0; i < 2; i++) sides[i]!.runs.push(time(() => sims[i]!.run()).ms);
  const row = (i: number): Row => ({
    model: names[i]!,
    readMs: least(sides[i]!.reads),
    compileMs: least(sides[i]!.compiles),
    runMs: least(sides[i]!.runs),
  });
  return [row(0), row(1)];
}

const repeats = quick ? 3 : 11;
const n = quick ? 300 : 1000;
const chainsXmile = scalarChains(n, { total: false });
const chainsVensim = vensimChains(n);
const [vensim, xmile] = measurePair(
  [`chains ${n} (Vensim)`, `chains ${n} (XMILE)`],
  [
    () => readModel(chainsVensim, { file: 'chains.mdl' }),
    () => readModel(chainsXmile, { file: 'chains.xmile' }),
  ],
  repeats,
  'stock 0',
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
      const text = writeXmile(readModelFile(f.path).model!);
      const mdl = readFileSync(f.path, 'utf8');
      const data = dataSourceFor(f.path);
      const [row, x] = measurePair(
        [name, `${name} as XMILE`],
        // The reader against the reader: the .mdl's data files (GET DIRECT DATA's workbook) are
        // parsed once and kept, as the conversion holds the same data inline.
        [() => readModel(mdl, { file: f.path, data }), () => readModel(text, { file: 'converted.xmile' })],
        repeats,
      );
      largest.push(row);
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
console.log(
  `library: ${FROM_DIST ? 'dist/ (built)' : 'src/ through tsx'}; times are CPU ms, the least of ${repeats} alternations (runs: of ${repeats * 3})`,
);
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
  JSON.stringify(
    {
      library: FROM_DIST ? 'dist' : 'src',
      chains: { xmile, vensim, ratios },
      largestSuiteModels: largest,
      converted,
    },
    null,
    2,
  ) + '\n',
);
