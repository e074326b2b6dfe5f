/**
 * Conveyors and queues (XMILE 1.0 sections 3.7.2, 3.7.3, 4.2.1): transit time, capacity,
 * inflow limit, linear leakage by zone, queue outflow order. Expected values by hand.
 */
import { describe, expect, it } from 'vitest';
import { check, col, compileOk, doc, flow, stock } from './helpers.js';

const conveyor = (name: string, init: string, ins: string[], outs: string[], body: string) =>
  stock(name, init, ins, outs, `<conveyor>${body}</conveyor>`);

describe('conveyors', () => {
  it('what enters leaves one transit time later; the initial contents leave evenly first', () => {
    const r = compileOk(
      doc(
        [
          conveyor('belt', '8', ['on'], ['off'], '<len>2</len>'),
          flow('on', 'STEP(10, 3)'),
          '<flow name="off"/>',
        ],
        {
          stop: 7,
        },
      ),
    ).run();
    // Initial 8 leaves at 8/2 = 4 per time unit for 2 time units; then what entered at t-2.
    expect(Array.from(col(r, 'off'))).toEqual([4, 4, 0, 0, 0, 10, 10, 10]);
    expect(Array.from(col(r, 'belt'))).toEqual([8, 4, 0, 0, 10, 20, 20, 20]);
  });

  it('capacity and inflow limit hold the inflow back; the upstream stock keeps what is refused', () => {
    const r = compileOk(
      doc(
        [
          stock('source', '100', [], ['on']),
          flow('on', '10'),
          conveyor('belt', '0', ['on'], ['off'], '<len>3</len><capacity>12</capacity><in_limit>5</in_limit>'),
          '<flow name="off"/>',
        ],
        { stop: 5 },
      ),
    ).run();
    // in_limit 5 per time unit, then capacity: at t = 2 the belt holds 10, room 12 - 10 = 2; from
    // t = 3 the room is what leaves (what entered 3 earlier: 5, 5, 2).
    expect(Array.from(col(r, 'on'))).toEqual([5, 5, 2, 5, 5, 2]);
    expect(Array.from(col(r, 'belt'))).toEqual([0, 5, 10, 12, 12, 12]);
    for (let k = 0; k <= 5; k++) expect(col(r, 'source')[k]! + col(r, 'belt')[k]!).toBe(100 - sumOff(r, k));
  });

  it('a leak takes its fraction of what entered, over its zone; the exit carries the rest', () => {
    const r = compileOk(
      doc(
        [
          conveyor('belt', '0', ['on'], ['off', 'loss'], '<len>4</len>'),
          flow('on', '8'),
          '<flow name="off"/>',
          '<flow name="loss" leak_start="0.5" leak_end="1"><leak>0.25</leak></flow>',
          stock('out', '0', ['off']),
          stock('lost', '0', ['loss']),
        ],
        { stop: 12 },
      ),
    ).run();
    // Steady state: the exit carries 0.75 x 8 = 6; the leak 0.25 x 8 = 2.
    expect(col(r, 'off')[12]).toBe(6);
    expect(col(r, 'loss')[12]).toBe(2);
    // Nothing leaks before material reaches the zone (half of 4 time units).
    expect([col(r, 'loss')[0], col(r, 'loss')[1], col(r, 'loss')[2]]).toEqual([0, 0, 0]);
    // Conservation: belt + out + lost = 8 per time unit.
    for (let k = 0; k <= 12; k++)
      expect(col(r, 'belt')[k]! + col(r, 'out')[k]! + col(r, 'lost')[k]!).toBe(8 * k);
  });

  it('a conveyor without a transit time is an error', () => {
    const r = check(doc([conveyor('belt', '0', ['on'], ['off'], ''), flow('on', '1'), '<flow name="off"/>']));
    expect(r.diagnostics.some((d) => d.severity === 'error' && d.message.includes('transit time'))).toBe(
      true,
    );
  });
});

function sumOff(r: ReturnType<ReturnType<typeof compileOk>['run']>, k: number): number {
  let total = 0;
  for (let j = 0; j < k; j++) total += col(r, 'off')[j]!;
  return total;
}

describe('queues', () => {
  it('a queue into a stock empties each step, the first outflow first; an overflow takes what a conveyor refuses', () => {
    const r = compileOk(
      doc(
        [
          stock('waiting', '3', ['arrivals'], ['boarding', 'balking'], '<queue/>'),
          flow('arrivals', '4'),
          '<flow name="boarding"/>',
          '<flow name="balking"><overflow/></flow>',
          conveyor('belt', '0', ['boarding'], ['off'], '<len>10</len><in_limit>5</in_limit>'),
          '<flow name="off"/>',
          stock('balked', '0', ['balking']),
        ],
        { stop: 3 },
      ),
    ).run();
    // Available 3 + 4 = 7 at the first step: the belt admits 5, the overflow takes 2; then 4 and 0.
    expect(Array.from(col(r, 'boarding'))).toEqual([5, 4, 4, 4]);
    expect(Array.from(col(r, 'balking'))).toEqual([2, 0, 0, 0]);
    expect(Array.from(col(r, 'waiting'))).toEqual([3, 0, 0, 0]);
  });

  it('an outflow after the first that is not an overflow takes nothing', () => {
    const r = compileOk(
      doc(
        [
          stock('q', '6', [], ['a', 'b'], '<queue/>'),
          '<flow name="a"/>',
          '<flow name="b"/>',
          stock('got a', '0', ['a']),
          stock('got b', '0', ['b']),
        ],
        { stop: 2 },
      ),
    ).run();
    expect(Array.from(col(r, 'a'))).toEqual([6, 0, 0]);
    expect(Array.from(col(r, 'b'))).toEqual([0, 0, 0]);
  });
});
