import { readFileSync } from 'node:fs';
/**
 * Every builtin of the catalogue against hand-computed values. The last test checks that the
 * catalogue has no function without a test here, so a new builtin cannot land untested.
 */
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../src/equations/builtins.js';
import { aux, col, compileOk, doc, expectClose, flow, stock, type DocOptions } from './helpers.js';

/** Builtins exercised below (registered as the tests are declared). */
const covered = new Set<string>();
const cover = (...names: string[]) => names.forEach((n) => covered.add(n));

/** Run auxiliaries given as name -> equation and return each one's series. */
function series(eqns: Record<string, string>, o: DocOptions = {}, extra: string[] = []) {
  const r = compileOk(doc([...Object.entries(eqns).map(([n, e]) => aux(n, e)), ...extra], o)).run();
  const out: Record<string, number[]> = {};
  for (const n of Object.keys(eqns)) out[n] = Array.from(col(r, n));
  return { out, time: Array.from(r.time), results: r };
}

/** Values at the start only. */
function at0(eqns: Record<string, string>, o: DocOptions = {}, extra: string[] = []): Record<string, number> {
  const { out } = series(eqns, { stop: 0, ...o }, extra);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v[0]!]));
}

/** A plain Euler simulation of n first-order stages in series (the expansion DELAYN/SMTHN use). */
function eulerStages(
  input: (t: number) => number,
  total: number,
  n: number,
  dt: number,
  steps: number,
  init: number,
  kind: 'delay' | 'smooth',
): number[] {
  const T = total / n;
  // Material delays hold init x stage time in each stage; smooths hold init.
  const s = new Array<number>(n).fill(kind === 'delay' ? init * T : init);
  const out: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const t = k * dt;
    out.push(kind === 'delay' ? s[n - 1]! / T : s[n - 1]!);
    const rates = s.map((v, i) => {
      const inflow = i === 0 ? input(t) : kind === 'delay' ? s[i - 1]! / T : s[i - 1]!;
      return kind === 'delay' ? inflow - v / T : (inflow - v) / T;
    });
    for (let i = 0; i < n; i++) s[i] = s[i]! + dt * rates[i]!;
  }
  return out;
}

