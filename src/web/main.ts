/**
 * The workbench shell: model picker, page navigation (hash routes, so reload and back work), and
 * the page area. Each page renders into the main element from the open Workspace.
 */
import './style.css';
import { api, ApiError } from './api.js';
import { h, notice } from './dom.js';
import { openWorkspace, WorkspaceError, type Workspace } from './workspace.js';

declare global {
  interface Window {
    /** Where the first load's time went (read by the benchmark). */
    __interlockLoad?: { fetchMs: number; compileMs: number; renderMs: number; doneAt?: number };
  }
}

export type Page = (ws: Workspace, root: HTMLElement) => (() => void) | void;

/**
 * Each page is its own chunk, fetched when first opened: the first load parses the engine and
 * the page it shows, not the diagram, the editor and the analysis pages as well.
 */
const PAGES: { id: string; title: string; load: () => Promise<Page> }[] = [
  { id: 'answers', title: 'Answers', load: () => import('./pages/answers.js').then((m) => m.renderAnswers) },
  { id: 'model', title: 'Model', load: () => import('./pages/model.js').then((m) => m.renderModel) },
  {
    id: 'simulate',
    title: 'Simulate',
    load: () => import('./pages/simulate.js').then((m) => m.renderSimulate),
  },
  { id: 'compare', title: 'Compare', load: () => import('./pages/compare.js').then((m) => m.renderCompare) },
  { id: 'explore', title: 'Explore', load: () => import('./pages/explore.js').then((m) => m.renderExplore) },
  {
    id: 'calibration',
    title: 'Calibration',
    load: () => import('./pages/calibration.js').then((m) => m.renderCalibration),
  },
  {
    id: 'evidence',
    title: 'Evidence',
    load: () => import('./pages/evidence.js').then((m) => m.renderEvidence),
  },
  { id: 'claims', title: 'Claims', load: () => import('./claims.js').then((m) => m.renderClaims) },
];

const main = document.getElementById('page') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const picker = document.getElementById('picker') as HTMLElement;
const title = document.getElementById('model-title') as HTMLElement;

let ws: Workspace | undefined;
let loadedId: string | undefined;
let cleanup: (() => void) | void;

function route(): { page: string; model: string } {
  const m = /^#\/([a-z]+)(?:\?model=([a-z0-9-]+))?/.exec(location.hash);
  const page = m && PAGES.some((p) => p.id === m[1]) ? m[1]! : 'answers';
  return { page, model: m?.[2] ?? loadedId ?? 'default' };
}

function go(page: string, model = loadedId ?? 'default'): void {
  location.hash = `#/${page}?model=${model}`;
}

function renderNav(active: string, model: string): void {
  nav.replaceChildren(
    ...PAGES.map((p) =>
      h(
        'a',
        {
          href: `#/${p.id}?model=${model}`,
          class: p.id === active ? 'active' : undefined,
          'aria-current': p.id === active ? 'page' : undefined,
        },
        p.title,
      ),
    ),
  );
}

async function renderPicker(): Promise<void> {
  let list;
  try {
    list = await api.listModels();
  } catch {
    return;
  }
  const select = h('select', { id: 'open-path', name: 'path' });
  select.append(h('option', { value: '' }, 'Choose a model file...'));
  for (const f of list.files) select.append(h('option', { value: f }, f));
  const file = h('input', { type: 'file', id: 'upload', accept: '.xmile,.stmx,.xml' });
  const status = h('span', { class: 'picker-status', role: 'status', 'aria-live': 'polite' });
  const openPath = async () => {
    if (!select.value) return;
    status.textContent = 'opening...';
    try {
      const r = await api.openPath(select.value);
      status.textContent = '';
      go(route().page, r.id);
    } catch (err) {
      status.textContent = describe(err);
    }
  };
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    status.textContent = 'uploading...';
    try {
      const r = await api.upload(f.name, await f.text());
      status.textContent = '';
      file.value = '';
      go(route().page, r.id);
    } catch (err) {
      status.textContent = describe(err);
    }
  });
  picker.replaceChildren(
    h('label', { for: 'open-path' }, 'Open'),
    select,
    h('button', { type: 'button', onclick: () => void openPath() }, 'Open'),
    h('label', { for: 'upload', class: 'upload' }, 'Upload XMILE'),
    file,
    status,
  );
}

function describe(err: unknown): string {
  if (err instanceof ApiError)
    return err.details.length ? `${err.message}: ${err.details.slice(0, 3).join('; ')}` : err.message;
  return (err as Error)?.message ?? String(err);
}

/** Counts navigations, so that only the latest one draws its page. */
let shows = 0;

async function show(): Promise<void> {
  const ticket = ++shows;
  const { page, model } = route();
  renderNav(page, model);
  if (cleanup) cleanup();
  cleanup = undefined;
  const entry = PAGES.find((p) => p.id === page)!;
  // The page's code is fetched while the model is (both on the first load).
  const pageCode = entry.load();
  pageCode.catch(() => undefined);
  if (model !== loadedId || !ws) {
    main.replaceChildren(notice('Loading the model...'));
    try {
      const t0 = performance.now();
      const doc = await api.getModel(model);
      const t1 = performance.now();
      ws = openWorkspace(doc);
      window.__interlockLoad = { fetchMs: t1 - t0, compileMs: performance.now() - t1, renderMs: 0 };
      loadedId = model;
      title.textContent = doc.name + (doc.file ? ` (${doc.file})` : '');
      document.title = `${doc.name} - interlock`;
    } catch (err) {
      ws = undefined;
      loadedId = undefined;
      const box = h('div', {}, notice(`Could not open the model: ${describe(err)}`, 'error'));
      if (err instanceof WorkspaceError) {
        box.append(
          h(
            'ul',
            { class: 'diagnostics' },
            ...err.diagnostics
              .slice(0, 30)
              .map((d) => h('li', {}, `${d.line ? `line ${d.line}: ` : ''}${d.message}`)),
          ),
        );
      }
      box.append(h('p', {}, 'Open another model with the picker above.'));
      main.replaceChildren(box);
      return;
    }
  }
  let render: Page;
  try {
    render = await pageCode;
  } catch (err) {
    main.replaceChildren(notice(`This page could not be loaded: ${describe(err)}`, 'error'));
    return;
  }
  // Another navigation happened while this page's code or model was loading.
  if (ticket !== shows || !ws) return;
  main.replaceChildren();
  main.setAttribute('aria-label', entry.title);
  try {
    const t0 = performance.now();
    cleanup = render(ws, main);
    if (window.__interlockLoad && !window.__interlockLoad.renderMs) {
      window.__interlockLoad.renderMs = performance.now() - t0;
      // Milliseconds since navigation start at which the first page was drawn.
      window.__interlockLoad.doneAt = performance.now();
    }
  } catch (err) {
    main.replaceChildren(notice(`This page failed on this model: ${describe(err)}`, 'error'));
  }
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => void show());
void renderPicker();
void show();
