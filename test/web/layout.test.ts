import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileModel, readModel } from '../../src/engine.js';
import { layoutDiagram, wrapLabel, type PlacedNode } from '../../src/diagram/layout.js';
import { assignSectors } from '../../src/case/sectors.js';
import { parseCaseDefinition } from '../../src/case/definition.js';
import { diagramSvg } from '../../src/diagram/svg.js';

const overlap = (a: PlacedNode, b: PlacedNode) =>
  Math.abs(a.x - b.x) < (a.w + b.w) / 2 && Math.abs(a.y - b.y) < (a.h + b.h) / 2;

describe('wrapLabel', () => {
  it('breaks a name at spaces into short lines and never splits a word', () => {
    expect(wrapLabel('nk_substitution_for_russian_troops', 12)).toEqual([
      'nk',
      'substitution',
      'for russian',
      'troops',
    ]);
    expect(wrapLabel('a', 12)).toEqual(['a']);
    expect(wrapLabel('extraordinarilylongword here', 12)).toEqual(['extraordinarilylongword', 'here']);
  });
});

describe('assignSectors', () => {
  it('names first, then the longest prefix, then the sector most neighbours are in', () => {
    const sectors = [
      { name: 'A', prefixes: ['a_'], variables: ['special'] },
      { name: 'B', prefixes: ['a_b_'], variables: [] },
    ];
    const edges = [
      { from: 'a x', to: 'loner' },
      { from: 'loner', to: 'a y' },
      { from: 'a b z', to: 'island' },
    ];
    const s = assignSectors(['a x', 'a y', 'a b z', 'special', 'loner', 'island', 'nowhere'], edges, sectors);
    expect(Object.fromEntries(s)).toEqual({
      'a x': 'A',
      'a y': 'A',
      'a b z': 'B',
      special: 'A',
      loner: 'A',
      island: 'B',
      nowhere: 'Other',
    });
  });
});

describe('layoutDiagram on the case model (ELK)', () => {
  it('places every variable once, in its sector box, with no two boxes overlapping; deterministic', async () => {
    const model = readModel(readFileSync('models/north-korea-russia/model.xmile', 'utf8'), {
      file: 'm.xmile',
    }).model!;
    const graph = compileModel(model).compiled!.graph;
    const def = parseCaseDefinition(
      JSON.parse(readFileSync('models/north-korea-russia/case.json', 'utf8')),
      'case.json',
    );
    const sectors = assignSectors(
      graph.nodes.map((n) => n.name),
      graph.edges,
      def.sectors!,
    );
    const input = { nodes: graph.nodes, edges: graph.edges, sectors, targetWidth: 1200 };
    const a = await layoutDiagram(input);
    expect(a.nodes.map((n) => n.name).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    expect(a.sectors.map((s) => s.name).sort()).toEqual(
      [
        "Kim's decision",
        "North Korea's troops",
        'Russia',
        'The West',
        'The exchange',
        'The front: losses, experience and the wounded',
      ].sort(),
    );
    for (let i = 0; i < a.nodes.length; i++)
      for (let j = i + 1; j < a.nodes.length; j++)
        expect(overlap(a.nodes[i]!, a.nodes[j]!), `${a.nodes[i]!.name} / ${a.nodes[j]!.name}`).toBe(false);
    for (const n of a.nodes) {
      const box = a.sectors.find((s) => s.name === n.sector)!;
      expect(n.x - n.w / 2).toBeGreaterThanOrEqual(box.x);
      expect(n.x + n.w / 2).toBeLessThanOrEqual(box.x + box.w);
      expect(n.y - n.h / 2).toBeGreaterThanOrEqual(box.y);
      expect(n.y + n.h / 2).toBeLessThanOrEqual(box.y + box.h);
      expect(n.lines.join(' ')).toBe(n.name);
    }
    // Sector boxes do not overlap either.
    for (let i = 0; i < a.sectors.length; i++)
      for (let j = i + 1; j < a.sectors.length; j++) {
        const p = a.sectors[i]!;
        const q = a.sectors[j]!;
        expect(p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h).toBe(false);
      }
    // Every link of the graph is drawn once, and the same input gives the same drawing.
    const links = new Set(graph.edges.filter((e) => e.from !== e.to).map((e) => `${e.from}>${e.to}`));
    expect(a.edges.length).toBe(links.size);
    const b = await layoutDiagram(input);
    expect(diagramSvg(b, { title: 't' })).toBe(diagramSvg(a, { title: 't' }));
  }, 120_000);
});