describe('mathematical functions', () => {
  cover('ABS', 'ARCCOS', 'ARCSIN', 'ARCTAN', 'COS', 'SIN', 'TAN', 'COSH', 'SINH', 'TANH', 'EXP');
  cover('INT', 'LN', 'LOG10', 'LOG', 'SQRT', 'SIGN', 'ROUND', 'MOD', 'POWER', 'MAX', 'MIN');
  cover('SAFEDIV', 'XIDZ', 'ZIDZ', 'PI', 'INF');

  it('trigonometric, hyperbolic, exponential and logarithmic functions', () => {
    const v = at0({
      abs: 'ABS(-3.5)',
      acos: 'ARCCOS(0)',
      acosOut: 'ARCCOS(2)',
      asin: 'ARCSIN(1)',
      atan: 'ARCTAN(1)',
      cos: 'COS(PI)',
      sin: 'SIN(PI / 6)',
      tan: 'TAN(PI / 4)',
      cosh: 'COSH(1)',
      sinh: 'SINH(1)',
      tanh: 'TANH(1)',
      exp: 'EXP(2)',
      ln: 'LN(EXP(3))',
      ln0: 'LN(0)',
      lnNeg: 'LN(-1)',
      log10: 'LOG10(1000)',
      log: 'LOG(81, 3)',
      sqrt: 'SQRT(2.25)',
      sqrtNeg: 'SQRT(-1)',
      power: 'POWER(2, 10)',
      caret: '2 ^ 3 ^ 2',
      piValue: 'PI',
      infValue: 'INF',
      negInf: '-INF',
    });
    expect(v.abs).toBe(3.5);
    expect(v.acos).toBeCloseTo(Math.PI / 2, 15);
    expect(v.acosOut).toBeNaN();
    expect(v.asin).toBeCloseTo(Math.PI / 2, 15);
    expect(v.atan).toBeCloseTo(Math.PI / 4, 15);
    expect(v.cos).toBe(-1);
    expect(v.sin).toBeCloseTo(0.5, 15);
    expect(v.tan).toBeCloseTo(1, 15);
    const e = Math.E;
    expect(v.cosh).toBeCloseTo((e + 1 / e) / 2, 14);
    expect(v.sinh).toBeCloseTo((e - 1 / e) / 2, 14);
    expect(v.tanh).toBeCloseTo((e * e - 1) / (e * e + 1), 14);
    expect(v.exp).toBeCloseTo(e * e, 13);
    expect(v.ln).toBeCloseTo(3, 14);
    expect(v.ln0).toBe(-Infinity);
    expect(v.lnNeg).toBeNaN();
    expect(v.log10).toBeCloseTo(3, 14);
    expect(v.log).toBeCloseTo(4, 14);
    expect(v.sqrt).toBe(1.5);
    expect(v.sqrtNeg).toBeNaN();
    expect(v.power).toBe(1024);
    // `^` is right-associative: 2^(3^2) = 512, not (2^3)^2 = 64.
    expect(v.caret).toBe(512);
    expect(v.piValue).toBe(Math.PI);
    expect(v.infValue).toBe(Infinity);
    expect(v.negInf).toBe(-Infinity);
  });

  it('INT floors, ROUND rounds halves away from zero, SIGN', () => {
    const v = at0({
      intPos: 'INT(2.7)',
      intNeg: 'INT(-1.5)',
      intWhole: 'INT(-3)',
      roundUp: 'ROUND(2.5)',
      roundDown: 'ROUND(-2.5)',
      roundNear: 'ROUND(-2.4)',
      signNeg: 'SIGN(-0.1)',
      signZero: 'SIGN(0)',
      signPos: 'SIGN(7)',
    });
    expect(v).toEqual({
      intPos: 2,
      intNeg: -2,
      intWhole: -3,
      roundUp: 3,
      roundDown: -3,
      roundNear: -2,
      signNeg: -1,
      signZero: 0,
      signPos: 1,
    });
  });

  it('MOD is the floored remainder (the sign of the divisor), as a function and as an operator', () => {
    const v = at0({
      a: 'MOD(7, 3)',
      b: 'MOD(-7, 3)',
      c: 'MOD(7, -3)',
      d: 'MOD(-7, -3)',
      e: '-7 MOD 3',
      f: '5.5 MOD 2',
      g: '1 + 8 MOD 5 * 2',
    });
    // `MOD` binds like `*`: 1 + ((8 MOD 5) * 2) = 7.
    expect(v).toEqual({ a: 1, b: 2, c: -2, d: -1, e: 2, f: 1.5, g: 7 });
  });

  it('MAX and MIN over several arguments; SAFEDIV, XIDZ and ZIDZ guard a zero divisor', () => {
    const v = at0({
      max: 'MAX(1, 5, 3)',
      min: 'MIN(4, -2, 8)',
      max1: 'MAX(7)',
      sd: 'SAFEDIV(6, 3)',
      sd0: 'SAFEDIV(1, 0)',
      sdx: 'SAFEDIV(1, 0, 5)',
      xidz: 'XIDZ(1, 0, 7)',
      xidzOk: 'XIDZ(9, 3, 7)',
      zidz: 'ZIDZ(1, 0)',
      zidzOk: 'ZIDZ(1, 4)',
      div0: '1 / 0',
    });
    expect(v).toEqual({
      max: 5,
      min: -2,
      max1: 7,
      sd: 2,
      sd0: 0,
      sdx: 5,
      xidz: 7,
      xidzOk: 3,
      zidz: 0,
      zidzOk: 0.25,
      div0: Infinity,
    });
  });

  it('logical operators and IF THEN ELSE give 1 and 0', () => {
    const v = at0({
      and: '1 AND 0',
      or: '1 OR 0',
      not: 'NOT 0',
      cmp: '(2 < 3) + (2 <= 2) + (3 > 2) + (3 >= 4) + (2 = 2) + (2 <> 2)',
      ifs: 'IF 2 > 1 THEN 10 ELSE 20',
      nested: 'IF 0 THEN 1 ELSE IF 1 THEN 2 ELSE 3',
    });
    expect(v).toEqual({ and: 0, or: 1, not: 1, cmp: 4, ifs: 10, nested: 2 });
  });
});

