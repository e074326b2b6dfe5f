/**
 * The diagram's layout, shared by the workbench and the self-contained report: variables grouped
 * into sectors (src/case/sectors.ts) and placed by ELK's layered algorithm (elkjs), each sector a
 * box of its own, links routed around the boxes. Labels are wrapped to a few words a line and
 * every node is sized to hold its label whole, so that labels are never cut and never overlap.
 * No DOM and no Node imports.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { displayName } from '../equations/names.js';

export type NodeKind = 'stock' | 'flow' | 'aux';

export interface LayoutInput {
  nodes: { name: string; kind: NodeKind }[];
  edges: { from: string; to: string }[];
  /** Sector by node name; absent: one sector holding everything. */
  sectors?: Map<string, string>;
  /** Width of a text line at the label font size; default: an estimate for a sans-serif face. */
  measure?: (text: string) => number;
}

export interface PlacedNode {
  name: string;
  kind: NodeKind;
  sector: string;
  /** Centre, and size of the box that holds the label. */
  x: number;
  y: number;
  w: number;
  h: number;
  /** The label, wrapped. */
  lines: string[];
}

export interface PlacedSector {
  name: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** From the source's border to the target's border: a polyline, or spline control points. */
  points: { x: number; y: number }[];
  /** A link between two sectors (drawn straight, lighter). */
  crossing?: boolean;
}

export interface DiagramLayout {
  nodes: PlacedNode[];
  sectors: PlacedSector[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/** Font size (px) of node labels in layout units; the caller draws them at this size. */
export const LABEL_FONT = 13;
export const LINE_HEIGHT = 16;
const SECTOR_TITLE = 22;
const MAX_LINE_CHARS = 12;

/** A rough line width for a sans-serif face at LABEL_FONT: wide enough for the real one. */
export function estimateWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[mwMW]/.test(ch) ? 11 : /[A-Z]/.test(ch) ? 9 : /[ilj.,'|]/.test(ch) ? 4 : 7.2;
  return w;
}

/** Break a name into lines of a few words (words are never split). */
export function wrapLabel(name: string, maxChars = MAX_LINE_CHARS): string[] {
  const words = displayName(name).split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > maxChars) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

function nodeSize(kind: NodeKind, lines: string[], measure: (t: string) => number): { w: number; h: number } {
  const text = Math.max(...lines.map(measure));
  const textH = lines.length * LINE_HEIGHT;
  // Stocks and auxiliaries hold their label inside; a flow's valve sits to the left of its label.
  if (kind === 'stock') return { w: Math.ceil(text + 24), h: Math.ceil(textH + 16) };
  if (kind === 'flow') return { w: Math.ceil(text + 34), h: Math.ceil(Math.max(textH + 8, 26)) };
  return { w: Math.ceil(text + 16), h: Math.ceil(textH + 8) };
}

/** What the layout needs of an ELK instance (elk.bundled.js in Node, a worker-backed one in the browser). */
export interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>;
}

let bundled: Elk | undefined;
async function defaultElk(): Promise<Elk> {
  if (!bundled) {
    // A CommonJS module: its default export is the constructor.
    // Named through a variable so that the browser build does not bundle it (the page passes a
    // worker-backed ELK instead).
    const bundledElk = 'elkjs/lib/elk.bundled.js';
    const mod = (await import(/* @vite-ignore */ bundledElk)) as { default: new () => Elk };
    bundled = new mod.default();
  }
  return bundled!;
}

interface Box {
  name: string;
  members: { name: string; kind: NodeKind; lines: string[]; w: number; h: number }[];
  /** Member centres relative to the box's top left, after layout. */
  placed: { x: number; y: number }[];
  inner: PlacedEdge[];
  w: number;
  h: number;
}

/** One sector laid out by ELK on its own (links inside the sector only). */
async function layoutSector(elk: Elk, box: Box, edges: { from: string; to: string }[]): Promise<void> {
  const ids = new Map(box.members.map((m, i) => [m.name, `n${i}`]));
  const elkEdges: ElkExtendedEdge[] = [];
  const seen = new Set<string>();
  for (const e of edges) {
    const a = ids.get(e.from);
    const b = ids.get(e.to);
    if (!a || !b || a === b || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    elkEdges.push({ id: `e${elkEdges.length}`, sources: [a], targets: [b] });
  }
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.edgeRouting': 'SPLINES',
      'elk.layered.spacing.nodeNodeBetweenLayers': '34',
      'elk.spacing.nodeNode': '12',
      'elk.spacing.edgeNode': '6',
      'elk.layered.thoroughness': '3',
      'elk.randomSeed': '1',
      'elk.aspectRatio': '1.3',
      'elk.separateConnectedComponents': 'true',
      'elk.padding': `[top=${SECTOR_TITLE + 10},left=12,bottom=12,right=12]`,
    },
    children: box.members.map((m, i) => ({ id: `n${i}`, width: m.w, height: m.h })),
    edges: elkEdges,
  };
  const out = await elk.layout(graph);
  const byId = new Map((out.children ?? []).map((c) => [c.id, c]));
  box.placed = box.members.map((_, i) => {
    const c = byId.get(`n${i}`)!;
    return { x: (c.x ?? 0) + (c.width ?? 0) / 2, y: (c.y ?? 0) + (c.height ?? 0) / 2 };
  });
  const names = new Map([...ids].map(([n, id]) => [id, n]));
  box.inner = (out.edges ?? []).flatMap((e) => {
    const sec = e.sections?.[0];
    if (!sec) return [];
    return [
      {
        from: names.get(e.sources[0]!)!,
        to: names.get(e.targets[0]!)!,
        points: [sec.startPoint, ...(sec.bendPoints ?? []), sec.endPoint].map((p) => ({ x: p.x, y: p.y })),
      },
    ];
  });
  box.w = Math.max(out.width ?? 0, SECTOR_TITLE * 8);
  box.h = out.height ?? 0;
}

