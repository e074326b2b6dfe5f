/**
 * Seeded, bounded fuzzing of the equation parser, the compiler, the XMILE writer's round trip and
 * the model editor (src/edit/): random token soup, mutated valid equations and pathological
 * nesting. Whatever the input: no exception, no hang (every
 * loop here is bounded), and every error is a diagnostic with a location.
 */
import { describe, expect, it } from 'vitest';
import { compileModel, readModel, writeXmile } from '../../src/engine.js';
import { applyEdit, EditError, EDITED_FILE, type Edit } from '../../src/edit/edit.js';
import { diagnose } from '../../src/edit/diagnose.js';
import { canonicalName } from '../../src/equations/names.js';
import { parseEquation } from '../../src/equations/parser.js';
import { doc, esc } from './helpers.js';

/** mulberry32: a tiny deterministic generator, so every failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  ...'0123456789.+-*/^()[],:<>=!{}"_ \n\t#$@\\'.split(''),
  '1e3',
  '.5',
  '2.5e-2',
  'IF',
  'THEN',
  'ELSE',
  'AND',
  'OR',
  'NOT',
  'MOD',
  'TIME',
  'DT',
  'PI',
  'SELF',
  'a',
  'b',
  'S',
  'flow',
  'arr',
  'C',
  'x',
  'y',
  'arr[x]',
  'arr[*]',
  'arr[x:y]',
  'g',
  '"quoted name"',
  'ABS(',
  'MAX(',
  'SUM(',
  'SIZE(',
  'RANK(',
  'SMTH1(',
  'DELAY(',
  'DELAYN(',
  'PREVIOUS(',
  'INIT(',
  'RANDOM(',
  'POISSON(',
  'PULSE(',
  'LOOKUP(',
  'g(',
  'unknown_fn(',
  '<=',
  '<>',
  'é',
  '\u00a0',
];

const VALID = [
  'a + b * 2',
  'IF TIME > 3 THEN SMTH1(a, 2) ELSE DELAY(b, 1, 0)',
  'MAX(a, b, 3) MOD 2 - -1',
  'SUM(arr[*]) / SIZE(arr)',
  'arr[x] + arr[y] ^ 2 ^ 0.5',
  'PREVIOUS(SELF, 0) + PULSE(1, 2, 3)',
  'g(TIME) + LOOKUP(g, a)',
  'DELAYN(a, 3, 2, 0) + SMTH3(b, 4) + TREND(a + 1, 2)',
  'RANDOM(0, 1, 7) * NORMAL(0, 1) + POISSON(a + 1)',
  'NOT (a = b) AND (a <> 1 OR b >= 2) {a comment}',
  'RANK(arr, 1, arr) + MEAN(1, 2, 3)',
  '"quoted name" * INIT(S)',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function soup(r: () => number): string {
  const n = 1 + Math.floor(r() * 12);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, TOKENS) + (r() < 0.5 ? ' ' : '');
  return s;
}

function mutate(r: () => number, text: string): string {
  let s = text;
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 4);
    if (op === 0) s = s.slice(0, i) + s.slice(i + 1);
    else if (op === 1) s = s.slice(0, i) + pick(r, TOKENS) + s.slice(i);
    else if (op === 2) s = s.slice(0, i) + s.slice(i, i + 1 + Math.floor(r() * 8)).repeat(2) + s.slice(i);
    else s = s.slice(i) + s.slice(0, i);
  }
  return s;
}

/** Inputs that stress recursion and repetition. */
const PATHOLOGICAL = [
  '('.repeat(5000) + '1' + ')'.repeat(5000),
  '('.repeat(5000),
  '-'.repeat(5000) + '1',
  'NOT '.repeat(3000) + '1',
  '1' + ' + 1'.repeat(20000),
  '2' + ' ^ 2'.repeat(5000),
  'ABS('.repeat(3000) + '1' + ')'.repeat(3000),
  'IF 1 THEN '.repeat(2000) + '1' + ' ELSE 0'.repeat(2000),
  'a'.repeat(100000),
  '{'.repeat(10000),
  '"'.repeat(9999),
  'arr['.repeat(2000),
  '1e999999',
  '',
  '   ',
];

function inputs(seed: number, count: number): string[] {
  const r = rng(seed);
  const out = [...PATHOLOGICAL];
  for (let i = 0; i < count; i++) out.push(r() < 0.5 ? soup(r) : mutate(r, pick(r, VALID)));
  return out;
}

describe('fuzz: parseEquation', () => {
  it('returns a tree or an error with an offset inside the text, for every input', () => {
    for (const text of inputs(20261127, 4000)) {
      let result: ReturnType<typeof parseEquation> | undefined;
      expect(() => (result = parseEquation(text)), JSON.stringify(text.slice(0, 80))).not.toThrow();
      const r = result!;
      expect(r.expr !== undefined || r.error !== undefined).toBe(true);
      if (r.error) {
        expect(r.error.message.length).toBeGreaterThan(0);
        expect(r.error.offset).toBeGreaterThanOrEqual(0);
        expect(r.error.offset).toBeLessThanOrEqual(text.length);
      }
    }
  });

  it('parses every valid sample', () => {
    for (const text of VALID) expect(parseEquation(text).error, text).toBeUndefined();
  });
});

