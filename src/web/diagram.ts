/**
 * Stock-and-flow diagram: positions from the model file's own view when it covers the variables,
 * otherwise a layered layout (cycles broken by DFS back edges, layers by longest path, order by
 * barycentre sweeps). Nodes are focusable buttons; loops can be highlighted.
 */
import { s } from './dom.js';
import type { Model } from '../engine.js';
import type { ModelGraph } from '../simulate/types.js';
import { key } from './workspace.js';

export interface Placed {
  name: string;
  kind: 'stock' | 'flow' | 'aux';
  x: number;
  y: number;
  w: number;
  h: number;
}

function sizeOf(name: string, kind: Placed['kind']): { w: number; h: number } {
  const text = Math.min(name.length, 22) * 6.2 + 14;
  if (kind === 'stock') return { w: Math.max(90, text), h: 40 };
  if (kind === 'flow') return { w: 18, h: 18 };
  return { w: Math.max(40, text), h: 26 };
}

/** Place every node: the file's view when it positions most of them, else a layered layout. */
export function layout(graph: ModelGraph, model: Model): { nodes: Placed[]; source: 'view' | 'auto' } {
  const view = model.view?.elements ?? [];
  const pos = new Map<string, { x: number; y: number }>();
  for (const e of view)
    if (e.kind !== 'alias' && Number.isFinite(e.x) && Number.isFinite(e.y))
      pos.set(key(e.name), { x: e.x, y: e.y });
  const covered = graph.nodes.filter((n) => pos.has(key(n.name))).length;
  if (graph.nodes.length && covered >= graph.nodes.length * 0.8) {
    const placed = graph.nodes.map((n, i) => {
      const p = pos.get(key(n.name)) ?? { x: 40 + (i % 10) * 60, y: -60 };
      return { name: n.name, kind: n.kind, ...p, ...sizeOf(n.name, n.kind) };
    });
    return { nodes: normalise(placed), source: 'view' };
  }
  return { nodes: normalise(layered(graph)), source: 'auto' };
}

function normalise(nodes: Placed[]): Placed[] {
  const minX = Math.min(...nodes.map((n) => n.x - n.w / 2));
  const minY = Math.min(...nodes.map((n) => n.y - n.h / 2));
  return nodes.map((n) => ({ ...n, x: n.x - minX + 30, y: n.y - minY + 30 }));
}

function layered(graph: ModelGraph): Placed[] {
  const names = graph.nodes.map((n) => n.name);
  const idx = new Map(names.map((n, i) => [n, i]));
  const out: number[][] = names.map(() => []);
  for (const e of graph.edges) {
    const a = idx.get(e.from);
    const b = idx.get(e.to);
    if (a !== undefined && b !== undefined && a !== b) out[a]!.push(b);
  }
  // Break cycles: drop DFS back edges.
  const state = new Uint8Array(names.length);
  const dag: number[][] = names.map(() => []);
  const visit = (v: number) => {
    state[v] = 1;
    for (const w of out[v]!) {
      if (state[w] === 1) continue;
      dag[v]!.push(w);
      if (state[w] === 0) visit(w);
    }
    state[v] = 2;
  };
  names.forEach((_, i) => state[i] === 0 && visit(i));
  const layer = new Array<number>(names.length).fill(0);
  const order: number[] = [];
  const seen = new Uint8Array(names.length);
  const topo = (v: number) => {
    seen[v] = 1;
    for (const w of dag[v]!) if (!seen[w]) topo(w);
    order.push(v);
  };
  names.forEach((_, i) => !seen[i] && topo(i));
  order.reverse();
  for (const v of order) for (const w of dag[v]!) layer[w] = Math.max(layer[w]!, layer[v]! + 1);
  const layers: number[][] = [];
  order.forEach((v) => (layers[layer[v]!] ??= []).push(v));
  const preds: number[][] = names.map(() => []);
  dag.forEach((ws, v) => ws.forEach((w) => preds[w]!.push(v)));
  const position = new Array<number>(names.length).fill(0);
  layers.forEach((l) => l.forEach((v, i) => (position[v] = i)));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (const l of layers.slice(1)) {
      const bary = (v: number) =>
        preds[v]!.length ? preds[v]!.reduce((a, p) => a + position[p]!, 0) / preds[v]!.length : position[v]!;
      l.sort((a, b) => bary(a) - bary(b));
      l.forEach((v, i) => (position[v] = i));
    }
  }
  const placed: Placed[] = [];
  layers.forEach((l, li) =>
    l.forEach((v, i) => {
      const n = graph.nodes[v]!;
      placed.push({
        name: n.name,
        kind: n.kind,
        x: li * 190,
        y: i * 72 + (li % 2) * 18,
        ...sizeOf(n.name, n.kind),
      });
    }),
  );
  return placed;
}

/** Where the segment from the node's centre towards (tx, ty) leaves its box. */
function clip(n: Placed, tx: number, ty: number): [number, number] {
  const dx = tx - n.x;
  const dy = ty - n.y;
  if (!dx && !dy) return [n.x, n.y];
  const sx = Math.abs(dx) > 0 ? n.w / 2 / Math.abs(dx) : Infinity;
  const sy = Math.abs(dy) > 0 ? n.h / 2 / Math.abs(dy) : Infinity;
  const t = Math.min(sx, sy, 1);
  return [n.x + dx * t, n.y + dy * t];
}

