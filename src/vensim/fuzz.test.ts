/**
 * Seeded, bounded fuzzing of the Vensim reader: random bytes, token soup in Vensim's alphabet and
 * mutations of a small model written here. The reader must never throw, never report an
 * `internal` error, and place every diagnostic at a line and column inside the text; whatever it
 * accepts must compile or fail with located diagnostics, never a thrown error.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../engine.js';
import { Rng } from '../experiments/rng.js';
import { ModelError } from '../model/errors.js';
import { VensimSyntaxError, collapse, tokenize } from './lexer.js';
import { readVensim } from './reader.js';

// The project's one seeded generator (sfc32, seeded as the experiment samplers seed it).
const rng = (seed: number) => new Rng(seed);
const int = (r: Rng, n: number) => r.int(n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(xs.length)]!;

const BASE = [
  '{UTF-8}',
  'D: (d1-d3), e ~ ~ |',
  'S: d2, d3 -> T ~ ~ |',
  'T: t1, t2 ~ ~ |',
  'stock[D] = INTEG(inflow[D] - outflow[D], init[D]) ~ widgets [0,?] ~ a level \\',
  '  continued |',
  'inflow[D] = IF THEN ELSE(Time > 3 :AND: :NOT: flag, 1, 0) * DELAY FIXED(2, 2, 0) ~ ~ |',
  'outflow[D] :EXCEPT: [e] = SMOOTH N(stock[D], 2, 0, 3) / 10 ~ ~ |',
  'outflow[e] = "quoted \\"name\\""(Time) ~ ~ |',
  '"quoted \\"name\\""( [(0,0)-(10,10)], (0,0), (5, 2), (10, -3) ) ~ ~ |',
  'init[D] = 1, 2, 3, 4 ~ ~ |',
  'flag = :NA: ~ ~ |',
  'total = SUM(stock[D!]) + VMAX(init[D!]) + PULSE TRAIN(1, 1, 3, 9) ~ ~ |',
  'm[S] = WITH LOOKUP(Time, ([(0,0)-(2,2)], (0,1), (2,2))) ~ ~ |',
  'n[T] = m[S] * MODULO(-5, 3) + QUANTUM(7, 2) ~ ~ |',
  ':MACRO: TWICE(a)',
  'TWICE = 2 * a ~ ~ |',
  ':END OF MACRO:',
  'w = TWICE(total) ^ -2 ^ 0.5 ~ ~ |',
  '********************************************************',
  '\t.Control',
  '********************************************************~',
  '\t\tSimulation Control Parameters',
  '\t|',
  'INITIAL TIME = 0 ~ ~ |',
  'FINAL TIME = 10 ~ ~ |',
  'TIME STEP = 0.5 ~ ~ |',
  'SAVEPER = TIME STEP ~ ~ |',
  '\\\\\\---/// Sketch information - do not modify anything except names',
  'V300  Do not put anything below this section - it will be ignored',
  '*View 1',
  '$192-192-192,0,Times New Roman|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0',
  '10,1,stock,100,100,40,20,3,3,0,0,0,0,0,0',
  '10,2,inflow,200,100,40,20,40,3,0,0,0,0,0,0',
  '1,3,2,1,4,0,0,22,0,0,0,-1--1--1,,1|(150,100)|',
  '///---\\\\\\',
  ':L<%^E!@',
  '15:0,0,0,0,0,0',
].join('\n');

const TOKENS = [
  'a',
  'b c',
  'a\tb',
  'a  b',
  'a\u00a0b',
  'a \\\n  b',
  '"q|~"',
  '=',
  '==',
  ':=',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  '~',
  '|',
  '!',
  '^',
  '-',
  '+',
  '*',
  '/',
  ':AND:',
  ':OR:',
  ':NOT:',
  ':NA:',
  ':EXCEPT:',
  ':MACRO:',
  ':END OF MACRO:',
  'INTEG',
  'IF THEN ELSE',
  'DELAY N',
  'WITH LOOKUP',
  'TABBED ARRAY',
  'GET XLS DATA',
  'ALLOCATE AVAILABLE',
  'ALLOCATE BY PRIORITY',
  'VECTOR SELECT',
  'VECTOR ELM MAP',
  'NPV',
  'GET TIME VALUE',
  'ptype',
  "'f.xlsx'",
  '1',
  '2.5e3',
  '.5',
  '{',
  '}',
  '\\\n',
  '\n',
  ' ',
  '->',
  '<->',
  ':',
  '(a1-a9)',
  'Time',
  '\\\\\\---///',
  '$',
  '€',
];

function problem(text: string): string | undefined {
  let result;
  try {
    result = readVensim(text, 'fuzz.mdl');
  } catch (e) {
    return `threw ${e instanceof Error ? e.stack : String(e)}`;
  }
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.length);
  for (const d of result.diagnostics) {
    if (d.code === 'internal') return `internal error: ${d.message}`;
    if (d.file !== 'fuzz.mdl') return `diagnostic without the file: ${JSON.stringify(d)}`;
    const line = d.line ?? 0;
    const column = d.column ?? 0;
    if (!(line >= 1 && line <= lines.length)) return `line outside the text: ${JSON.stringify(d)}`;
    if (!(column >= 1 && column <= lines[line - 1]! + 1))
      return `column outside line ${line}: ${JSON.stringify(d)}`;
  }
  if (!result.model && !result.diagnostics.some((d) => d.severity === 'error'))
    return 'no model and no error';
  if (result.model && !result.diagnostics.some((d) => d.severity === 'error')) {
    const c = compileModel(result.model);
    const internal = c.diagnostics.find((d) => d.code === 'internal');
    if (internal) return `compiler internal error: ${internal.message}`;
  }
  return undefined;
}

function check(inputs: Iterable<string>) {
  let n = 0;
  for (const input of inputs) {
    const p = problem(input);
    if (p) expect.fail(`${p}\ninput: ${JSON.stringify(input.slice(0, 1500))}`);
    n++;
  }
  return n;
}

/** A model of the allocation, vector and NPV functions, for mutations that keep its records. */
const ALLOC = [
  '{UTF-8}',
  'R: r1, r2, r3 ~ ~ |',
  'Q: q1, q2 ~ ~ |',
  'P: ptype, ppriority, pwidth, pextra ~ ~ |',
  'req[R] = 5, 10, 20 ~ ~ |',
  'pri[R] = 3, 2, 1 ~ ~ |',
  'pp[R, P] = 1, 3, 2, 0; 2, 2, 1, 0; 3, 1, 2, 0; ~ ~ |',
  'avail = 2 * Time ~ ~ |',
  'aa[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], avail) ~ ~ |',
  'ab[R] = ALLOCATE BY PRIORITY(req[R], pri[R], ELMCOUNT(R), 1.5, avail) ~ ~ |',
  'sel[Q] = 1, 0 ~ ~ |',
  'vs = VECTOR SELECT(sel[Q!], req[R!], -1, 0, 0) ~ ~ |',
  'em[R] = VECTOR ELM MAP(req[r1], 1) + VECTOR ELM MAP(req[R], 2) ~ ~ |',
  'npv = NPV(vs, 0.05, 0, 1) + GET TIME VALUE(0, 1, 0) ~ ~ |',
  'INITIAL TIME = 0 ~ ~ |',
  'FINAL TIME = 5 ~ ~ |',
  'TIME STEP = IF THEN ELSE(Time < 2, 1, 0.5) ~ ~ |',
  'SAVEPER = TIME STEP ~ ~ |',
].join('\n');