describe('fuzz: compileModel through small generated models', () => {
  /** A model where the fuzzed equation defines one variable among a few well-formed ones. */
  function model(eqn: string, where: number): string {
    const e = esc(eqn);
    const vars = [
      `<stock name="S"><eqn>${where === 0 ? e : '10'}</eqn><inflow>flow</inflow><non_negative/></stock>`,
      `<flow name="flow"><eqn>${where === 1 ? e : 'a * 0.1'}</eqn></flow>`,
      `<aux name="a"><eqn>${where === 2 ? e : 'S / 2'}</eqn></aux>`,
      `<aux name="b"><eqn>${where === 3 ? e : '3'}</eqn></aux>`,
      `<aux name="arr"><dimensions><dim name="C"/></dimensions><eqn>${where === 4 ? e : 'C * b'}</eqn></aux>`,
      '<aux name="quoted name"><eqn>2</eqn></aux>',
      '<gf name="g"><xscale min="0" max="4"/><ypts>0,1,4,9,16</ypts></gf>',
    ];
    return doc(vars, { stop: 3, dt: 0.5, dims: { C: ['x', 'y'] } });
  }

  it('gives diagnostics with a file, line and column, never an internal error or an exception', () => {
    const all = inputs(7, 1000);
    let compiled = 0;
    let rejected = 0;
    all.forEach((eqn, i) => {
      const text = model(eqn, i % 5);
      const read = readModel(text, { file: 'fuzz.xmile' });
      expect(read.model, JSON.stringify(eqn.slice(0, 80))).toBeDefined();
      let result: ReturnType<typeof compileModel> | undefined;
      expect(() => (result = compileModel(read.model!))).not.toThrow();
      const { compiled: c, diagnostics } = result!;
      const label = `${JSON.stringify(eqn.slice(0, 80))}: ${JSON.stringify(diagnostics)}`;
      expect(
        diagnostics.filter((d) => d.code === 'internal'),
        label,
      ).toEqual([]);
      for (const d of diagnostics) {
        expect(d.file, label).toBe('fuzz.xmile');
        expect(d.line, label).toBeGreaterThanOrEqual(6);
        expect(d.column, label).toBeGreaterThanOrEqual(1);
      }
      if (c) {
        compiled++;
        expect(() => c.run(), label).not.toThrow();
      } else {
        rejected++;
        expect(diagnostics.some((d) => d.severity === 'error')).toBe(true);
      }
    });
    // Both paths were exercised.
    expect(compiled).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(50);
  });
});

describe('deep trees', () => {
  it('a long sum is one flat node; a long chain of comparisons is refused with its location', () => {
    // `+` chains are flat (one node for 5,001 terms), so they never deepen the tree.
    const sum = parseEquation('1' + ' + 1'.repeat(5000));
    expect(sum.error).toBeUndefined();
    expect(sum.expr).toMatchObject({ kind: 'chain' });
    expect(sum.expr?.kind === 'chain' && sum.expr.args.length).toBe(5001);
    // Comparisons still nest: the 1000th `<` (each ' < 1' is 4 characters after the leading '1').
    const r = parseEquation('1' + ' < 1'.repeat(5000));
    expect(r.error?.message).toBe('expression nested too deeply');
    expect(r.error?.offset).toBe(1 + 999 * 4 + 1);
    expect(parseEquation('1' + ' < 1'.repeat(900)).error).toBeUndefined();
  });
});

/** A model without its source positions (they differ between a file and what the writer wrote). */
function withoutLocations(m: unknown): unknown {
  return JSON.parse(JSON.stringify(m, (k, v: unknown) => (k === 'loc' || k === 'file' ? undefined : v)));
}

function sameRuns(
  a: ReturnType<typeof compileModel>,
  b: ReturnType<typeof compileModel>,
  label: string,
): void {
  expect(!!b.compiled, label).toBe(!!a.compiled);
  if (!a.compiled || !b.compiled) return;
  const ra = a.compiled.run();
  const rb = b.compiled.run();
  expect(rb.names, label).toEqual(ra.names);
  // Bit-identical, NaN included.
  ra.columns.forEach((c, i) => expect([...rb.columns[i]!].map(String), label).toEqual([...c].map(String)));
}