describe('time and test inputs', () => {
  cover('TIME', 'DT', 'STARTTIME', 'STOPTIME', 'PULSE', 'RAMP', 'STEP');
  const o = { start: 0, stop: 3, dt: 0.5 };

  it('TIME, DT, STARTTIME, STOPTIME (time is start + k dt, never accumulated)', () => {
    const { out } = series(
      { t: 'TIME', step: 'DT', s: 'STARTTIME', e: 'STOPTIME' },
      { start: 0.1, stop: 1.1, dt: 0.1 },
    );
    expectClose(
      out.t!,
      Array.from({ length: 11 }, (_, k) => 0.1 + k * 0.1),
      1e-15,
    );
    expect(out.step!.every((x) => x === 0.1)).toBe(true);
    expect(out.s!.every((x) => x === 0.1)).toBe(true);
    expect(out.e!.every((x) => x === 1.1)).toBe(true);
  });

  it('PULSE without interval fires once with height magnitude/DT; with an interval it repeats', () => {
    const { out } = series({ once: 'PULSE(2, 1)', zero: 'PULSE(2, 1, 0)', rep: 'PULSE(2, 1, 1.5)' }, o);
    expect(out.once).toEqual([0, 0, 4, 0, 0, 0, 0]);
    expect(out.zero).toEqual([0, 0, 4, 0, 0, 0, 0]);
    expect(out.rep).toEqual([0, 0, 4, 0, 0, 4, 0]);
  });

  it('a PULSE into a stock moves exactly its magnitude', () => {
    const r = compileOk(
      doc([stock('S', '0', ['inflow']), flow('inflow', 'PULSE(3, 1) + PULSE(2, 2, 0.5)')], o),
    ).run();
    // 3 at t = 1; 2 at t = 2, 2.5 (and 3, too late to land by the stop time).
    expect(Array.from(col(r, 'S'))).toEqual([0, 0, 0, 3, 3, 5, 7]);
  });

  it('RAMP without end keeps rising; with an end it holds', () => {
    const { out } = series({ up: 'RAMP(2, 1)', held: 'RAMP(2, 1, 2)', down: 'RAMP(-1, 0)' }, o);
    expect(out.up).toEqual([0, 0, 0, 1, 2, 3, 4]);
    expect(out.held).toEqual([0, 0, 0, 1, 2, 2, 2]);
    expect(out.down).toEqual([0, -0.5, -1, -1.5, -2, -2.5, -3]);
  });

  it('STEP switches at its time, or at the first step after it', () => {
    const { out } = series({ a: 'STEP(3, 1)', b: 'STEP(-2, 1.25)', c: 'STEP(5, 0)' }, o);
    expect(out.a).toEqual([0, 0, 3, 3, 3, 3, 3]);
    expect(out.b).toEqual([0, 0, 0, -2, -2, -2, -2]);
    expect(out.c).toEqual([5, 5, 5, 5, 5, 5, 5]);
  });
});

