/**
 * Equation syntax end to end: precedence, number forms, names with blanks and quotes, comments,
 * namespaces and alternative spellings, each evaluated against its hand-computed value.
 */
import { describe, expect, it } from 'vitest';
import { parseEquation } from '../../src/equations/parser.js';
import { aux, col, compileOk, doc, flow, stock } from './helpers.js';

function values(eqns: Record<string, string>): Record<string, number> {
  const r = compileOk(
    doc([aux('a', '3'), aux('birth rate', '2'), ...Object.entries(eqns).map(([n, e]) => aux(n, e))], {
      stop: 0,
    }),
  ).run();
  return Object.fromEntries(Object.keys(eqns).map((n) => [n, col(r, n)[0]!]));
}

describe('equation syntax', () => {
  it('precedence: ^ above unary minus above * / MOD above + - above comparisons above AND above OR', () => {
    expect(
      values({
        negPow: '-a ^ 2',
        powNeg: '2 ^ -1',
        mulNeg: 'a * -1',
        mulPow: '2 * 3 ^ 2',
        subNeg: 'a - -a',
        plus: '+a',
        cmpEq: '1 < 2 = 1',
        notAnd: 'NOT a AND 0',
        andOr: '1 OR 0 AND 0',
        ifElse: 'IF a > 2 THEN 1 ELSE 2 + 10',
        modAdd: 'a MOD 2 + 1',
      }),
    ).toEqual({
      negPow: -9,
      powNeg: 0.5,
      mulNeg: -3,
      mulPow: 18,
      subNeg: 6,
      plus: 3,
      cmpEq: 1,
      notAnd: 0,
      andOr: 1,
      ifElse: 1,
      modAdd: 2,
    });
  });

  it('number forms, comments and alternative operators', () => {
    expect(
      values({
        forms: '1.e1 + .5e-1 + 2E2',
        comments: '{lead} 5 {trail}',
        eqeq: 'a == 3',
        bang: 'a != 3',
        empty: 'PI() - PI + TIME()',
      }),
    ).toEqual({ forms: 210.05, comments: 5, eqeq: 1, bang: 0, empty: 0 });
  });

  it('names: blanks, underscores, case and quotes are one name; namespaces and aliases resolve', () => {
    expect(
      values({
        spaced: 'birth rate * 2',
        mixed: 'Birth_Rate + BIRTH  RATE',
        quoted: '"birth rate" + 1',
        ns: 'std.abs(-1) + isee.SMTH1(1, 1)',
        alias: 'SMOOTH(a, 1) + SMOOTH3(a, 1) + XIDZ(1, 0, 1)',
      }),
    ).toEqual({ spaced: 4, mixed: 4, quoted: 3, ns: 2, alias: 7 });
  });

  it('a stock, a flow and an auxiliary may share words without clashing', () => {
    const r = compileOk(
      doc(
        [
          stock('water level', '1', ['water in']),
          flow('water in', 'water level * inflow fraction'),
          aux('inflow fraction', '1'),
        ],
        {
          stop: 2,
        },
      ),
    ).run();
    expect(Array.from(col(r, 'water level'))).toEqual([1, 2, 4]);
  });

  it('chains of + - and * / are applied left to right, MOD ending a product', () => {
    // Values chosen so another grouping gives another number (and, for the sums, other bits).
    expect(
      values({
        subAdd: '10 - 4 + 3 - 2',
        divMul: '12 / 3 * 2 / 4',
        mulMod: '3 * 5 mod 4 * 2',
        bits: '0.1 + 0.2 + 0.3 - 0.6',
        mixed: 'a * 2 + a / 3 * 6 - 1',
      }),
    ).toEqual({
      subAdd: 7,
      divMul: 2,
      mulMod: 6,
      bits: 0.1 + 0.2 + 0.3 - 0.6,
      mixed: 11,
    });
    const e = parseEquation('a - b + c - d').expr!;
    expect(e).toMatchObject({ kind: 'chain', ops: ['-', '+', '-'], span: { start: 0, end: 13 } });
    expect(parseEquation('a + b').expr).toMatchObject({ kind: 'binary', op: '+' });
  });

  it('a sum of 3,000 terms and a product of 1,000 factors parse flat and compile', () => {
    const terms = Array.from({ length: 3000 }, (_, i) => String(i + 1));
    const sum = parseEquation(terms.join(' + '));
    expect(sum.error).toBeUndefined();
    expect(sum.expr).toMatchObject({ kind: 'chain' });
    // Sum of 1..3000 = 3000 * 3001 / 2; the product of 1,000 halves and 1,000 doublings is 1.
    const halves = Array.from({ length: 1000 }, (_, i) => (i % 2 ? '2' : '0.5')).join(' * ');
    const named = Array.from({ length: 3000 }, (_, i) => aux(`x ${i}`, String(i + 1)));
    const r = compileOk(
      doc(
        [
          ...named,
          aux('total', Array.from({ length: 3000 }, (_, i) => `x_${i}`).join(' + ')),
          aux('literal', terms.join(' + ')),
          aux('product', halves),
          aux('difference', `10000000 - ${terms.join(' - ')}`),
        ],
        { stop: 0 },
      ),
    ).run();
    expect(col(r, 'total')[0]).toBe(4501500);
    expect(col(r, 'literal')[0]).toBe(4501500);
    expect(col(r, 'product')[0]).toBe(1);
    expect(col(r, 'difference')[0]).toBe(10000000 - 4501500);
  });

  it('nesting is still bounded: 2,000 parentheses are refused with a position', () => {
    const deep = `${'('.repeat(2000)}1${')'.repeat(2000)}`;
    expect(parseEquation(deep).error?.message).toBe('expression nested too deeply');
  });

  it('parse errors carry the offset of the offending token', () => {
    expect(parseEquation('a +').error).toEqual({ message: 'unexpected end of equation', offset: 3 });
    expect(parseEquation('a b (').error?.offset).toBe(5);
    expect(parseEquation('"unclosed').error).toEqual({ message: 'unclosed quoted name', offset: 0 });
    expect(parseEquation('   ').error).toEqual({ message: 'empty equation', offset: 0 });
    expect(parseEquation('f(1,, 2)').error?.offset).toBe(4);
  });
});
