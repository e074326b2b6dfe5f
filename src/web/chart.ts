/**
 * The workbench's charts, on the project's one chart kit (src/chart/kit.ts: palette, ticks,
 * axes, paths, and the SVG of static charts). The live line chart keeps its path elements and
 * only rewrites their `d` on update (a slider's redraw stays well inside one frame); it shows the
 * values under the pointer and exports its data as CSV and itself as PNG.
 */
import {
  axesSvg,
  bandPath,
  barsSvg,
  BASELINE_COLOR,
  chartDomains,
  linePath,
  makeFrame,
  niceTicks,
  PALETTE,
  scatterSvg,
  type Frame,
  type ScatterPoint,
} from '../chart/kit.js';
import { fmt, h, s } from './dom.js';

export { PALETTE, BASELINE_COLOR, niceTicks };

const W = 520;
const H = 240;
const MARGIN = { left: 58, right: 14, top: 12, bottom: 30 };

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
  /** Shown in the legend ("5-95% of runs"). */
  label?: string;
}

/** An SVG string from the kit as an element (the kit's output is trusted: it escapes every text). */
export function svgElement(svg: string): SVGSVGElement {
  const box = document.createElement('div');
  box.innerHTML = svg;
  return box.firstElementChild as SVGSVGElement;
}

/** Offer `blob` as a download named `name`. */
function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileStem = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'chart';

/** A chart's SVG as a PNG (twice its size, white background). */
export async function svgToPng(svg: SVGSVGElement): Promise<Blob> {
  const vb = svg.viewBox.baseVal;
  const width = vb?.width || svg.clientWidth || W;
  const height = vb?.height || svg.clientHeight || H;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  const text = new XMLSerializer().serializeToString(copy);
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'),
  );
}

/** CSV of series: one time column and a column per series when they share times, else long form. */
export function seriesCsv(xLabel: string, lines: readonly Line[]): string {
  const q = (t: string) => (/[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
  const shared = lines.every(
    (l) => l.x.length === lines[0]!.x.length && Array.from(l.x).every((v, i) => v === lines[0]!.x[i]),
  );
  const rows: string[] = [];
  if (lines.length && shared) {
    rows.push([xLabel, ...lines.map((l) => l.label)].map(q).join(','));
    for (let i = 0; i < lines[0]!.x.length; i++)
      rows.push([lines[0]!.x[i], ...lines.map((l) => l.y[i])].map((v) => String(v)).join(','));
  } else {
    rows.push(['series', xLabel, 'value'].join(','));
    for (const l of lines)
      for (let i = 0; i < l.x.length; i++) rows.push(`${q(l.label)},${l.x[i]},${l.y[i]}`);
  }
  return rows.join('\n') + '\n';
}

/** Buttons exporting a chart: its data as CSV and its picture as PNG. */
export function exportButtons(title: string, svg: () => SVGSVGElement, csv: () => string): HTMLElement {
  const stem = fileStem(title);
  return h(
    'div',
    { class: 'chart-export' },
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        'aria-label': `Download the data of ${title} as CSV`,
        onclick: () => download(`${stem}.csv`, new Blob([csv()], { type: 'text/csv' })),
      },
      'CSV',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'small',
        'aria-label': `Download ${title} as PNG`,
        onclick: () =>
          void svgToPng(svg())
            .then((b) => download(`${stem}.png`, b))
            .catch(() => undefined),
      },
      'PNG',
    ),
  );
}

/** Index of the value in sorted `x` nearest to `v`. */
function nearest(x: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! < v) lo = mid;
    else hi = mid;
  }
  return Math.abs(x[hi]! - v) < Math.abs(x[lo]! - v) ? hi : lo;
}

export class LineChart {
  readonly el: HTMLElement;
  readonly svg: SVGSVGElement;
  private readonly axes: SVGGElement;
  private readonly plot: SVGGElement;
  private readonly behind: SVGPathElement;
  private readonly rule: SVGLineElement;
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private paths: SVGPathElement[] = [];
  private bandEls: SVGPathElement[] = [];
  private lastKey = '';
  private axesKey = '';
  private frame?: Frame;
  private lines: Line[] = [];
  /** The baseline arrays and axes the baseline path was last drawn for (see `update`). */
  private behindDrawn?: { x: ArrayLike<number>; y: ArrayLike<number>; axes: string };

