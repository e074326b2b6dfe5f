/**
 * The Vensim reader and the Vensim builtins, through the public API (readModel, compileModel),
 * against values worked out by hand from Vensim's documented semantics.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { compileModel, readModel } from '../engine.js';
import { readModelFile } from '../node/files.js';
import { VENSIM_NA } from './reader.js';

const CONTROL = (stop = 10, dt = 1, start = 0) =>
  [
    `INITIAL TIME = ${start} ~ Month ~ |`,
    `FINAL TIME = ${stop} ~ Month ~ |`,
    `TIME STEP = ${dt} ~ Month ~ |`,
    'SAVEPER = TIME STEP ~ Month ~ |',
  ].join('\n');

function mdl(records: string[], o: { stop?: number; dt?: number; start?: number } = {}): string {
  return ['{UTF-8}', ...records, CONTROL(o.stop, o.dt, o.start), '\\\\\\---/// Sketch information'].join(
    '\n',
  );
}

function run(text: string, file = 'test.mdl') {
  const read = readModel(text, { file });
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  expect(errors, JSON.stringify(errors)).toEqual([]);
  const c = compileModel(read.model!);
  expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const r = c.compiled!.run();
  const col = (name: string) => {
    const i = r.names.findIndex((n) => n.toLowerCase() === name.toLowerCase());
    expect(i, `${name} in ${r.names.join(', ')}`).toBeGreaterThanOrEqual(0);
    return Array.from(r.columns[i]!);
  };
  return { model: read.model!, col, time: Array.from(r.time) };
}

/** Value of one expression at time 0 (and the whole series). */
function value(expr: string, extra: string[] = [], o: { stop?: number; dt?: number } = {}): number[] {
  return run(mdl([`x = ${expr} ~ ~ |`, ...extra], o)).col('x');
}

