/** The compiled model's description of itself: outputs, parameters, causal graph, source. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/engine.js';
import { aux, compileOk, doc, flow, stock } from './helpers.js';

const m = compileOk(
  doc(
    [
      stock('Pop', '100', ['births'], ['deaths'], '<units>people</units>'),
      flow('births', 'Pop * rate'),
      flow('deaths', 'Pop / 50'),
      aux('rate', '0.1'),
      aux('smoothed', 'SMTH1(births, 2)'),
      '<aux name="arr"><dimensions><dim name="C"/></dimensions><eqn>C * rate</eqn></aux>',
    ],
    { stop: 5, dims: { C: ['x', 'y'] } },
  ),
);

describe('compiled model description', () => {
  it('outputs: one per scalar and per array element, with kind and units; no internal slots', () => {
    expect(m.outputs.map((o) => [o.name, o.kind])).toEqual([
      ['Pop', 'stock'],
      ['births', 'flow'],
      ['deaths', 'flow'],
      ['rate', 'aux'],
      ['smoothed', 'aux'],
      ['arr[x]', 'aux'],
      ['arr[y]', 'aux'],
    ]);
    expect(m.outputs[0]!.units).toBe('people');
    expect(m.outputs[5]).toMatchObject({ base: 'arr', subscript: ['x'] });
  });

  it('parameters: constants and stock initial values with their values', () => {
    expect(m.parameters.map((p) => [p.name, p.kind, p.value])).toEqual([
      ['Pop', 'stock-initial', 100],
      ['rate', 'constant', 0.1],
      ['arr[x]', 'constant', 0.1],
      ['arr[y]', 'constant', 0.2],
    ]);
  });

  it('graph: variables as nodes, equation and flow edges, internal stocks hidden', () => {
    expect(m.graph.nodes.map((n) => n.name)).toEqual(['Pop', 'births', 'deaths', 'rate', 'smoothed', 'arr']);
    const edges = m.graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort();
    expect(edges).toEqual(
      [
        'births -flow-> Pop',
        'deaths -flow-> Pop',
        'Pop -equation-> births',
        'rate -equation-> births',
        'Pop -equation-> deaths',
        'births -equation-> smoothed',
        'rate -equation-> arr',
      ].sort(),
    );
  });

  it('source is the generated program', () => {
    expect(m.source).toMatch(/function init\(/);
    expect(m.source).toMatch(/function rates\(/);
  });

  it('bad run options are ModelErrors with a message', () => {
    expect(() => m.run({ dt: 0 })).toThrow(ModelError);
    expect(() => m.run({ start: 5, stop: 1 })).toThrow(/before start/);
    expect(() => m.run({ overrides: { births: 1 } })).toThrow(/cannot be set/);
    expect(() => m.run({ overrides: { nope: 1 } })).toThrow(/unknown parameter 'nope'/);
    expect(() => m.run({ vars: ['nope'] })).toThrow(/unknown variable/);
    expect(() => m.simulation().parameterIndex('arr')).toThrow(/array of 2 elements/);
  });

  it('vars selects columns; an array name selects every element', () => {
    const r = m.run({ vars: ['ARR', 'pop'] });
    expect(r.names).toEqual(['arr[x]', 'arr[y]', 'Pop']);
    expect(r.column('arr[Y]')![0]).toBe(0.2);
    expect(r.column('births')).toBeUndefined();
  });
});

describe('run length', () => {
  const t = compileOk(doc([aux('t', 'TIME')], { stop: 1 }));
  it('runs whole steps up to stop, never past it', () => {
    expect(Array.from(t.run({ dt: 0.4 }).time)).toEqual([0, 0.4, 0.8]);
    expect(t.run({ dt: 0.1, stop: 0.3 }).time).toHaveLength(4);
    expect(t.run({ dt: 0.25 }).time).toEqual(Float64Array.from([0, 0.25, 0.5, 0.75, 1]));
    expect(t.run({ dt: 1 / 3 }).time).toHaveLength(4);
  });

  it('saves every save step from the start; a save step between multiples of dt is rounded', () => {
    expect(Array.from(t.run({ dt: 0.25, saveStep: 0.5 }).time)).toEqual([0, 0.5, 1]);
    expect(Array.from(t.run({ dt: 0.25, saveStep: 0.3 }).time)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(t.run({ dt: 0.25, start: 1, stop: 1 }).time)).toEqual([1]);
  });
});