  constructor(
    readonly title: string,
    readonly units?: string,
    readonly xLabel = 'time',
    /** Text of an x value (calendar dates for a model with a start date); numbers otherwise. */
    readonly xTick: (t: number) => string = fmt,
    /** Tick positions on the time axis (whole quarters, say); round numbers otherwise. */
    readonly xTickValues: (lo: number, hi: number) => number[] = (lo, hi) => niceTicks(lo, hi, 6),
  ) {
    this.axes = s('g', { class: 'axes' });
    this.plot = s('g', { class: 'plot' });
    // The reference run, drawn under every other line (its own element, not one of the lines).
    this.behind = s('path', { class: 'baseline', fill: 'none', stroke: BASELINE_COLOR, 'stroke-width': 1.5 });
    this.rule = s('line', {
      class: 'hover-rule',
      stroke: '#555',
      'stroke-dasharray': '2 3',
      visibility: 'hidden',
    });
    this.svg = s(
      'svg',
      {
        viewBox: `0 0 ${W} ${H}`,
        role: 'img',
        'aria-label': `Chart of ${title}`,
        'font-family': 'sans-serif',
        'font-size': 11,
      },
      this.axes,
      this.behind,
      this.plot,
      this.rule,
    );
    this.legend = h('div', { class: 'legend' });
    this.readout = h('div', { class: 'readout', 'aria-live': 'off' }, '\u00a0');
    this.svg.addEventListener('pointermove', (ev) => this.hover(ev));
    this.svg.addEventListener('pointerleave', () => {
      this.rule.setAttribute('visibility', 'hidden');
      this.readout.textContent = '\u00a0';
    });
    this.el = h(
      'figure',
      { class: 'chart' },
      h(
        'figcaption',
        {},
        h('span', {}, title, units ? h('span', { class: 'units' }, ` (${units})`) : null),
        exportButtons(
          title,
          () => this.svg,
          () => seriesCsv(this.xLabel, this.lines),
        ),
      ),
      this.svg,
      this.readout,
      this.legend,
    );
  }

  /** The values of every line at the time under the pointer. */
  private hover(ev: PointerEvent): void {
    const f = this.frame;
    if (!f || !this.lines.length) return;
    const box = this.svg.getBoundingClientRect();
    const px = ((ev.clientX - box.left) / (box.width || 1)) * W;
    const t = f.x0 + ((px - f.margin.left) / (W - f.margin.left - f.margin.right)) * (f.x1 - f.x0);
    if (t < f.x0 || t > f.x1) return;
    const first = this.lines[0]!;
    const at = first.x[nearest(first.x, t)]!;
    const x = f.x(at).toFixed(1);
    this.rule.setAttribute('x1', x);
    this.rule.setAttribute('x2', x);
    this.rule.setAttribute('y1', String(f.margin.top));
    this.rule.setAttribute('y2', String(H - f.margin.bottom));
    this.rule.setAttribute('visibility', 'visible');
    this.readout.textContent = `${this.xTick(at)}: ${this.lines
      .map((l) => `${l.label} ${fmt(l.y[nearest(l.x, at)]!)}`)
      .join(' | ')}`;
  }

