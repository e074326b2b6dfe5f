import { describe, expect, it } from 'vitest';
import { causalEdges, findCycles, linkSign } from '../../src/loops/index.js';
import type { Model, Variable } from '../../src/model/types.js';
import type { ModelGraph } from '../../src/simulate/types.js';

function model(variables: Variable[]): Model {
  return {
    header: {},
    simSpecs: { start: 0, stop: 10, dt: 1, method: 'euler' },
    dimensions: [],
    variables,
    graphicalFunctions: [],
    modules: [],
    subModels: [],
    macros: [],
    units: [],
  };
}

describe('findCycles', () => {
  it('finds each elementary cycle once, including self-loops, and ignores initial-value edges', () => {
    const graph: ModelGraph = {
      nodes: [
        { name: 'a', kind: 'aux' },
        { name: 'b', kind: 'aux' },
        { name: 'c', kind: 'aux' },
        { name: 's', kind: 'stock' },
        { name: 'f', kind: 'flow' },
      ],
      edges: [
        { from: 'a', to: 'b', kind: 'equation' },
        { from: 'b', to: 'a', kind: 'equation' },
        { from: 'b', to: 'c', kind: 'equation' },
        { from: 'c', to: 'a', kind: 'equation' },
        { from: 'c', to: 'c', kind: 'equation' },
        { from: 's', to: 'f', kind: 'equation' },
        { from: 'f', to: 's', kind: 'flow' },
        // The stock's initial value uses a: not a feedback link.
        { from: 'a', to: 's', kind: 'equation' },
      ],
    };
    expect(causalEdges(graph).some((e) => e.from === 'a' && e.to === 's')).toBe(false);
    const { cycles, truncated } = findCycles(graph);
    expect(truncated).toBe(false);
    const keys = cycles.map((c) => [...c].sort().join(',')).sort();
    expect(keys).toEqual(['a,b', 'a,b,c', 'c', 'f,s']);
  });

  it('stops at the cap and says so', () => {
    // A complete graph on 7 nodes has far more than 10 cycles.
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const graph: ModelGraph = {
      nodes: names.map((name) => ({ name, kind: 'aux' as const })),
      edges: names.flatMap((x) =>
        names.filter((y) => y !== x).map((y) => ({ from: x, to: y, kind: 'equation' as const })),
      ),
    };
    const { cycles, truncated } = findCycles(graph, { maxLoops: 10 });
    expect(cycles).toHaveLength(10);
    expect(truncated).toBe(true);
  });
});

