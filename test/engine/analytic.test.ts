/**
 * The integrators against closed-form solutions: exponential growth and decay, first-order
 * delay and smooth step responses, logistic growth, and the order of convergence of each method.
 */
import { describe, expect, it } from 'vitest';
import { aux, col, compileOk, doc, expectClose, flow, stock } from './helpers.js';

const growth = (r: number, stop: number) =>
  doc([stock('P', '100', ['births']), flow('births', `${r} * P`)], { stop });
const decay = (k: number, stop: number) =>
  doc([stock('S', '50', [], ['loss']), flow('loss', `S * ${k}`)], { stop });

/** Largest absolute error of a stock against f(t) over every saved row. */
function maxError(series: Float64Array, time: Float64Array, f: (t: number) => number): number {
  let e = 0;
  for (let i = 0; i < time.length; i++) e = Math.max(e, Math.abs(series[i]! - f(time[i]!)));
  return e;
}

describe('exponential growth and decay', () => {
  it('Euler reproduces its own closed form P0 (1 + r dt)^(t/dt) and converges to P0 e^(rt)', () => {
    const m = compileOk(growth(0.1, 10));
    for (const dt of [1, 0.25]) {
      const r = m.run({ dt, method: 'euler' });
      const p = col(r, 'P');
      expectClose(
        p,
        Array.from(r.time, (t) => 100 * Math.pow(1 + 0.1 * dt, Math.round(t / dt))),
        1e-9,
      );
    }
    const errs = [0.5, 0.05, 0.005].map((dt) => {
      const r = m.run({ dt, method: 'euler', saveStep: 1 });
      return maxError(col(r, 'P'), r.time, (t) => 100 * Math.exp(0.1 * t));
    });
    // Euler's global error is first order: each tenfold smaller dt is about tenfold closer.
    expect(errs[0]!).toBeGreaterThan(errs[1]! * 8);
    expect(errs[1]!).toBeGreaterThan(errs[2]! * 8);
    // Relative to P(10) = 271.8: the leading error term P r^2 dt t / 2 is 0.068 at dt = 0.005.
    expect(errs[2]!).toBeLessThan(0.1);
  });

  it('RK4 follows P0 e^(rt) within 1e-6 (relative) for growth and decay', () => {
    const g = compileOk(growth(0.1, 10)).run({ dt: 0.125, method: 'rk4' });
    const gp = col(g, 'P');
    for (let i = 0; i < g.time.length; i++) {
      const exact = 100 * Math.exp(0.1 * g.time[i]!);
      expect(Math.abs(gp[i]! - exact) / exact).toBeLessThan(1e-6);
    }
    const d = compileOk(decay(0.3, 10)).run({ dt: 0.125, method: 'rk4' });
    const ds = col(d, 'S');
    for (let i = 0; i < d.time.length; i++) {
      const exact = 50 * Math.exp(-0.3 * d.time[i]!);
      expect(Math.abs(ds[i]! - exact) / exact).toBeLessThan(1e-6);
    }
    // The flow is reported at the saved state: loss = k S.
    expectClose(
      col(d, 'loss'),
      Array.from(ds, (s) => 0.3 * s),
      1e-12,
    );
  });

  it('RK2 (Heun) reproduces its closed form P0 (1 + h + h^2/2)^n for a linear stock', () => {
    const dt = 0.5;
    const r = compileOk(growth(0.2, 5)).run({ dt, method: 'rk2' });
    const h = 0.2 * dt;
    expectClose(
      col(r, 'P'),
      Array.from(r.time, (t) => 100 * Math.pow(1 + h + (h * h) / 2, Math.round(t / dt))),
      1e-9,
    );
  });
});

describe('large models', () => {
  it('an arrayed stock of 500 elements follows the Euler closed form element by element', () => {
    // Over 1000 statements per step: the generated code takes its chunked, non-inlined path.
    const m = compileOk(
      doc(
        [
          '<stock name="S"><dimensions><dim name="N"/></dimensions><eqn>N</eqn><inflow>g</inflow></stock>',
          '<flow name="g"><dimensions><dim name="N"/></dimensions><eqn>S[N] * N / 1000</eqn></flow>',
        ],
        { stop: 4, dt: 0.5, dims: { N: 500 } },
      ),
    );
    const r = m.run();
    for (const i of [1, 2, 250, 499, 500]) {
      const s = col(r, `S[${i}]`);
      for (let k = 0; k < r.time.length; k++) {
        const exact = i * Math.pow(1 + (i / 1000) * 0.5, k);
        expect(Math.abs(s[k]! - exact) / exact).toBeLessThan(1e-12);
      }
    }
  });
});