  /**
   * Redraw with these lines over these bands, and `baseline` (grey) under all of them. With
   * `baselineFixed`, the caller promises the baseline's arrays do not change while they are the
   * same arrays: its path is then drawn again only when the axes change.
   */
  update(lines: Line[], bands: Band[] = [], baseline?: Line, baselineFixed = false): void {
    this.lines = baseline ? [...lines, baseline] : lines;
    // The kit's domains: y rounded out to whole ticks, so while a slider moves the axes change
    // only when the data crosses a tick.
    const d = chartDomains({
      title: this.title,
      lines: this.lines.map((l) => ({ ...l, dashed: l.dash })),
      bands,
    });
    const f = makeFrame(d.x, d.y, { width: W, height: H, margin: MARGIN });
    this.frame = f;
    const axesKey = `${f.x0},${f.x1},${f.y0},${f.y1}`;
    if (axesKey !== this.axesKey) {
      this.axesKey = axesKey;
      this.axes.innerHTML = axesSvg(f, {
        xTicks: this.xTickValues(f.x0, f.x1),
        xTickLabel: this.xTick,
        xLabel: this.xLabel,
      });
    }
    const drawn = this.behindDrawn;
    if (
      !baselineFixed ||
      !baseline ||
      !drawn ||
      drawn.x !== baseline.x ||
      drawn.y !== baseline.y ||
      drawn.axes !== axesKey
    ) {
      this.behind.setAttribute('d', baseline ? linePath(baseline.x, baseline.y, f) : '');
      this.behindDrawn =
        baseline && baselineFixed ? { x: baseline.x, y: baseline.y, axes: axesKey } : undefined;
    }
    while (this.bandEls.length < bands.length) {
      const p = s('path', { class: 'band' });
      this.plot.insertBefore(p, this.plot.firstChild);
      this.bandEls.push(p);
    }
    this.bandEls.forEach((p, i) => {
      const b = bands[i];
      if (!b) return p.setAttribute('d', '');
      p.setAttribute('d', bandPath(b.x, b.lo, b.hi, f));
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
      p.setAttribute('d', linePath(l.x, l.y, f));
      p.setAttribute('stroke', l.color);
      p.setAttribute('stroke-width', String(l.width ?? 2));
      if (l.dash) p.setAttribute('stroke-dasharray', '5 4');
      else p.removeAttribute('stroke-dasharray');
    });
    const key =
      bands.map((b) => `${b.label ?? ''}|${b.color}`).join(';') +
      '/' +
      this.lines.map((l) => `${l.label}|${l.color}|${l.dash ? 1 : 0}`).join(';');
    if (key !== this.lastKey) {
      this.lastKey = key;
      const bandKeys = bands
        .filter((b) => b.label)
        .map((b) =>
          h(
            'span',
            { class: 'key' },
            h('i', {
              class: 'band-key',
              style: `background:${b.color};opacity:${Math.min(1, b.opacity * 2)}`,
            }),
            b.label!,
          ),
        );
      const lineKeys =
        this.lines.length > 1 || bandKeys.length
          ? this.lines.map((l) =>
              h(
                'span',
                { class: 'key' },
                h('i', { style: `border-color:${l.color};border-style:${l.dash ? 'dashed' : 'solid'}` }),
                l.label,
              ),
            )
          : [];
      this.legend.replaceChildren(...bandKeys, ...lineKeys);
    }
  }
}

/** A static chart from the kit in a figure with a caption and optional export buttons. */
export function staticChart(
  title: string,
  svg: string,
  options: { caption?: string; csv?: () => string; id?: string } = {},
): HTMLElement {
  const el = svgElement(svg);
  return h(
    'figure',
    { class: 'chart', id: options.id },
    h(
      'figcaption',
      {},
      h('span', {}, title, options.caption ? h('span', { class: 'units' }, ` (${options.caption})`) : null),
      options.csv ? exportButtons(title, () => el, options.csv) : null,
    ),
    el,
  );
}

export type Point = ScatterPoint;

/** A scatter plot with axis labels; points may carry a tooltip. */
export function scatter(
  title: string,
  xLabel: string,
  yLabel: string,
  points: Point[],
  options: { diagonal?: boolean } = {},
): HTMLElement {
  return staticChart(title, scatterSvg(title, xLabel, yLabel, points, { width: W, height: H, ...options }), {
    caption: `y: ${yLabel}`,
    csv: () => `${xLabel},${yLabel}\n${points.map((p) => `${p.x},${p.y}`).join('\n')}\n`,
  });
}

/**
 * Horizontal bars for signed values (rank correlations, say), the largest magnitudes first, at
 * most `limit` of them (the caption says how many were left out).
 */
export function bars(title: string, items: { label: string; value: number }[], limit = 20): HTMLElement {
  const omitted = Math.max(0, items.length - limit);
  return staticChart(title, barsSvg(title, items, { limit, width: W }), {
    caption: omitted ? `largest ${items.length - omitted}; ${omitted} smaller not shown` : undefined,
    csv: () => `label,value\n${items.map((i) => `"${i.label.replace(/"/g, '""')}",${i.value}`).join('\n')}\n`,
  });
}
