/**
 * The report's charts: line charts from the project's one chart kit (src/chart/kit.ts) and the
 * model's stock-and-flow diagram, inline SVG with no script and no external resource.
 */

import { escapeXml, lineChartSvg, type PointSeries } from '../chart/kit.js';
import { canonicalName, displayName } from '../equations/names.js';

/** HTML and SVG text escaping: the chart kit's one. */
export const escapeHtml = escapeXml;

export { PALETTE, niceTicks, type PointSeries } from '../chart/kit.js';

export interface LineSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  color: string;
  dashed?: boolean;
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

/** A report's line chart: the chart kit's (src/chart/kit.ts), with 0 kept on the y axis. */
export function lineChart(
  lines: readonly LineSeries[],
  options: ChartOptions,
  points: readonly PointSeries[] = [],
): string {
  return lineChartSvg({
    title: options.title,
    yLabel: options.yLabel,
    width: options.width,
    height: options.height,
    xTickLabel: options.xTickLabel,
    xTicks: options.xTicks ? () => options.xTicks! : undefined,
    lines,
    points,
    includeZero: true,
    titleInside: true,
  });
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