describe('delays and smooths (Euler, hand-computed)', () => {
  cover('DELAY', 'DELAY1', 'DELAY3', 'DELAYN', 'SMTH1', 'SMTH3', 'SMTHN', 'TREND', 'FORCST');
  const o = { start: 0, stop: 3, dt: 0.5 };

  it('DELAY is a pipeline: the input of `delay` ago, its initial value before then', () => {
    const { out } = series(
      {
        d: 'DELAY(TIME, 1)',
        init: 'DELAY(TIME, 1, 9)',
        frac: 'DELAY(TIME, 0.75, 9)',
        step: 'DELAY(STEP(4, 0.5), 1.5)',
      },
      o,
    );
    expect(out.d).toEqual([0, 0, 0, 0.5, 1, 1.5, 2]);
    expect(out.init).toEqual([9, 9, 0, 0.5, 1, 1.5, 2]);
    // A delay between steps interpolates the recorded input: TIME - 0.75.
    expect(out.frac).toEqual([9, 9, 0.25, 0.75, 1.25, 1.75, 2.25]);
    expect(out.step).toEqual([0, 0, 0, 0, 4, 4, 4]);
  });

  it('DELAY1: one stock holding init x delay, drained at stock/delay', () => {
    const { out } = series(
      { d: 'DELAY1(STEP(4, 1), 2, 0)', eq: 'DELAY1(10, 2)', init: 'DELAY1(5, 2, 1)' },
      o,
    );
    // s(1.5) = 0.5 x 4 = 2 -> 1; s(2) = 2 + 0.5 (4 - 1) = 3.5 -> 1.75; s(2.5) = 4.625 -> 2.3125.
    expect(out.d!.slice(0, 6)).toEqual([0, 0, 0, 1, 1.75, 2.3125]);
    // Initialised at its input, a delay of a constant stays in equilibrium.
    expect(out.eq!.every((x) => x === 10)).toBe(true);
    // s0 = 1 x 2 = 2 -> 1; s(0.5) = 2 + 0.5 (5 - 1) = 4 -> 2.
    expect(out.init!.slice(0, 2)).toEqual([1, 2]);
  });

  it('DELAY3 and DELAYN: stages in series, each delay/n', () => {
    const { out } = series(
      { d3: 'DELAY3(STEP(3, 0), 3, 0)', dn3: 'DELAYN(STEP(3, 0), 3, 3, 0)', dn2: 'DELAYN(TIME, 2, 2)' },
      o,
    );
    // Stage time 1: s1 = 1.5, 2.25, 2.625; s2 = 0, 0.75, 1.5; s3 = 0, 0, 0.375 at t = 0.5, 1, 1.5.
    expect(out.d3!.slice(0, 4)).toEqual([0, 0, 0, 0.375]);
    expectClose(
      out.d3!,
      eulerStages(() => 3, 3, 3, 0.5, 6, 0, 'delay'),
      1e-12,
    );
    expect(out.dn3).toEqual(out.d3);
    expectClose(
      out.dn2!,
      eulerStages((t) => t, 2, 2, 0.5, 6, 0, 'delay'),
      1e-12,
    );
  });

  it('SMTH1, SMTH3 and SMTHN: exponential smooths in series', () => {
    const { out } = series(
      {
        s1: 'SMTH1(STEP(2, 0.5), 1, 0)',
        s1d: 'SMTH1(5, 4)',
        s3: 'SMTH3(TIME, 1.5, 1)',
        sn: 'SMTHN(TIME, 2, 4)',
        sn3: 'SMTHN(TIME, 1.5, 3, 1)',
      },
      o,
    );
    // S(1) = 0.5 x 2 / 1 = 1; S(1.5) = 1 + 0.5 (2 - 1) = 1.5; S(2) = 1.75.
    expect(out.s1!.slice(0, 5)).toEqual([0, 0, 1, 1.5, 1.75]);
    expect(out.s1d!.every((x) => x === 5)).toBe(true);
    expectClose(
      out.s3!,
      eulerStages((t) => t, 1.5, 3, 0.5, 6, 1, 'smooth'),
      1e-12,
    );
    expectClose(
      out.sn!,
      eulerStages((t) => t, 2, 4, 0.5, 6, 0, 'smooth'),
      1e-12,
    );
    expect(out.sn3).toEqual(out.s3);
  });

  it('TREND and FORCST: fractional change per time unit and its extrapolation', () => {
    const { out } = series(
      { tr: 'TREND(TIME + 1, 1)', tri: 'TREND(TIME + 1, 1, 0.5)', fc: 'FORCST(TIME + 1, 1, 2)' },
      o,
    );
    // A(0) = 1, A(0.5) = 1, A(1) = 1.25: trend (1.5 - 1)/1 = 0.5, (2 - 1.25)/1.25 = 0.6.
    expectClose(out.tr!.slice(0, 3), [0, 0.5, 0.6], 1e-15);
    // Initialised at the given trend: A(0) = 1 / (1 + 0.5) so that (1 - A)/A = 0.5.
    expect(out.tri![0]).toBeCloseTo(0.5, 15);
    // FORCST = input (1 + trend x horizon): 1 x 1, 1.5 x (1 + 1), 2 x (1 + 1.2).
    expectClose(out.fc!.slice(0, 3), [1, 3, 4.4], 1e-14);
  });
});