/**
 * Lay the diagram out: each sector by ELK, then the sector boxes in rows no wider than
 * `targetWidth` (the widest box sets the minimum). Links between sectors are straight segments
 * between the two nodes' borders (`crossing` true). Deterministic.
 */
export async function layoutDiagram(
  input: LayoutInput & { targetWidth?: number; elk?: Elk },
): Promise<DiagramLayout> {
  const elk = input.elk ?? (await defaultElk());
  const measure = input.measure ?? estimateWidth;
  const sectorOf = (n: string) => input.sectors?.get(n) ?? '';
  const boxes: Box[] = [];
  const boxOf = new Map<string, Box>();
  for (const n of input.nodes) {
    const s = sectorOf(n.name);
    let box = boxes.find((b) => b.name === s);
    if (!box) boxes.push((box = { name: s, members: [], placed: [], inner: [], w: 0, h: 0 }));
    const lines = wrapLabel(n.name);
    box.members.push({ name: n.name, kind: n.kind, lines, ...nodeSize(n.kind, lines, measure) });
    boxOf.set(n.name, box);
  }
  await Promise.all(boxes.map((b) => layoutSector(elk, b, input.edges)));
  // Rows of sector boxes, in order, each row as wide as fits.
  const gap = 24;
  const target = Math.max(input.targetWidth ?? 1400, ...boxes.map((b) => b.w));
  const origin = new Map<Box, { x: number; y: number }>();
  let x = 0;
  let y = 0;
  let rowH = 0;
  for (const b of boxes) {
    if (x > 0 && x + b.w > target) {
      x = 0;
      y += rowH + gap;
      rowH = 0;
    }
    origin.set(b, { x, y });
    x += b.w + gap;
    rowH = Math.max(rowH, b.h);
  }
  const nodes: PlacedNode[] = [];
  const at = new Map<string, PlacedNode>();
  for (const b of boxes) {
    const o = origin.get(b)!;
    b.members.forEach((m, i) => {
      const p = b.placed[i]!;
      const node: PlacedNode = {
        name: m.name,
        kind: m.kind,
        sector: b.name,
        x: o.x + p.x,
        y: o.y + p.y,
        w: m.w,
        h: m.h,
        lines: m.lines,
      };
      nodes.push(node);
      at.set(m.name, node);
    });
  }
  const edges: PlacedEdge[] = [];
  for (const b of boxes) {
    const o = origin.get(b)!;
    for (const e of b.inner)
      edges.push({ ...e, points: e.points.map((p) => ({ x: p.x + o.x, y: p.y + o.y })) });
  }
  const seen = new Set(edges.map((e) => `${e.from}\u0000${e.to}`));
  for (const e of input.edges) {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b || a === b || seen.has(`${e.from}\u0000${e.to}`)) continue;
    seen.add(`${e.from}\u0000${e.to}`);
    edges.push({
      from: e.from,
      to: e.to,
      points: [border(a, b.x, b.y), border(b, a.x, a.y)],
      crossing: true,
    });
  }
  const sectors = boxes.map((b) => ({ name: b.name || 'Model', ...origin.get(b)!, w: b.w, h: b.h }));
  const width = Math.max(...sectors.map((s) => s.x + s.w));
  const height = Math.max(...sectors.map((s) => s.y + s.h));
  return { nodes, sectors, edges, width, height };
}

/** Where the segment from the node's centre towards (tx, ty) leaves its box. */
export function border(
  n: { x: number; y: number; w: number; h: number },
  tx: number,
  ty: number,
): { x: number; y: number } {
  const dx = tx - n.x;
  const dy = ty - n.y;
  if (!dx && !dy) return { x: n.x, y: n.y };
  const sx = dx ? n.w / 2 / Math.abs(dx) : Infinity;
  const sy = dy ? n.h / 2 / Math.abs(dy) : Infinity;
  const t = Math.min(sx, sy, 1);
  return { x: n.x + dx * t, y: n.y + dy * t };
}