describe('order of convergence', () => {
  /** Error at the final time against e^(t) for dP/dt = P, P(0) = 1, t in [0, 2]. */
  const finalError = (method: 'euler' | 'rk4', dt: number): number => {
    const m = compileOk(doc([stock('P', '1', ['g']), flow('g', 'P')], { stop: 2 }));
    const p = col(m.run({ method, dt }), 'P');
    return Math.abs(p[p.length - 1]! - Math.exp(2));
  };

  it("Euler's error halves when dt halves (ratio 1.7 to 2.3)", () => {
    for (const dt of [0.02, 0.01]) {
      const ratio = finalError('euler', dt) / finalError('euler', dt / 2);
      expect(ratio).toBeGreaterThan(1.7);
      expect(ratio).toBeLessThan(2.3);
    }
  });

  it("RK4's error falls about 16x when dt halves (ratio 12 to 20)", () => {
    for (const dt of [0.2, 0.1]) {
      const ratio = finalError('rk4', dt) / finalError('rk4', dt / 2);
      expect(ratio).toBeGreaterThan(12);
      expect(ratio).toBeLessThan(20);
    }
  });

  it('RK4 is fourth order also when the rate depends on TIME (dP/dt = cos t)', () => {
    const m = compileOk(doc([stock('P', '0', ['f']), flow('f', 'COS(TIME)')], { stop: 3 }));
    const err = (dt: number) => {
      const p = col(m.run({ method: 'rk4', dt }), 'P');
      return Math.abs(p[p.length - 1]! - Math.sin(3));
    };
    const ratio = err(0.3) / err(0.15);
    expect(ratio).toBeGreaterThan(12);
    expect(ratio).toBeLessThan(20);
  });
});

describe('first-order step responses: 1 - exp(-t/tau)', () => {
  const tau = 2;
  const exact = (t: number) => 1 - Math.exp(-t / tau);

  for (const fn of ['DELAY1', 'SMTH1']) {
    it(`${fn}(1, ${tau}, 0) with RK4 within 1e-6`, () => {
      const r = compileOk(doc([aux('y', `${fn}(1, ${tau}, 0)`)], { stop: 10 })).run({
        method: 'rk4',
        dt: 0.125,
      });
      expect(maxError(col(r, 'y'), r.time, exact)).toBeLessThan(1e-6);
    });

    it(`${fn} with Euler steps: y_n = 1 - (1 - dt/tau)^n, converging to the exponential`, () => {
      const m = compileOk(doc([aux('y', `${fn}(1, ${tau}, 0)`)], { stop: 10 }));
      const dt = 0.25;
      const r = m.run({ method: 'euler', dt });
      expectClose(
        col(r, 'y'),
        Array.from(r.time, (t) => 1 - Math.pow(1 - dt / tau, Math.round(t / dt))),
        1e-12,
      );
      const fine = m.run({ method: 'euler', dt: 0.001, saveStep: 1 });
      expect(maxError(col(fine, 'y'), fine.time, exact)).toBeLessThan(1e-3);
    });
  }

  it('a step that starts later shifts the response: DELAY1(STEP(1, 3), 2), Euler steps from t = 3', () => {
    const dt = 0.25;
    const r = compileOk(doc([aux('y', 'DELAY1(STEP(1, 3), 2)')], { stop: 10 })).run({ method: 'euler', dt });
    const y = col(r, 'y');
    for (let i = 0; i < r.time.length; i++) {
      const k = Math.round((r.time[i]! - 3) / dt);
      // Before the step the delay holds its initial value (the input at the start, 0).
      const expected = k <= 0 ? 0 : 1 - Math.pow(1 - dt / 2, k);
      expect(y[i]).toBeCloseTo(expected, 12);
    }
  });
});

describe('logistic growth', () => {
  it('RK4 matches K / (1 + (K/P0 - 1) e^(-rt)) within 1e-6', () => {
    const K = 1000;
    const r0 = 0.5;
    const P0 = 10;
    const m = compileOk(
      doc([stock('P', String(P0), ['net']), flow('net', `${r0} * P * (1 - P / ${K})`)], { stop: 30 }),
    );
    const res = m.run({ method: 'rk4', dt: 0.0625 });
    const exact = (t: number) => K / (1 + (K / P0 - 1) * Math.exp(-r0 * t));
    const p = col(res, 'P');
    for (let i = 0; i < res.time.length; i++) {
      const e = exact(res.time[i]!);
      expect(Math.abs(p[i]! - e) / e).toBeLessThan(1e-6);
    }
    // Euler converges too, first order.
    const eu = m.run({ method: 'euler', dt: 0.01 });
    const e1 = maxError(col(eu, 'P'), eu.time, exact);
    expect(e1).toBeLessThan(5);
  });
});