describe('INIT, PREVIOUS and SELF', () => {
  cover('INIT', 'PREVIOUS', 'SELF');
  const o = { start: 0, stop: 2, dt: 0.5 };

  it('INIT holds the value at the start', () => {
    const r = compileOk(
      doc([aux('i', 'INIT(TIME + 2)'), stock('S', '3', ['f']), flow('f', '1'), aux('si', 'INIT(S) * 10')], o),
    ).run();
    expect(Array.from(col(r, 'i'))).toEqual([2, 2, 2, 2, 2]);
    expect(Array.from(col(r, 'S'))).toEqual([3, 3.5, 4, 4.5, 5]);
    expect(Array.from(col(r, 'si'))).toEqual([30, 30, 30, 30, 30]);
  });

  it('PREVIOUS is the value one DT ago, its initial argument (or the value itself) first', () => {
    const { out } = series(
      { p: 'PREVIOUS(TIME)', p7: 'PREVIOUS(TIME, 7)', count: 'PREVIOUS(SELF, 0) + 1', sq: 'TIME * TIME' },
      o,
    );
    expect(out.p).toEqual([0, 0, 0.5, 1, 1.5]);
    expect(out.p7).toEqual([7, 0, 0.5, 1, 1.5]);
    expect(out.count).toEqual([1, 2, 3, 4, 5]);
  });

  it('SIZE(SELF) is the number of elements of the variable being defined', () => {
    const r = compileOk(
      doc(
        [
          '<aux name="a"><dimensions><dim name="C"/></dimensions><eqn>SIZE(SELF)</eqn></aux>',
          '<aux name="m"><dimensions><dim name="C"/><dim name="D"/></dimensions><eqn>SIZE(SELF[1, *])</eqn></aux>',
        ],
        { stop: 0, dims: { C: ['x', 'y', 'z'], D: 2 } },
      ),
    ).run();
    expect(col(r, 'a[y]')[0]).toBe(3);
    expect(col(r, 'm[z,2]')[0]).toBe(2);
  });
});

describe('graphical functions and LOOKUP', () => {
  cover('LOOKUP');
  const gfVar = (name: string, type: string, eqn: string) =>
    `<aux name="${name}"><eqn>${eqn}</eqn><gf type="${type}"><xpts>0,1,3</xpts><ypts>0,10,0</ypts></gf></aux>`;
  const o = { start: -1, stop: 4, dt: 0.5 };
  // x = TIME: -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4

  it('continuous interpolates and clamps, extrapolate continues the end segments, discrete steps', () => {
    const r = compileOk(
      doc(
        [gfVar('c', 'continuous', 'TIME'), gfVar('x', 'extrapolate', 'TIME'), gfVar('d', 'discrete', 'TIME')],
        o,
      ),
    ).run();
    expect(Array.from(col(r, 'c'))).toEqual([0, 0, 0, 5, 10, 7.5, 5, 2.5, 0, 0, 0]);
    expect(Array.from(col(r, 'x'))).toEqual([-10, -5, 0, 5, 10, 7.5, 5, 2.5, 0, -2.5, -5]);
    expect(Array.from(col(r, 'd'))).toEqual([0, 0, 0, 0, 10, 10, 10, 10, 0, 0, 0]);
  });

  it('xscale spreads the points evenly; a gf without an equation reads TIME', () => {
    const r = compileOk(
      doc(
        [
          '<aux name="sq"><eqn>TIME / 2</eqn><gf><xscale min="0" max="2"/><ypts>0,1,4</ypts></gf></aux>',
          '<aux name="byTime"><gf><xscale min="0" max="4"/><ypts>0,1,4,9,16</ypts></gf></aux>',
        ],
        { stop: 4, dt: 1 },
      ),
    ).run();
    // Points (0,0), (1,1), (2,4); TIME/2 = 0, 0.5, 1, 1.5, 2.
    expect(Array.from(col(r, 'sq'))).toEqual([0, 0.5, 1, 2.5, 4]);
    expect(Array.from(col(r, 'byTime'))).toEqual([0, 1, 4, 9, 16]);
  });

  it('a standalone gf is called as a function, and LOOKUP(gf, x) is the same', () => {
    const r = compileOk(
      doc(
        [
          '<gf name="table" type="extrapolate"><xscale min="0" max="1"/><ypts>0,2</ypts></gf>',
          aux('direct', 'table(TIME)'),
          aux('viaLookup', 'LOOKUP(table, TIME / 2)'),
          gfVar('g', 'continuous', '0'),
          aux('gOfTwo', 'g(2)'),
          aux('lookupG', 'LOOKUP(g, 0.5)'),
        ],
        { stop: 3, dt: 1 },
      ),
    ).run();
    expect(Array.from(col(r, 'direct'))).toEqual([0, 2, 4, 6]);
    expect(Array.from(col(r, 'viaLookup'))).toEqual([0, 1, 2, 3]);
    expect(col(r, 'gOfTwo')[0]).toBe(5);
    expect(col(r, 'lookupG')[0]).toBe(5);
  });
});

