/**
 * The stock-and-flow diagram in the workbench: laid out by src/diagram/ (the case's sectors, ELK
 * in a worker thread) or from the model file's own view when it has one and the case defines no
 * sectors; drawn by the same SVG renderer the report uses. Fits the width of its box by default;
 * zoom with the buttons, Ctrl + wheel or + / - / 0 keys, pan by dragging or scrolling. Nodes are
 * focusable buttons; loops can be highlighted.
 */
import ElkApi from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { Model } from '../engine.js';
import type { ModelGraph } from '../simulate/types.js';
import {
  estimateWidth,
  layoutDiagram,
  wrapLabel,
  type DiagramLayout,
  type Elk,
  type NodeKind,
  type PlacedNode,
} from '../diagram/layout.js';
import { border } from '../diagram/layout.js';
import { diagramSvg } from '../diagram/svg.js';
import { key } from './workspace.js';

/** The smallest default scale: below it labels would be under 10 px, so the box scrolls instead. */
export const MIN_DEFAULT_SCALE = 0.8;

let elk: Elk | undefined;
/** One ELK in a worker thread for every diagram of the page (undefined outside a browser). */
export function sharedElk(): Elk | undefined {
  return typeof Worker === 'undefined' ? undefined : browserElk();
}

function browserElk(): Elk {
  elk ??= new ElkApi({ workerUrl: elkWorkerUrl }) as unknown as Elk;
  return elk;
}

let canvas: CanvasRenderingContext2D | null | undefined;
/** Label widths measured with the page's font (the estimate when no canvas is available). */
function measure(text: string): number {
  if (canvas === undefined) {
    canvas = document.createElement('canvas').getContext('2d');
    if (canvas) canvas.font = '13px system-ui, sans-serif';
  }
  return canvas ? Math.max(canvas.measureText(text).width, estimateWidth(text) * 0.8) : estimateWidth(text);
}

/** Layout from the file's own view: positions kept, boxes sized to hold the labels. */
function fromView(graph: ModelGraph, model: Model): DiagramLayout | undefined {
  const pos = new Map<string, { x: number; y: number }>();
  for (const e of model.view?.elements ?? [])
    if (e.kind !== 'alias' && Number.isFinite(e.x) && Number.isFinite(e.y)) pos.set(key(e.name), e);
  const covered = graph.nodes.filter((n) => pos.has(key(n.name))).length;
  if (!graph.nodes.length || covered < graph.nodes.length * 0.8) return undefined;
  const nodes: PlacedNode[] = graph.nodes.map((n, i) => {
    const p = pos.get(key(n.name)) ?? { x: 40 + (i % 10) * 120, y: -80 };
    return { name: n.name, kind: n.kind, sector: '', ...p, ...sized(n.name, n.kind) };
  });
  return finish(nodes, graph);
}

function sized(name: string, kind: NodeKind): { w: number; h: number; lines: string[] } {
  const lines = wrapLabel(name);
  const text = Math.max(...lines.map(measure));
  return {
    w: Math.ceil(text + (kind === 'flow' ? 34 : kind === 'stock' ? 24 : 16)),
    h: lines.length * 16 + 10,
    lines,
  };
}

/** Edges as straight segments between borders, and the drawing shifted to start at the origin. */
function finish(nodes: PlacedNode[], graph: ModelGraph): DiagramLayout {
  const minX = Math.min(...nodes.map((n) => n.x - n.w / 2));
  const minY = Math.min(...nodes.map((n) => n.y - n.h / 2));
  for (const n of nodes) {
    n.x -= minX;
    n.y -= minY;
  }
  const at = new Map(nodes.map((n) => [n.name, n]));
  const edges = graph.edges.flatMap((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b || a === b) return [];
    return [{ from: e.from, to: e.to, points: [border(a, b.x, b.y), border(b, a.x, a.y)] }];
  });
  return {
    nodes,
    sectors: [],
    edges,
    width: Math.max(...nodes.map((n) => n.x + n.w / 2)),
    height: Math.max(...nodes.map((n) => n.y + n.h / 2)),
  };
}

/**
 * Place every node: ELK by sectors when the case gives sectors (or the file has no usable view),
 * else the file's own view.
 */
