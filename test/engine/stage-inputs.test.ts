/**
 * Per-step inputs under every integration method, and seeded random draws in arrays.
 */
import { describe, expect, it } from 'vitest';
import { compileModel, readModel } from '../../src/engine.js';
import { aux, col, compileOk, doc, flow, stock } from './helpers.js';

describe('PULSE under RK2 and RK4', () => {
  // A stock fed only by PULSE(10, 2) with dt 0.5: the pulse is 10/0.5 = 20 for one step starting at
  // t = 2, so the stock holds 0 until t = 2 and exactly 10 from t = 2.5 on, whatever the method.
  const model = (method: string) =>
    compileOk(doc([stock('s', '0', ['f']), flow('f', 'PULSE(10, 2)')], { dt: 0.5, stop: 5, method })).run();

  for (const method of ['euler', 'rk2', 'rk4']) {
    it(`moves the whole pulse in the step that starts at its time (${method})`, () => {
      const r = model(method);
      const s = col(r, 's');
      const at = (t: number) => s[r.time.indexOf(t)]!;
      expect(at(2)).toBe(0);
      expect(at(2.5)).toBeCloseTo(10, 12);
      expect(at(5)).toBeCloseTo(10, 12);
    });
  }
});

describe('seeded random draws in an arrayed variable', () => {
  const text = doc(
    [`<aux name="u"><dimensions><dim name="d"/></dimensions><eqn>RANDOM(0, 1, 42)</eqn></aux>`],
    {
      dims: { d: ['a', 'b', 'c'] },
      stop: 20,
    },
  );

  it('gives each element its own stream, the same in every run', () => {
    const first = compileOk(text).run();
    const again = compileOk(text).run({ seed: 99 });
    const a = Array.from(col(first, 'u[a]'));
    const b = Array.from(col(first, 'u[b]'));
    expect(a).not.toEqual(b);
    // The equation's own seed fixes the draws: the run seed does not change them.
    expect(Array.from(col(again, 'u[a]'))).toEqual(a);
    expect(Array.from(col(again, 'u[c]'))).toEqual(Array.from(col(first, 'u[c]')));
  });

  it('draws from the run seed when the equation gives none', () => {
    const unseeded = doc([aux('v', 'RANDOM(0, 1)')], { stop: 20 });
    const one = Array.from(col(compileOk(unseeded).run({ seed: 1 }), 'v'));
    const two = Array.from(col(compileOk(unseeded).run({ seed: 2 }), 'v'));
    expect(one).not.toEqual(two);
    expect(Array.from(col(compileOk(unseeded).run({ seed: 1 }), 'v'))).toEqual(one);
  });
});

describe('SELF', () => {
  it('names the variable inside PREVIOUS', () => {
    const r = compileOk(doc([aux('x', 'PREVIOUS(SELF, 1) * 2')], { stop: 3 })).run();
    expect(Array.from(col(r, 'x'))).toEqual([2, 4, 8, 16]);
  });

  it('is refused elsewhere with a located message', () => {
    const text = doc([aux('x', '1 + SELF')]);
    const read = readModel(text, { file: 'self.xmile' });
    const diags = compileModel(read.model!).diagnostics.filter((d) => d.severity === 'error');
    expect(diags).toHaveLength(1);
    expect(diags[0]!.message).toContain('only inside PREVIOUS and SIZE');
    // SELF starts after `<aux name="x"><eqn>1 + ` on line 6.
    expect([diags[0]!.line, diags[0]!.column]).toEqual([6, '<aux name="x"><eqn>1 + '.length + 1]);
  });
});
