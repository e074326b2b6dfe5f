/**
 * Our own SVG charts: line charts (with optional bands for fan charts), scatter plots and
 * horizontal bars. Line charts keep their path elements and only rewrite `d` on update, which
 * keeps a slider's redraw well inside one frame.
 */
import { fmt, h, s } from './dom.js';

export const PALETTE = [
  '#1f5fbf',
  '#d1495b',
  '#2e8b57',
  '#e08a00',
  '#7a4fb3',
  '#00838f',
  '#8d6e63',
  '#c2185b',
];

const W = 520;
const H = 240;
const M = { left: 58, right: 12, top: 12, bottom: 30 };

export interface Line {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  label: string;
  dash?: boolean;
  width?: number;
}

export interface Band {
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  color: string;
  opacity: number;
}

export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((st) => (hi - lo) / st <= count) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function niceDomain(lo: number, hi: number): [number, number] {
  const ticks = niceTicks(lo, hi);
  if (ticks.length < 2) return [lo, hi];
  const step = ticks[1]! - ticks[0]!;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

function extent(arrays: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

interface Scale {
  x: (v: number) => number;
  y: (v: number) => number;
}

export class LineChart {
  readonly el: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly axes: SVGGElement;
  private readonly plot: SVGGElement;
  private readonly legend: HTMLElement;
  private paths: SVGPathElement[] = [];
  private bands: SVGPathElement[] = [];
  private lastKey = '';
  private axesKey = '';

  constructor(
    readonly title: string,
    readonly units?: string,
    readonly xLabel = 'time',
    /** Text of an x tick (calendar dates for a model with a start date); numbers otherwise. */
    readonly xTick: (t: number) => string = fmt,
    /** Tick positions on the time axis (whole years of months, say); round numbers otherwise. */
    readonly xTickValues: (lo: number, hi: number) => number[] = (lo, hi) => niceTicks(lo, hi, 6),
  ) {
    this.axes = s('g', { class: 'axes' });
    this.plot = s('g', { class: 'plot' });
    this.svg = s(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Chart of ${title}` },
      this.axes,
      this.plot,
    );
    this.legend = h('div', { class: 'legend' });
    this.el = h(
      'figure',
      { class: 'chart' },
      h('figcaption', {}, title, units ? h('span', { class: 'units' }, ` (${units})`) : null),
      this.svg,
      this.legend,
    );
  }

  update(lines: Line[], bands: Band[] = []): void {
    const xs = extent(lines.map((l) => l.x).concat(bands.map((b) => b.x)));
    const ys = extent(lines.map((l) => l.y).concat(bands.flatMap((b) => [b.lo, b.hi])));
    // A domain rounded out to whole tick steps: while a slider moves, the scale (and so the axes)
    // changes only when the data crosses a tick, not on every move.
    const [y0, y1] = niceDomain(ys[0], ys[1]);
    const yt = niceTicks(y0, y1);
    const sc: Scale = {
      x: (v) => M.left + ((v - xs[0]) / (xs[1] - xs[0] || 1)) * (W - M.left - M.right),
      y: (v) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom),
    };
    const xt = this.xTickValues(xs[0], xs[1]);
    // Axes change far less often than the lines: rebuild them only when their ticks move.
    const axesKey = `${xs[0]},${xs[1]},${y0},${y1}`;
    if (axesKey !== this.axesKey) {
      this.axesKey = axesKey;
      this.drawAxes(sc, xt, yt);
    }
    while (this.bands.length < bands.length) {
      const p = s('path', { class: 'band' });
      this.plot.insertBefore(p, this.plot.firstChild);
      this.bands.push(p);
    }
    this.bands.forEach((p, i) => {
      const b = bands[i];
      if (!b) return p.setAttribute('d', '');
      let d = '';
      for (let k = 0; k < b.x.length; k++)
        d += `${k ? 'L' : 'M'}${sc.x(b.x[k]!).toFixed(1)},${sc.y(b.hi[k]!).toFixed(1)}`;
      for (let k = b.x.length - 1; k >= 0; k--)
        d += `L${sc.x(b.x[k]!).toFixed(1)},${sc.y(b.lo[k]!).toFixed(1)}`;
      p.setAttribute('d', d + 'Z');
      p.setAttribute('fill', b.color);
      p.setAttribute('fill-opacity', String(b.opacity));
    });
    while (this.paths.length < lines.length) {
      const p = s('path', { class: 'line', fill: 'none' });
      this.plot.append(p);
      this.paths.push(p);
    }
    this.paths.forEach((p, i) => {
      const l = lines[i];
      if (!l) return p.setAttribute('d', '');
      p.setAttribute('d', pathOf(l.x, l.y, sc));
      p.setAttribute('stroke', l.color);
      p.setAttribute('stroke-width', String(l.width ?? 2));
      if (l.dash) p.setAttribute('stroke-dasharray', '5 4');
      else p.removeAttribute('stroke-dasharray');
    });
    const key = lines.map((l) => `${l.label}|${l.color}|${l.dash ? 1 : 0}`).join(';');
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.legend.replaceChildren(
        ...(lines.length > 1
          ? lines.map((l) =>
              h(
                'span',
                { class: 'key' },
                h('i', { style: `border-color:${l.color};border-style:${l.dash ? 'dashed' : 'solid'}` }),
                l.label,
              ),
            )
          : []),
      );
    }
  }

  private drawAxes(sc: Scale, xt: number[], yt: number[]): void {
    const parts: SVGElement[] = [];
    for (const t of yt) {
      const y = sc.y(t);
      parts.push(s('line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: 'grid' }));
      parts.push(s('text', { x: M.left - 6, y: y + 4, 'text-anchor': 'end' }, fmt(t)));
    }
    for (const t of xt) {
      const x = sc.x(t);
      // A tick at the right edge is right-aligned so its text stays inside the chart.
      const anchor = x > W - M.right - 24 ? 'end' : 'middle';
      parts.push(s('text', { x, y: H - M.bottom + 16, 'text-anchor': anchor }, this.xTick(t)));
    }
    parts.push(s('line', { x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom, class: 'axis' }));
    parts.push(s('line', { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom, class: 'axis' }));
    parts.push(s('text', { x: W - M.right, y: H - 2, 'text-anchor': 'end', class: 'xlabel' }, this.xLabel));
    this.axes.replaceChildren(...parts);
  }
}

/** One decimal is below a pixel at this size; rounding this way is cheaper than toFixed. */
function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * The path of a series, reduced to at most the first, last, lowest and highest point of each
 * pixel column, so that long runs draw as fast as short ones without losing spikes.
 */
function pathOf(x: ArrayLike<number>, y: ArrayLike<number>, sc: Scale): string {
  const parts: string[] = [];
  let pen = false;
  let col = NaN;
  let first = 0;
  let last = 0;
  let lo = 0;
  let hi = 0;
  let px = 0;
  const flush = () => {
    if (Number.isNaN(col)) return;
    const ys = [first, lo, hi, last];
    // Keep the extremes in the order they occurred only approximately: within one pixel column
    // the order is invisible.
    let prev = NaN;
    for (const v of ys) {
      if (v === prev) continue;
      parts.push(`${pen ? 'L' : 'M'}${px},${r1(v)}`);
      pen = true;
      prev = v;
    }
  };
  for (let i = 0; i < x.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v)) {
      flush();
      col = NaN;
      pen = false;
      continue;
    }
    const cx = r1(sc.x(x[i]!));
    const cy = sc.y(v);
    const c = Math.floor(cx);
    if (c !== col) {
      flush();
      col = c;
      px = cx;
      first = last = lo = hi = cy;
    } else {
      last = cy;
      if (cy < lo) lo = cy;
      if (cy > hi) hi = cy;
    }
  }
  flush();
  return parts.join('');
}

export interface Point {
  x: number;
  y: number;
  color?: string;
  title?: string;
  big?: boolean;
}

/** A scatter plot with axis labels; points may carry a tooltip. */
export function scatter(
  title: string,
  xLabel: string,
  yLabel: string,
  points: Point[],
  options: { diagonal?: boolean } = {},
): HTMLElement {
  const xs = extent([points.map((p) => p.x)]);
  const ys = extent([points.map((p) => p.y)]);
  const sx = (v: number) => M.left + ((v - xs[0]) / (xs[1] - xs[0] || 1)) * (W - M.left - M.right);
  const sy = (v: number) => H - M.bottom - ((v - ys[0]) / (ys[1] - ys[0] || 1)) * (H - M.top - M.bottom);
  const g = s('g', {});
  for (const t of niceTicks(ys[0], ys[1])) {
    g.append(s('line', { x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t), class: 'grid' }));
    g.append(s('text', { x: M.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, fmt(t)));
  }
  for (const t of niceTicks(xs[0], xs[1], 6)) {
    g.append(s('text', { x: sx(t), y: H - M.bottom + 16, 'text-anchor': 'middle' }, fmt(t)));
  }
  g.append(s('line', { x1: M.left, x2: M.left, y1: M.top, y2: H - M.bottom, class: 'axis' }));
  g.append(s('line', { x1: M.left, x2: W - M.right, y1: H - M.bottom, y2: H - M.bottom, class: 'axis' }));
  g.append(s('text', { x: W - M.right, y: H - 2, 'text-anchor': 'end', class: 'xlabel' }, xLabel));
  if (options.diagonal) {
    const lo = Math.max(xs[0], ys[0]);
    const hi = Math.min(xs[1], ys[1]);
    g.append(
      s('line', {
        x1: sx(lo),
        y1: sy(lo),
        x2: sx(hi),
        y2: sy(hi),
        stroke: '#9aa4ae',
        'stroke-dasharray': '4 4',
      }),
    );
  }
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    g.append(
      s(
        'circle',
        {
          cx: sx(p.x).toFixed(1),
          cy: sy(p.y).toFixed(1),
          r: p.big ? 6 : 3,
          fill: p.color ?? PALETTE[0],
          'fill-opacity': 0.7,
        },
        p.title ? s('title', {}, p.title) : null,
      ),
    );
  }
  return h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, title, h('span', { class: 'units' }, ` (y: ${yLabel})`)),
    s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Scatter plot: ${title}` }, g),
  );
}

/**
 * Horizontal bars for signed values in [-1, 1] (e.g. rank correlations), the largest magnitudes
 * first, at most `limit` of them (the caption says how many were left out).
 */
export function bars(title: string, items: { label: string; value: number }[], limit = 20): HTMLElement {
  const sorted = [...items].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, limit);
  const rowH = 20;
  const height = sorted.length * rowH + 12;
  const labelW = 230;
  const mid = labelW + (W - labelW) / 2;
  const half = (W - labelW) / 2 - 34;
  const g = s('g', {});
  g.append(s('line', { x1: mid, x2: mid, y1: 0, y2: height - 6, class: 'axis' }));
  sorted.forEach((it, i) => {
    const y = i * rowH + 4;
    const w = Math.abs(it.value) * half;
    const label = it.label.length > 36 ? `${it.label.slice(0, 35)}...` : it.label;
    g.append(s('text', { x: 4, y: y + 12 }, s('title', {}, it.label), label));
    g.append(
      s('rect', {
        x: it.value < 0 ? mid - w : mid,
        y,
        width: Math.max(w, 0.5),
        height: rowH - 5,
        fill: it.value < 0 ? PALETTE[1] : PALETTE[0],
      }),
    );
    g.append(
      s(
        'text',
        {
          x: it.value < 0 ? mid - w - 4 : mid + w + 4,
          y: y + 12,
          'text-anchor': it.value < 0 ? 'end' : 'start',
          class: 'small',
        },
        it.value.toFixed(2),
      ),
    );
  });
  const omitted = items.length - sorted.length;
  return h(
    'figure',
    { class: 'chart' },
    h(
      'figcaption',
      {},
      title,
      omitted > 0
        ? h('span', { class: 'units' }, ` (largest ${sorted.length}; ${omitted} smaller not shown)`)
        : null,
    ),
    s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': `Bar chart: ${title}` }, g),
  );
}
