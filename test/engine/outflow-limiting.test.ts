/**
 * Non-negative stocks limit their outflows in priority order (XMILE 1.0 sections 3.6.2, 4.2):
 * material is conserved, and a flow reports what moved. Expected values by hand (Euler, DT 1).
 */
import { describe, expect, it } from 'vitest';
import { check, col, compileOk, doc, flow, stock } from './helpers.js';

const NN = '<non_negative/>';

describe('outflow limiting', () => {
  it('a stock of 5 with two outflows of 4 passes 4 and 1, in priority order', () => {
    const r = compileOk(
      doc(
        [
          stock('S', '5', [], ['first', 'second'], NN),
          flow('first', '4'),
          flow('second', '4'),
          stock('A', '0', ['first']),
          stock('B', '0', ['second']),
        ],
        { stop: 3 },
      ),
    ).run();
    expect(Array.from(col(r, 'first'))).toEqual([4, 0, 0, 0]);
    expect(Array.from(col(r, 'second'))).toEqual([1, 0, 0, 0]);
    expect(Array.from(col(r, 'S'))).toEqual([5, 0, 0, 0]);
    // Conservation: what left S arrived downstream, no more.
    for (let k = 0; k <= 3; k++) expect(col(r, 'S')[k]! + col(r, 'A')[k]! + col(r, 'B')[k]!).toBe(5);
    expect(Array.from(col(r, 'A'))).toEqual([0, 4, 4, 4]);
    expect(Array.from(col(r, 'B'))).toEqual([0, 1, 1, 1]);
  });

  it('swapping the priority swaps who is served', () => {
    const r = compileOk(
      doc([stock('S', '5', [], ['second', 'first'], NN), flow('first', '4'), flow('second', '4')], {
        stop: 1,
      }),
    ).run();
    expect([col(r, 'second')[0], col(r, 'first')[0]]).toEqual([4, 1]);
  });

  it("what flows in during the step is available to the stock's outflows", () => {
    const r = compileOk(
      doc([stock('S', '1', ['fill'], ['drain'], NN), flow('fill', '2'), flow('drain', '10')], { stop: 2 }),
    ).run();
    // available = 1/1 + 2 = 3, then 0 + 2 = 2 each step.
    expect(Array.from(col(r, 'drain'))).toEqual([3, 2, 2]);
    expect(Array.from(col(r, 'S'))).toEqual([1, 0, 0]);
  });

  it('with DT below 1 the limit is stock/DT: the stock empties in one step, never below zero', () => {
    const r = compileOk(
      doc([stock('S', '1', [], ['out'], NN), flow('out', '5')], { stop: 1, dt: 0.25 }),
    ).run();
    // 5 x 0.25 = 1.25 > 1: out is limited to 1 / 0.25 = 4 at the first step.
    expect(Array.from(col(r, 'out'))).toEqual([4, 0, 0, 0, 0]);
    expect(Array.from(col(r, 'S'))).toEqual([1, 0, 0, 0, 0]);
  });

  it('a flow two stocks name as their outflow keeps its value; the non-negative stock is held at zero', () => {
    // As in the SDXorg suite's non_negative_stocks: a converter wrote one flow into two stocks.
    const r = compileOk(
      doc([flow('out', '1'), stock('plain', '2', [], ['out']), stock('held', '2', [], ['out'], NN)], {
        stop: 4,
      }),
    ).run();
    expect(Array.from(col(r, 'out'))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(col(r, 'plain'))).toEqual([2, 1, 0, -1, -2]);
    expect(Array.from(col(r, 'held'))).toEqual([2, 1, 0, 0, 0]);
  });

  it('a negative inflow cannot take a non-negative stock below zero', () => {
    const r = compileOk(doc([stock('S', '3', ['f'], [], NN), flow('f', '-2')], { stop: 3 })).run();
    expect(Array.from(col(r, 'S'))).toEqual([3, 1, 0, 0]);
  });

  it('an inflow computed from the outflow falls back to holding the stock, with a warning', () => {
    const r = check(
      doc([stock('S', '1', ['back'], ['out'], NN), flow('out', '4'), flow('back', 'out * 0.5')], { stop: 2 }),
    );
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const w = r.diagnostics.find((d) => d.code === 'outflow-limiting');
    expect(w?.severity).toBe('warning');
    const res = r.compiled!.run();
    // Not limited: out stays 4, back 2; S = max(1 + 2 - 4, 0) = 0.
    expect(Array.from(res.column('out')!)).toEqual([4, 4, 4]);
    expect(Array.from(res.column('S')!)).toEqual([1, 0, 0]);
  });
});