describe('fuzz: the XMILE writer over the same corpus', () => {
  const holder = (eqn: string, where: number) => {
    const e = esc(eqn);
    return doc(
      [
        `<stock name="S"><eqn>${where === 0 ? e : '10'}</eqn><inflow>flow</inflow><non_negative/></stock>`,
        `<flow name="flow"><eqn>${where === 1 ? e : 'a * 0.1'}</eqn></flow>`,
        `<aux name="a"><eqn>${where === 2 ? e : 'S / 2'}</eqn><units>widgets</units><doc>a &amp; "b" &lt;c&gt;</doc></aux>`,
        `<aux name="b"><eqn>${where === 3 ? e : '3'}</eqn></aux>`,
        `<aux name="arr"><dimensions><dim name="C"/></dimensions><eqn>${where === 4 ? e : 'C * b'}</eqn></aux>`,
        '<aux name="quoted name"><eqn>2</eqn></aux>',
        '<gf name="g"><xscale min="0" max="4"/><ypts>0,1,4,9,16</ypts></gf>',
      ],
      { stop: 3, dt: 0.5, dims: { C: ['x', 'y'] } },
    );
  };

  it('whatever reads, writes and reads back as the same model with bit-identical runs; writing again gives the same bytes', () => {
    let n = 0;
    inputs(11, 600).forEach((eqn, i) => {
      const first = readModel(holder(eqn, i % 5), { file: 'fuzz.xmile' });
      if (!first.model || first.diagnostics.some((d) => d.severity === 'error')) return;
      const label = JSON.stringify(eqn.slice(0, 80));
      const written = writeXmile(first.model);
      const second = readModel(written, { file: 'fuzz.xmile' });
      expect(
        second.diagnostics.filter((d) => d.severity === 'error'),
        label,
      ).toEqual([]);
      expect(withoutLocations(second.model), label).toEqual(withoutLocations(first.model));
      expect(writeXmile(second.model!), label).toBe(written);
      sameRuns(compileModel(first.model), compileModel(second.model!), label);
      n++;
    });
    expect(n).toBeGreaterThan(300);
  });
});

describe('fuzz: editing (src/edit) with the corpus as typed equations and names', () => {
  it('an edit is made or refused with an EditError; diagnostics of edited equations are located in them; the result round-trips', () => {
    const r = rng(21);
    const base = readModel(
      doc(
        [
          '<stock name="S"><eqn>10</eqn><inflow>flow</inflow></stock>',
          '<flow name="flow"><eqn>a * 0.1</eqn></flow>',
          '<aux name="a"><eqn>S / 2</eqn></aux>',
          '<aux name="b"><eqn>3</eqn></aux>',
        ],
        { stop: 3, dt: 0.5 },
      ),
      { file: 'fuzz.xmile' },
    ).model!;
    let m = base;
    let made = 0;
    let refused = 0;
    for (const text of inputs(22, 400)) {
      const names = m.variables.map((v) => v.name);
      const target = names.length ? pick(r, names) : 'a';
      const op = Math.floor(r() * 8);
      const edit: Edit =
        op < 3
          ? { op: 'set-equation', name: target, text }
          : op === 3
            ? { op: 'rename', from: target, to: text.slice(0, 30) }
            : op === 4
              ? {
                  op: 'add',
                  kind: pick(r, ['stock', 'flow', 'aux'] as const),
                  name: text.slice(0, 30),
                  eqn: '1',
                }
              : op === 5
                ? { op: 'delete', name: target }
                : op === 6
                  ? { op: 'set-units', name: target, units: text.slice(0, 40) }
                  : {
                      op: 'set-gf',
                      name: target,
                      gf: { xpts: [0, 1, r() < 0.2 ? 1 : 2], ypts: [0, r() * 5, 1] },
                    };
      let next: typeof m;
      try {
        next = applyEdit(m, edit);
        made++;
      } catch (err) {
        expect(err, JSON.stringify(edit)).toBeInstanceOf(EditError);
        refused++;
        continue;
      }
      const { diagnostics } = diagnose(next, { units: false });
      const label = `${JSON.stringify(edit)}: ${JSON.stringify(diagnostics.slice(0, 3))}`;
      expect(
        diagnostics.filter((d) => d.code === 'internal'),
        label,
      ).toEqual([]);
      for (const d of diagnostics)
        if (
          d.file === EDITED_FILE &&
          edit.op === 'set-equation' &&
          d.variable &&
          canonicalName(d.variable) === canonicalName(edit.name)
        ) {
          expect(d.line, label).toBeGreaterThanOrEqual(1);
          expect(d.column, label).toBeGreaterThanOrEqual(1);
          expect(d.column!, label).toBeLessThanOrEqual(text.split('\n')[d.line! - 1]!.length + 1);
        }
      // Whatever the editor holds, the writer writes and the reader reads back the same.
      const back = readModel(writeXmile(next), { file: 'fuzz.xmile' });
      if (!back.diagnostics.some((d) => d.severity === 'error'))
        expect(withoutLocations(back.model), label).toEqual(withoutLocations(next));
      // Keep a model that still compiles, so later edits build on something meaningful.
      if (compileModel(next).compiled) m = next;
    }
    expect(made).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(20);
  });
});
