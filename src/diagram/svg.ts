/**
 * The diagram as SVG text: one drawing for the workbench (which adds zoom, pan, selection and
 * editing on top) and the self-contained report (readable with no script). Sector boxes with
 * their titles, links (inside a sector as ELK routed them, between sectors as straight lighter
 * lines), and nodes: stocks as boxes, flows as pills with a valve, auxiliaries as rounded labels.
 * Presentation is in attributes, so the text reads the same anywhere; the workbench's style
 * sheet overrides it through the classes.
 */
import { escapeHtml } from '../case/svg.js';
import { LABEL_FONT, LINE_HEIGHT, type DiagramLayout, type PlacedEdge } from './layout.js';

/** The project's one HTML/XML escaper. */
const esc = escapeHtml;

const n1 = (v: number) => (Math.round(v * 10) / 10).toString();

/** An edge's path: ELK's spline control points as cubic segments, otherwise a polyline. */
export function edgePath(e: PlacedEdge): string {
  const [p0, ...rest] = e.points;
  if (!p0) return '';
  let d = `M${n1(p0.x)},${n1(p0.y)}`;
  if (!e.crossing && rest.length >= 3 && rest.length % 3 === 0) {
    for (let i = 0; i < rest.length; i += 3)
      d += `C${rest
        .slice(i, i + 3)
        .map((p) => `${n1(p.x)},${n1(p.y)}`)
        .join(' ')}`;
  } else for (const p of rest) d += `L${n1(p.x)},${n1(p.y)}`;
  return d;
}

export interface DiagramSvgOptions {
  title: string;
  /** Variable names drawn highlighted (a loop). */
  highlight?: ReadonlySet<string>;
  /** Make nodes focusable buttons (the workbench); the report leaves them static. */
  interactive?: boolean;
  /** Scale the drawing's width attribute (the report: its natural size, scrolled). */
  width?: string;
  idPrefix?: string;
}

export function diagramSvg(layout: DiagramLayout, options: DiagramSvgOptions): string {
  const pad = 8;
  const W = Math.ceil(layout.width + 2 * pad);
  const H = Math.ceil(layout.height + 2 * pad);
  const id = options.idPrefix ?? 'dg';
  const hl = options.highlight;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sfd" viewBox="${-pad} ${-pad} ${W} ${H}" width="${options.width ?? W}" ${options.width ? '' : `height="${H}" `}role="group" aria-label="${esc(options.title)}" font-family="system-ui, sans-serif" font-size="${LABEL_FONT}">`,
    `<title>${esc(options.title)}</title>`,
    `<defs><marker id="${id}-arrow" class="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#7b8794"/></marker><marker id="${id}-arrow-hl" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#c0392b"/></marker></defs>`,
    '<g class="sectors">',
  ];
  for (const s of layout.sectors) {
    out.push(
      `<g class="sector"><rect x="${n1(s.x)}" y="${n1(s.y)}" width="${n1(s.w)}" height="${n1(s.h)}" rx="6" fill="#f6f8fa" stroke="#d0d7de"/><text class="sector-title" x="${n1(s.x + 10)}" y="${n1(s.y + 20)}" font-size="15" font-weight="600" fill="#24292f">${esc(s.name)}</text></g>`,
    );
  }
  out.push('</g><g class="edges">');
  for (const e of layout.edges) {
    const on = hl?.has(e.from) && hl.has(e.to);
    out.push(
      `<path class="edge${e.crossing ? ' crossing' : ''}${on ? ' hl' : ''}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="${edgePath(e)}" fill="none" stroke="${on ? '#c0392b' : e.crossing ? '#d3d9df' : '#8a96a3'}" stroke-width="${on ? 2.5 : 1}"${e.crossing && !on ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#${id}-arrow${on ? '-hl' : ''})"/>`,
    );
  }
  out.push('</g><g class="nodes">');
  for (const n of layout.nodes) {
    const x0 = n.x - n.w / 2;
    const y0 = n.y - n.h / 2;
    const on = hl?.has(n.name) ?? false;
    const stroke = on
      ? '#c0392b'
      : n.kind === 'stock'
        ? '#24292f'
        : n.kind === 'flow'
          ? '#2f6fb3'
          : '#8a96a3';
    const sw = on ? 2.5 : n.kind === 'stock' ? 1.5 : 1;
    let shape: string;
    let textX = n.x;
    if (n.kind === 'stock') {
      shape = `<rect x="${n1(x0)}" y="${n1(y0)}" width="${n.w}" height="${n.h}" rx="2" fill="#ffffff" stroke="${stroke}" stroke-width="${sw}"/>`;
    } else if (n.kind === 'flow') {
      const cx = x0 + 13;
      shape =
        `<rect x="${n1(x0)}" y="${n1(y0)}" width="${n.w}" height="${n.h}" rx="${n1(n.h / 2)}" fill="#eaf2fb" stroke="${stroke}" stroke-width="${sw}"/>` +
        `<path class="valve" d="M${n1(cx - 6)},${n1(n.y - 6)}L${n1(cx + 6)},${n1(n.y + 6)}L${n1(cx + 6)},${n1(n.y - 6)}L${n1(cx - 6)},${n1(n.y + 6)}z" fill="#2f6fb3"/>`;
      textX = n.x + 10;
    } else {
      shape = `<rect x="${n1(x0)}" y="${n1(y0)}" width="${n.w}" height="${n.h}" rx="10" fill="#fffdf5" stroke="${stroke}" stroke-width="${sw}"/>`;
    }
    const first = n.y - ((n.lines.length - 1) * LINE_HEIGHT) / 2 + LABEL_FONT * 0.36;
    const tspans = n.lines
      // A space leads every line after the first, so that the text reads as the whole name.
      .map(
        (l, i) =>
          `<tspan x="${n1(textX)}" y="${n1(first + i * LINE_HEIGHT)}">${i ? ' ' : ''}${esc(l)}</tspan>`,
      )
      .join('');
    // What the node is: its hover title in a report, its accessible name on an interactive drawing
    // (there a <title> would be read as text inside the button that its name does not contain).
    const title = `${n.lines.join(' ')} (${n.kind === 'aux' ? 'auxiliary' : n.kind}, ${n.sector || 'model'})`;
    const attrs = options.interactive ? ` tabindex="0" role="button" aria-label="${esc(title)}"` : '';
    const hover = options.interactive ? '' : `<title>${esc(title)}</title>`;
    out.push(
      `<g class="node ${n.kind}${on ? ' hl' : ''}" data-name="${esc(n.name)}"${attrs}>${hover}${shape}<text class="label" text-anchor="middle" fill="#24292f">${tspans}</text></g>`,
    );
  }
  out.push('</g></svg>');
  return out.join('\n');
}
