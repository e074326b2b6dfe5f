/**
 * Small inline SVG line charts for the self-contained report: no script, no external resource.
 */

import { formatTick } from '../format/number.js';
import { canonicalName, displayName } from '../equations/names.js';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Colour-blind-safe palette (Okabe-Ito), in order of scenarios. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#F0E442',
  '#000000',
];

export interface LineSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  dashed?: boolean;
}

export interface PointSeries {
  label: string;
  points: { x: number; y: number; title: string }[];
  color: string;
  shape: 'circle' | 'square' | 'diamond';
  hollow?: boolean;
}

export interface ChartOptions {
  title: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Labels of x ticks (e.g. calendar dates) from model time. */
  xTickLabel?: (x: number) => string;
  xTicks?: number[];
}

/** Round numbers for an axis: about `count` ticks covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi - lo < 1e-12) {
    hi = lo + (Math.abs(lo) > 0 ? Math.abs(lo) : 1);
  }
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const start = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= hi + step * 0.5; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

const tickText = formatTick;

export function lineChart(
  lines: readonly LineSeries[],
  options: ChartOptions,
  points: readonly PointSeries[] = [],
): string {
  const width = options.width ?? 720;
  const height = options.height ?? 300;
  const m = { left: 64, right: 34, top: 28, bottom: 40 };
  const legendRows = Math.ceil((lines.length + points.length) / 3);
  const totalHeight = height + legendRows * 18 + 8;
  const xs = [...lines.flatMap((l) => l.x), ...points.flatMap((p) => p.points.map((q) => q.x))];
  const ys = [...lines.flatMap((l) => l.y), ...points.flatMap((p) => p.points.map((q) => q.y))].filter(
    Number.isFinite,
  );
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(...ys, 0));
  const yMin = yTicks[0]!;
  const yMax = yTicks[yTicks.length - 1]!;
  const px = (x: number): number => m.left + ((x - xMin) / (xMax - xMin || 1)) * (width - m.left - m.right);
  const py = (y: number): number =>
    height - m.bottom - ((y - yMin) / (yMax - yMin || 1)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${totalHeight}" width="${width}" height="${totalHeight}" role="img" aria-label="${escapeHtml(options.title)}">`,
  );
  parts.push(`<title>${escapeHtml(options.title)}</title>`);
  parts.push(
    `<text x="${m.left}" y="16" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${y}" font-size="11" text-anchor="end" dy="4">${tickText(t)}</text>`,
    );
  }
  const xTicks = options.xTicks ?? niceTicks(xMin, xMax, 8).filter((t) => t >= xMin && t <= xMax);
  for (const t of xTicks) {
    const x = px(t).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${height - m.bottom}" y2="${height - m.bottom + 4}" stroke="#555"/>`,
    );
    const label = options.xTickLabel ? options.xTickLabel(t) : tickText(t);
    parts.push(
      `<text x="${x}" y="${height - m.bottom + 16}" font-size="11" text-anchor="middle">${escapeHtml(label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#555"/>`,
  );
  if (options.yLabel) {
    parts.push(
      `<text x="14" y="${(height - m.bottom + m.top) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(height - m.bottom + m.top) / 2})">${escapeHtml(options.yLabel)}</text>`,
    );
  }
  for (const l of lines) {
    const d = l.x
      .map((x, i) => (Number.isFinite(l.y[i]!) ? `${px(x).toFixed(1)},${py(l.y[i]!).toFixed(1)}` : ''))
      .filter(Boolean)
      .join(' ');
    parts.push(
      `<polyline fill="none" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="6 4"' : ''} points="${d}"><title>${escapeHtml(l.label)}</title></polyline>`,
    );
  }
  for (const p of points) {
    const fill = p.hollow ? 'white' : p.color;
    for (const q of p.points) {
      const x = px(q.x);
      const y = py(q.y);
      const title = `<title>${escapeHtml(q.title)}</title>`;
      if (p.shape === 'circle') {
        parts.push(
          `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</circle>`,
        );
      } else if (p.shape === 'square') {
        parts.push(
          `<rect x="${(x - 4).toFixed(1)}" y="${(y - 4).toFixed(1)}" width="8" height="8" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</rect>`,
        );
      } else {
        parts.push(
          `<polygon points="${x.toFixed(1)},${(y - 5).toFixed(1)} ${(x + 5).toFixed(1)},${y.toFixed(1)} ${x.toFixed(1)},${(y + 5).toFixed(1)} ${(x - 5).toFixed(1)},${y.toFixed(1)}" fill="${fill}" stroke="${p.color}" stroke-width="1.5">${title}</polygon>`,
        );
      }
    }
  }
  const legend = [
    ...lines.map((l) => ({ label: l.label, color: l.color, kind: 'line' as const, dashed: l.dashed })),
    ...points.map((p) => ({ label: p.label, color: p.color, kind: p.shape, hollow: p.hollow })),
  ];
  legend.forEach((item, i) => {
    const col = i % 3;
    const row = Math.floor(i / 3);
    const x = m.left + col * ((width - m.left) / 3);
    const y = height + 4 + row * 18;
    if (item.kind === 'line') {
      parts.push(
        `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="3"${'dashed' in item && item.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    } else {
      const fill = 'hollow' in item && item.hollow ? 'white' : item.color;
      parts.push(
        `<circle cx="${x + 11}" cy="${y}" r="4" fill="${fill}" stroke="${item.color}" stroke-width="1.5"/>`,
      );
    }
    parts.push(`<text x="${x + 28}" y="${y + 4}" font-size="11">${escapeHtml(item.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export interface DiagramElement {
  kind: string;
  name: string;
  x: number;
  y: number;
  width?: number;
  height?: number;
  points?: { x: number; y: number }[];
}

/**
 * The model's own stock-and-flow diagram from the positions in its file: stocks as boxes, flows
 * as pipes with a valve, auxiliaries as circles, connectors as thin arrows. Loops named in
 * `highlight` (variable names) are drawn in colour so the reader can trace them.
 */