describe('Vensim file structure', () => {
  it("takes control variables written as equations at their start value, by the engine's evaluator", () => {
    const text = [
      '{UTF-8}',
      'x = Time ~ ~ |',
      'base year = 2000 ~ Year ~ |',
      'horizon = 20 ~ Year ~ |',
      'INITIAL TIME = base year ~ Year ~ |',
      'FINAL TIME = INITIAL TIME + MAX(horizon, 12) ~ Year ~ |',
      'TIME STEP = 1 / 2 ^ INTEGER(2.7) ~ Year ~ |',
      'SAVEPER = TIME STEP * 2 ~ Year ~ |',
    ].join('\n');
    const read = readModel(text, { file: 'c.mdl' });
    expect(read.diagnostics).toEqual([]);
    expect(read.model!.simSpecs).toMatchObject({ start: 2000, stop: 2020, dt: 0.25, saveStep: 0.5 });
    const { time, col } = run(text, 'c.mdl');
    expect(time.slice(0, 3)).toEqual([2000, 2000.5, 2001]);
    expect(col('x').at(-1)).toBe(2020);
  });

  it('runs with TIME STEP, SAVEPER and FINAL TIME as they change, as Vensim does', () => {
    const text = [
      '{UTF-8}',
      'growth = INTEG(growth * 0.1, 1) ~ ~ |',
      'INITIAL TIME = 0 ~ Month ~ |',
      'FINAL TIME = IF THEN ELSE(Time < 5, 10, 12) ~ Month ~ |',
      'TIME STEP = IF THEN ELSE(Time < 4, 1, 0.5) ~ Month ~ |',
      'SAVEPER = IF THEN ELSE(Time < 10, TIME STEP, 2) ~ Month ~ |',
    ].join('\n');
    const read = readModel(text, { file: 'c.mdl' });
    expect(read.diagnostics).toEqual([]);
    expect(read.model!.simSpecs).toMatchObject({
      start: 0,
      stop: 10,
      dt: 1,
      dynamic: { stop: 'FINAL TIME', dt: 'TIME STEP', saveStep: 'SAVEPER' },
    });
    const { time, col } = run(text, 'c.mdl');
    // The step from t is TIME STEP at t; a row every SAVEPER (as computed at the last row); the end
    // is FINAL TIME as computed on the way (12 from t = 5 on).
    expect(time).toEqual([0, 1, 2, 3, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 12]);
    // Euler: 1.1 per step of 1 up to t = 4, then 1.05 per step of 0.5.
    const g = col('growth');
    expect(g[4]).toBeCloseTo(1.1 ** 4, 12);
    expect(g[6]).toBeCloseTo(1.1 ** 4 * 1.05 ** 2, 12);
    expect(g.at(-1)).toBeCloseTo(1.1 ** 4 * 1.05 ** 16, 12);
    // A step and a save interval given for the run replace the model's changing ones (FINAL TIME
    // still changes: 12).
    const c = compileModel(read.model!).compiled!;
    const fixed = c.run({ dt: 0.25, saveStep: 1 });
    expect(Array.from(fixed.time)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(fixed.column('growth')![4]).toBeCloseTo(1.025 ** 16, 12);
  });

  it('follows a changing TIME STEP with RK2 and RK4 too, each step of the size computed at its start', () => {
    const text = [
      '{UTF-8}',
      'growth = INTEG(growth * 0.1, 1) ~ ~ |',
      'INITIAL TIME = 0 ~ Month ~ |',
      'FINAL TIME = 6 ~ Month ~ |',
      'TIME STEP = IF THEN ELSE(Time < 4, 1, 0.5) ~ Month ~ |',
      'SAVEPER = 1 ~ Month ~ |',
    ].join('\n');
    const model = readModel(text, { file: 'c.mdl' }).model!;
    model.simSpecs.method = 'rk4';
    const c = compileModel(model);
    expect(c.diagnostics.filter((d) => d.code === 'dynamic-control')).toEqual([]);
    // dy/dt = 0.1 y: one step of h multiplies y by 1 + x + x^2/2 (RK2) or the first five terms of
    // e^x (RK4), x = 0.1 h: four steps of 1, then four of 0.5 to t = 6.
    const rk4 = (x: number) => 1 + x + x ** 2 / 2 + x ** 3 / 6 + x ** 4 / 24;
    const rk2 = (x: number) => 1 + x + x ** 2 / 2;
    for (const [method, factor] of [
      ['rk4', rk4],
      ['rk2', rk2],
    ] as const) {
      const r = c.compiled!.run({ method });
      expect(Array.from(r.time)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const g = r.column('growth')!;
      expect(g[4]).toBeCloseTo(factor(0.1) ** 4, 12);
      expect(g[6]).toBeCloseTo(factor(0.1) ** 4 * factor(0.05) ** 4, 12);
    }
  });

  it('a simulation with a changing FINAL TIME saves the rows of each run, in the same buffers when they fit', () => {
    const text = [
      '{UTF-8}',
      'horizon = 4 ~ ~ |',
      'level = INTEG(2, 0) ~ ~ |',
      'INITIAL TIME = 0 ~ ~ |',
      'FINAL TIME = IF THEN ELSE(level >= 2 * horizon, Time, 100) ~ ~ |',
      'TIME STEP = 1 ~ ~ |',
      'SAVEPER = 1 ~ ~ |',
    ].join('\n');
    const c = compileModel(readModel(text, { file: 'c.mdl' }).model!).compiled!;
    const sim = c.simulation({ vars: ['level'] });
    sim.run();
    // level = 2 t reaches 2 x 4 at t = 4, where FINAL TIME becomes Time.
    expect(Array.from(sim.time)).toEqual([0, 1, 2, 3, 4]);
    const view = sim.series('level');
    expect(Array.from(view)).toEqual([0, 2, 4, 6, 8]);
    sim.set(sim.parameterIndex('horizon'), 2);
    sim.run();
    expect(Array.from(sim.time)).toEqual([0, 1, 2]);
    expect(Array.from(sim.series('level'))).toEqual([0, 2, 4]);
    sim.set(sim.parameterIndex('horizon'), 2.5);
    const before = sim.series('level');
    sim.run();
    // Ends at t = 3 (level 6 >= 5): one row more than the last run, so new buffers; the same
    // run again saves as many rows and keeps them.
    expect(Array.from(sim.series('level'))).toEqual([0, 2, 4, 6]);
    expect(sim.series('level')).not.toBe(before);
    const kept = sim.series('level');
    sim.run();
    expect(sim.series('level')).toBe(kept);
    expect(Array.from(kept)).toEqual([0, 2, 4, 6]);
  });

  it('stops a run whose TIME STEP falls to zero with a message naming it and the time', () => {
    const text = [
      '{UTF-8}',
      'x = 1 ~ ~ |',
      CONTROL(10, 1).replace('TIME STEP = 1', 'TIME STEP = IF THEN ELSE(Time < 2, 1, 0)'),
    ].join('\n');
    const c = compileModel(readModel(text, { file: 'c.mdl' }).model!).compiled!;
    expect(() => c.run()).toThrow(/TIME STEP must stay a positive number during the run; at time 2 it is 0/);
  });

  it('keeps a changing TIME STEP at its start value where the run cannot follow it, and says why', () => {
    const text = [
      '{UTF-8}',
      'x = DELAY FIXED(Time, 2, 0) ~ ~ |',
      CONTROL(6, 1).replace('TIME STEP = 1', 'TIME STEP = STEP(-0.5, 4) + 1'),
    ].join('\n');
    const read = readModel(text, { file: 'c.mdl' });
    expect(read.diagnostics).toEqual([]);
    const c = compileModel(read.model!);
    const w = c.diagnostics.filter((d) => d.code === 'dynamic-control');
    expect(w.map((d) => d.variable)).toEqual(['TIME STEP', 'SAVEPER']);
    expect(w[0]!.message).toMatch(/count whole steps/);
    expect(w[0]!.line).toBe(5);
    expect(Array.from(c.compiled!.run().time)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads a level with its recovered flows, units, documentation and control variables', () => {
    const text = mdl(
      [
        'Teacup Temperature= INTEG (',
        '\t-Heat Loss to Room,',
        '\t\t180)',
        '\t~\tDegrees [32,212]',
        '\t~\tThe tea. With a \\',
        '\t\tcontinued comment.',
        '\t|',
        'Heat Loss to Room = (Teacup Temperature - Room Temperature) / Characteristic Time ~ Degrees/Month ~ |',
        'Room Temperature = 70 ~ Degrees ~ |',
        '"Characteristic Time" = 10 ~ Month ~ |',
        '********************************************************',
        '\t.Control',
        '********************************************************~',
        '\t\tSimulation Control Parameters',
        '\t|',
      ],
      { stop: 20, dt: 0.5 },
    );
    const { model, col, time } = run(text);
    expect(model.simSpecs).toMatchObject({ start: 0, stop: 20, dt: 0.5, saveStep: 0.5, method: 'euler' });
    const stock = model.variables.find((v) => v.name === 'Teacup Temperature')!;
    expect(stock.kind).toBe('stock');
    expect(stock.inflows).toEqual([]);
    expect(stock.outflows).toEqual(['Heat Loss to Room']);
    expect(stock.units).toBe('Degrees');
    expect(stock.doc).toBe('The tea. With a continued comment.');
    expect(model.variables.find((v) => v.name === 'Heat Loss to Room')!.kind).toBe('flow');
    // Euler: T_k = 70 + 110 (1 - dt/10)^k.
    const t = col('Teacup Temperature');
    time.forEach((tt, k) => expect(t[k]).toBeCloseTo(70 + 110 * Math.pow(1 - 0.05, tt / 0.5), 9));
  });

  it('gives a level whose rate is not a sum of flows a net-flow variable', () => {
    const { model, col } = run(mdl(['s = INTEG(2 * r, 1) ~ ~ |', 'r = 3 ~ ~ |']));
    const s = model.variables.find((v) => v.name === 's')!;
    expect(s.inflows).toEqual(['s net flow']);
    expect(col('s')[4]).toBe(1 + 4 * 6);
  });

  it('follows Vensim precedence: ^ right-associative and above unary minus, :NOT: below comparisons', () => {
    expect(value('-2^2')[0]).toBe(-4);
    expect(value('2^3^2')[0]).toBe(512);
    expect(value('2^-1')[0]).toBe(0.5);
    expect(value(':NOT: 1 > 2')[0]).toBe(1);
    expect(value('1 = 1 :AND: 0 :OR: 1')[0]).toBe(1);
    expect(value('IF THEN ELSE(Time > 2, 1, 0)')).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('quoted names, names with underscores, and case are one name', () => {
    const { col } = run(
      mdl(['"a/b (c)" = 2 ~ ~ |', 'FINAL_value = "A/B (C)" * Final Value2 ~ ~ |', 'final value2 = 3 ~ ~ |']),
    );
    expect(col('final value')[0]).toBe(6);
  });

  it(':NA: is the finite sentinel -2^109', () => {
    expect(value(':NA:')[0]).toBe(VENSIM_NA);
    expect(value('IF THEN ELSE(y = :NA:, 1, 0)', ['y = :NA: ~ ~ |'])[0]).toBe(1);
  });

  it('reads the view of quoted names holding commas, aliases and arrows', () => {
    const text = mdl(['a = 1 ~ ~ |', '"b, c" = a ~ ~ |']).replace(
      '\\\\\\---/// Sketch information',
      [
        '\\\\\\---/// Sketch information',
        'V300',
        '*View 1',
        '10,1,a,100,50,40,20,8,3,0,0,0,0,0,0',
        '10,2,"b, c",200,60,30,10,8,3,0,0,0,0,0,0',
        '10,3,a,300,70,40,20,8,2,0,3,-1,0,0,0,128-128-128,0-0-0,|12||128-128-128',
        '1,4,1,2,0,0,0,0,0,64,0,-1--1--1,,1|(150,55)|',
        '///---\\\\\\',
      ].join('\n'),
    );
    const { model } = run(text);
    expect(model.view?.elements).toEqual([
      { kind: 'aux', name: 'a', x: 100, y: 50, width: 80, height: 40 },
      { kind: 'aux', name: 'b, c', x: 200, y: 60, width: 60, height: 20 },
      { kind: 'alias', name: 'a', x: 300, y: 70, width: 80, height: 40 },
    ]);
    expect(model.view?.connectors).toEqual([{ from: 'a', to: 'b, c' }]);
  });

  it('keeps the sketch as a view', () => {
    const text = mdl(['a = 1 ~ ~ |']).replace(
      '\\\\\\---/// Sketch information',
      '\\\\\\---/// Sketch information\nV300\n*View 1\n$192-192-192,0,Times|12||0-0-0|0-0-0|0-0-255|-1--1--1|-1--1--1|96,96,100,0\n10,1,a,100,50,40,20,8,3,0,0,0,0,0,0\n///---\\\\\\\n',
    );
    const { model } = run(text);
    expect(model.view?.elements).toEqual([{ kind: 'aux', name: 'a', x: 100, y: 50, width: 80, height: 40 }]);
  });
});

describe('Vensim subscripts', () => {
  it('ranges, numbered ranges, number lists, :EXCEPT: and element equations', () => {
    const { col } = run(
      mdl([
        'Dim: (d1-d3), e ~ ~ |',
        'Sub: d2, d3 ~ ~ |',
        'm[Dim] = 1, 2, 3, 4 ~ ~ |',
        'x[Dim] :EXCEPT: [d1] = m[Dim] * 10 ~ ~ |',
        'x[d1] = -1 ~ ~ |',
        'y[Sub] = m[Sub] + 100 ~ ~ |',
        'total = SUM(m[Dim!]) ~ ~ |',
        'n = ELMCOUNT(Dim) ~ ~ |',
      ]),
    );
    expect([col('x[d1]')[0], col('x[d2]')[0], col('x[d3]')[0], col('x[e]')[0]]).toEqual([-1, 20, 30, 40]);
    expect([col('y[d2]')[0], col('y[d3]')[0]]).toEqual([102, 103]);
    expect(col('total')[0]).toBe(10);
    expect(col('n')[0]).toBe(4);
  });

  it('2-D lists run rows over the first range, and mappings match by position', () => {
    const { col } = run(
      mdl([
        'A: a1, a2 ~ ~ |',
        'B: b1, b2, b3 ~ ~ |',
        'm[A, B] = 1, 2, 3; 4, 5, 6; ~ ~ |',
        'Src: s1, s2 -> A ~ ~ |',
        'v[Src] = 10, 20 ~ ~ |',
        'w[A] = v[Src] + m[A, b3] ~ ~ |',
        'age: young, mid, old ~ ~ |',
        'older: mid, old ~ ~ |',
        'prev: young, mid -> older ~ ~ |',
        'p[age] = 1, 2, 3 ~ ~ |',
        'q[young] = 0 ~ ~ |',
        'q[older] = p[prev] ~ ~ |',
      ]),
    );
    expect(col('m[a2,b1]')[0]).toBe(4);
    expect([col('w[a1]')[0], col('w[a2]')[0]]).toEqual([13, 26]);
    expect([col('q[young]')[0], col('q[mid]')[0], col('q[old]')[0]]).toEqual([0, 1, 2]);
  });

  it('a dimension used as a number is its position in its family', () => {
    const { col } = run(mdl(['D: a, b, c ~ ~ |', 'S: c, b ~ ~ |', 'x[D] = D * 10 ~ ~ |', 'y[S] = S ~ ~ |']));
    expect(col('x[c]')[0]).toBe(30);
    expect([col('y[c]')[0], col('y[b]')[0]]).toEqual([3, 2]);
  });
});

describe('Vensim lookups', () => {
  const table = 't( [(0,0)-(2,2)], (0,1), (1,1), (2,2) ) ~ ~ |';
  it('interpolate and clamp; WITH LOOKUP; the flat x..., y... form', () => {
    expect(value('t(1.5)', [table])[0]).toBe(1.5);
    expect(value('t(5)', [table])[0]).toBe(2);
    expect(value('t(-1)', [table])[0]).toBe(1);
    expect(value('WITH LOOKUP(Time, ([(0,0)-(10,10)], (0,0), (10,5)))')[4]).toBe(2);
    expect(value('u(3)', ['u(0, 10, 0, 100) ~ ~ |'])[0]).toBe(30);
  });
  it('LOOKUP FORWARD, BACKWARD and EXTRAPOLATE', () => {
    expect(value('LOOKUP FORWARD(t, 1.5)', [table])[0]).toBe(2);
    expect(value('LOOKUP FORWARD(t, 1)', [table])[0]).toBe(1);
    expect(value('LOOKUP BACKWARD(t, 1.5)', [table])[0]).toBe(1);
    expect(value('LOOKUP EXTRAPOLATE(t, 3)', [table])[0]).toBe(3);
  });
});

describe('Vensim builtins, against the documented values', () => {
  it('INTEGER truncates, MODULO takes the sign of the dividend, QUANTUM', () => {
    expect(value('INTEGER(-9.9)')[0]).toBe(-9);
    expect(value('INTEGER(9.9)')[0]).toBe(9);
    expect(value('MODULO(-10, 3)')[0]).toBe(-1);
    expect(value('MODULO(-5.1, 3)')[0]).toBeCloseTo(-2.1, 12);
    expect(value('QUANTUM(-5.5, 2)')[0]).toBe(-4);
    expect(value('QUANTUM(5.5, 0)')[0]).toBe(5.5);
  });
  it('ZIDZ, XIDZ, MIN, MAX, GAME', () => {
    expect(value('ZIDZ(1, 0)')[0]).toBe(0);
    expect(value('XIDZ(1, 0, 5)')[0]).toBe(5);
    expect(value('XIDZ(1, 4, 5)')[0]).toBe(0.25);
    expect(value('MIN(2, 3) + MAX(2, 3)')[0]).toBe(5);
    expect(value('GAME(7)')[0]).toBe(7);
  });
  it('PULSE is a box from start for width (at least one step); PULSE TRAIN repeats it', () => {
    expect(value('PULSE(2, 3)')).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(value('PULSE(2, 0)')).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(value('PULSE TRAIN(1, 1, 3, 7)')).toEqual([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(value('STEP(2, 3) + RAMP(1, 5, 7)')).toEqual([0, 0, 0, 2, 2, 2, 3, 4, 4, 4, 4]);
  });
  it('DELAY FIXED delays by ROUND(T/DT) whole steps fixed at the start', () => {
    // T = 2.5 rounds to 3 steps; init 9 until then.
    expect(value('DELAY FIXED(Time, 2.5, 9)')).toEqual([9, 9, 9, 0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('DELAY1 and SMOOTH: the first-order forms, with and without an initial value', () => {
    // DELAY1 of a step 0 -> 1 at t = 0, T = 2, Euler dt 1: stock s += 1 - s/2; out = s/2.
    const d = value('DELAY1I(1, 2, 0)');
    expect(d.slice(0, 4)).toEqual([0, 0.5, 0.75, 0.875]);
    expect(value('SMOOTHI(1, 2, 0)').slice(0, 4)).toEqual([0, 0.5, 0.75, 0.875]);
    expect(value('SMOOTH(5, 2)')[3]).toBe(5);
  });
  it('DELAY N and SMOOTH N read their order once at the start', () => {
    // The order 2 + STEP(1, 5) stays 2: a 2nd-order delay of a constant input stays at it.
    const n = value('DELAY N(4, 4, 4, order)', ['order = 2 + STEP(1, 5) ~ ~ |']);
    expect(n.every((v) => Math.abs(v - 4) < 1e-12)).toBe(true);
    const s = value('SMOOTH N(1, 2, 0, 2)');
    // Two stages of T/2 = 1: s1 = 0, 1, 1; s2 = 0, 0, 1.
    expect(s.slice(0, 3)).toEqual([0, 0, 1]);
  });
  it('SAMPLE IF TRUE holds the last sample; INITIAL holds the start value', () => {
    expect(value('SAMPLE IF TRUE(MODULO(Time, 3) = 0, Time, -1)')).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9]);
    expect(value('INITIAL(Time + 5)')).toEqual(Array(11).fill(5));
  });
  it('ACTIVE INITIAL: the initial value while initialising, the active one from the first reported time', () => {
    const { col } = run(mdl(['s = INTEG(1, v) ~ ~ |', 'v = ACTIVE INITIAL(Time, 45) ~ ~ |']));
    expect(col('s').slice(0, 3)).toEqual([45, 46, 47]);
    expect(col('v').slice(0, 3)).toEqual([0, 1, 2]);
    // It breaks an initial-value loop through a smooth.
    const loop = run(mdl(['a = ACTIVE INITIAL(sm + 1, 1) ~ ~ |', 'sm = SMOOTH(a, 1) ~ ~ |']));
    expect(loop.col('sm').slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('VECTOR SORT ORDER, RANK and REORDER along the last subscript', () => {
    const { col } = run(
      mdl([
        'D: a, b, c, d, e ~ ~ |',
        'v[D] = -25, 18, 27, -2, 2 ~ ~ |',
        'o[D] = VECTOR SORT ORDER(v[D], 1) ~ ~ |',
        'r[D] = VECTOR RANK(v[D], 1) ~ ~ |',
        'sorted[D] = VECTOR REORDER(v[D], o[D]) ~ ~ |',
        'down[D] = VECTOR SORT ORDER(v[D], 0) ~ ~ |',
      ]),
    );
    const at = (n: string) => ['a', 'b', 'c', 'd', 'e'].map((x) => col(`${n}[${x}]`)[0]);
    expect(at('o')).toEqual([0, 3, 4, 1, 2]);
    expect(at('r')).toEqual([1, 4, 5, 2, 3]);
    expect(at('sorted')).toEqual([-25, -2, 2, 18, 27]);
    expect(at('down')).toEqual([2, 1, 4, 3, 0]);
  });

  it('VECTOR SELECT over the selected elements', () => {
    const sel = ['D: a, b, c ~ ~ |', 's[D] = 1, 0, 2 ~ ~ |', 'vals[D] = 3, 5, 4 ~ ~ |', 'z[D] = 0 ~ ~ |'];
    const vs = (action: number, s = 's') =>
      value(`VECTOR SELECT(${s}[D!], vals[D!], -1, ${action}, 0)`, sel)[0];
    expect(vs(0)).toBe(3 + 8);
    expect(vs(1)).toBe(3 * 8);
    expect(vs(2)).toBe(3);
    expect(vs(3)).toBe(8);
    expect(vs(4)).toBe(5.5);
    expect(vs(5)).toBe(3 * 16);
    expect(vs(6)).toBe(7);
    expect(vs(9)).toBe(4);
    expect(vs(10)).toBe(3.5);
    expect(vs(0, 'z')).toBe(-1);
  });

  it('INVERT MATRIX over the last two subscripts', () => {
    const { col } = run(
      mdl([
        'R: r1, r2 ~ ~ |',
        'C: c1, c2 ~ ~ |',
        'm[R, C] = 4, 7; 2, 6; ~ ~ |',
        'inv[R, C] = INVERT MATRIX(m[R, C], 2) ~ ~ |',
      ]),
    );
    // [[4, 7], [2, 6]]^-1 = [[0.6, -0.7], [-0.2, 0.4]].
    expect(col('inv[r1,c1]')[0]).toBeCloseTo(0.6, 12);
    expect(col('inv[r1,c2]')[0]).toBeCloseTo(-0.7, 12);
    expect(col('inv[r2,c1]')[0]).toBeCloseTo(-0.2, 12);
    expect(col('inv[r2,c2]')[0]).toBeCloseTo(0.4, 12);
  });

  it('TREND and FORECAST of an exponential', () => {
    // AV0 = in/(1 + 0 x T): trend starts at 0.
    expect(value('TREND(Time + 1, 2, 0)')[0]).toBe(0);
    expect(value('FORECAST(Time + 1, 2, 3)')[0]).toBe(1);
  });
  it('GET TIME VALUE with measure 0 is model time plus the offset', () => {
    expect(value('GET TIME VALUE(0, 2, 0)').slice(0, 3)).toEqual([2, 3, 4]);
    expect(value('GET TIME VALUE(1, 2, 0)').slice(0, 3)).toEqual([2, 2, 2]);
  });
  it('RANDOM UNIFORM and RANDOM NORMAL stay in their bounds; a seed repeats the stream', () => {
    const u = value('RANDOM UNIFORM(2, 3, 7)', [], { stop: 400 });
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(3);
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 2.5)).toBeLessThan(0.05);
    expect(value('RANDOM UNIFORM(2, 3, 7)', [], { stop: 400 })).toEqual(u);
    const n = value('RANDOM NORMAL(-1, 1, 0, 5, 3)', [], { stop: 400 });
    expect(Math.min(...n)).toBe(-1);
    expect(Math.max(...n)).toBe(1);
  });
  it('a macro with its own level: each call integrates its own copy', () => {
    const { col } = run(
      mdl([
        ':MACRO: ACC(input, start)',
        'ACC = INTEG(input * k, start) ~ ~ |',
        'k = 2 ~ ~ |',
        ':END OF MACRO:',
        'a = ACC(1, 10) ~ ~ |',
        'b = ACC(Time, 0) + ACC(1, 0) ~ ~ |',
      ]),
    );
    expect(col('a').slice(0, 4)).toEqual([10, 12, 14, 16]);
    // ACC(Time, 0) = Time (Time - 1), Euler; ACC(1, 0) = 2 Time.
    expect(col('b').slice(0, 5)).toEqual([0, 2, 6, 12, 20]);
  });

  it('a macro of one expression', () => {
    const { col } = run(
      mdl([':MACRO: DOUBLE(a)', 'DOUBLE = 2 * a ~ ~ |', ':END OF MACRO:', 'x = DOUBLE(Time) + 1 ~ ~ |']),
    );
    expect(col('x').slice(0, 3)).toEqual([1, 3, 5]);
  });
});

describe('Vensim diagnostics are located FILE:LINE:COL', () => {
  it('a syntax error at its character', () => {
    const text = mdl(['a = 1 ~ ~ |', 'b = (a + ) ~ ~ |']);
    const d = readModel(text, { file: 'm.mdl' }).diagnostics.find((x) => x.severity === 'error')!;
    expect(d).toMatchObject({ file: 'm.mdl', line: 3, column: 10, code: 'syntax-error' });
  });
  it('an unknown name, at the compiler, on its line', () => {
    const read = readModel(mdl(['a = nothing here + 1 ~ ~ |']), { file: 'm.mdl' });
    const d = compileModel(read.model!).diagnostics.find((x) => x.severity === 'error')!;
    expect(d).toMatchObject({ file: 'm.mdl', line: 2, code: 'unknown-variable' });
    expect(d.message).toContain('nothing here');
  });
  it('a record without its closing bar, an unclosed comment, a bad character', () => {
    const cases: [string, number, number][] = [
      ['{UTF-8}\na = 1 ~ ~ |\nb = 2 ~ ~', 3, 1],
      ['{UTF-8}\na = 1 {never closed ~ ~ |', 2, 7],
      ['{UTF-8}\na = 1 # 2 ~ ~ |', 2, 7],
    ];
    for (const [text, line, column] of cases) {
      const d = readModel(text, { file: 'm.mdl' }).diagnostics.find((x) => x.severity === 'error');
      expect(d, text).toMatchObject({ file: 'm.mdl', line, column });
    }
  });
  it('picks the reader by extension, or by content without one', () => {
    const text = mdl(['a = 1 ~ ~ |']);
    expect(readModel(text, { file: 'x.MDL' }).model?.header.product).toBe('Vensim');
    expect(readModel(text).model?.header.product).toBe('Vensim');
    expect(readModel(text, { file: 'x.xmile' }).model).toBeUndefined();
  });
});

describe('Vensim external data', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'interlock-vensim-'));
  writeFileSync(path.join(dir, 'data.csv'), 'time,1,2,3\nvalue,10,20,40\nother,1,,3\n');
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['k', 5, 6],
      ['m', 7, 8],
    ]),
    'Hoja1',
  );
  writeFileSync(path.join(dir, 'book.xlsx'), XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }));
  const file = (records: string[], o: { stop?: number } = {}) => {
    const p = path.join(dir, `m${Math.random().toString(36).slice(2)}.mdl`);
    writeFileSync(p, mdl(records, o));
    return p;
  };

  it('reads constants and data from CSV and XLSX beside the model', () => {
    const p = file(
      [
        'D: a, b ~ ~ |',
        "c[D] = GET XLS CONSTANTS('book.xlsx', 'Hoja1', 'B1') ~ ~ |",
        "m[D] = GET DIRECT CONSTANTS('book.xlsx', 'Hoja1', 'B1*') ~ ~ |",
        "series := GET DIRECT DATA('data.csv', ',', '1', 'B2') ~ ~ |",
        "held :HOLD BACKWARD::= GET DIRECT DATA('data.csv', ',', '1', 'B3') ~ ~ |",
      ],
      { stop: 4 },
    );
    const read = readModelFile(p);
    expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const r = compileModel(read.model!).compiled!.run();
    const col = (n: string) => Array.from(r.columns[r.names.indexOf(n)]!);
    expect([col('c[a]')[0], col('c[b]')[0], col('m[a]')[0], col('m[b]')[0]]).toEqual([5, 6, 5, 7]);
    // Interpolated between the points, held at the ends.
    expect(col('series')).toEqual([10, 10, 20, 40, 40]);
    // A blank cell is a missing point; HOLD BACKWARD keeps the last value.
    expect(col('held')).toEqual([1, 1, 1, 3, 3]);
  });

  it('a missing file, sheet or cell is an error at the GET call', () => {
    const cases: [string, RegExp][] = [
      ["x = GET XLS CONSTANTS('nope.xlsx', 'Hoja1', 'A1') ~ ~ |", /no such file 'nope.xlsx'/],
      ["x = GET XLS CONSTANTS('book.xlsx', 'Sheet9', 'A1') ~ ~ |", /no sheet 'Sheet9'.*'Hoja1'/],
      ["x = GET XLS CONSTANTS('book.xlsx', 'Hoja1', 'Z99') ~ ~ |", /no number in cell Z99/],
    ];
    for (const [rec, msg] of cases) {
      const p = file([rec]);
      const d = readModelFile(p).diagnostics.find((x) => x.severity === 'error')!;
      expect(d.message).toMatch(msg);
      expect(d).toMatchObject({ file: p, line: 2, code: 'external-data' });
    }
  });
});

describe('Vensim allocation, NPV, VECTOR ELM MAP, VECTOR SELECT over two subscripts', () => {
  const alloc = (records: string[]) => run(mdl(records, { stop: 0 })).col;

  it('ALLOCATE BY PRIORITY serves the top priority first and starts the next at priority gap / width', () => {
    // Requests 3, 6, 2.5, 2 at priorities 10, 9, 7, 2, width 3. B starts once A holds 1/3 of its
    // request (1); C once B holds 2/3 of its (4); both then share in proportion to their requests.
    const base = ['R: a, b, c, d ~ ~ |', 'req[R] = 3, 6, 2.5, 2 ~ ~ |', 'pri[R] = 10, 9, 7, 2 ~ ~ |'];
    const at = (supply: number) => {
      const col = alloc([
        ...base,
        `out[R] = ALLOCATE BY PRIORITY(req[R], pri[R], ELMCOUNT(R), 3, ${supply}) ~ ~ |`,
      ]);
      return ['a', 'b', 'c', 'd'].map((e) => col(`out[${e}]`)[0]!);
    };
    // Supply 5: A takes 1 alone, then 4 shared 3:6.
    const five = at(5);
    [1 + 4 / 3, 8 / 3, 0, 0].forEach((v, i) => expect(five[i]).toBeCloseTo(v, 9));
    // Supply 8: A fills (3) as B reaches 4; the last 1 is shared 6:2.5 by B and C.
    const eight = at(8);
    [3, 4 + 6 / 8.5, 2.5 / 8.5, 0].forEach((v, i) => expect(eight[i]).toBeCloseTo(v, 9));
    expect(at(20)).toEqual([3, 6, 2.5, 2]);
    expect(at(0)).toEqual([0, 0, 0, 0]);
  });

  it('ALLOCATE AVAILABLE with each priority profile, against hand-solved shares', () => {
    const run2 = (profiles: string, requests: string, available: number) => {
      const col = alloc([
        'R: a, b ~ ~ |',
        'P: ptype, ppriority, pwidth, pextra ~ ~ |',
        `req[R] = ${requests} ~ ~ |`,
        `pp[R, P] = ${profiles} ~ ~ |`,
        `out[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], ${available}) ~ ~ |`,
      ]);
      return [col('out[a]')[0]!, col('out[b]')[0]!];
    };
    // Rectangular, priorities 5 and 3, width 2: a is full (10) before b starts; b gets the other 2.
    const rect = run2('1, 5, 2, 0; 1, 3, 2, 0;', '10, 10', 12);
    expect(rect[0]).toBeCloseTo(10, 9);
    expect(rect[1]).toBeCloseTo(2, 9);
    // Equal profiles share in proportion to the requests.
    const same = run2('1, 5, 2, 0; 1, 5, 2, 0;', '10, 30', 20);
    expect(same[0]).toBeCloseTo(5, 9);
    expect(same[1]).toBeCloseTo(15, 9);
    // Priorities 0 and 1, width 1 (symmetric, so the price settles at 0.5): exponential shares
    // 0.5 e^-0.5 and 1 - 0.5 e^-0.5; triangular (width 2) 2 x 0.25^2 and 1 - 2 x 0.25^2; normal
    // Q(0.5) = 0.308538 and 1 - Q(0.5) (Vensim's approximation is within 1.3e-5 of these).
    const ex = run2('4, 0, 1, 0; 4, 1, 1, 0;', '10, 10', 10);
    expect(ex[0]).toBeCloseTo(5 * Math.exp(-0.5), 9);
    expect(ex[1]).toBeCloseTo(10 - 5 * Math.exp(-0.5), 9);
    const tri = run2('2, 0, 2, 0; 2, 1, 2, 0;', '10, 10', 10);
    expect(tri[0]).toBeCloseTo(1.25, 9);
    expect(tri[1]).toBeCloseTo(8.75, 9);
    const nor = run2('3, 0, 1, 0; 3, 1, 1, 0;', '10, 10', 10);
    expect(nor[0]).toBeCloseTo(3.08538, 3);
    expect(nor[1]).toBeCloseTo(6.91462, 3);
    // Enough for all: every request in full.
    expect(run2('1, 5, 2, 0; 1, 3, 2, 0;', '10, 10', 25)).toEqual([10, 10]);
    // Fixed quantity (type 0, the other values ignored): a takes its whole 4 at any price and b
    // (rectangular over 2..4) the other 7 of its 10: the price settles at 2.6, 70% of 2..4 above it.
    const fixed = run2('0, 99, -1, 7; 1, 3, 2, 0;', '4, 10', 11);
    expect(fixed[0]).toBeCloseTo(4, 9);
    expect(fixed[1]).toBeCloseTo(7, 9);
    // Less than the fixed requests (4 and 6 of 5 available): no price balances; they share 2:3.
    const short = alloc([
      'R: a, b, c ~ ~ |',
      'P: ptype, ppriority, pwidth, pextra ~ ~ |',
      'req[R] = 4, 6, 10 ~ ~ |',
      'pp[R, P] = 0, 0, 0, 0; 0, 0, 0, 0; 3, 5, 1, 0; ~ ~ |',
      'out[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], 5) ~ ~ |',
    ]);
    expect(['a', 'b', 'c'].map((e) => short(`out[${e}]`)[0])).toEqual([2, 3, 0]);
  });

  it('ALLOCATE AVAILABLE refuses the profile types it does not model, at the call', () => {
    for (const [type, what] of [
      [5, 'constant elasticity'],
      [11, 'integer allocation'],
    ] as const) {
      const text = mdl([
        'R: a, b ~ ~ |',
        'P: ptype, ppriority, pwidth, pextra ~ ~ |',
        'req[R] = 10, 10 ~ ~ |',
        `pp[R, P] = 1, 5, 2, 0; ${type}, 3, 2, 1; ~ ~ |`,
        'out[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], 12) ~ ~ |',
      ]);
      const read = readModel(text, { file: 'a.mdl' });
      const d = read.diagnostics.find((x) => x.severity === 'error');
      expect(d?.message).toContain(`type ${type} (${what})`);
      expect(d).toMatchObject({ file: 'a.mdl', line: 6, code: 'unsupported-feature' });
    }
    // A type set element by element is seen too; a computed one is warned about.
    const perElement = readModel(
      mdl([
        'R: a, b ~ ~ |',
        'P: ptype, ppriority, pwidth, pextra ~ ~ |',
        'req[R] = 10, 10 ~ ~ |',
        'pp[R, ptype] = 5 ~ ~ |',
        'pp[R, ppriority] = 1 ~ ~ |',
        'pp[R, pwidth] = 1 ~ ~ |',
        'pp[R, pextra] = 1 ~ ~ |',
        'out[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], 12) ~ ~ |',
      ]),
      { file: 'a.mdl' },
    );
    expect(perElement.diagnostics.some((x) => x.severity === 'error' && /type 5/.test(x.message))).toBe(true);
    const computed = readModel(
      mdl([
        'R: a, b ~ ~ |',
        'P: ptype, ppriority, pwidth, pextra ~ ~ |',
        'req[R] = 10, 10 ~ ~ |',
        'pp[R, ptype] = 1 + Time ~ ~ |',
        'pp[R, ppriority] = 1 ~ ~ |',
        'pp[R, pwidth] = 1 ~ ~ |',
        'pp[R, pextra] = 1 ~ ~ |',
        'out[R] = ALLOCATE AVAILABLE(req[R], pp[R, ptype], 12) ~ ~ |',
      ]),
      { file: 'a.mdl' },
    );
    expect(computed.diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    expect(computed.diagnostics.some((x) => x.severity === 'warning' && /computed/.test(x.message))).toBe(
      true,
    );
  });

  it('NPV discounts each step by 1/(1 + rate x DT) and counts the current step', () => {
    const { col } = run(mdl(['x = NPV(100, 0.1, 0, 1) ~ ~ |'], { stop: 3 }));
    const npv = (t: number) =>
      Array.from({ length: t + 1 }, (_, k) => 100 / 1.1 ** k).reduce((a, b) => a + b);
    col('x').forEach((v, t) => expect(v).toBeCloseTo(npv(t), 9));
    // The factor scales the result, the initial value is where the accumulation starts.
    const { col: c2 } = run(mdl(['x = NPV(100, 0.1, 50, 0.5) ~ ~ |'], { stop: 1 }));
    expect(c2('x')[1]).toBeCloseTo((50 + 100 + 100 / 1.1) * 0.5, 9);
  });

  it('VECTOR ELM MAP reads the element offset places along, NaN outside', () => {
    const recs = ['D: d1, d2, d3, d4 ~ ~ |', 'v[D] = 10, 20, 30, 40 ~ ~ |'];
    expect(value('VECTOR ELM MAP(v[d2], 1)', recs)[0]).toBe(30);
    const { col } = run(mdl([...recs, 'y[D] = VECTOR ELM MAP(v[D], 1) ~ ~ |'], { stop: 0 }));
    expect(['d1', 'd2', 'd3'].map((e) => col(`y[${e}]`)[0])).toEqual([20, 30, 40]);
    expect(col('y[d4]')[0]).toBeNaN();
  });

  it('VECTOR SELECT over two different subscripts pairs every selection with every value', () => {
    const recs = ['A: a1, a2 ~ ~ |', 'B: b1, b2 ~ ~ |', 's[A] = 1, 2 ~ ~ |', 'vals[B] = 3, 5 ~ ~ |'];
    // Action 0 sums s_i x v_j over all pairs: (1 + 2) x (3 + 5); action 6 sums v_j once per selected s_i.
    expect(value('VECTOR SELECT(s[A!], vals[B!], -1, 0, 0)', recs)[0]).toBe(24);
    expect(value('VECTOR SELECT(s[A!], vals[B!], -1, 6, 0)', recs)[0]).toBe(16);
  });

  it('GET TIME VALUE refuses calendar measures and the computer clock at the argument', () => {
    const read = readModel(mdl(['x = GET TIME VALUE(0, 0, 1) ~ ~ |']), { file: 't.mdl' });
    const d = read.diagnostics.find((x) => x.severity === 'error');
    expect(d?.message).toMatch(/measure 1 is a calendar measure/);
    expect(d).toMatchObject({ file: 't.mdl', line: 2, column: 26, code: 'unsupported-feature' });
    const clock = readModel(mdl(['x = GET TIME VALUE(2, 0, 0) ~ ~ |']), { file: 't.mdl' });
    expect(clock.diagnostics.find((x) => x.severity === 'error')).toMatchObject({ line: 2, column: 20 });
    // Measure 0 runs: model time plus the offset.
    const { col } = run(mdl(['x = GET TIME VALUE(0, 2, 0) ~ ~ |'], { stop: 2 }));
    expect(col('x')).toEqual([2, 3, 4]);
  });
});
