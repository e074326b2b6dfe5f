/**
 * The generated whole-run functions (every slot a local, constants hoisted, RK stages inline) and
 * the table-specific lookup functions must give exactly what the reference paths give: the
 * per-step functions driven one step at a time, and `runtime.lookup`. Compared bit for bit over
 * the SDXorg suite (read from ../shared, skipped when absent), the case model and seeded random
 * tables.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModel, readModel, type CompiledModel } from '../../src/engine.js';
import { lookupSource, makeTable, Rng, runtime, type LookupTable } from '../../src/simulate/runtime.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const suiteRoot = path.resolve(repoRoot, '..', 'shared', 'sd-test-models', 'tests');
const caseModel = path.join(repoRoot, 'models', 'north-korea-russia', 'model.xmile');
const METHODS = ['euler', 'rk2', 'rk4'] as const;

function compileFile(file: string): CompiledModel | undefined {
  const read = readModel(readFileSync(file, 'utf8'), { file });
  return read.model ? compileModel(read.model).compiled : undefined;
}

function suiteFiles(): string[] {
  if (!existsSync(suiteRoot)) return [];
  const out: string[] = [];
  for (const d of readdirSync(suiteRoot).sort()) {
    const dir = path.join(suiteRoot, d);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) if (/\.(xmile|stmx)$/i.test(f)) out.push(path.join(dir, f));
  }
  return out;
}

/** Bitwise equality of two series (NaN payloads aside, as Float64Array equality). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Runs `c` with the generated whole-run function and step by step; names of columns that differ. */
function differences(c: CompiledModel, method: (typeof METHODS)[number]): string[] {
  const fused = c.simulation({ method });
  const stepwise = c.simulation({ method });
  (stepwise as unknown as { stepwise: boolean }).stepwise = true;
  fused.run();
  stepwise.run();
  // A second run of the same simulation starts from scratch too.
  fused.run();
  return c.outputs.map((o) => o.name).filter((n) => !sameBits(fused.series(n), stepwise.series(n)));
}

const usesWholeRun = (c: CompiledModel) =>
  (c as unknown as { prog: { fusedEuler: boolean; fusedRk: boolean } }).prog;

describe('generated whole runs', () => {
  it('the case model takes the fused paths and matches the step-by-step runs bit for bit', () => {
    const c = compileFile(caseModel)!;
    expect(usesWholeRun(c)).toMatchObject({ fusedEuler: true, fusedRk: true });
    for (const method of METHODS) expect(differences(c, method)).toEqual([]);
  });

  it.skipIf(!existsSync(suiteRoot))(
    'every model of the SDXorg suite matches bit for bit, every method',
    () => {
      let fused = 0;
      const bad: string[] = [];
      for (const file of suiteFiles()) {
        const c = compileFile(file);
        if (!c) continue;
        if (usesWholeRun(c).fusedRk) fused++;
        for (const method of METHODS) {
          let diff: string[];
          try {
            diff = differences(c, method);
          } catch (err) {
            diff = [`(throws ${(err as Error).message})`];
          }
          if (diff.length)
            bad.push(`${path.relative(suiteRoot, file)} ${method}: ${diff.slice(0, 3).join(', ')}`);
        }
      }
      expect(bad).toEqual([]);
      expect(fused).toBeGreaterThan(40);
    },
  );
});

describe('table-specific lookup functions', () => {
  const rng = new Rng(7);
  const u = () => rng.uniform();

  function randomTable(): LookupTable {
    const n = Math.floor(u() * 9);
    const even = u() < 0.5;
    const x0 = (u() - 0.5) * 20;
    const step = 0.1 + u() * 3;
    const xs: number[] = [];
    let x = x0;
    for (let i = 0; i < n; i++) {
      xs.push(even ? x0 + i * step : x);
      x += u() < 0.15 ? 0 : u() * 4; // repeated x points now and then
    }
    const ys = xs.map(() => (u() < 0.1 ? -0 : (u() - 0.5) * 100));
    const types = ['continuous', 'extrapolate', 'discrete'] as const;
    return makeTable(xs, ys, types[Math.floor(u() * 3)]!);
  }

  it('give runtime.lookup to the last bit, inside, outside and on the points', () => {
    for (let k = 0; k < 400; k++) {
      const table = randomTable();
      const f = new Function('G', `${lookupSource('L', table, 'G[0]')}\nreturn L;`)([table]) as (
        x: number,
      ) => number;
      const xs = [...table.xs];
      const probes = [
        NaN,
        Infinity,
        -Infinity,
        0,
        -0,
        ...xs,
        ...xs.map((x) => x + 1e-12),
        ...xs.map((x) => x - 1e-12),
      ];
      const lo = (xs[0] ?? 0) - 5;
      const hi = (xs[xs.length - 1] ?? 0) + 5;
      for (let i = 0; i < 60; i++) probes.push(lo + u() * (hi - lo));
      for (const x of probes) {
        const want = runtime.lookup(table, x);
        const got = f(x);
        if (!Object.is(got, want)) expect({ table, x, got }).toEqual({ table, x, got: want });
      }
    }
  });
});
