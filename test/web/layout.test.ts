import { describe, expect, it } from 'vitest';
import { layout } from '../../src/web/diagram.js';
import type { Model } from '../../src/model/types.js';
import type { ModelGraph } from '../../src/simulate/types.js';

const graph: ModelGraph = {
  nodes: [
    { name: 'Population', kind: 'stock' },
    { name: 'births', kind: 'flow' },
    { name: 'birth rate', kind: 'aux' },
    { name: 'crowding', kind: 'aux' },
  ],
  edges: [
    { from: 'births', to: 'Population', kind: 'flow' },
    { from: 'Population', to: 'births', kind: 'equation' },
    { from: 'birth rate', to: 'births', kind: 'equation' },
    { from: 'Population', to: 'crowding', kind: 'equation' },
    { from: 'crowding', to: 'births', kind: 'equation' },
  ],
};

function model(view?: Model['view']): Model {
  return {
    header: {},
    simSpecs: { start: 0, stop: 1, dt: 1, method: 'euler' },
    dimensions: [],
    variables: [],
    graphicalFunctions: [],
    modules: [],
    subModels: [],
    macros: [],
    units: [],
    view,
  };
}

describe('diagram layout', () => {
  it("uses the file's own positions when they cover the variables (names in any spelling)", () => {
    const view = {
      connectors: [],
      elements: [
        { kind: 'stock' as const, name: 'Population', x: 300, y: 100 },
        { kind: 'flow' as const, name: 'births', x: 200, y: 100 },
        { kind: 'aux' as const, name: 'birth_rate', x: 150, y: 200 },
        { kind: 'aux' as const, name: 'Crowding', x: 350, y: 200 },
      ],
    };
    const { nodes, source } = layout(graph, model(view));
    expect(source).toBe('view');
    const at = (n: string) => nodes.find((p) => p.name === n)!;
    // Relative placement is kept (shifted so the drawing starts near the origin).
    expect(at('births').x).toBeLessThan(at('Population').x);
    expect(at('Population').x - at('births').x).toBe(100);
    expect(at('crowding').y - at('Population').y).toBe(100);
    expect(Math.min(...nodes.map((p) => p.x - p.w / 2))).toBe(30);
  });

  it('lays out in layers when the file has no usable diagram: every node placed, causes left of effects', () => {
    const { nodes, source } = layout(graph, model());
    expect(source).toBe('auto');
    expect(nodes.map((n) => n.name).sort()).toEqual(['Population', 'birth rate', 'births', 'crowding']);
    const x = (n: string) => nodes.find((p) => p.name === n)!.x;
    // birth rate has no causes: first layer; crowding depends on Population: to its right.
    expect(x('birth rate')).toBeLessThanOrEqual(Math.min(...nodes.map((p) => p.x)));
    expect(x('crowding')).toBeGreaterThan(x('Population'));
    const spots = new Set(nodes.map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(nodes.length);
  });
});