describe('linkSign', () => {
  const m = model([
    { kind: 'stock', name: 'Population', eqn: { text: '100' }, inflows: ['births'], outflows: ['deaths'] },
    { kind: 'flow', name: 'births', eqn: { text: 'Population * birth_rate' } },
    { kind: 'flow', name: 'deaths', eqn: { text: 'Population / lifetime' } },
    { kind: 'aux', name: 'crowding', eqn: { text: 'capacity / MAX(Population, 1)' } },
    {
      kind: 'aux',
      name: 'effect',
      eqn: { text: 'crowding' },
      gf: { type: 'continuous', xpts: [0, 1, 2], ypts: [2, 1, 0.5] },
    },
    { kind: 'aux', name: 'mystery', eqn: { text: 'FROB(Population)' } },
    { kind: 'aux', name: 'gate', eqn: { text: 'IF Population > 1000 THEN Population ELSE 0' } },
  ]);
  const values: Record<string, number> = {
    population: 100,
    birth_rate: 0.1,
    lifetime: 50,
    capacity: 150,
    crowding: 1.5,
    births: 10,
    deaths: 2,
  };
  const at = (k: string) => values[k];

  it('takes flow -> stock signs from the structure', () => {
    expect(linkSign(m, 'births', 'Population', at)).toBe(1);
    expect(linkSign(m, 'deaths', 'Population', at)).toBe(-1);
  });
  it('perturbs the cause in the equation of the effect', () => {
    expect(linkSign(m, 'Population', 'births', at)).toBe(1);
    expect(linkSign(m, 'Population', 'deaths', at)).toBe(1);
    expect(linkSign(m, 'lifetime', 'deaths', at)).toBe(-1);
    expect(linkSign(m, 'Population', 'crowding', at)).toBe(-1);
  });
  it('applies a graphical function to the equation (a falling table gives a negative link)', () => {
    expect(linkSign(m, 'crowding', 'effect', at)).toBe(-1);
  });
  it("reads graphical functions with the engine's lookup: flat beyond the ends unless extrapolating", () => {
    const table = { xpts: [0, 1, 2], ypts: [0, 1, 3] };
    const g = model([
      { kind: 'aux', name: 'x', eqn: { text: '5' } },
      { kind: 'aux', name: 'flat', eqn: { text: 'x' }, gf: { type: 'continuous', ...table } },
      { kind: 'aux', name: 'extra', eqn: { text: 'x' }, gf: { type: 'extrapolate', ...table } },
      { kind: 'aux', name: 'steps', eqn: { text: 'x' }, gf: { type: 'discrete', ...table } },
    ]);
    // x = 5 is past the last point: a continuous table holds 3, an extrapolating one keeps rising.
    expect(linkSign(g, 'x', 'flat', () => 5)).toBe(0);
    expect(linkSign(g, 'x', 'extra', () => 5)).toBe(1);
    // x = 1.5 inside a discrete table: a step function, flat between its points.
    expect(linkSign(g, 'x', 'steps', () => 1.5)).toBe(0);
    expect(linkSign(g, 'x', 'flat', () => 1.5)).toBe(1);
  });
  it('reports unknown for unsupported functions and zero for an inactive branch', () => {
    expect(linkSign(m, 'Population', 'mystery', at)).toBeNull();
    expect(linkSign(m, 'Population', 'gate', at)).toBe(0);
  });
  it("evaluates with the engine's arithmetic and builtins: x/0 is infinite, not 0", () => {
    const d = model([
      { kind: 'aux', name: 'x', eqn: { text: '2' } },
      { kind: 'aux', name: 'zero', eqn: { text: '0' } },
      // With x/0 taken as 0 (the old rule) y would not move with x and the link would read 0.
      { kind: 'aux', name: 'y', eqn: { text: 'x - 1 / zero' } },
      { kind: 'aux', name: 'z', eqn: { text: 'ZIDZ(x, zero) + INTEGER(x) * MODULO(7, 4)' } },
    ]);
    const state = (k: string) => ({ x: 2, zero: 0, y: -Infinity, z: 6 })[k];
    // y = x - Infinity: the perturbation is not finite, so the sign is unknown, never 0.
    expect(linkSign(d, 'x', 'y', state)).toBeNull();
    // The Vensim builtins evaluate through the catalogue (no list of their own here): x is 2 at
    // a kink of INTEGER, so the step up shows the direction (+3 per unit).
    expect(linkSign(d, 'x', 'z', state)).toBe(1);
  });
  it('finds the sign of a switched-off link structurally (every branch active, zero inputs as one)', () => {
    expect(linkSign(m, 'Population', 'gate', at, undefined, true)).toBe(1);
    const off = model([
      { kind: 'aux', name: 'lever', eqn: { text: '0' } },
      { kind: 'aux', name: 'pressure', eqn: { text: '5' } },
      { kind: 'aux', name: 'response', eqn: { text: 'lever * MAX(0, 3 - pressure)' } },
    ]);
    const state = (k: string) => ({ lever: 0, pressure: 5, response: 0 })[k];
    expect(linkSign(off, 'pressure', 'response', state)).toBe(0);
    expect(linkSign(off, 'pressure', 'response', state, undefined, true)).toBe(-1);
  });
});

describe('detectLoops on a compiled model', () => {
  it('finds the loops of the population fixture with their polarities and the case names', async () => {
    const { readFileSync } = await import('node:fs');
    const { readModel, compileModel } = await import('../../src/engine.js');
    const { detectLoops } = await import('../../src/loops/index.js');
    const text = readFileSync(new URL('./fixtures/population.xmile', import.meta.url), 'utf8');
    const compiled = compileModel(readModel(text).model!).compiled!;
    const { loops, truncated } = detectLoops(compiled, {
      named: [{ id: 'B2', name: 'Crowding', path: ['Population', 'births', 'crowding_effect'] }],
    });
    expect(truncated).toBe(false);
    const bySet = (vars: string[]) =>
      loops.find((l) => [...l.variables].sort().join('|') === [...vars].sort().join('|'));
    expect(bySet(['Population', 'births'])?.polarity).toBe('R');
    expect(bySet(['Population', 'deaths'])?.polarity).toBe('B');
    const crowding = bySet(['Population', 'births', 'crowding effect']);
    expect(crowding?.polarity).toBe('B');
    expect(crowding?.name).toBe('B2 Crowding');
    expect(loops).toHaveLength(3);
  });
});
