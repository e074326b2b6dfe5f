/**
 * The generated whole-run functions (every slot a local, constants hoisted, RK stages inline) and
 * the table-specific lookup functions must give exactly what the reference paths give: the
 * per-step functions driven one step at a time, and `runtime.lookup`. Compared bit for bit over
 * the SDXorg suite (read from ../shared, skipped when absent), the case model and seeded random
 * tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuse, type Unit } from '../../src/compile/codegen.js';
import { compile } from '../../src/compile/compile.js';
import { compileModel, readModel, type CompiledModel } from '../../src/engine.js';
import { arrayedChains, scalarChains } from '../../bench/models.js';
import { doc, SUITE_ROOT, suiteFiles as suiteFilesMatching } from './helpers.js';
import { lookupSource, makeTable, Rng, runtime, type LookupTable } from '../../src/simulate/runtime.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const suiteRoot = SUITE_ROOT;
const caseModel = path.join(repoRoot, 'models', 'north-korea-russia', 'model.xmile');
const METHODS = ['euler', 'rk2', 'rk4'] as const;

function compileFile(file: string): CompiledModel | undefined {
  const read = readModel(readFileSync(file, 'utf8'), { file });
  return read.model ? compileModel(read.model).compiled : undefined;
}

const suiteFiles = (): string[] => suiteFilesMatching(/\.(xmile|stmx)$/i);

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

describe('fused loops of large models', () => {
  const noisy = doc(
    [
      '<stock name="level"><dimensions><dim name="C"/></dimensions><eqn>10 + C</eqn><inflow>fill</inflow><outflow>drain</outflow><non_negative/></stock>',
      '<flow name="fill"><dimensions><dim name="C"/></dimensions><eqn>TIME * 0.3 + NORMAL(0, 2)</eqn><gf><xscale min="0" max="20"/><ypts>0,1,4,2,6</ypts></gf></flow>',
      '<flow name="drain"><dimensions><dim name="C"/></dimensions><eqn>level / 2 + smooth</eqn></flow>',
      '<aux name="smooth"><dimensions><dim name="C"/></dimensions><eqn>SMTH1(fill - drain_hint, 3)</eqn></aux>',
      '<aux name="drain_hint"><dimensions><dim name="C"/></dimensions><eqn>level * 0.1 + total / 1000</eqn></aux>',
      '<aux name="total"><eqn>SUM(level[*])</eqn></aux>',
    ],
    { stop: 30, dt: 0.25, dims: { C: 120 } },
  );
  // Each outflow drains the previous chain's stock: fusing the stock updates into the outflows'
  // pass would let chain i read chain i-1's stock after its update; the fusion must refuse.
  const shifted = doc(
    Array.from({ length: 40 }, (_, i) =>
      i === 0
        ? ['<stock name="st 0"><eqn>1</eqn></stock>']
        : [
            `<stock name="st ${i}"><eqn>${i + 1}</eqn><inflow>in_${i}</inflow><outflow>out_${i}</outflow></stock>`,
            `<flow name="in ${i}"><eqn>1 + st_${i} * 0.01</eqn></flow>`,
            `<flow name="out ${i}"><eqn>st_${i - 1} / 5</eqn></flow>`,
          ],
    ).flat(),
    { stop: 20, dt: 0.5 },
  );
  const models: [string, string][] = [
    ['shifted chains', shifted],
    ['arrayed chains', arrayedChains(60)],
    ['scalar chains', scalarChains(60)],
    ['noisy clamped array', noisy],
  ];
  it.each(models)('%s: one pass per step gives what the unfused loops give, bit for bit', (_name, text) => {
    const read = readModel(text);
    const fused = compile(read.model!).compiled!;
    const plain = compile(read.model!, { fuse: false }).compiled!;
    expect(fused.source).toContain('function fusedStep');
    expect(plain.source).not.toContain('function fusedStep');
    // Euler runs of the fused program go through the pass (they once did not: the pass was
    // generated but the step functions ran); the unfused program's through the step functions.
    const whole = (c: object) => (c as unknown as { prog: { wholeEuler: boolean } }).prog.wholeEuler;
    expect(whole(fused)).toBe(true);
    expect(whole(plain)).toBe(false);
    for (const saveStep of [undefined, 1]) {
      const a = fused.run({ seed: 5, saveStep });
      const b = plain.run({ seed: 5, saveStep });
      const bad = a.names.filter((n, i) => !sameBits(a.columns[i]!, b.columns[i]!));
      expect(bad).toEqual([]);
    }
  });
});

describe('loop fusion', () => {
  /** A loop of n iterations: `s[w + i] = s[r + i]` (a rate when `arr` is r). */
  const copy = (n: number, w: number, r: number, arr: 's' | 'r' = 's'): Unit => ({
    text: `loop ${w}<-${r}`,
    loop: {
      n,
      body: `${arr}[${w} + i] = s[${r} + i];`,
      fusable: true,
      access: [
        { arr, write: true, base: w, step: 1 },
        { arr: 's', write: false, base: r, step: 1 },
      ],
    },
  });
  const sizes = { s: 100, r: 10 };

  it('fuses loops whose iterations read only what earlier or the same iterations wrote', () => {
    // b[i] = a[i], then c[i] = b[i]: one pass.
    expect(fuse([copy(10, 10, 0), copy(10, 20, 10), copy(10, 0, 20, 'r')], sizes)).toEqual([
      'for (let i = 0; i < 10; i++) { s[10 + i] = s[0 + i]; s[20 + i] = s[10 + i]; r[0 + i] = s[20 + i]; }',
    ]);
    // c[i] = b[i - 1]: iteration i - 1 of the pass has written it already.
    expect(fuse([copy(9, 11, 0), copy(9, 30, 10)], sizes)).toHaveLength(1);
  });

  it('forwards values written in an iteration to the statements after it, and drops rates the update consumes', () => {
    const update: Unit = {
      text: 'update',
      loop: {
        n: 10,
        body: 's[0 + i] += dt * r[0 + i];',
        fusable: true,
        access: [
          { arr: 's', write: true, base: 0, step: 1 },
          { arr: 's', write: false, base: 0, step: 1 },
          { arr: 'r', write: false, base: 0, step: 1 },
        ],
      },
    };
    const units = [copy(10, 10, 0), copy(10, 20, 10), copy(10, 0, 20, 'r'), update];
    expect(fuse(units, sizes, { values: true })).toEqual([
      'for (let i = 0; i < 10; i++) { const w0 = s[0 + i]; s[10 + i] = w0; const w1 = w0; s[20 + i] = w1; ' +
        'const w2 = w1; r[0 + i] = w2; s[0 + i] += dt * w2; }',
    ]);
    // In the Euler pass the rate is never stored; the stock is read before its update, not forwarded.
    expect(fuse(units, sizes, { values: true, rates: true })[0]).toBe(
      'for (let i = 0; i < 10; i++) { const w0 = s[0 + i]; s[10 + i] = w0; const w1 = w0; s[20 + i] = w1; ' +
        'const w2 = w1; s[0 + i] += dt * w2; }',
    );
    // An internal value read only by the statements its pass forwards it to is not stored; read
    // elsewhere too (a plain statement after the pass), it is.
    const internal = (p: number) => p >= 10 && p < 20;
    expect(fuse(units, sizes, { values: true, rates: true, internal })[0]).toBe(
      'for (let i = 0; i < 10; i++) { const w0 = s[0 + i]; const w1 = w0; s[20 + i] = w1; ' +
        'const w2 = w1; s[0 + i] += dt * w2; }',
    );
    expect(
      fuse([...units, { text: 's[60] = s[12];' }], sizes, { values: true, rates: true, internal })[0],
    ).toBe(
      'for (let i = 0; i < 10; i++) { const w0 = s[0 + i]; s[10 + i] = w0; const w1 = w0; s[20 + i] = w1; ' +
        'const w2 = w1; s[0 + i] += dt * w2; }',
    );
  });

  it('refuses a loop reading what a later iteration writes, or overwriting what a later one reads', () => {
    // c[i] = b[i + 1]: fused, iteration i would read b[i + 1] before it is written.
    expect(fuse([copy(9, 10, 0), copy(9, 30, 11)], sizes)).toEqual(['loop 10<-0', 'loop 30<-11']);
    // Writing a[i + 1] at iteration i while the pass reads a[i + 1] at iteration i + 1.
    expect(fuse([copy(9, 30, 1), copy(9, 0, 50)], sizes)).toHaveLength(1);
    expect(fuse([copy(9, 30, 0), copy(9, 1, 50)], sizes)).toEqual(['loop 30<-0', 'loop 1<-50']);
    // Loops of different lengths and plain statements touching the pass's slots end it.
    expect(fuse([copy(9, 10, 0), copy(8, 30, 10)], sizes)).toHaveLength(2);
    expect(fuse([copy(9, 10, 0), { text: 's[5] = s[12];' }, copy(9, 30, 10)], sizes)).toHaveLength(3);
    // A plain statement touching nothing of the pass goes before it.
    expect(fuse([copy(9, 10, 0), { text: 's[60] = s[61];' }, copy(9, 30, 10)], sizes)).toEqual([
      's[60] = s[61];',
      'for (let i = 0; i < 9; i++) { s[10 + i] = s[0 + i]; s[30 + i] = s[10 + i]; }',
    ]);
  });
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