describe('arrays', () => {
  cover('SUM', 'MEAN', 'SIZE', 'STDDEV', 'PROD', 'RANK');
  const dims = { C: ['x', 'y', 'z'], D: 2 };
  const arr = (name: string, d: string[], eqn: string) =>
    `<aux name="${name}"><dimensions>${d.map((x) => `<dim name="${x}"/>`).join('')}</dimensions><eqn>${eqn}</eqn></aux>`;
  const b =
    '<aux name="b"><dimensions><dim name="C"/></dimensions>' +
    '<element subscript="x"><eqn>4</eqn></element><element subscript="y"><eqn>1</eqn></element>' +
    '<element subscript="z"><eqn>9</eqn></element></aux>';

  it('apply-to-all, per-element definitions, element and position references', () => {
    const r = compileOk(
      doc(
        [
          arr('a', ['C'], 'C * 10'),
          b,
          arr('m', ['C', 'D'], 'a[C] + D'),
          aux('e1', 'a[2]'),
          aux('e2', 'b[z]'),
          aux('e3', 'm[y, 2]'),
          aux('dyn', 'a[TIME]'),
        ],
        { stop: 4, dims },
      ),
    ).run();
    expect(['a[x]', 'a[y]', 'a[z]'].map((n) => col(r, n)[0])).toEqual([10, 20, 30]);
    expect(['b[x]', 'b[y]', 'b[z]'].map((n) => col(r, n)[0])).toEqual([4, 1, 9]);
    expect(['m[x,1]', 'm[x,2]', 'm[z,1]', 'm[z,2]'].map((n) => col(r, n)[0])).toEqual([11, 12, 31, 32]);
    expect([col(r, 'e1')[0], col(r, 'e2')[0], col(r, 'e3')[0]]).toEqual([20, 9, 22]);
    // A computed index is 1-based; outside the dimension it reads 0.
    expect(Array.from(col(r, 'dyn'))).toEqual([0, 10, 20, 30, 0]);
  });

  it('SUM, MEAN, MIN, MAX, SIZE, STDDEV, PROD and RANK over elements, wildcards and ranges', () => {
    const v = at0(
      {
        sum: 'SUM(a[*])',
        sumBare: 'SUM(a)',
        range: 'SUM(a[x:y])',
        sum2: 'SUM(m[*, *])',
        row: 'SUM(m[y, *])',
        column: 'SUM(m[*, 1])',
        mean: 'MEAN(b[*])',
        meanArgs: 'MEAN(1, 2, 6)',
        min: 'MIN(b[*])',
        max: 'MAX(b)',
        size: 'SIZE(b)',
        sizeRow: 'SIZE(m[x, *])',
        sd: 'STDDEV(b[*])',
        prod: 'PROD(b[*])',
        rank1: 'RANK(b, 1)',
        rank3: 'RANK(b[*], 3)',
        ties: 'RANK(t, 2)',
        tieBreak: 'RANK(t, 2, rev)',
      },
      { dims },
      [
        arr('a', ['C'], 'C * 10'),
        b,
        arr('m', ['C', 'D'], 'a[C] + D'),
        arr('t', ['C'], '1, 2, 1'),
        arr('rev', ['C'], '3 - C'),
      ],
    );
    const bs = [4, 1, 9];
    const mean = 14 / 3;
    expect(v).toEqual({
      sum: 60,
      sumBare: 60,
      range: 30,
      sum2: 11 + 12 + 21 + 22 + 31 + 32,
      row: 43,
      column: 11 + 21 + 31,
      mean,
      meanArgs: 3,
      min: 1,
      max: 9,
      size: 3,
      sizeRow: 2,
      sd: Math.sqrt(bs.reduce((s, x) => s + (x - mean) ** 2, 0) / 3),
      prod: 36,
      rank1: 2,
      rank3: 3,
      // t = 1, 2, 1: ascending x, z, y by position; rev (2, 1, 0) puts z before x.
      ties: 3,
      tieBreak: 1,
    });
  });

  it('a stock arrayed like its flows integrates element by element', () => {
    const r = compileOk(
      doc(
        [
          '<stock name="S"><dimensions><dim name="C"/></dimensions><eqn>C</eqn><inflow>f</inflow></stock>',
          '<flow name="f"><dimensions><dim name="C"/></dimensions><eqn>S[C] * 0.5</eqn></flow>',
          aux('total', 'SUM(S[*])'),
        ],
        { stop: 2, dims },
      ),
    ).run();
    expect(Array.from(col(r, 'S[z]'))).toEqual([3, 4.5, 6.75]);
    expect(Array.from(col(r, 'total'))).toEqual([6, 9, 13.5]);
  });
});