/** Pieces the mutations put where a name, subscript or argument was. */
const ALLOC_PIECES = [
  'R',
  'R!',
  'Q!',
  'P',
  'ptype',
  'pextra',
  'r2',
  'q1',
  '-1',
  '0',
  '1',
  '4',
  '5',
  '11',
  '1e308',
  ':NA:',
  'Time',
  'req[R]',
  'pp[R, P]',
  'pri[Q]',
  'aa[R]',
  ', 1',
  '',
];

describe('Vensim reader fuzzing (seeded, bounded)', () => {
  it('the base model reads and compiles', () => {
    const r = readVensim(BASE, 'fuzz.mdl');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(compileModel(r.model!).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('random bytes', () => {
    const r = rng(1);
    function* gen() {
      for (let i = 0; i < 300; i++) {
        const n = int(r, 300);
        let s = '';
        for (let k = 0; k < n; k++)
          s += String.fromCharCode(int(r, 4) === 0 ? int(r, 0x3000) : 32 + int(r, 95));
        yield s;
      }
    }
    expect(check(gen())).toBe(300);
  });

  it('token soup', () => {
    const r = rng(2);
    function* gen() {
      for (let i = 0; i < 400; i++) {
        const n = 1 + int(r, 60);
        const parts: string[] = [];
        for (let k = 0; k < n; k++) parts.push(pick(r, TOKENS));
        yield parts.join(int(r, 2) ? ' ' : '');
      }
    }
    expect(check(gen())).toBe(400);
  });

  it('a name token is its text with blanks collapsed, continuations and all', () => {
    const r = rng(5);
    let names = 0;
    for (let i = 0; i < 400; i++) {
      const parts: string[] = [];
      for (let k = 1 + int(r, 30); k > 0; k--) parts.push(pick(r, TOKENS));
      const text = parts.join(int(r, 2) ? ' ' : '');
      let tokens;
      try {
        tokens = tokenize(text, 0, text.length);
      } catch (e) {
        expect(e).toBeInstanceOf(VensimSyntaxError);
        continue;
      }
      for (const t of tokens) {
        if (t.kind !== 'name' || t.quoted) continue;
        expect(t.text, JSON.stringify(text)).toBe(collapse(text.slice(t.start, t.end)));
        names++;
      }
    }
    expect(names).toBeGreaterThan(200);
  });

  it('mutations of a model: deletions, insertions, duplications, swaps', () => {
    const r = rng(3);
    function* gen() {
      for (let i = 0; i < 200; i++) {
        let s = BASE;
        const edits = 1 + int(r, 4);
        for (let k = 0; k < edits; k++) {
          const at = int(r, s.length);
          const len = int(r, 12);
          switch (int(r, 4)) {
            case 0:
              s = s.slice(0, at) + s.slice(at + len);
              break;
            case 1:
              s = s.slice(0, at) + pick(r, TOKENS) + s.slice(at);
              break;
            case 2:
              s = s.slice(0, at) + s.slice(at, at + len).repeat(1 + int(r, 3)) + s.slice(at);
              break;
            default: {
              const b = int(r, s.length);
              s = s.slice(0, at) + s.slice(b, b + len) + s.slice(at + len);
            }
          }
        }
        yield s;
      }
    }
    expect(check(gen())).toBe(200);
  });

  it('the allocation, vector and NPV functions: every read either runs or is refused at a place', () => {
    const base = readVensim(ALLOC, 'fuzz.mdl');
    expect(base.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const r = rng(4);
    function* gen() {
      for (let i = 0; i < 150; i++) {
        // Replace a few words (names, subscripts, numbers) by other pieces of the same language.
        const words = ALLOC.split(/(?<=[\s,()[\]])|(?=[\s,()[\]])/);
        const edits = 1 + int(r, 3);
        for (let k = 0; k < edits; k++) words[int(r, words.length)] = pick(r, ALLOC_PIECES);
        yield words.join('');
      }
    }
    let ran = 0;
    for (const input of gen()) {
      const p = problem(input);
      if (p) expect.fail(`${p}\ninput: ${JSON.stringify(input)}`);
      // What compiles must run to the end without throwing (NaN is a value, not a crash).
      const read = readVensim(input, 'fuzz.mdl');
      if (!read.model || read.diagnostics.some((d) => d.severity === 'error')) continue;
      const c = compileModel(read.model);
      if (!c.compiled) continue;
      // Each integration method, the step changing during the run; a TIME STEP mutated to 0 or
      // below stops the run with its own error, never another.
      const method = pick(r, ['euler', 'rk2', 'rk4'] as const);
      try {
        c.compiled.run({ method });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(ModelError);
        expect((e as ModelError).diagnostics[0]?.code).toBe('bad-time-step');
      }
      ran++;
    }
    // The mutations keep many models whole, so the runs are exercised too.
    expect(ran).toBeGreaterThanOrEqual(10);
  });

  it('inputs built to exhaust: deep nesting, long chains, huge ranges, long names', () => {
    const inputs = [
      `{UTF-8}\nx = ${'('.repeat(5000)}1${')'.repeat(5000)} ~ ~ |`,
      `{UTF-8}\nx = ${Array(20000).fill('1').join(' + ')} ~ ~ |`,
      `{UTF-8}\nx = ${'-'.repeat(20000)}1 ~ ~ |`,
      '{UTF-8}\nD: (a1-a999999999) ~ ~ |\nx[D] = 1 ~ ~ |',
      `{UTF-8}\n${'n'.repeat(200000)} = 1 ~ ~ |`,
      `{UTF-8}\nx = 1 ${'{'.repeat(10000)} ~ ~ |`,
      `{UTF-8}\nt(${Array(5000).fill('(1,2)').join(',')}) ~ ~ |`,
    ];
    expect(check(inputs)).toBe(inputs.length);
  });
});