export function stockFlowDiagram(
  elements: readonly DiagramElement[],
  connectors: readonly { from: string; to: string }[],
  options: { title: string; highlight?: ReadonlySet<string> } = { title: 'Model diagram' },
): string {
  if (elements.length === 0) return '';
  const key = canonicalName;
  const at = new Map(elements.map((e) => [key(e.name), e]));
  const xs = elements.flatMap((e) => [e.x, ...(e.points ?? []).map((p) => p.x)]);
  const ys = elements.flatMap((e) => [e.y, ...(e.points ?? []).map((p) => p.y)]);
  const minX = Math.min(...xs) - 80;
  const minY = Math.min(...ys) - 30;
  const width = Math.max(...xs) + 100 - minX;
  const height = Math.max(...ys) + 40 - minY;
  const label = (n: string): string => escapeHtml(displayName(n));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${minX} ${minY} ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(options.title)}" font-family="sans-serif" font-size="9">`,
    `<title>${escapeHtml(options.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c66"/></marker></defs>',
  ];
  for (const c of connectors) {
    const a = at.get(key(c.from));
    const b = at.get(key(c.to));
    if (!a || !b) continue;
    parts.push(
      `<line x1="${a.x}" y1="${a.y}" x2="${b.x}" y2="${b.y}" stroke="#e3a5a5" stroke-width="0.6" marker-end="url(#arrow)"/>`,
    );
  }
  for (const e of elements.filter((x) => x.kind === 'flow')) {
    const pts = (e.points ?? []).map((p) => `${p.x},${p.y}`).join(' ');
    if (pts) parts.push(`<polyline points="${pts}" fill="none" stroke="#4a78c2" stroke-width="4"/>`);
  }
  for (const e of elements) {
    const hot = options.highlight?.has(key(e.name)) ?? false;
    const stroke = hot ? '#b00' : '#333';
    const title = `<title>${label(e.name)}</title>`;
    if (e.kind === 'stock') {
      const w = e.width ?? 45;
      const h = e.height ?? 35;
      parts.push(
        `<rect x="${e.x - w / 2}" y="${e.y - h / 2}" width="${w}" height="${h}" fill="#fff" stroke="${stroke}" stroke-width="${hot ? 2 : 1}">${title}</rect>`,
      );
      parts.push(`<text x="${e.x}" y="${e.y + h / 2 + 11}" text-anchor="middle">${label(e.name)}</text>`);
    } else if (e.kind === 'flow') {
      parts.push(`<circle cx="${e.x}" cy="${e.y}" r="5" fill="#4a78c2" stroke="${stroke}">${title}</circle>`);
      parts.push(`<text x="${e.x}" y="${e.y + 16}" text-anchor="middle">${label(e.name)}</text>`);
    } else {
      parts.push(
        `<circle cx="${e.x}" cy="${e.y}" r="6" fill="#fff" stroke="${stroke}" stroke-width="${hot ? 2 : 1}">${title}</circle>`,
      );
      parts.push(`<text x="${e.x}" y="${e.y + 16}" text-anchor="middle">${label(e.name)}</text>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