export async function computeLayout(
  graph: ModelGraph,
  model: Model,
  sectors?: Map<string, string>,
  targetWidth?: number,
): Promise<{ layout: DiagramLayout; source: 'view' | 'auto' }> {
  if (!sectors) {
    const view = fromView(graph, model);
    if (view) return { layout: view, source: 'view' };
  }
  // ELK takes seconds on a model of 200 variables: the result is kept for this tab, by input.
  const width = Math.round((targetWidth ?? 1400) / 100) * 100;
  const cacheKey = `interlock-layout:${hash(
    JSON.stringify([graph.nodes, graph.edges.map((e) => [e.from, e.to]), [...(sectors ?? [])], width]),
  )}`;
  try {
    const hit = sessionStorage.getItem(cacheKey);
    if (hit) return { layout: JSON.parse(hit) as DiagramLayout, source: 'auto' };
  } catch {
    // No storage (private mode, tests in Node): lay out again.
  }
  const layout = await layoutDiagram({
    nodes: graph.nodes,
    edges: graph.edges,
    sectors,
    measure,
    elk: sharedElk(),
    targetWidth: width,
  });
  try {
    sessionStorage.setItem(cacheKey, JSON.stringify(layout));
  } catch {
    // Full or absent storage: nothing kept.
  }
  return { layout, source: 'auto' };
}

/** A short string hash (FNV-1a) for cache keys. */
function hash(text: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x.toString(36);
}

/**
 * The layout after an edit: nodes still there keep their place, new ones go in a row below the
 * drawing, removed ones go; links are redrawn straight where ELK's route no longer applies.
 */
export function updateLayout(previous: DiagramLayout, graph: ModelGraph): DiagramLayout {
  const old = new Map(previous.nodes.map((n) => [key(n.name), n]));
  let x = 0;
  const y = previous.height + 40;
  const nodes: PlacedNode[] = graph.nodes.map((n) => {
    const was = old.get(key(n.name));
    if (was)
      return { ...was, name: n.name, kind: n.kind, ...(was.name === n.name ? {} : sized(n.name, n.kind)) };
    const s = sized(n.name, n.kind);
    const placed = { name: n.name, kind: n.kind, sector: 'Added', x: x + s.w / 2, y: y + s.h / 2, ...s };
    x += s.w + 24;
    return placed;
  });
  const at = new Map(nodes.map((n) => [n.name, n]));
  const kept = new Map(previous.edges.map((e) => [`${key(e.from)}\u0000${key(e.to)}`, e]));
  const edges = graph.edges.flatMap((e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b || a === b) return [];
    const route = kept.get(`${key(e.from)}\u0000${key(e.to)}`);
    const moved = !old.has(key(e.from)) || !old.has(key(e.to));
    if (route && !moved) return [{ ...route, from: e.from, to: e.to }];
    return [{ from: e.from, to: e.to, points: [border(a, b.x, b.y), border(b, a.x, a.y)], crossing: true }];
  });
  return {
    nodes,
    sectors: previous.sectors,
    edges,
    width: Math.max(previous.width, ...nodes.map((n) => n.x + n.w / 2)),
    height: Math.max(previous.height, ...nodes.map((n) => n.y + n.h / 2)),
  };
}

/** A renamed variable keeps its place (its box resized for the new label). */
export function renameInLayout(layout: DiagramLayout, from: string, to: string): DiagramLayout {
  const k = key(from);
  const shown = to.replace(/_/g, ' ').trim();
  return {
    ...layout,
    nodes: layout.nodes.map((n) => (key(n.name) === k ? { ...n, name: shown, ...sized(shown, n.kind) } : n)),
    edges: layout.edges.map((e) => ({
      ...e,
      from: key(e.from) === k ? shown : e.from,
      to: key(e.to) === k ? shown : e.to,
    })),
  };
}

export class DiagramView {
  readonly el: HTMLDivElement;
  private svg?: SVGSVGElement;
  private layout?: DiagramLayout;
  private scaleValue = 1;
  private highlighted: string[] | null = null;
  private selected: string | null = null;
  /** Told when the scale changes (the page shows it). */
  onZoom: (scale: number) => void = () => {};

