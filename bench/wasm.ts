/**
 * WebAssembly back end benchmark: time per run of the same simulation on the JavaScript and the
 * WebAssembly back ends, interleaved in one process (CPU time, median of rounds), as a ratio
 * (JavaScript time / WebAssembly time, above 1 when WebAssembly is faster), and the same for two
 * runs at once in f64x2 lanes where the model has that loop (time per run). Models: the case
 * model (its own RK2 and Euler) and the synthetic chain models (20 chains, scalar: slots as
 * locals; 1,000 chains, scalar and arrayed, slots in memory; 5,000 without --quick). Also the
 * time to translate and compile the module. The machine's load average is printed beside the
 * figures. Writes bench/results/wasm.json.
 *
 *   npx tsx bench/wasm.ts [--quick] [--src]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Simulation } from '../src/simulate/types.js';
import { arrayedChains, scalarChains } from './models.js';
import { FROM_DIST, libraryModule, REPO } from './library.js';

const quick = process.argv.includes('--quick');
const { compileModel, readModel } = await libraryModule<typeof import('../src/engine.js')>('engine');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function cpuMs(f: () => void): number {
  const u0 = process.cpuUsage();
  f();
  const u = process.cpuUsage(u0);
  return (u.user + u.system) / 1000;
}

interface Row {
  model: string;
  method: string;
  slots: number;
  backend: string;
  jsUs: number;
  wasmUs: number;
  ratio: number;
  /** Per run, two runs at once in f64x2 lanes (small models), and JavaScript time / that. */
  pairUs?: number;
  pairRatio?: number;
  translateMs: number;
  note?: string;
}

function measure(name: string, text: string, method?: 'euler' | 'rk2' | 'rk4'): Row {
  const read = readModel(text, { file: `${name}.xmile` });
  const compiled = compileModel(read.model!).compiled!;
  const options = { method, vars: compiled.outputs.slice(0, 8).map((o) => o.name) };
  const js = compiled.simulation(options);
  const t0 = performance.now();
  const wasm = compiled.simulation({ ...options, backend: 'wasm' });
  const translateMs = performance.now() - t0;
  const pair = wasm as unknown as { runPairAvailable(): boolean; runPair(o: Simulation): void };
  const other = compiled.simulation({ ...options, backend: 'wasm' });
  const paired = pair.runPairAvailable?.() === true;
  const slots = (compiled as unknown as { prog: { nSlots: number } }).prog.nSlots;
  // Warm-up: V8 optimises the JavaScript run and tiers the module up from its baseline code.
  for (let i = 0; i < 20; i++) {
    js.run();
    wasm.run();
    if (paired) pair.runPair(other);
  }
  // Runs per round sized to about 40 ms of JavaScript.
  const one = Math.max(
    0.01,
    cpuMs(() => js.run()),
  );
  const per = Math.max(1, Math.round((quick ? 20 : 40) / one));
  const rounds = quick ? 5 : 11;
  const times: Record<'js' | 'wasm' | 'pair', number[]> = { js: [], wasm: [], pair: [] };
  // Two runs per call: half as many calls, the time per run reported.
  const pairs = Math.ceil(per / 2);
  const pairRound = () =>
    cpuMs(() => {
      for (let i = 0; i < pairs; i++) pair.runPair(other);
    });
  const round = (s: Simulation) =>
    cpuMs(() => {
      for (let i = 0; i < per; i++) s.run();
    });
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    const order: ['js' | 'wasm', Simulation][] =
      r % 2
        ? [
            ['wasm', wasm],
            ['js', js],
          ]
        : [
            ['js', js],
            ['wasm', wasm],
          ];
    for (const [k, s] of order) times[k].push((round(s) / per) * 1000);
    if (paired) times.pair.push((pairRound() / (2 * pairs)) * 1000);
  }
  const jsUs = median(times.js);
  const wasmUs = median(times.wasm);
  const pairUs = paired ? median(times.pair) : undefined;
  return {
    model: name,
    method: method ?? compiled.simSpecs.method,
    slots,
    backend: wasm.backend ?? 'js',
    jsUs,
    wasmUs,
    ratio: jsUs / wasmUs,
    pairUs,
    pairRatio: pairUs === undefined ? undefined : jsUs / pairUs,
    translateMs,
    note: wasm.backendNote,
  };
}

const before = loadavg();
const caseText = readFileSync(join(REPO, 'models', 'north-korea-russia', 'model.xmile'), 'utf8');
const rows: Row[] = [
  measure('case model', caseText),
  measure('case model', caseText, 'euler'),
  measure('scalar chains 20', scalarChains(20)),
  measure('scalar chains 1000', scalarChains(1000)),
  measure('arrayed chains 1000', arrayedChains(1000)),
];
if (!quick) {
  rows.push(measure('scalar chains 5000', scalarChains(5000)));
  rows.push(measure('arrayed chains 5000', arrayedChains(5000)));
}
const after = loadavg();

console.log(
  `library: ${FROM_DIST ? 'dist/' : 'src/ through tsx'}; load average ${before[0]!.toFixed(2)} before, ${after[0]!.toFixed(2)} after`,
);
console.log(
  'model                  method  slots  js us/run  wasm us/run  js/wasm  pair us/run  js/pair  translate+compile ms',
);
for (const r of rows)
  console.log(
    `${r.model.padEnd(22)} ${r.method.padEnd(6)} ${String(r.slots).padStart(6)} ${r.jsUs.toFixed(0).padStart(10)} ${r.wasmUs.toFixed(0).padStart(12)} ${r.ratio.toFixed(2).padStart(8)} ${(r.pairUs?.toFixed(0) ?? '-').padStart(12)} ${(r.pairRatio?.toFixed(2) ?? '-').padStart(8)} ${r.translateMs.toFixed(0).padStart(10)}${r.note ? `  (${r.note})` : ''}`,
  );
mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(REPO, 'bench', 'results', 'wasm.json'),
  JSON.stringify(
    { date: new Date().toISOString(), fromDist: FROM_DIST, loadBefore: before, loadAfter: after, rows },
    null,
    2,
  ) + '\n',
);
