/** Tiny DOM helpers: the workbench is plain TypeScript, so these replace a component library. */

type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | undefined | null | ((ev: Event) => void);

function apply(el: Element, attrs: Record<string, AttrValue> | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.setAttribute('class', String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : String(c));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue>,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue>,
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** A short readable number: the project's one formatter (src/format/number.ts). */
export { formatNumber as fmt } from '../format/number.js';

/** A note shown where a page has nothing to show, saying why. */
export function notice(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

let idCounter = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

/** The workbench's one data table: caption, column headers, rows; `numeric` columns align right. */
export function table(
  id: string,
  caption: string,
  headers: string[],
  rows: (string | Node)[][],
  numeric: number[] = [],
): HTMLElement {
  return h(
    'table',
    { id },
    h('caption', { class: 'muted' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...headers.map((x, i) =>
          h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : undefined }, x),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h('tr', {}, ...r.map((c, i) => h('td', { class: numeric.includes(i) ? 'num' : undefined }, c))),
      ),
    ),
  );
}