describe('transposition', () => {
  cover('TRANSPOSE');
  it("A' reverses the dimensions; A[@2, @1] is the same; SUM sees the transposed order", () => {
    const m =
      '<aux name="m"><dimensions><dim name="R"/><dim name="S"/></dimensions><eqn>10 * R + S</eqn></aux>';
    const t = (name: string, eqn: string) =>
      `<aux name="${name}"><dimensions><dim name="S"/><dim name="R"/></dimensions><eqn>${eqn}</eqn></aux>`;
    const r = compileOk(
      doc([m, t('t', "m'"), t('p', 'm[@2, @1]'), aux('first', 'SUM(t[1, *])'), aux('all', "SUM(m')")], {
        stop: 0,
        dims: { R: 2, S: 3 },
      }),
    ).run();
    // t[s, r] = m[r, s] = 10 r + s.
    for (const [s, rr] of [
      [1, 1],
      [2, 1],
      [3, 2],
    ]) {
      expect(col(r, `t[${s},${rr}]`)[0]).toBe(10 * rr! + s!);
      expect(col(r, `p[${s},${rr}]`)[0]).toBe(10 * rr! + s!);
    }
    // Row 1 of the transpose is column 1 of m: 11 + 21.
    expect(col(r, 'first')[0]).toBe(32);
    expect(col(r, 'all')[0]).toBe(11 + 12 + 13 + 21 + 22 + 23);
  });
});

