/**
 * The claims table in the browser: docs/claims.md bundled as text, parsed by src/case/claims.ts.
 * `claimLinks` turns claim ids into links to the Claims page, so no claim id is shown bare.
 */
import claimsMarkdown from '../../docs/claims.md?raw';
import { parseClaims, type Claim } from '../case/claims.js';
import { h } from './dom.js';

export const CLAIMS: readonly Claim[] = parseClaims(claimsMarkdown);
const byId = new Map(CLAIMS.map((c) => [c.id, c]));

export function claimById(id: string): Claim | undefined {
  return byId.get(id);
}

/** The hash route of a claim's entry on the Claims page. */
export function claimRoute(id: string, model: string): string {
  return `#/claims?model=${model}&claim=${id}`;
}

/** The model id of the current route (claims links keep the open model). */
function currentModel(): string {
  return /[?&]model=([a-z0-9-]+)/.exec(location.hash)?.[1] ?? 'default';
}

/** Links for claim ids, separated by commas; each carries the claim's title as its tooltip. */
export function claimLinks(ids: readonly string[]): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [];
  ids.forEach((id, i) => {
    if (i) out.push(', ');
    const c = byId.get(id);
    out.push(
      h(
        'a',
        { href: claimRoute(id, currentModel()), class: 'claim', title: c?.title ?? 'not in docs/claims.md' },
        id,
      ),
    );
  });
  return out;
}

/** Inline Markdown of the claims file: `code` and **bold** only. */
function inline(text: string): (HTMLElement | string)[] {
  const out: (HTMLElement | string)[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(m[1] !== undefined ? h('code', {}, m[1]) : h('strong', {}, m[2]!));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function renderBody(body: string): HTMLElement[] {
  const blocks: HTMLElement[] = [];
  let list: HTMLElement | undefined;
  for (const para of body.split(/\n(?=- )|\n\n/)) {
    const text = para.replace(/\s*\n\s*/g, ' ').trim();
    if (!text) continue;
    if (text.startsWith('- ')) {
      if (!list) blocks.push((list = h('ul', {})));
      list.append(h('li', {}, ...inline(text.slice(2))));
    } else {
      list = undefined;
      blocks.push(h('p', {}, ...inline(text)));
    }
  }
  return blocks;
}

/** The Claims page: every claim's text and where it lives; `&claim=C7` scrolls to one. */
export function renderClaims(_ws: unknown, root: HTMLElement): void {
  const wanted = /[?&]claim=(C\d{1,2})/.exec(location.hash)?.[1];
  root.append(
    h('h2', {}, 'Claims'),
    h(
      'p',
      { class: 'muted' },
      'The claims the case model encodes, in the project’s words (docs/claims.md), with where each lives in the model and the evidence base.',
    ),
  );
  for (const c of CLAIMS) {
    const section = h(
      'section',
      { class: `panel claim-entry${c.id === wanted ? ' selected' : ''}`, id: `claim-${c.id.toLowerCase()}` },
      h('h3', {}, c.id),
      ...renderBody(c.body),
    );
    root.append(section);
  }
  if (wanted) {
    const el = root.querySelector<HTMLElement>(`#claim-${wanted.toLowerCase()}`);
    requestAnimationFrame(() => el?.scrollIntoView({ block: 'start' }));
  }
}
