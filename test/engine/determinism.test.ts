/**
 * Runs are pure functions of (model, options): the same seed gives bit-identical series, and a
 * reused Simulation gives exactly what fresh runs with the same overrides give.
 */
import { describe, expect, it } from 'vitest';
import { aux, compileOk, doc, flow, stock } from './helpers.js';

const model = compileOk(
  doc(
    [
      stock('Pop', 'initial pop', ['births'], ['deaths'], '<non_negative/>'),
      flow('births', 'Pop * birth rate * (1 + NORMAL(0, 0.1))'),
      flow('deaths', 'DELAY(births, 3, 0) + DELAY1(Pop * 0.05, 2)'),
      aux('birth_rate', '0.08'),
      aux('initial_pop', '100'),
      aux('noise', 'RANDOM(0, 1) + POISSON(2)'),
      aux('smoothed', 'SMTH3(noise, 4)'),
      aux('last', 'PREVIOUS(smoothed)'),
      '<aux name="share"><dimensions><dim name="R"/></dimensions><eqn>Pop * R / 6 + RANDOM(0, 1)</eqn></aux>',
    ],
    { stop: 40, dt: 0.25, dims: { R: 3 } },
  ),
);

describe('determinism', () => {
  it('two runs with the same seed give identical Float64Arrays, for every method', () => {
    for (const method of ['euler', 'rk2', 'rk4'] as const) {
      const a = model.run({ seed: 11, method });
      const b = model.run({ seed: 11, method });
      expect(a.names).toEqual(b.names);
      expect(a.time).toEqual(b.time);
      a.columns.forEach((c, i) => {
        expect(c).toBeInstanceOf(Float64Array);
        expect(c).toEqual(b.columns[i]);
      });
    }
  });

  it('a different seed changes the random series and what depends on them', () => {
    const a = model.run({ seed: 11 });
    const b = model.run({ seed: 12 });
    expect(a.column('noise')).not.toEqual(b.column('noise'));
    expect(a.column('Pop')).not.toEqual(b.column('Pop'));
    // The first value of a stock is its initial value whatever the seed.
    expect(a.column('Pop')![0]).toBe(100);
    expect(b.column('Pop')![0]).toBe(100);
  });

  it.each(['rk2', 'rk4'] as const)('a reused %s simulation gives the same as fresh runs', (method) => {
    const sim = model.simulation({ seed: 3, method });
    const br = sim.parameterIndex('birth rate');
    for (const rate of [0.01, 0.09, 0.2]) {
      sim.set(br, rate);
      sim.run();
      const fresh = model.run({ seed: 3, method, overrides: { birth_rate: rate } });
      for (const n of ['Pop', 'deaths', 'last', 'share[3]']) expect(sim.series(n)).toEqual(fresh.column(n));
    }
  });

  it('a reused simulation with set() gives the same as fresh runs with overrides', () => {
    const sim = model.simulation({ seed: 7 });
    const br = sim.parameterIndex('birth rate');
    const p0 = sim.parameterIndex('INITIAL_POP');
    const names = ['Pop', 'births', 'deaths', 'smoothed', 'last', 'share[2]'];
    for (let i = 0; i < 12; i++) {
      const rate = 0.02 + 0.01 * i;
      const pop = 50 + 10 * (i % 4);
      sim.set(br, rate);
      sim.set(p0, pop);
      sim.run();
      const fresh = model.run({ seed: 7, overrides: { birth_rate: rate, initial_pop: pop } });
      expect(sim.time).toEqual(fresh.time);
      for (const n of names) expect(sim.series(n), `${n} (run ${i})`).toEqual(fresh.column(n));
    }
    // Forgetting the overrides restores the model's own values.
    sim.clearOverrides();
    sim.run();
    const plain = model.run({ seed: 7 });
    for (const n of names) expect(sim.series(n)).toEqual(plain.column(n));
    // results() is a copy that later runs do not change.
    const kept = sim.results();
    const before = Float64Array.from(kept.column('Pop')!);
    sim.set(br, 0.5);
    sim.run();
    expect(kept.column('Pop')).toEqual(before);
    expect(sim.series('Pop')).not.toEqual(before);
  });

  it('a stock override sets the initial value; an array name sets every element', () => {
    const m = compileOk(
      doc(
        [
          '<aux name="k"><dimensions><dim name="R"/></dimensions><eqn>R</eqn></aux>',
          aux('total', 'SUM(k[*])'),
        ],
        {
          stop: 1,
          dims: { R: 3 },
        },
      ),
    );
    expect(m.run().column('total')![0]).toBe(6);
    expect(m.run({ overrides: { k: 2 } }).column('total')![0]).toBe(6);
    expect(m.run({ overrides: { 'k[3]': 10 } }).column('total')![0]).toBe(13);
    expect(m.run({ overrides: { k: 5 } }).column('total')![0]).toBe(15);
    // Constants computed from constants are settable too (total = 6 here).
    expect(m.parameters.map((p) => [p.name, p.value])).toEqual([
      ['k[1]', 1],
      ['k[2]', 2],
      ['k[3]', 3],
      ['total', 6],
    ]);
    expect(m.run({ overrides: { total: 1 } }).column('total')![0]).toBe(1);
  });
});