  constructor(
    private readonly onSelect: (name: string) => void,
    label = 'Stock and flow diagram',
    id = 'diagram',
  ) {
    this.el = document.createElement('div');
    this.el.className = 'diagram';
    this.el.id = id;
    this.el.tabIndex = 0;
    this.el.setAttribute('role', 'region');
    this.el.setAttribute(
      'aria-label',
      `${label}: + and - zoom, 0 fits the width, arrows scroll; on a variable, arrows move to the nearest one that way, Home and End to the first and last, Enter selects`,
    );
    this.el.addEventListener('click', (ev) => {
      const g = (ev.target as Element).closest?.('g.node');
      if (g) this.onSelect(g.getAttribute('data-name')!);
    });
    this.el.addEventListener('keydown', (ev) => {
      const g = (ev.target as Element).closest?.('g.node') as SVGGElement | null;
      if (g && (ev.key === 'Enter' || ev.key === ' ')) {
        ev.preventDefault();
        this.onSelect(g.getAttribute('data-name')!);
        return;
      }
      // One node of the drawing is in the Tab order; arrows move between nodes by position.
      if (g && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        const next = this.neighbour(g, ev.key);
        if (next) {
          ev.preventDefault();
          this.rove(next, true);
          return;
        }
      }
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === '+' || ev.key === '=') this.zoomBy(1.25);
      else if (ev.key === '-') this.zoomBy(0.8);
      else if (ev.key === '0') this.fitWidth();
      else return;
      ev.preventDefault();
    });
    this.el.addEventListener(
      'wheel',
      (ev) => {
        if (!ev.ctrlKey) return;
        ev.preventDefault();
        const r = this.el.getBoundingClientRect();
        this.zoomBy(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
      },
      { passive: false },
    );
    // Drag the background to pan.
    let drag: { x: number; y: number; left: number; top: number } | undefined;
    this.el.addEventListener('pointerdown', (ev) => {
      if ((ev.target as Element).closest?.('g.node') || ev.button !== 0) return;
      drag = { x: ev.clientX, y: ev.clientY, left: this.el.scrollLeft, top: this.el.scrollTop };
      this.el.classList.add('panning');
    });
    window.addEventListener('pointermove', (ev) => {
      if (!drag) return;
      this.el.scrollLeft = drag.left - (ev.clientX - drag.x);
      this.el.scrollTop = drag.top - (ev.clientY - drag.y);
    });
    window.addEventListener('pointerup', () => {
      drag = undefined;
      this.el.classList.remove('panning');
    });
  }

  get scale(): number {
    return this.scaleValue;
  }

  get current(): DiagramLayout | undefined {
    return this.layout;
  }

  /** Draw a layout (keeping the scale unless `fit`). */
  show(layout: DiagramLayout, fit = false): void {
    this.layout = layout;
    const box = document.createElement('div');
    box.innerHTML = diagramSvg(layout, {
      title: 'Stock and flow diagram',
      interactive: true,
      idPrefix: this.el.id,
    });
    this.svg = box.firstElementChild as SVGSVGElement;
    this.el.replaceChildren(this.svg);
    if (fit) this.fitWidth();
    else this.apply();
    this.highlight(this.highlighted);
    this.select(this.selected, false);
    const nodes = this.svg.querySelectorAll<SVGGElement>('g.node');
    for (const g of nodes) g.setAttribute('tabindex', '-1');
    const start = (this.selected !== null && this.node(this.selected)) || nodes[0];
    if (start) this.rove(start, false);
  }

  /** Make `g` the node in the Tab order (and focus it). */
  private rove(g: SVGGElement, focus: boolean): void {
    for (const other of this.svg?.querySelectorAll<SVGGElement>('g.node[tabindex="0"]') ?? [])
      if (other !== g) other.setAttribute('tabindex', '-1');
    g.setAttribute('tabindex', '0');
    if (focus) {
      g.focus();
      g.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    }
  }