export interface DiagramHandle {
  svg: SVGSVGElement;
  highlight(variables: string[] | null): void;
  select(name: string | null): void;
  /** Multiply the drawing scale by `factor` (0 resets to 1); returns the new scale. */
  zoom(factor: number): number;
}

export function drawDiagram(
  graph: ModelGraph,
  placed: Placed[],
  onSelect: (name: string) => void,
): DiagramHandle {
  const byName = new Map(placed.map((p) => [p.name, p]));
  const width = Math.max(...placed.map((p) => p.x + p.w / 2)) + 40;
  const height = Math.max(...placed.map((p) => p.y + p.h / 2)) + 40;
  const defs = s(
    'defs',
    {},
    s(
      'marker',
      {
        id: 'arrow',
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 8,
        markerHeight: 8,
        markerUnits: 'userSpaceOnUse',
        orient: 'auto-start-reverse',
      },
      s('path', { d: 'M0,0L10,5L0,10z', fill: '#8a96a3' }),
    ),
    s(
      'marker',
      {
        id: 'arrow-hl',
        viewBox: '0 0 10 10',
        refX: 9,
        refY: 5,
        markerWidth: 9,
        markerHeight: 9,
        markerUnits: 'userSpaceOnUse',
        orient: 'auto-start-reverse',
      },
      s('path', { d: 'M0,0L10,5L0,10z', fill: '#d1495b' }),
    ),
  );
  const edgeLayer = s('g', {});
  const nodeLayer = s('g', {});
  const edgeEls: { from: string; to: string; el: SVGPathElement }[] = [];
  for (const e of graph.edges) {
    const a = byName.get(e.from);
    const b = byName.get(e.to);
    if (!a || !b) continue;
    let d: string;
    if (a === b) {
      d = `M${a.x + a.w / 2},${a.y}c30,-30 30,30 0,8`;
    } else {
      // A gentle curve so that opposite edges of a two-node loop do not overlap.
      const mx = (a.x + b.x) / 2 + (b.y - a.y) * 0.12;
      const my = (a.y + b.y) / 2 - (b.x - a.x) * 0.12;
      const [x1, y1] = clip(a, mx, my);
      const [x2, y2] = clip(b, mx, my);
      d = `M${x1.toFixed(1)},${y1.toFixed(1)}Q${mx.toFixed(1)},${my.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}`;
    }
    const el = s('path', { d, class: `edge ${e.kind}`, 'marker-end': 'url(#arrow)' });
    edgeLayer.append(el);
    edgeEls.push({ from: e.from, to: e.to, el });
  }
  const nodeEls = new Map<string, SVGGElement>();
  for (const p of placed) {
    const shape =
      p.kind === 'stock'
        ? s('rect', { x: p.x - p.w / 2, y: p.y - p.h / 2, width: p.w, height: p.h, rx: 2 })
        : p.kind === 'flow'
          ? s('circle', { cx: p.x, cy: p.y, r: 8 })
          : s('ellipse', { cx: p.x, cy: p.y, rx: p.w / 2, ry: p.h / 2 });
    const label = p.name.length > 24 ? `${p.name.slice(0, 22)}...` : p.name;
    const text = s(
      'text',
      { x: p.x, y: p.kind === 'flow' ? p.y + 22 : p.y + 4, 'text-anchor': 'middle' },
      label,
    );
    const g = s(
      'g',
      {
        class: `node ${p.kind}`,
        tabindex: 0,
        role: 'button',
        'aria-label': `${p.kind} ${p.name}`,
        'data-name': p.name,
      },
      s('title', {}, p.name),
      shape,
      text,
    );
    g.addEventListener('click', () => onSelect(p.name));
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        onSelect(p.name);
      }
    });
    nodeLayer.append(g);
    nodeEls.set(p.name, g);
  }
  let scale = 1;
  const svg = s(
    'svg',
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'group',
      'aria-label': 'Stock and flow diagram',
    },
    defs,
    edgeLayer,
    nodeLayer,
  );
  return {
    svg,
    highlight(vars) {
      const set = new Set(vars ?? []);
      const pairs = new Set<string>();
      if (vars) vars.forEach((v, i) => pairs.add(`${v}\u0000${vars[(i + 1) % vars.length]}`));
      for (const e of edgeEls) {
        const on = pairs.has(`${e.from}\u0000${e.to}`);
        e.el.classList.toggle('hl', on);
        e.el.setAttribute('marker-end', on ? 'url(#arrow-hl)' : 'url(#arrow)');
      }
      for (const [name, g] of nodeEls) g.classList.toggle('hl', set.has(name));
    },
    select(name) {
      for (const [n, g] of nodeEls) g.classList.toggle('selected', n === name);
      const g = name ? nodeEls.get(name) : undefined;
      g?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    },
    zoom(factor) {
      scale = Math.min(4, Math.max(0.2, factor === 0 ? 1 : scale * factor));
      svg.setAttribute('width', String(Math.round(width * scale)));
      svg.setAttribute('height', String(Math.round(height * scale)));
      return scale;
    },
  };
}
