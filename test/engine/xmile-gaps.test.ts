/**
 * XMILE features the conformance suites use beyond the builtins: broadcasting by dimension name,
 * `*:Dim`, an element's own graphical function in LOOKUP, DELAYN with an order that is not a
 * literal, `<init_eqn>`, MIN/MAX over an array and scalars, `@n`, PULSE between steps, and
 * `mod` as a variable name. Expected values are computed by hand in each test.
 */
import { describe, expect, it } from 'vitest';
import { aux, col, compileOk, doc, esc, flow, stock } from './helpers.js';

const arr = (name: string, d: string[], eqn: string) =>
  `<aux name="${name}"><dimensions>${d.map((x) => `<dim name="${x}"/>`).join('')}</dimensions><eqn>${esc(eqn)}</eqn></aux>`;

describe('broadcasting and wildcards', () => {
  const dims = { Region: ['north', 'south'], Product: ['a', 'b', 'c'] };
  it('sales[*, *] * price[*] repeats price along Region', () => {
    const r = compileOk(
      doc(
        [
          arr('sales', ['Region', 'Product'], 'Region * 10 + Product'),
          arr('price', ['Product'], 'Product * 2'),
          aux('revenue', 'SUM(sales[*, *] * price[*])'),
          aux('mean revenue', 'MEAN(price[*] * sales[*, *])'),
        ],
        { stop: 0, dims },
      ),
    ).run();
    // sum over r in 1..2, p in 1..3 of (10 r + p) * 2 p
    let want = 0;
    for (let rr = 1; rr <= 2; rr++) for (let p = 1; p <= 3; p++) want += (10 * rr + p) * 2 * p;
    expect(col(r, 'revenue')[0]).toBe(want);
    expect(col(r, 'mean revenue')[0]).toBeCloseTo(want / 6, 12);
  });

  it('*:Dim is a wildcard over that position', () => {
    const r = compileOk(
      doc([arr('m', ['Cats', 'Dummy'], 'Cats * 10 + Dummy'), arr('row', ['Cats'], 'SUM(m[Cats, *:Dummy])')], {
        stop: 0,
        dims: { Cats: 2, Dummy: 3 },
      }),
    ).run();
    expect(col(r, 'row[1]')[0]).toBe(11 + 12 + 13);
    expect(col(r, 'row[2]')[0]).toBe(21 + 22 + 23);
  });

  it('MIN and MAX over an array and scalars together', () => {
    const r = compileOk(
      doc(
        [
          arr('a', ['D'], 'D * 3 - 5'),
          aux('hi', 'MAX(a[*], 0)'),
          aux('lo', 'MIN(a[*], -10)'),
          aux('lo2', 'MIN(a[*], 0)'),
          arr('clip', ['D'], 'MAX(a, 0)'),
        ],
        { stop: 0, dims: { D: 3 } },
      ),
    ).run();
    // a = -2, 1, 4
    expect(col(r, 'hi')[0]).toBe(4);
    expect(col(r, 'lo')[0]).toBe(-10);
    expect(col(r, 'lo2')[0]).toBe(-2);
    expect([1, 2, 3].map((i) => col(r, `clip[${i}]`)[0])).toEqual([0, 1, 4]);
  });
});

describe('graphical functions', () => {
  it("LOOKUP on one element's own graphical function", () => {
    const tables =
      '<aux name="tables"><dimensions><dim name="T"/></dimensions>' +
      '<element subscript="A"><gf><xscale min="0" max="10"/><ypts>0,10</ypts></gf><eqn>0</eqn></element>' +
      '<element subscript="B"><gf><xscale min="0" max="10"/><ypts>5,-5</ypts></gf><eqn>0</eqn></element></aux>';
    const r = compileOk(
      doc(
        [
          tables,
          aux('input', 'TIME / 2'),
          aux('ra', 'LOOKUP(tables[A], input)'),
          aux('rb', 'LOOKUP(tables[B], input)'),
        ],
        {
          stop: 4,
          dims: { T: ['A', 'B'] },
        },
      ),
    ).run();
    // At t = 4, input = 2: A gives 2, B gives 5 - 2 = 3.
    expect(col(r, 'ra')[4]).toBeCloseTo(2, 12);
    expect(col(r, 'rb')[4]).toBeCloseTo(3, 12);
  });

  it('LOOKUP(COSH, x) applies the function of that name (as converters write it)', () => {
    const r = compileOk(doc([aux('y', 'LOOKUP(COSH, 0.5)')], { stop: 0 })).run();
    expect(col(r, 'y')[0]).toBe(Math.cosh(0.5));
  });
});

describe('delays with a computed order', () => {
  it('DELAYN takes the initial value of its order expression', () => {
    // order = 2 + STEP(1, 10): 2 at the start, so a second-order delay throughout.
    const r = compileOk(
      doc(
        [
          aux('input', 'STEP(4, 2)'),
          aux('order', '2 + STEP(1, 10)'),
          aux('n', 'DELAYN(input, 4, order, 0)'),
          aux('two', 'DELAYN(input, 4, 2, 0)'),
        ],
        { stop: 20 },
      ),
    ).run();
    expect(Array.from(col(r, 'n'))).toEqual(Array.from(col(r, 'two')));
    expect(col(r, 'n')[20]).toBeGreaterThan(3.9);
  });
});

describe('<init_eqn>', () => {
  it('an auxiliary gives its initial equation to initial values, its equation afterwards', () => {
    const r = compileOk(
      doc(
        [
          '<aux name="value"><eqn>TIME</eqn><init_eqn>45</init_eqn></aux>',
          stock('S', 'value', ['f']),
          flow('f', '1'),
        ],
        { stop: 3 },
      ),
    ).run();
    expect(Array.from(col(r, 'S'))).toEqual([45, 46, 47, 48]);
    expect(Array.from(col(r, 'value'))).toEqual([0, 1, 2, 3]);
  });
});

describe('PULSE between steps', () => {
  it('fires at the first step at or after its time, never before', () => {
    const r = compileOk(
      doc([aux('p', 'PULSE(1, 0.25)'), aux('q', 'PULSE(1, 1, 0.75)'), aux('z', 'PULSE(1, 0)')], {
        stop: 3,
        dt: 0.5,
      }),
    ).run();
    // t = 0, 0.5, ..., 3
    expect(Array.from(col(r, 'p'))).toEqual([0, 2, 0, 0, 0, 0, 0]);
    // pulses at 1, 1.75, 2.5 -> steps 1, 2 (1.75 -> 2), 2.5
    expect(Array.from(col(r, 'q'))).toEqual([0, 0, 2, 0, 2, 2, 0]);
    expect(Array.from(col(r, 'z'))).toEqual([2, 0, 0, 0, 0, 0, 0]);
  });
});

describe('names', () => {
  it('a variable may be called mod; MOD is the floored remainder, MODULO keeps the sign of the dividend (Vensim)', () => {
    const r = compileOk(
      doc([aux('mod', '7'), aux('x', 'mod MOD 3'), aux('y', 'MODULO(-7, 3)'), aux('z', 'MOD(mod, 4)')], {
        stop: 0,
      }),
    ).run();
    expect([col(r, 'x')[0], col(r, 'y')[0], col(r, 'z')[0]]).toEqual([1, -1, 3]);
  });
});