  /** The node an arrow key (or Home, End) moves to from `g`: the nearest in that direction. */
  private neighbour(g: SVGGElement, keyName: string): SVGGElement | undefined {
    const nodes = [...(this.svg?.querySelectorAll<SVGGElement>('g.node') ?? [])];
    if (keyName === 'Home') return nodes[0];
    if (keyName === 'End') return nodes[nodes.length - 1];
    const dir = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] }[keyName];
    if (!dir) return undefined;
    const centre = (e: Element) => {
      const r = e.getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2] as const;
    };
    const [x0, y0] = centre(g);
    let best: SVGGElement | undefined;
    let bestScore = Infinity;
    for (const n of nodes) {
      if (n === g) continue;
      const [x, y] = centre(n);
      const along = (x - x0) * dir[0]! + (y - y0) * dir[1]!;
      if (along <= 1) continue;
      const across = Math.abs((x - x0) * dir[1]! - (y - y0) * dir[0]!);
      // Straight ahead first: sideways distance counts double.
      const score = along + 2 * across;
      if (score < bestScore) {
        bestScore = score;
        best = n;
      }
    }
    return best;
  }

  private apply(): void {
    if (!this.svg || !this.layout) return;
    const vb = this.svg.viewBox.baseVal;
    this.svg.setAttribute('width', String(Math.round(vb.width * this.scaleValue)));
    this.svg.setAttribute('height', String(Math.round(vb.height * this.scaleValue)));
    this.onZoom(this.scaleValue);
  }

  /** Scale to the box's width, but not below MIN_DEFAULT_SCALE nor above 1 (the default view). */
  fitWidth(): number {
    if (!this.svg) return this.scaleValue;
    const w = this.el.clientWidth - 4;
    const vb = this.svg.viewBox.baseVal;
    this.scaleValue = Math.min(1, Math.max(MIN_DEFAULT_SCALE, w / vb.width));
    this.apply();
    return this.scaleValue;
  }

  /** The whole drawing in the box (labels may then be small). */
  fitAll(): number {
    if (!this.svg) return this.scaleValue;
    const vb = this.svg.viewBox.baseVal;
    this.scaleValue = Math.min(
      1,
      (this.el.clientWidth - 4) / vb.width,
      (this.el.clientHeight - 4) / vb.height,
    );
    this.apply();
    return this.scaleValue;
  }

  /** Multiply the scale, keeping the point (px, py) of the box (default: its centre) in place. */
  zoomBy(factor: number, px = this.el.clientWidth / 2, py = this.el.clientHeight / 2): number {
    const before = this.scaleValue;
    const next = Math.min(3, Math.max(0.1, before * factor));
    const cx = (this.el.scrollLeft + px) / before;
    const cy = (this.el.scrollTop + py) / before;
    this.scaleValue = next;
    this.apply();
    this.el.scrollLeft = cx * next - px;
    this.el.scrollTop = cy * next - py;
    return next;
  }

  highlight(vars: string[] | null): void {
    this.highlighted = vars;
    if (!this.svg) return;
    const set = new Set((vars ?? []).map(key));
    const pairs = new Set<string>();
    if (vars) vars.forEach((v, i) => pairs.add(`${key(v)}\u0000${key(vars[(i + 1) % vars.length]!)}`));
    for (const p of this.svg.querySelectorAll<SVGPathElement>('path.edge')) {
      const on = pairs.has(`${key(p.dataset.from!)}\u0000${key(p.dataset.to!)}`);
      p.classList.toggle('hl', on);
      p.setAttribute('marker-end', `url(#${this.el.id}-arrow${on ? '-hl' : ''})`);
    }
    for (const g of this.svg.querySelectorAll<SVGGElement>('g.node'))
      g.classList.toggle('hl', set.has(key(g.dataset.name!)));
  }

  select(name: string | null, scroll = true): void {
    this.selected = name;
    if (!this.svg) return;
    let hit: SVGGElement | undefined;
    for (const g of this.svg.querySelectorAll<SVGGElement>('g.node')) {
      const on = name !== null && key(g.dataset.name!) === key(name);
      g.classList.toggle('selected', on);
      if (on) hit = g;
    }
    // The selected variable's links stand out (links between sectors are faint otherwise).
    const k = name === null ? undefined : key(name);
    for (const p of this.svg.querySelectorAll<SVGPathElement>('path.edge'))
      p.classList.toggle('near', k !== undefined && (key(p.dataset.from!) === k || key(p.dataset.to!) === k));
    if (hit) this.rove(hit, false);
    if (scroll && hit) hit.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }

  /** The drawn node of a variable (tests and the editor's focus handling). */
  node(name: string): SVGGElement | undefined {
    return [...(this.svg?.querySelectorAll<SVGGElement>('g.node') ?? [])].find(
      (g) => key(g.dataset.name!) === key(name),
    );
  }
}
