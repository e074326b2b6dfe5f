/**
 * The project's one chart kit: palette, tick algorithm, scales, axes and the SVG of line charts
 * (with labelled bands and marked points), bar charts and scatter plots. Pure text in, SVG text
 * out, no DOM and no Node: the self-contained HTML reports (src/case/report.ts,
 * src/experiments/report.ts) embed these strings and need no script to be read; the workbench
 * (src/web/chart.ts) inserts the same strings, and its live chart rewrites only the paths built
 * here.
 */
import { formatTick } from '../format/number.js';

/** Colour-blind-safe palette (Okabe-Ito, yellow left out for contrast on white), in series order. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** The reference run drawn behind the others. */
export const BASELINE_COLOR = '#8a8f98';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The tick step for about `count` ticks over [lo, hi]: 1, 2, 2.5 or 5 times a power of ten. */
export function tickStep(lo: number, hi: number, count = 5): number {
  const raw = (hi - lo) / count;
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-9)) ?? raw;
}

/** Round tick values inside [lo, hi] (about `count` of them); [lo] when the span is empty. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (!(hi > lo)) return [lo];
  const step = tickStep(lo, hi, count);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    const t = Number((k * step).toPrecision(12));
    out.push(Object.is(t, -0) ? 0 : t);
  }
  return out;
}

/** [lo, hi] widened to whole tick steps, so every value lies inside the axis (none is clipped). */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = tickStep(lo, hi, count);
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

/** Calendar ticks for a time axis in months: every 3, 6 or 12 months, on whole quarters. */
export function monthTicks(lo: number, hi: number): number[] {
  const step = hi - lo > 36 ? 12 : hi - lo > 12 ? 6 : 3;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + 1e-9; t += step) out.push(t);
  return out;
}

/** Lowest and highest finite value of the arrays ([0, 1] when there is none). */
export function extent(arrays: Iterable<ArrayLike<number>>): [number, number] {
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
  return lo <= hi ? [lo, hi] : [0, 1];
}

