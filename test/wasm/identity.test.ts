/**
 * The WebAssembly back end gives the JavaScript back end's numbers bit for bit: over every model
 * of the SDXorg suite that compiles (read from ../shared, skipped with a message where absent),
 * with Euler, RK2 and RK4; over the case model under the thesis experiment's parameter sets
 * (through the experiment runner, from a worker's image); and where it cannot translate a model,
 * it says why and the JavaScript back end runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulationFromImage, simulationImage } from '../../src/compile/compile.js';
import { compileModel, readModel, type CompiledModel, type Simulation } from '../../src/engine.js';
import { loadSpecFile } from '../../src/experiments/explore.js';
import { prepareSimulation } from '../../src/experiments/model-source.js';
import { buildPlan } from '../../src/experiments/plan.js';
import { ChunkRunner } from '../../src/experiments/runner.js';
import { dataSourceFor } from '../../src/node/data-files.js';
import { wasmTuning } from '../../src/wasm/translate.js';
import { aux, doc, SUITE_ROOT, suiteFiles as suiteFilesMatching } from '../engine/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const suiteRoot = SUITE_ROOT;
const caseDir = path.join(repoRoot, 'models', 'north-korea-russia');
const METHODS = ['euler', 'rk2', 'rk4'] as const;

const suiteFiles = (): string[] => suiteFilesMatching(/\.(xmile|stmx|mdl)$/i);

function compileFile(file: string): CompiledModel | undefined {
  const read = readModel(readFileSync(file, 'utf8'), { file, data: dataSourceFor(file) });
  if (!read.model || read.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return compileModel(read.model).compiled;
}

/** The internal pair run of a simulation (see `SimulationImpl.runPair`). */
interface PairRunner {
  runPairAvailable(): boolean;
  runPair(other: Simulation): void;
}

/** Same bits (NaN equal to NaN, -0 apart from 0), as `Object.is`. */
function firstDifference(a: Simulation, b: Simulation, names: readonly string[]): string | undefined {
  for (const n of names) {
    const x = a.series(n);
    const y = b.series(n);
    if (x.length !== y.length) return `${n}: ${x.length} rows vs ${y.length}`;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return `${n}[${i}]: ${x[i]} vs ${y[i]}`;
  }
  if (a.time.length !== b.time.length) return 'time';
  return undefined;
}

