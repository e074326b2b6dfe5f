/**
 * Long sums: SUM over an array and a stock's many flows are emitted as runtime loops over evenly
 * spaced slots. They must add the same numbers in the same order as the written-out sum, so the
 * results are compared bit for bit with sums computed here, left to right.
 */
import { describe, expect, it } from 'vitest';
import { aux, col, compileOk, doc, flow, stock } from './helpers.js';

const N = 1000;
/** The values of `x[i] = 1 / i`, i = 1..N: sums of them depend on the order of the additions. */
const xs = Array.from({ length: N }, (_, i) => 1 / (i + 1));
const leftToRight = (v: readonly number[]) => v.reduce((a, b) => a + b);

describe('long sums', () => {
  it('SUM of a 1,000-element array is one loop and adds left to right', () => {
    const c = compileOk(
      doc(
        [
          '<aux name="x"><dimensions><dim name="D"/></dimensions><eqn>1 / D</eqn></aux>',
          aux('total', 'SUM(x[*])'),
          aux('mean', 'MEAN(x[*])'),
        ],
        { stop: 1, dims: { D: N } },
      ),
    );
    expect(c.source).toContain('R.sumRange(');
    const r = c.run();
    expect(col(r, 'total')[1]).toBe(leftToRight(xs));
    expect(col(r, 'mean')[1]).toBe(leftToRight(xs) / N);
  });

  it('row sums of a two-dimensional array, and a written-out sum of names, match bit for bit', () => {
    const rows = 3;
    const cols = 40;
    const value = (i: number, j: number) => 1 / (i * cols + j);
    const names = Array.from({ length: 30 }, (_, k) => aux(`v ${k}`, `1 / ${k + 3}`));
    const c = compileOk(
      doc(
        [
          '<aux name="m"><dimensions><dim name="R"/><dim name="C"/></dimensions><eqn>1 / (R * 40 + C)</eqn></aux>',
          '<aux name="row"><dimensions><dim name="R"/></dimensions><eqn>SUM(m[R, *])</eqn></aux>',
          ...names,
          aux('spelled', Array.from({ length: 30 }, (_, k) => `v_${k}`).join(' + ')),
        ],
        { stop: 1, dims: { R: rows, C: cols } },
      ),
    );
    const r = c.run();
    for (let i = 1; i <= rows; i++) {
      const expected = leftToRight(Array.from({ length: cols }, (_, j) => value(i, j + 1)));
      expect(col(r, `row[${i}]`)[0]).toBe(expected);
    }
    expect(col(r, 'spelled')[0]).toBe(leftToRight(Array.from({ length: 30 }, (_, k) => 1 / (k + 3))));
  });

  it('a stock with twenty inflows integrates their sum', () => {
    const ins = Array.from({ length: 20 }, (_, k) => `in_${k}`);
    const c = compileOk(
      doc([stock('level', '0', ins), ...ins.map((n, k) => flow(n.replace('_', ' '), `1 / ${k + 7}`))], {
        stop: 2,
        dt: 1,
      }),
    );
    const rate = leftToRight(Array.from({ length: 20 }, (_, k) => 1 / (k + 7)));
    const r = c.run();
    expect(Array.from(col(r, 'level'))).toEqual([0, rate, rate + rate]);
  });
});