export interface Margin {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A plot area: pixel size, margins, domains and the two scales. */
export interface Frame {
  width: number;
  height: number;
  margin: Margin;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  x(v: number): number;
  y(v: number): number;
}

export function makeFrame(
  xDomain: [number, number],
  yDomain: [number, number],
  size: { width: number; height: number; margin?: Partial<Margin> },
): Frame {
  const margin = { left: 60, right: 16, top: 12, bottom: 34, ...size.margin };
  let [x0, x1] = xDomain;
  let [y0, y1] = yDomain;
  if (!(x1 > x0)) [x0, x1] = [x0 - 1, x0 + 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const { width, height } = size;
  const pw = width - margin.left - margin.right;
  const ph = height - margin.top - margin.bottom;
  return {
    width,
    height,
    margin,
    x0,
    x1,
    y0,
    y1,
    x: (v) => margin.left + ((v - x0) / (x1 - x0)) * pw,
    y: (v) => height - margin.bottom - ((v - y0) / (y1 - y0)) * ph,
  };
}

export interface AxesOptions {
  xTicks?: number[];
  yTicks?: number[];
  xTickLabel?: (v: number) => string;
  yTickLabel?: (v: number) => string;
  xLabel?: string;
  yLabel?: string;
}

/** Grid lines, tick labels and axis titles of a frame, as SVG elements. */
export function axesSvg(f: Frame, o: AxesOptions = {}): string {
  const { margin: m } = f;
  const parts: string[] = [];
  const yTicks = o.yTicks ?? niceTicks(f.y0, f.y1);
  const xTicks = o.xTicks ?? niceTicks(f.x0, f.x1, 6);
  const yText = o.yTickLabel ?? formatTick;
  const xText = o.xTickLabel ?? formatTick;
  for (const t of yTicks) {
    const y = f.y(t).toFixed(1);
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${f.width - m.right}" y1="${y}" y2="${y}" stroke="#e3e6ea"/>`,
    );
    parts.push(`<text x="${m.left - 6}" y="${y}" dy="4" text-anchor="end">${escapeXml(yText(t))}</text>`);
  }
  for (const t of xTicks) {
    if (t < f.x0 - 1e-9 || t > f.x1 + 1e-9) continue;
    const x = f.x(t);
    // A tick at the right edge is right-aligned so its text stays inside the chart.
    const anchor = x > f.width - m.right - 24 ? 'end' : 'middle';
    const base = f.height - m.bottom;
    parts.push(
      `<line class="axis" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${base}" y2="${base + 4}" stroke="#555"/>`,
    );
    parts.push(
      `<text x="${x.toFixed(1)}" y="${base + 16}" text-anchor="${anchor}">${escapeXml(xText(t))}</text>`,
    );
  }
  const base = f.height - m.bottom;
  parts.push(`<line class="axis" x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${base}" stroke="#555"/>`);
  parts.push(
    `<line class="axis" x1="${m.left}" x2="${f.width - m.right}" y1="${base}" y2="${base}" stroke="#555"/>`,
  );
  if (o.xLabel)
    parts.push(
      `<text class="xlabel" x="${f.width - m.right}" y="${f.height - 4}" text-anchor="end">${escapeXml(o.xLabel)}</text>`,
    );
  if (o.yLabel) {
    const cy = (m.top + base) / 2;
    parts.push(
      `<text class="ylabel" x="12" y="${cy}" text-anchor="middle" transform="rotate(-90 12 ${cy})">${escapeXml(o.yLabel)}</text>`,
    );
  }
  return parts.join('');
}

/** One decimal is below a pixel at these sizes. */
const r1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * The path of a series, reduced to at most the first, lowest, highest and last point of each
 * pixel column, so long runs draw as fast as short ones without losing spikes. Gaps at
 * non-finite values.
 */
export function linePath(x: ArrayLike<number>, y: ArrayLike<number>, f: Frame): string {
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
    let prev = NaN;
    for (const v of [first, lo, hi, last]) {
      if (v === prev) continue;
      parts.push(`${pen ? 'L' : 'M'}${px},${r1(v)}`);
      pen = true;
      prev = v;
    }
  };
  for (let i = 0; i < x.length; i++) {
    const v = y[i]!;
    if (!Number.isFinite(v) || !Number.isFinite(x[i]!)) {
      flush();
      col = NaN;
      pen = false;
      continue;
    }
    const cx = r1(f.x(x[i]!));
    const cy = f.y(v);
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

/** The closed outline of a band between `lo` and `hi` (points where either is not finite are skipped). */
export function bandPath(
  x: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  f: Frame,
): string {
  const idx: number[] = [];
  for (let k = 0; k < x.length; k++) if (Number.isFinite(lo[k]!) && Number.isFinite(hi[k]!)) idx.push(k);
  if (!idx.length) return '';
  let d = '';
  idx.forEach((k, i) => (d += `${i ? 'L' : 'M'}${r1(f.x(x[k]!))},${r1(f.y(hi[k]!))}`));
  for (let i = idx.length - 1; i >= 0; i--) d += `L${r1(f.x(x[idx[i]!]!))},${r1(f.y(lo[idx[i]!]!))}`;
  return d + 'Z';
}

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  dashed?: boolean;
  width?: number;
}

export interface BandSeries {
  /** Shown in the legend (e.g. "5-95% of runs"); unlabelled bands are left out of it. */
  label?: string;
  x: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  color: string;
  opacity: number;
}

export interface PointSeries {
  label: string;
  points: {
    x: number;
    y: number;
    title: string;
    /** A reported range: drawn as a bar. */ low?: number;
    high?: number;
  }[];
  color: string;
  shape: 'circle' | 'square' | 'diamond';
  hollow?: boolean;
}

export interface LineChartSpec {
  title: string;
  /** Shown in the caption beside the title. */
  units?: string;
  width?: number;
  height?: number;
  xLabel?: string;
  yLabel?: string;
  xTickLabel?: (x: number) => string;
  /** Tick positions on x (calendar quarters, say); round numbers otherwise. */
  xTicks?: (lo: number, hi: number) => number[];
  lines?: readonly LineSeries[];
  bands?: readonly BandSeries[];
  points?: readonly PointSeries[];
  /** Keep 0 on the y axis (counts, stocks). */
  includeZero?: boolean;
  /** A y range shared with other charts (panels of one outcome); rounded out to whole ticks. */
  yDomain?: [number, number];
  /** Draw the title inside the SVG (reports); the workbench puts it in a caption instead. */
  titleInside?: boolean;
}

function pointSvg(p: PointSeries, q: PointSeries['points'][number], f: Frame): string {
  const x = f.x(q.x);
  const y = f.y(q.y);
  const fill = p.hollow ? 'white' : p.color;
  const title = `<title>${escapeXml(q.title)}</title>`;
  const bar =
    q.low !== undefined && q.high !== undefined && Number.isFinite(q.low) && Number.isFinite(q.high)
      ? `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${f.y(q.low).toFixed(1)}" y2="${f.y(q.high).toFixed(1)}" stroke="${p.color}" stroke-width="2"/>`
      : '';
  if (!Number.isFinite(q.y)) return bar;
  if (p.shape === 'square')
    return `${bar}<rect x="${(x - 4).toFixed(1)}" y="${(y - 4).toFixed(1)}" width="8" height="8" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</rect>`;
  if (p.shape === 'diamond')
    return `${bar}<polygon points="${x.toFixed(1)},${(y - 5).toFixed(1)} ${(x + 5).toFixed(1)},${y.toFixed(1)} ${x.toFixed(1)},${(y + 5).toFixed(1)} ${(x - 5).toFixed(1)},${y.toFixed(1)}" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</polygon>`;
  return `${bar}<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</circle>`;
}

/** Domains of a line chart: x over every series, y rounded out to whole ticks. */
export function chartDomains(spec: LineChartSpec): { x: [number, number]; y: [number, number] } {
  const lines = spec.lines ?? [];
  const bands = spec.bands ?? [];
  const points = spec.points ?? [];
  const x = extent([
    ...lines.map((l) => l.x),
    ...bands.map((b) => b.x),
    ...points.map((p) => p.points.map((q) => q.x)),
  ]);
  let y = extent([
    ...lines.map((l) => l.y),
    ...bands.flatMap((b) => [b.lo, b.hi]),
    ...points.map((p) => p.points.flatMap((q) => [q.y, q.low ?? NaN, q.high ?? NaN])),
  ]);
  if (spec.yDomain) y = [Math.min(y[0], spec.yDomain[0]), Math.max(y[1], spec.yDomain[1])];
  if (spec.includeZero) y = [Math.min(0, y[0]), Math.max(0, y[1])];
  return { x, y: niceDomain(y[0], y[1]) };
}

interface LegendItem {
  label: string;
  color: string;
  kind: 'line' | 'band' | PointSeries['shape'];
  dashed?: boolean;
  hollow?: boolean;
  opacity?: number;
}

function legendItems(spec: LineChartSpec): LegendItem[] {
  return [
    ...(spec.bands ?? [])
      .filter((b) => b.label)
      .map((b) => ({ label: b.label!, color: b.color, kind: 'band' as const, opacity: b.opacity })),
    ...(spec.lines ?? []).map((l) => ({
      label: l.label,
      color: l.color,
      kind: 'line' as const,
      dashed: l.dashed,
    })),
    ...(spec.points ?? []).map((p) => ({ label: p.label, color: p.color, kind: p.shape, hollow: p.hollow })),
  ];
}

/** A complete line chart (bands under lines under points, legend below) as one `<svg>`. */
export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 300;
  const items = legendItems(spec);
  const perRow = Math.max(1, Math.floor((width - 60) / 200));
  const legendRows = items.length > 1 ? Math.ceil(items.length / perRow) : 0;
  const top = spec.titleInside ? 28 : 12;
  const { x, y } = chartDomains(spec);
  const f = makeFrame(x, y, { width, height, margin: { top } });
  const total = height + legendRows * 18 + (legendRows ? 6 : 0);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" role="img" aria-label="${escapeXml(spec.title)}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(spec.title + (spec.units ? ` (${spec.units})` : ''))}</title>`,
  ];
  if (spec.titleInside)
    parts.push(
      `<text x="${f.margin.left}" y="16" font-size="13" font-weight="bold">${escapeXml(spec.title)}</text>`,
    );
  parts.push(
    axesSvg(f, {
      xTicks: spec.xTicks?.(f.x0, f.x1),
      xTickLabel: spec.xTickLabel,
      xLabel: spec.xLabel,
      yLabel: spec.yLabel,
    }),
  );
  for (const b of spec.bands ?? []) {
    const d = bandPath(b.x, b.lo, b.hi, f);
    if (d) parts.push(`<path d="${d}" fill="${b.color}" fill-opacity="${b.opacity}" stroke="none"/>`);
  }
  for (const l of spec.lines ?? []) {
    parts.push(
      `<path d="${linePath(l.x, l.y, f)}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 2}"${l.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(l.label)}</title></path>`,
    );
  }
  for (const p of spec.points ?? []) for (const q of p.points) parts.push(pointSvg(p, q, f));
  if (legendRows) {
    const colW = (width - f.margin.left) / perRow;
    items.forEach((it, i) => {
      const lx = f.margin.left + (i % perRow) * colW;
      const ly = height + 4 + Math.floor(i / perRow) * 18;
      if (it.kind === 'line')
        parts.push(
          `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
        );
      else if (it.kind === 'band')
        parts.push(
          `<rect x="${lx}" y="${ly - 6}" width="22" height="12" fill="${it.color}" fill-opacity="${it.opacity}"/>`,
        );
      else
        parts.push(
          `<circle cx="${lx + 11}" cy="${ly}" r="4" fill="${it.hollow ? 'white' : it.color}" stroke="${it.color}" stroke-width="1.5"/>`,
        );
      parts.push(`<text x="${lx + 28}" y="${ly + 4}">${escapeXml(it.label)}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('');
}

/** One bar: a value, and optionally a second value drawn inside it (first order within total). */
export interface BarItem {
  label: string;
  value: number;
  /** Drawn as a narrower, darker bar over the main one (Sobol' S1 inside ST, say). */
  inner?: number;
  /** Tooltip; default the label and value. */
  title?: string;
}

export interface BarsOptions {
  /** At most this many bars (default 20). */
  limit?: number;
  width?: number;
  format?: (v: number) => string;
  /** 'magnitude' (default): largest |value| first; 'given': the order of the items. */
  order?: 'magnitude' | 'given';
  /** The value a full-length bar stands for (default the largest |value|). */
  max?: number;
  /** Draw the title inside the SVG (reports); the workbench puts it in a caption instead. */
  titleInside?: boolean;
}

/**
 * Horizontal bars, at most `limit` of them. Signed values (rank correlations) grow both ways
 * from a middle axis; values that are all non-negative (importance, mu*) grow from the left.
 * Labels are written whole, in a column as wide as the longest needs (up to half the width).
 */
export function barsSvg(title: string, items: readonly BarItem[], options: BarsOptions = {}): string {
  const width = options.width ?? 560;
  const finite = items.filter((i) => Number.isFinite(i.value));
  const sorted = (
    options.order === 'given' ? finite : [...finite].sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
  ).slice(0, options.limit ?? 20);
  const signed = sorted.some((i) => i.value < 0);
  const max = options.max ?? Math.max(1e-12, ...sorted.map((i) => Math.abs(i.value)));
  const rowH = 20;
  const top = options.titleInside ? 22 : 4;
  const height = top + sorted.length * rowH + 8;
  // About 6 px a character at 11 px sans-serif.
  const longest = Math.max(0, ...sorted.map((i) => i.label.length));
  const labelW = Math.min(width * 0.5, Math.max(60, longest * 6.2 + 12));
  const valueW = 44;
  const axis = signed ? labelW + (width - labelW) / 2 : labelW;
  const reach = signed ? (width - labelW) / 2 - valueW : width - labelW - valueW;
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const len = (v: number) => (Math.min(Math.abs(v), max) / max) * reach;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  if (options.titleInside)
    parts.push(`<text x="4" y="15" font-size="13" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(`<line x1="${axis}" x2="${axis}" y1="${top}" y2="${height - 6}" stroke="#555"/>`);
  sorted.forEach((it, i) => {
    const y = top + i * rowH;
    const w = len(it.value);
    const left = it.value < 0;
    const tip = `<title>${escapeXml(it.title ?? `${it.label}: ${format(it.value)}`)}</title>`;
    parts.push(`<text x="4" y="${y + 12}">${escapeXml(it.label)}</text>`);
    parts.push(
      `<rect class="hbar" x="${(left ? axis - w : axis).toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" height="${rowH - 5}" fill="${left ? PALETTE[1] : it.inner !== undefined ? PALETTE[5] : PALETTE[0]}">${tip}</rect>`,
    );
    if (it.inner !== undefined && Number.isFinite(it.inner)) {
      const wi = len(it.inner);
      parts.push(
        `<rect class="hbar-inner" x="${(it.inner < 0 ? axis - wi : axis).toFixed(1)}" y="${y + 4}" width="${Math.max(wi, 0.5).toFixed(1)}" height="${rowH - 13}" fill="${PALETTE[0]}">${tip}</rect>`,
      );
    }
    parts.push(
      `<text x="${(left ? axis - w - 4 : axis + w + 4).toFixed(1)}" y="${y + 12}" text-anchor="${left ? 'end' : 'start'}">${escapeXml(format(it.value))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface ScatterPoint {
  x: number;
  y: number;
  color?: string;
  title?: string;
  /** A highlighted point (drawn larger, with a dark outline). */
  big?: boolean;
  /** Outline colour (default none, or dark for a big point). */
  stroke?: string;
}

export interface ScatterOptions {
  width?: number;
  height?: number;
  /** Draw y = x. */
  diagonal?: boolean;
  /** Fixed or shared domains (panels of one outcome, shares on [0, 1]); rounded out to whole ticks. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Radius and opacity of the ordinary points (default 3 and 0.7; many points want less). */
  radius?: number;
  opacity?: number;
  /** Draw the title inside the SVG (reports); the workbench puts it in a caption instead. */
  titleInside?: boolean;
}

/** A scatter plot; points may carry a tooltip. */
export function scatterSvg(
  title: string,
  xLabel: string,
  yLabel: string,
  points: readonly ScatterPoint[],
  options: ScatterOptions = {},
): string {
  const xs = niceDomain(...(options.xDomain ?? extent([points.map((p) => p.x)])));
  const ys = niceDomain(...(options.yDomain ?? extent([points.map((p) => p.y)])));
  const f = makeFrame(xs, ys, {
    width: options.width ?? 520,
    height: options.height ?? 260,
    margin: { top: options.titleInside ? 28 : 12 },
  });
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
  ];
  // From the left edge, so a long title (an input's name) fits small panels whole.
  if (options.titleInside)
    parts.push(`<text x="4" y="16" font-size="12" font-weight="bold">${escapeXml(title)}</text>`);
  parts.push(axesSvg(f, { xLabel, yLabel }));
  if (options.diagonal) {
    const lo = Math.max(f.x0, f.y0);
    const hi = Math.min(f.x1, f.y1);
    if (hi > lo)
      parts.push(
        `<line x1="${f.x(lo)}" y1="${f.y(lo)}" x2="${f.x(hi)}" y2="${f.y(hi)}" stroke="#9aa4ae" stroke-dasharray="4 4"/>`,
      );
  }
  const radius = options.radius ?? 3;
  const opacity = options.opacity ?? 0.7;
  // Highlighted points last, so they are drawn on top.
  const ordered = [...points.filter((p) => !p.big), ...points.filter((p) => p.big)];
  for (const p of ordered) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const stroke = p.stroke ?? (p.big ? '#1d232b' : undefined);
    parts.push(
      `<circle class="point" cx="${f.x(p.x).toFixed(1)}" cy="${f.y(p.y).toFixed(1)}" r="${p.big ? Math.max(6, radius * 2) : radius}" fill="${p.color ?? PALETTE[0]}" fill-opacity="${p.big ? 1 : opacity}"${stroke ? ` stroke="${stroke}" stroke-width="${p.big ? 2 : 0.6}"` : ''}>${p.title ? `<title>${escapeXml(p.title)}</title>` : ''}</circle>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