describe('WebAssembly back end: bit-identical to JavaScript', () => {
  // Small models run with every slot a local; large ones (and those reading by computed index)
  // from memory, in chunks: both layouts over the whole suite, the second with tiny chunks.
  it.skipIf(!existsSync(suiteRoot)).each([
    ['slots as locals', { chunk: 1000, localsLimit: 2000 }],
    ['slots in memory, chunks of 3 statements', { chunk: 3, localsLimit: 0 }],
  ])(
    'every SDXorg suite model that compiles, with Euler, RK2 and RK4 (every step saved): %s',
    (_, tuning) => {
      const saved = { ...wasmTuning };
      Object.assign(wasmTuning, tuning);
      try {
        const bad: string[] = [];
        const fallbacks = new Map<string, string>();
        let translated = 0;
        let compiled = 0;
        let pairs = 0;
        for (const file of suiteFiles()) {
          const c = compileFile(file);
          if (!c) continue;
          compiled++;
          const rel = path.relative(suiteRoot, file);
          const names = c.outputs.map((o) => o.name);
          for (const method of METHODS) {
            let js: Simulation;
            let wasm: Simulation;
            try {
              js = c.simulation({ method, saveStep: c.simSpecs.dt });
              wasm = c.simulation({ method, saveStep: c.simSpecs.dt, backend: 'wasm' });
              js.run();
            } catch {
              continue; // a run the JavaScript back end refuses too (budgets, bad options)
            }
            if (wasm.backend !== 'wasm') {
              fallbacks.set(rel, wasm.backendNote ?? '(no reason given)');
              expect(wasm.backendNote, rel).toBeTruthy();
              continue;
            }
            wasm.run();
            // A second run starts from scratch as the first did.
            wasm.run();
            const d = firstDifference(js, wasm, names);
            if (d) bad.push(`${rel} ${method}: ${d}`);
            if (method === 'euler') translated++;
            // Two runs at once in f64x2 lanes (small models): the second with its parameters
            // changed, each lane against its own JavaScript run.
            const other = c.simulation({ method, saveStep: c.simSpecs.dt, backend: 'wasm' });
            const jsOther = c.simulation({ method, saveStep: c.simSpecs.dt });
            for (const p of c.parameters.slice(0, 3)) {
              const v = p.value === 0 ? 0.5 : p.value * 1.25;
              other.set(other.parameterIndex(p.name), v);
              jsOther.set(jsOther.parameterIndex(p.name), v);
            }
            if (!(wasm as unknown as PairRunner).runPairAvailable()) continue;
            pairs++;
            (wasm as unknown as PairRunner).runPair(other);
            jsOther.run();
            const dp = firstDifference(js, wasm, names) ?? firstDifference(jsOther, other, names);
            if (dp) bad.push(`${rel} ${method} (pair): ${dp}`);
          }
        }
        console.log(
          `wasm identity (${_}): ${translated} of ${compiled} compiled suite models translated (${pairs} pair runs); JavaScript for ${fallbacks.size}:\n` +
            [...fallbacks].map(([f, r]) => `  ${f}: ${r}`).join('\n'),
        );
        expect(bad).toEqual([]);
        // Most of the suite translates (pipeline delays and random draws are what stays in JavaScript).
        expect(translated).toBeGreaterThan(compiled * 0.6);
        // With slots as locals, the pair loop is there for (nearly) every translated model.
        if (tuning.localsLimit > 0) expect(pairs).toBeGreaterThan(translated * 2);
        else expect(pairs).toBe(0);
      } finally {
        Object.assign(wasmTuning, saved);
      }
    },
    300_000,
  );

  it('the case model under the thesis experiment, through the runner from a worker image', () => {
    const loaded = loadSpecFile(path.join(caseDir, 'experiments', 'thesis.json'));
    const plan = buildPlan(loaded.spec, loaded.scenarios, 24);
    // The runner's own simulation (its back end chosen by timing) and both back ends from images.
    const { simulation: chosen, forWorkers } = prepareSimulation(loaded.model, loaded.spec);
    expect(forWorkers.kind).toBe('image');
    const image = (forWorkers as { image: Parameters<typeof simulationFromImage>[0] }).image;
    const read = readModel(readFileSync(path.join(caseDir, 'model.xmile'), 'utf8'));
    const compiled = compileModel(read.model!).compiled!;
    const run = loaded.spec.run;
    const imageOf = (backend: 'js' | 'wasm') =>
      simulationImage(compiled, {
        start: run.start,
        stop: run.stop,
        dt: run.dt,
        saveStep: run.saveStep,
        method: run.method,
        seed: loaded.spec.seed,
        vars: image.names,
        backend,
      })!;
    const wasmImage = imageOf('wasm');
    expect(wasmImage.wasm).toBeDefined();
    expect(imageOf('js').wasm).toBeUndefined();
    // Through structured cloning, as a worker receives them.
    const js = simulationFromImage(structuredClone(imageOf('js')));
    const wasm = simulationFromImage(structuredClone(wasmImage));
    expect(js.backend).toBe('js');
    expect(wasm.backend).toBe('wasm');
    const rows = plan.policies.length * 24;
    const a = new ChunkRunner(plan, js).run(0, rows);
    const b = new ChunkRunner(plan, wasm).run(0, rows);
    expect(b.status).toEqual(a.status);
    expect(b.failures).toEqual(a.failures);
    expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
    expect(Buffer.from(b.scalars.buffer).equals(Buffer.from(a.scalars.buffer))).toBe(true);
    b.series.forEach((s, i) =>
      expect(Buffer.from(s.buffer).equals(Buffer.from(a.series[i]!.buffer))).toBe(true),
    );
    // The runner's own choice gives the same numbers.
    const c = new ChunkRunner(plan, chosen).run(0, rows);
    expect(Buffer.from(c.scalars.buffer).equals(Buffer.from(a.scalars.buffer))).toBe(true);
  });

  it('the case model with every method, all outputs, and overrides', () => {
    const read = readModel(readFileSync(path.join(caseDir, 'model.xmile'), 'utf8'));
    const c = compileModel(read.model!).compiled!;
    const names = c.outputs.map((o) => o.name);
    for (const method of METHODS) {
      const js = c.simulation({ method });
      const wasm = c.simulation({ method, backend: 'wasm' });
      expect(wasm.backend).toBe('wasm');
      for (const p of c.parameters.slice(0, 12)) {
        js.set(js.parameterIndex(p.name), p.value * 1.3);
        wasm.set(wasm.parameterIndex(p.name), p.value * 1.3);
      }
      js.run();
      wasm.run();
      expect(firstDifference(js, wasm, names)).toBeUndefined();
    }
  });

  it("'auto' times both back ends, keeps one, says which and why, and gives the same bits", () => {
    const read = readModel(readFileSync(path.join(caseDir, 'model.xmile'), 'utf8'));
    const c = compileModel(read.model!).compiled!;
    const js = c.simulation({ backend: 'js' });
    const auto = c.simulation({ backend: 'auto' });
    expect(['js', 'wasm']).toContain(auto.backend);
    expect(auto.backendNote).toMatch(
      auto.backend === 'wasm' ? /^auto: WebAssembly measured faster/ : /^auto: JavaScript kept/,
    );
    js.run();
    auto.run();
    expect(
      firstDifference(
        js,
        auto,
        c.outputs.map((o) => o.name),
      ),
    ).toBeUndefined();
  });

  it('falls back to JavaScript with the reason: random draws, pipeline delays', () => {
    const rand = compileModel(readModel(doc([aux('x', 'RANDOM(0, 1)')])).model!).compiled!;
    const s = rand.simulation({ backend: 'wasm' });
    expect(s.backend).toBe('js');
    expect(s.backendNote).toMatch(/random/);
    const delayed = compileModel(
      readModel(doc([aux('x', 'TIME'), aux('y', 'DELAY(x, 2, 0)')])).model!,
    ).compiled!;
    const d = delayed.simulation({ backend: 'wasm' });
    expect(d.backend).toBe('js');
    expect(d.backendNote).toMatch(/delay/i);
    // The JavaScript run is the one it would have been.
    d.run();
    expect(d.series('y')[0]).toBe(0);
  });
});