describe('random numbers', () => {
  cover('RANDOM', 'NORMAL', 'LOGNORMAL', 'EXPRND', 'POISSON');
  const draws = {
    u: 'RANDOM(2, 5)',
    n: 'NORMAL(1, 2)',
    ln: 'LOGNORMAL(2, 1)',
    ex: 'EXPRND(2)',
    po: 'POISSON(3)',
  };
  const long = compileOk(
    doc(
      Object.entries(draws).map(([n, e]) => aux(n, e)),
      { stop: 20000 },
    ),
  );

  it('the same seed gives identical series, another seed different ones', () => {
    const a = long.run({ seed: 5, stop: 200 });
    const b = long.run({ seed: 5, stop: 200 });
    const c = long.run({ seed: 6, stop: 200 });
    for (const name of Object.keys(draws)) {
      expect(col(a, name)).toEqual(col(b, name));
      expect(col(a, name)).not.toEqual(col(c, name));
    }
  });

  it('streams of different run seeds never coincide, however many draws a model has', () => {
    const m = compileOk(
      doc(['<aux name="u"><dimensions><dim name="N"/></dimensions><eqn>RANDOM(0, 1)</eqn></aux>'], {
        stop: 3,
        dims: { N: 8000 },
      }),
    );
    const a = m.run({ seed: 1 });
    const b = m.run({ seed: 2 });
    // Seeding stream i with seed x 7919 + i made element 7920 of seed 1 a copy of element 1 of seed 2.
    expect(col(a, 'u[7920]')).not.toEqual(col(b, 'u[1]'));
    expect(col(a, 'u[1]')).not.toEqual(col(b, 'u[1]'));
    expect(col(a, 'u[1]')).not.toEqual(col(a, 'u[2]'));
  });

  it('an explicit seed argument repeats across runs whatever the run seed', () => {
    const m = compileOk(
      doc([aux('a', 'RANDOM(0, 1, 42)'), aux('b', 'NORMAL(0, 1, 42)'), aux('c', 'RANDOM(0, 1, 43)')], {
        stop: 50,
      }),
    );
    const r1 = m.run({ seed: 1 });
    const r2 = m.run({ seed: 99 });
    expect(col(r1, 'a')).toEqual(col(r2, 'a'));
    expect(col(r1, 'b')).toEqual(col(r2, 'b'));
    expect(col(r1, 'a')).not.toEqual(col(r1, 'c'));
    // A new draw every step.
    expect(new Set(col(r1, 'a')).size).toBe(51);
  });

  it('sample mean and variance match each distribution over 20001 steps', () => {
    const r = long.run({ seed: 3 });
    const stats = (x: Float64Array) => {
      const m = x.reduce((s, v) => s + v, 0) / x.length;
      return { mean: m, variance: x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1) };
    };
    const expected: Record<string, { mean: number; variance: number }> = {
      u: { mean: 3.5, variance: 9 / 12 },
      n: { mean: 1, variance: 4 },
      ln: { mean: 2, variance: 1 },
      ex: { mean: 2, variance: 4 },
      po: { mean: 3, variance: 3 },
    };
    for (const [name, want] of Object.entries(expected)) {
      const x = col(r, name);
      const got = stats(x);
      // Five standard errors of the mean; ten per cent on the variance.
      expect(Math.abs(got.mean - want.mean), name).toBeLessThan(5 * Math.sqrt(want.variance / x.length));
      expect(Math.abs(got.variance / want.variance - 1), name).toBeLessThan(0.1);
    }
    expect(col(r, 'u').every((v) => v >= 2 && v < 5)).toBe(true);
    expect(col(r, 'po').every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(col(r, 'ex').every((v) => v >= 0)).toBe(true);
    expect(col(r, 'ln').every((v) => v > 0)).toBe(true);
  });
});

describe('non-negative stocks and uniflows', () => {
  it('a non-negative stock stops at zero; a plain one goes below', () => {
    const r = compileOk(
      doc(
        [
          stock('S', '10', [], ['out'], '<non_negative/>'),
          flow('out', '4'),
          stock('F', '10', [], ['out2']),
          flow('out2', '4'),
        ],
        { stop: 4 },
      ),
    ).run();
    expect(Array.from(col(r, 'S'))).toEqual([10, 6, 2, 0, 0]);
    expect(Array.from(col(r, 'F'))).toEqual([10, 6, 2, -2, -6]);
  });

  it('a uniflow never runs backwards', () => {
    const r = compileOk(
      doc(
        [
          stock('S', '5', ['f']),
          flow('f', '2 - TIME', '<non_negative/>'),
          stock('B', '5', ['g']),
          flow('g', '2 - TIME'),
        ],
        { stop: 4 },
      ),
    ).run();
    expect(Array.from(col(r, 'f'))).toEqual([2, 1, 0, 0, 0]);
    expect(Array.from(col(r, 'S'))).toEqual([5, 7, 8, 8, 8]);
    expect(Array.from(col(r, 'B'))).toEqual([5, 7, 8, 8, 7]);
  });
});

describe('catalogue coverage', () => {
  it('every builtin of the catalogue has a test in this file (Vensim ones: in the Vensim reader tests)', () => {
    // Vensim's own functions are tested through .mdl equations, where they are written with spaces.
    const vensimTests = readFileSync(new URL('../../src/vensim/reader.test.ts', import.meta.url), 'utf8');
    const vensimName = (n: string) => n.replace(/^VENSIM_/, '').replace(/_/g, ' ');
    const missing = BUILTINS.map((f) => f.name).filter(
      (n) => !covered.has(n) && !vensimTests.includes(vensimName(n)),
    );
    expect(missing).toEqual([]);
  });
});
