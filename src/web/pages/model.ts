/**
 * Model: the stock-and-flow diagram by sectors, the case's named loops as a causal-loop view of
 * the argument (each highlighted on both diagrams on click), and beside the diagram the selected
 * variable's details, editable: equation (diagnostics located as you type, re-run at once),
 * units, documentation, graphical function (typed or dragged), name (references follow), links
 * and flows. Add and delete variables, undo and redo, save as XMILE (download, back to the
 * server's file, or as a named alternative of a case model). The editing logic lives in
 * src/edit/ and editor/session.ts; this file is the page around it.
 */
import { h, notice } from '../dom.js';
import { computeLayout, DiagramView, renameInLayout, sharedElk, updateLayout } from '../diagram.js';
import { claimsIn, key, openWorkspace, type Workspace } from '../workspace.js';
import { claimLinks } from '../claims.js';
import { detectLoops, type FeedbackLoop, type NamedLoops } from '../../loops/index.js';
import { findEvidenceItem } from '../evidence-data.js';
import { assignSectors } from '../../case/sectors.js';
import { layoutDiagram, type DiagramLayout } from '../../diagram/layout.js';
import { displayName } from '../../equations/names.js';
import { writeXmile, type Diagnostic, type Model } from '../../engine.js';
import type { VariableKind } from '../../model/types.js';
import { EditError, references, type Edit } from '../../edit/edit.js';
import { EDITED_FILE } from '../../edit/edit.js';
import { EditorSession } from '../editor/session.js';
import { gfEditor } from '../editor/gf-editor.js';
import { LineChart, PALETTE } from '../chart.js';
import { api, ApiError } from '../api.js';

interface CaseLoop {
  id?: string;
  name?: string;
  polarity?: string;
  claims?: string[];
  description?: string;
  path?: string[];
  variables?: string[];
}

/** What stays while the user moves between pages: the edits and the diagram's layout, per model. */
interface Kept {
  session: EditorSession;
  layout?: DiagramLayout;
  source?: 'view' | 'auto';
  cld?: DiagramLayout;
  baseline: { time: Float64Array; series: Map<string, Float64Array> };
  selected: string | null;
}
const kept = new Map<string, Kept>();

/** For the benchmark and the tests: when the last edit's run was drawn, and how. */
declare global {
  interface Window {
    __interlockEdit?: {
      at: number;
      fast: boolean;
      ms: number;
      count: number;
      /** Of `ms`: compiling and running (the rest is waiting for the task, drawing, the DOM). */
      compileMs: number;
      runMs: number;
      /** The chart and diagnostics redrawn. */
      drawMs: number;
      /** From the input to the edit starting to run (coalescing waits for the next task). */
      queuedMs: number;
    };
    /** The editor's current run (tests compare it with the CLI's run of the saved file). */
    __interlockEditor?: { series(name: string): number[] | undefined; time(): number[] };
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiError)
    return err.details.length ? `${err.message}: ${err.details.slice(0, 3).join('; ')}` : err.message;
  return (err as Error)?.message ?? String(err);
}

export function renderModel(ws: Workspace, root: HTMLElement): () => void {
  const { model: opened, compiled: openedCompiled } = ws;
  let state = kept.get(ws.doc.id);
  if (!state || state.session.history.model.file !== opened.file) {
    const session = new EditorSession(opened, openedCompiled);
    const series = new Map<string, Float64Array>();
    for (const o of openedCompiled.outputs)
      series.set(key(o.name), Float64Array.from(session.sim.series(o.name)));
    state = { session, baseline: { time: Float64Array.from(session.sim.time), series }, selected: null };
    kept.set(ws.doc.id, state);
  }
  const st = state;
  const session = st.session;
  window.__interlockEditor = {
    series: (name) => {
      const y = session.series(name);
      return y ? [...y] : undefined;
    },
    time: () => [...session.sim.time],
  };
  const graph = () => session.compiled.graph;

  root.append(h('h2', {}, 'Model'));
  const definition = ws.caseData?.definition;
  if (definition?.question) {
    root.append(
      h(
        'details',
        { class: 'panel question' },
        h('summary', {}, definition.title ?? 'The question this model is built to answer'),
        h('p', {}, definition.question),
      ),
    );
  }
  if (!graph().nodes.length) {
    root.append(notice('This model has no variables to draw.'));
  }

  // ---- loops -------------------------------------------------------------------------------
  const named =
    ws.caseData?.loops && typeof ws.caseData.loops === 'object'
      ? (ws.caseData.loops as NamedLoops)
      : undefined;
  let loops: FeedbackLoop[] = [];
  let truncated = false;
  try {
    ({ loops, truncated } = detectLoops(openedCompiled, { named, maxLoops: 500 }));
  } catch {
    loops = [];
  }
  const nodeByKey = new Map(openedCompiled.graph.nodes.map((n) => [key(n.name), n.name]));
  const caseLoops: CaseLoop[] = Array.isArray(ws.caseData?.loops) ? (ws.caseData.loops as CaseLoop[]) : [];
  const caseLoopVars = caseLoops.map((cl) =>
    (cl.path ?? cl.variables ?? []).map((v) => nodeByKey.get(key(String(v))) ?? String(v)),
  );

  // ---- sectors and diagrams ----------------------------------------------------------------
  const sectorDefs = (definition?.sectors ?? []).map((s) => ({
    name: s.name,
    prefixes: s.prefixes ?? [],
    variables: s.variables ?? [],
  }));
  const sectorsFor = () =>
    sectorDefs.length
      ? assignSectors(
          graph().nodes.map((n) => n.name),
          graph().edges,
          sectorDefs,
        )
      : undefined;

  const sfd = new DiagramView((name) => showDetails(name), 'Stock and flow diagram', 'diagram');
  const cld = new DiagramView((name) => showDetails(name), 'Causal-loop view of the named loops', 'cld');
  const zoomLabel = h('span', { class: 'muted', 'aria-live': 'polite', id: 'zoom-level' }, '');
  let active: DiagramView = sfd;
  sfd.onZoom = (sc) => active === sfd && (zoomLabel.textContent = `${Math.round(sc * 100)}%`);
  cld.onZoom = (sc) => active === cld && (zoomLabel.textContent = `${Math.round(sc * 100)}%`);
  const layoutNote = h('p', { class: 'muted', id: 'layout-note' }, 'Laying out the diagram...');

  let disposed = false;
  const drawLayout = async (fresh: boolean) => {
    if (!fresh && st.layout) {
      sfd.show(st.layout, true);
      return;
    }
    layoutNote.textContent = 'Laying out the diagram...';
    const width = Math.max(600, sfd.el.clientWidth / 0.85 || 1200);
    const { layout, source } = await computeLayout(graph(), session.model, sectorsFor(), width);
    if (disposed) return;
    st.layout = layout;
    st.source = source;
    sfd.show(layout, true);
    layoutNote.textContent =
      source === 'view'
        ? "Layout from the model file's own diagram."
        : `Laid out by sector${sectorDefs.length ? ` (${sectorDefs.map((s) => s.name).join(', ')}; from case.json)` : ''}; dashed lines are links between sectors.`;
  };
  const drawCld = async () => {
    if (!caseLoops.length) return;
    if (!st.cld) {
      const members = new Set(caseLoopVars.flat());
      const nodes = openedCompiled.graph.nodes.filter((n) => members.has(n.name));
      const edges: { from: string; to: string }[] = [];
      for (const vars of caseLoopVars)
        vars.forEach((v, i) => edges.push({ from: v, to: vars[(i + 1) % vars.length]! }));
      const sectors = sectorDefs.length
        ? assignSectors(
            openedCompiled.graph.nodes.map((n) => n.name),
            openedCompiled.graph.edges,
            sectorDefs,
          )
        : undefined;
      const width = Math.max(600, sfd.el.clientWidth / 0.85 || 1200);
      st.cld = await layoutDiagram({
        nodes,
        edges,
        sectors,
        targetWidth: width,
        elk: sharedElk(),
      });
    }
    if (!disposed) cld.show(st.cld, true);
  };

  // ---- toolbar -------------------------------------------------------------------------------
  const status = h('span', { id: 'edit-status', role: 'status', 'aria-live': 'polite' });
  const message = h('span', { id: 'edit-message', class: 'muted', role: 'status', 'aria-live': 'polite' });
  const undoBtn = h('button', { type: 'button', id: 'edit-undo' }, 'Undo');
  const redoBtn = h('button', { type: 'button', id: 'edit-redo' }, 'Redo');
  const newName = h('input', { id: 'new-name', type: 'text', placeholder: 'name', size: 18 });
  const addButtons = (['stock', 'flow', 'aux'] as VariableKind[]).map((kind) =>
    h(
      'button',
      { type: 'button', id: `add-${kind}`, onclick: () => addVariable(kind) },
      `Add ${kind === 'aux' ? 'auxiliary' : kind}`,
    ),
  );
  const deleteBtn = h('button', { type: 'button', id: 'edit-delete' }, 'Delete selected');
  const relayoutBtn = h('button', { type: 'button', id: 'relayout' }, 'Lay out again');
  const canPut = !!ws.doc.file && /\.(xmile|stmx|xml)$/i.test(ws.doc.file);
  const saveServer = h(
    'button',
    { type: 'button', id: 'save-server', disabled: !canPut },
    canPut ? `Save to ${ws.doc.file}` : 'Save to file (uploaded: download instead)',
  );
  const saveDownload = h('button', { type: 'button', id: 'save-download' }, 'Download XMILE');
  const altName = h('input', {
    id: 'alt-name',
    type: 'text',
    placeholder: 'e.g. no-down-payment',
    size: 18,
    pattern: '[a-z0-9][a-z0-9-]*',
  });
  const saveAlt = h(
    'button',
    { type: 'button', id: 'save-alt', disabled: !ws.doc.file },
    'Save as alternative',
  );
  const altResult = h('span', { id: 'alt-result' });

  const refreshStatus = () => {
    const dirty = session.history.dirty;
    status.textContent = dirty ? 'Changed, not saved' : 'No unsaved changes';
    status.className = dirty ? 'badge dirty' : 'badge';
    undoBtn.disabled = !session.history.canUndo;
    redoBtn.disabled = !session.history.canRedo;
    undoBtn.title = session.history.undoLabel ? `Undo ${session.history.undoLabel}` : '';
    redoBtn.title = session.history.redoLabel ? `Redo ${session.history.redoLabel}` : '';
    deleteBtn.disabled = !st.selected;
    document.title = `${dirty ? '* ' : ''}${ws.doc.name} - interlock`;
  };

  const markRun = (fast: boolean, t0: number) => {
    const prev = window.__interlockEdit;
    window.__interlockEdit = {
      at: performance.now(),
      fast,
      ms: performance.now() - t0,
      count: (prev?.count ?? 0) + 1,
      compileMs: session.timings.compile,
      runMs: session.timings.run,
      drawMs: drawn,
      queuedMs,
    };
    window.dispatchEvent(new Event('interlock-edit'));
  };

  // Edits typed faster than they run are coalesced: an input event queues its field's edit,
  // which runs at once unless more input is already waiting (Chromium says so), else in the next
  // task, or before anything else is done. Running at once saves a frame drawn in between.
  let queued: { id: string; run: (t0: number) => void; t0: number } | undefined;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => flushSoon();
  const scheduling = (navigator as { scheduling?: { isInputPending?: () => boolean } }).scheduling;
  const soon = (id: string, run: (t0: number) => void) => {
    if (queued && queued.id !== id) flushSoon();
    if (queued) queued.run = run;
    else {
      queued = { id, run, t0: performance.now() };
      channel.port2.postMessage(null);
    }
    if (scheduling?.isInputPending && !scheduling.isInputPending()) flushSoon();
  };
  const flushSoon = () => {
    const q = queued;
    queued = undefined;
    q?.run(q.t0);
  };
  // Unit warnings and unused links once typing pauses (they never change the run).
  let adviseTimer: ReturnType<typeof setTimeout> | undefined;
  const adviseLater = () => {
    clearTimeout(adviseTimer);
    adviseTimer = setTimeout(() => {
      if (!disposed && session.advise()) showDiagnostics();
    }, 250);
  };

  /** Apply an edit; structural ones redraw the diagram. Returns false (with a message) if refused. */
  const edit = (e: Edit, group?: string, t0 = performance.now()): boolean => {
    queuedMs = performance.now() - t0;
    let out;
    try {
      out = session.apply(e, group);
    } catch (err) {
      if (err instanceof EditError) {
        message.textContent = err.message;
        return false;
      }
      throw err;
    }
    message.textContent = '';
    const structural = !['set-equation', 'set-units', 'set-doc', 'set-gf'].includes(e.op);
    if (e.op === 'rename' && st.layout) st.layout = renameInLayout(st.layout, e.from, e.to);
    if (structural && out.ran && st.layout) {
      st.layout = updateLayout(st.layout, graph());
      sfd.show(st.layout);
    }
    if (structural) fillPicker();
    const applied = performance.now();
    updateRunViews();
    drawn = performance.now() - applied;
    markRun(out.fast, t0);
    refreshStatus();
    adviseLater();
    return true;
  };
  let drawn = 0;
  let queuedMs = 0;

  const addVariable = (kind: VariableKind) => {
    const name = newName.value.trim();
    if (!name) {
      message.textContent = 'Type a name for the new variable first.';
      newName.focus();
      return;
    }
    if (!edit({ op: 'add', kind, name })) return;
    newName.value = '';
    session.history.seal();
    showDetails(displayName(name));
  };
  undoBtn.addEventListener('click', () => {
    flushSoon();
    const t0 = performance.now();
    const out = session.undo();
    if (out) afterHistory(out.fast, t0);
  });
  redoBtn.addEventListener('click', () => {
    flushSoon();
    const t0 = performance.now();
    const out = session.redo();
    if (out) afterHistory(out.fast, t0);
  });
  const afterHistory = (fast: boolean, t0: number) => {
    fillPicker();
    if (st.layout && !session.stale) {
      st.layout = updateLayout(st.layout, graph());
      sfd.show(st.layout);
    }
    updateRunViews();
    markRun(fast, t0);
    refreshStatus();
    adviseLater();
    if (st.selected) {
      const still = session.model.variables.some((v) => key(v.name) === key(st.selected!));
      if (still) showDetails(st.selected);
      else clearDetails();
    }
  };
  deleteBtn.addEventListener('click', () => {
    if (!st.selected) return;
    const name = st.selected;
    if (edit({ op: 'delete', name })) {
      session.history.seal();
      message.textContent = `Deleted ${name}.`;
      clearDetails();
    }
  });
  relayoutBtn.addEventListener('click', () => void drawLayout(true));
  saveDownload.addEventListener('click', () => {
    flushSoon();
    const text = writeXmile(session.model);
    const a = h('a', {
      href: URL.createObjectURL(new Blob([text], { type: 'application/xml' })),
      download:
        (ws.doc.file ?? `${ws.doc.name}.xmile`)
          .split('/')
          .pop()!
          .replace(/\.[^.]+$/, '') + '.xmile',
    });
    document.body.append(a);
    a.click();
    a.remove();
    if (!canPut) session.history.markSaved();
    message.textContent = 'Downloaded as XMILE.';
    refreshStatus();
  });
  saveServer.addEventListener('click', async () => {
    flushSoon();
    if (session.stale) {
      message.textContent = 'The model has errors: fix them before saving.';
      return;
    }
    const saving = session.model;
    const renamed = session.renamesSinceSaved();
    message.textContent = 'Saving...';
    try {
      const r = await api.saveModel(ws.doc.id, writeXmile(saving), renamed);
      // What was saved is now the saved version (even if edits came in meanwhile).
      if (session.model === saving) session.history.markSaved();
      ws.doc.text = writeXmile(saving);
      message.textContent = `Saved to ${r.file}.${
        r.caseFiles?.length ? ` Renamed in the case files too: ${r.caseFiles.join(', ')}.` : ''
      }`;
      refreshStatus();
      // The other pages now run what was saved, with the case files as they now are.
      try {
        Object.assign(ws, openWorkspace(await api.getModel(ws.doc.id)));
      } catch {
        // The saved file is on disk; the other pages keep the version they had until reload.
      }
    } catch (err) {
      message.textContent = `Not saved: ${describe(err)}`;
    }
    refreshStatus();
  });
  saveAlt.addEventListener('click', async () => {
    flushSoon();
    const name = altName.value.trim();
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(name)) {
      message.textContent = 'Name the alternative with lower-case letters, digits and dashes.';
      altName.focus();
      return;
    }
    if (session.stale) {
      message.textContent = 'The model has errors: fix them before saving.';
      return;
    }
    message.textContent = 'Saving the alternative...';
    try {
      const r = await api.saveAlternative(
        ws.doc.id,
        name,
        writeXmile(session.model),
        session.renamesSinceSaved(),
      );
      message.textContent = `Saved as ${r.file}.`;
      altResult.replaceChildren(
        h('a', { href: `#/simulate?model=${ws.doc.id}&beside=${r.id}` }, 'Simulate it beside the original'),
        ' · ',
        h('a', { href: `#/compare?model=${ws.doc.id}&beside=${r.id}` }, 'Compare'),
        ' · ',
        h('a', { href: `#/model?model=${r.id}` }, 'Open it'),
      );
    } catch (err) {
      message.textContent = `Not saved: ${describe(err)}`;
    }
  });

  // Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) anywhere on the page except inside a text field (which has
  // its own undo while typing).
  const onKey = (ev: KeyboardEvent) => {
    const t = ev.target as HTMLElement;
    if (t.closest('input, textarea, select')) return;
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'z') {
      ev.preventDefault();
      (ev.shiftKey ? redoBtn : undoBtn).click();
    } else if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'y') {
      ev.preventDefault();
      redoBtn.click();
    }
  };
  document.addEventListener('keydown', onKey);
  const onUnload = (ev: BeforeUnloadEvent) => {
    if (session.history.dirty) ev.preventDefault();
  };
  window.addEventListener('beforeunload', onUnload);

  // ---- details / editor panel ----------------------------------------------------------------
  const details = h(
    'section',
    { class: 'panel details', id: 'details', 'aria-label': 'Selected variable' },
    h(
      'p',
      { class: 'muted' },
      'Select a variable on the diagram (click, or Tab then Enter) or in the list above to see and edit it.',
    ),
  );
  const clearDetails = () => {
    st.selected = null;
    sfd.select(null);
    details.replaceChildren(h('p', { class: 'muted' }, 'Nothing selected.'));
    refreshStatus();
  };
  let chart: { name: string; chart: LineChart } | undefined;
  const diagList = h('ul', { class: 'diagnostics', id: 'edit-diagnostics', 'aria-live': 'polite' });
  const caret = h('pre', { class: 'caret', id: 'edit-caret', 'aria-hidden': 'true' });

  const updateRunViews = () => {
    if (chart) {
      const y = session.series(chart.name);
      const base = st.baseline.series.get(key(chart.name));
      const lines = [];
      if (base)
        lines.push({
          x: st.baseline.time,
          y: base,
          color: '#8a96a3',
          label: 'as opened',
          dash: true,
          width: 1.5,
        });
      if (y)
        lines.push({
          x: session.sim.time,
          y,
          color: PALETTE[0]!,
          label: session.stale ? 'last run that compiled' : 'edited',
          width: 2.5,
        });
      chart.chart.update(lines);
    }
    showDiagnostics();
  };

  const showDiagnostics = () => {
    const mine = (d: Diagnostic) => !!st.selected && !!d.variable && key(d.variable) === key(st.selected);
    const shown = [...session.diagnostics]
      .filter((d) => d.severity === 'error' || mine(d))
      .sort((a, b) => Number(mine(b)) - Number(mine(a)) || (a.severity === 'error' ? -1 : 1))
      .slice(0, 12);
    diagList.replaceChildren(
      ...shown.map((d) =>
        h(
          'li',
          { class: d.severity },
          `${d.severity === 'error' ? 'Error' : 'Warning'}${d.variable && !mine(d) ? ` in ${d.variable}` : ''}${
            d.file === EDITED_FILE && d.column ? ` at column ${d.column}` : d.line ? ` (line ${d.line})` : ''
          }: ${d.message}`,
        ),
      ),
    );
    const here = shown.find((d) => mine(d) && d.severity === 'error' && d.file === EDITED_FILE && d.column);
    const eqn = document.getElementById('edit-eqn') as HTMLTextAreaElement | null;
    if (here && eqn) {
      // The error's line of the field, cut to a window around the column so the mark shows in
      // a narrow panel: `...` where the line goes on.
      const line = eqn.value.split('\n')[Math.max(0, (here.line ?? 1) - 1)] ?? '';
      const at = Math.max(0, here.column! - 1);
      const from = at > 30 ? at - 24 : 0;
      const lead = from > 0 ? '...' : '';
      const shown = line.slice(from, from + 44);
      caret.textContent = `${lead}${shown}${from + 44 < line.length ? '...' : ''}\n${' '.repeat(lead.length + at - from)}^`;
      caret.hidden = false;
      eqn.setAttribute('aria-invalid', 'true');
    } else {
      caret.hidden = true;
      eqn?.removeAttribute('aria-invalid');
    }
  };

  function showDetails(name: string): void {
    flushSoon();
    const v = session.model.variables.find((x) => key(x.name) === key(name));
    st.selected = v ? displayName(v.name) : name;
    sfd.select(name);
    cld.select(name);
    picker.value = [...picker.options].find((o) => key(o.value) === key(name))?.value ?? '';
    if (!v) {
      details.replaceChildren(h('p', {}, `${name}: not a variable of this model.`));
      refreshStatus();
      return;
    }
    const shown = displayName(v.name);
    const out = session.compiled.outputs.find((o) => key(o.base) === key(name));
    const params = ws.caseData?.parameters ?? {};
    const pEntry = Object.entries(params).find(([k]) => key(k) === key(name))?.[1];
    const claims = [...new Set([...claimsIn(v.doc), ...(pEntry?.claims ?? [])])];
    const inLoops = loops.filter((l) => l.variables.some((x) => key(x) === key(name)));
    const inNamed = caseLoops.filter((_, i) => caseLoopVars[i]!.some((x) => key(x) === key(name)));
    const evidence = ws.caseData?.evidence;

    // Name
    const nameInput = h('input', { id: 'edit-name', type: 'text', value: shown, size: 28 });
    const renameBtn = h('button', { type: 'button', id: 'edit-rename' }, 'Rename');
    renameBtn.addEventListener('click', () => {
      const to = nameInput.value.trim();
      if (key(to) === key(shown)) return;
      if (edit({ op: 'rename', from: shown, to })) {
        session.history.seal();
        showDetails(displayName(to));
      }
    });
    nameInput.addEventListener('keydown', (ev) => ev.key === 'Enter' && renameBtn.click());

    // Equation
    const eqn = h('textarea', {
      id: 'edit-eqn',
      rows: Math.min(10, Math.max(3, Math.ceil((v.eqn?.text ?? '').length / 34) + 1)),
      spellcheck: 'false',
      'aria-describedby': 'edit-diagnostics',
    });
    eqn.value = v.eqn?.text ?? '';
    // Keystrokes that arrive while a run is being made are coalesced: the next run takes the
    // field's text as it is then, so a slow compile never leaves a queue of stale ones behind.
    eqn.addEventListener('input', () =>
      soon(`eqn:${key(shown)}`, (t0) =>
        edit({ op: 'set-equation', name: shown, text: eqn.value }, `eqn:${key(shown)}`, t0),
      ),
    );
    eqn.addEventListener('change', () => {
      flushSoon();
      session.history.seal();
    });
    const units = h('input', { id: 'edit-units', type: 'text', value: v.units ?? '', size: 24 });
    units.addEventListener('input', () =>
      edit({ op: 'set-units', name: shown, units: units.value }, `units:${key(shown)}`),
    );
    units.addEventListener('change', () => session.history.seal());
    const doc = h('textarea', { id: 'edit-doc', rows: 3 });
    doc.value = v.doc ?? '';
    doc.addEventListener('input', () =>
      edit({ op: 'set-doc', name: shown, doc: doc.value }, `doc:${key(shown)}`),
    );
    doc.addEventListener('change', () => session.history.seal());

    // Graphical function
    const gfBox = h('div', { id: 'gf' });
    if (v.gf) {
      const xs = v.gf.xpts;
      gfBox.append(
        h('strong', {}, 'Graphical function'),
        gfEditor(shown, xs, v.gf.ypts, (ys, final) => {
          soon(`gf:${key(shown)}`, (t0) =>
            edit({ op: 'set-gf', name: shown, gf: { xpts: xs, ypts: ys } }, `gf:${key(shown)}`, t0),
          );
          if (final) {
            flushSoon();
            session.history.seal();
          }
        }),
        h(
          'button',
          {
            type: 'button',
            id: 'gf-remove',
            onclick: () => {
              if (edit({ op: 'set-gf', name: shown, gf: null })) {
                session.history.seal();
                showDetails(shown);
              }
            },
          },
          'Remove the graphical function',
        ),
      );
    } else if (v.kind !== 'stock') {
      gfBox.append(
        h(
          'button',
          {
            type: 'button',
            id: 'gf-add',
            onclick: () => {
              const xs = [0, 0.25, 0.5, 0.75, 1];
              if (edit({ op: 'set-gf', name: shown, gf: { xpts: xs, ypts: [...xs] } })) {
                session.history.seal();
                showDetails(shown);
              }
            },
          },
          'Add a graphical function of this equation',
        ),
      );
    }

    // Flows of a stock
    let flowsBox: HTMLElement | null = null;
    if (v.kind === 'stock') {
      const flows = session.model.variables.filter((x) => x.kind === 'flow');
      const flowPick = h(
        'select',
        { id: 'flow-pick' },
        ...flows.map((f) => h('option', { value: displayName(f.name) }, displayName(f.name))),
      );
      const dir = h(
        'select',
        { id: 'flow-dir' },
        h('option', { value: 'inflow' }, 'as an inflow'),
        h('option', { value: 'outflow' }, 'as an outflow'),
      );
      const list = [
        ...(v.inflows ?? []).map((f) => ({ f, sign: '+' })),
        ...(v.outflows ?? []).map((f) => ({ f, sign: '-' })),
      ];
      flowsBox = h(
        'div',
        {},
        h(
          'pre',
          { class: 'eqn' },
          `d/dt = ${list.map((x) => `${x.sign} ${displayName(x.f)}`).join(' ') || '0'}`,
        ),
        ...list.map((x) =>
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: () => {
                if (edit({ op: 'disconnect-flow', flow: x.f, stock: shown })) showDetails(shown);
              },
            },
            `Disconnect ${displayName(x.f)}`,
          ),
        ),
        flows.length
          ? h(
              'div',
              { class: 'row' },
              h('label', { for: 'flow-pick' }, 'Connect flow'),
              flowPick,
              h('label', { for: 'flow-dir', class: 'visually-hidden' }, 'Direction'),
              dir,
              h(
                'button',
                {
                  type: 'button',
                  id: 'flow-connect',
                  onclick: () => {
                    if (
                      edit({
                        op: 'connect-flow',
                        flow: flowPick.value,
                        stock: shown,
                        as: dir.value as 'inflow' | 'outflow',
                      })
                    ) {
                      session.history.seal();
                      showDetails(shown);
                    }
                  },
                },
                'Connect',
              ),
            )
          : null,
      );
    }

    // Links into this variable
    const others = session.model.variables.filter((x) => key(x.name) !== key(v.name));
    const linkFrom = h(
      'select',
      { id: 'link-from' },
      ...others
        .map((x) => displayName(x.name))
        .sort((a, b) => a.localeCompare(b))
        .map((n) => h('option', { value: n }, n)),
    );
    const drawnLinks = (session.model.view?.connectors ?? []).filter((c) => key(c.to) === key(v.name));
    const linksBox = h(
      'div',
      { class: 'links' },
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'link-from' }, 'Add a link from'),
        linkFrom,
        h(
          'button',
          {
            type: 'button',
            id: 'link-add',
            onclick: () => {
              if (edit({ op: 'add-link', from: linkFrom.value, to: shown })) {
                session.history.seal();
                showDetails(shown);
              }
            },
          },
          'Add link',
        ),
      ),
      ...drawnLinks
        .filter((c) => !references(v.eqn?.text, c.from))
        .map((c) =>
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: () => {
                if (edit({ op: 'delete-link', from: c.from, to: shown })) showDetails(shown);
              },
            },
            `Remove the link from ${displayName(c.from)}`,
          ),
        ),
    );

    chart = { name: out?.name ?? shown, chart: new LineChart(shown, v.units ?? out?.units) };
    details.replaceChildren(
      ...[
        h('h3', {}, shown, h('span', { class: 'units' }, ` ${v.kind === 'aux' ? 'auxiliary' : v.kind}`)),
        h('div', { class: 'row' }, h('label', { for: 'edit-name' }, 'Name'), nameInput, renameBtn),
        flowsBox,
        h('label', { for: 'edit-eqn', class: 'block' }, v.kind === 'stock' ? 'Initial value' : 'Equation'),
        eqn,
        caret,
        diagList,
        chart.chart.el,
        h('div', { class: 'row' }, h('label', { for: 'edit-units' }, 'Units'), units),
        h('label', { for: 'edit-doc', class: 'block' }, 'Documentation'),
        doc,
        gfBox,
        linksBox,
        h(
          'p',
          {},
          h('strong', {}, 'Claims encoded: '),
          ...(claims.length ? claimLinks(claims) : ['none cited']),
        ),
        pEntry
          ? h(
              'div',
              {},
              h(
                'p',
                {},
                h('strong', {}, 'Parameter: '),
                `${pEntry.kind ?? ''}${pEntry.range ? `, range ${pEntry.range.join(' to ')}` : ''}`,
              ),
              pEntry.source ? h('p', {}, h('strong', {}, 'Source: '), String(pEntry.source)) : null,
              pEntry.estimates?.length
                ? h(
                    'div',
                    {},
                    h('strong', {}, 'Evidence cited'),
                    h(
                      'ul',
                      {},
                      ...pEntry.estimates.map((id) => {
                        const item = evidence ? findEvidenceItem(evidence, id) : undefined;
                        return h(
                          'li',
                          {},
                          h('code', {}, id),
                          item ? ` ${item}` : ' (not found in evidence.json)',
                        );
                      }),
                    ),
                  )
                : null,
            )
          : null,
        inNamed.length
          ? h(
              'p',
              {},
              h('strong', {}, 'In the named loops: '),
              inNamed.map((l) => `${l.id} ${l.name ?? ''}`).join(', '),
            )
          : null,
        inLoops.length
          ? h(
              'p',
              {},
              h('strong', {}, 'In detected loops: '),
              `${inLoops.length} (${inLoops
                .slice(0, 8)
                .map((l) => l.id)
                .join(', ')}${inLoops.length > 8 ? ', ...' : ''})`,
            )
          : null,
      ].filter((x): x is HTMLElement => !!x),
    );
    updateRunViews();
    refreshStatus();
  }

  // ---- loop buttons ------------------------------------------------------------------------
  let activeLoop: string | null = null;
  const setLoop = (id: string | null, vars: string[] | null) => {
    activeLoop = activeLoop === id ? null : id;
    sfd.highlight(activeLoop ? vars : null);
    cld.highlight(activeLoop ? vars : null);
    for (const other of [...loopButtons, ...caseButtons])
      other.setAttribute('aria-pressed', String(other.dataset.loop === activeLoop));
  };
  const loopButtons = loops.map((l) => {
    const b = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-loop': l.id },
      h('span', { class: `pol ${l.polarity === '?' ? 'U' : l.polarity}` }, l.id),
      ` ${l.name ? `${l.name}: ` : ''}${l.variables.join(' -> ')}`,
    );
    b.addEventListener('click', () => setLoop(l.id, l.variables));
    return b;
  });
  const setKey = (vars: string[]) => vars.map(key).sort().join('|');
  let agreeing = 0;
  let found = 0;
  const namedItems: HTMLElement[] = [];
  const caseButtons = caseLoops.map((cl, i) => {
    const vars = caseLoopVars[i]!;
    const detected = loops.find((l) => setKey(l.variables) === setKey(vars));
    const stated = /^r/i.test(cl.polarity ?? '') ? 'R' : /^b/i.test(cl.polarity ?? '') ? 'B' : '?';
    if (detected) found++;
    if (detected && detected.polarity === stated) agreeing++;
    const id = `case-${i}`;
    const check = !detected
      ? 'not a cycle of the model'
      : detected.polarity === stated
        ? `detected ${detected.polarity} (${detected.id}), agrees`
        : `detected ${detected.polarity} (${detected.id}), DISAGREES with the stated ${cl.polarity ?? '?'}`;
    const b = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-loop': id, title: cl.description ?? '' },
      h('span', { class: `pol ${stated === '?' ? 'U' : stated}` }, cl.id ?? stated),
      ` ${cl.name ?? ''}`,
    );
    namedItems.push(
      h(
        'div',
        { class: 'named-loop' },
        b,
        h(
          'div',
          { class: 'small muted' },
          check,
          ...(cl.claims?.length ? ['; ', ...claimLinks(cl.claims)] : []),
        ),
        cl.description ? h('div', { class: 'small' }, cl.description) : null,
      ),
    );
    b.addEventListener('click', () => setLoop(id, vars));
    return b;
  });
  const polFilter = h(
    'select',
    { id: 'loop-polarity' },
    h('option', { value: '' }, 'all'),
    h('option', { value: 'R' }, 'reinforcing'),
    h('option', { value: 'B' }, 'balancing'),
  );
  const throughSelected = h('input', { type: 'checkbox', id: 'loop-through' });
  const loopCount = h('span', { class: 'muted', 'aria-live': 'polite' });
  const applyLoopFilter = () => {
    let shown = 0;
    loops.forEach((l, i) => {
      const visible =
        (!polFilter.value || l.polarity === polFilter.value) &&
        (!throughSelected.checked || !st.selected || l.variables.some((x) => key(x) === key(st.selected!)));
      loopButtons[i]!.hidden = !visible;
      if (visible) shown++;
    });
    loopCount.textContent = `${shown} shown`;
  };
  applyLoopFilter();
  polFilter.addEventListener('change', applyLoopFilter);
  throughSelected.addEventListener('change', applyLoopFilter);
  const counts = {
    R: loops.filter((l) => l.polarity === 'R').length,
    B: loops.filter((l) => l.polarity === 'B').length,
  };

  // ---- picker, zoom, view tabs -----------------------------------------------------------------
  const picker = h('select', { id: 'variable-picker' });
  const fillPicker = () =>
    picker.replaceChildren(
      h('option', { value: '' }, 'Choose...'),
      ...session.model.variables
        .map((v) => ({ name: displayName(v.name), kind: v.kind }))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((n) => h('option', { value: n.name }, `${n.name} (${n.kind})`)),
    );
  fillPicker();
  picker.addEventListener('change', () => picker.value && showDetails(picker.value));
  const sfdTab = h(
    'button',
    { type: 'button', role: 'tab', id: 'tab-sfd', 'aria-selected': 'true', 'aria-controls': 'diagram' },
    'Stock and flow',
  );
  const cldTab = h(
    'button',
    {
      type: 'button',
      role: 'tab',
      id: 'tab-cld',
      'aria-selected': 'false',
      'aria-controls': 'cld',
      disabled: !caseLoops.length,
    },
    'Loops of the argument',
  );
  cld.el.hidden = true;
  const switchView = (to: DiagramView) => {
    active = to;
    sfd.el.hidden = to !== sfd;
    cld.el.hidden = to !== cld;
    sfdTab.setAttribute('aria-selected', String(to === sfd));
    cldTab.setAttribute('aria-selected', String(to === cld));
    if (to === cld) void drawCld();
    zoomLabel.textContent = `${Math.round(to.scale * 100)}%`;
  };
  sfdTab.addEventListener('click', () => switchView(sfd));
  cldTab.addEventListener('click', () => switchView(cld));

  root.append(
    h(
      'div',
      { class: 'row toolbar', role: 'toolbar', 'aria-label': 'Edit the model' },
      status,
      undoBtn,
      redoBtn,
      h('label', { for: 'new-name' }, 'New variable'),
      newName,
      ...addButtons,
      deleteBtn,
      relayoutBtn,
    ),
    h(
      'div',
      { class: 'row toolbar', role: 'group', 'aria-label': 'Save' },
      saveServer,
      saveDownload,
      h('label', { for: 'alt-name' }, 'Alternative named'),
      altName,
      saveAlt,
      altResult,
      message,
    ),
    h(
      'div',
      { class: 'row' },
      h('div', { role: 'tablist', 'aria-label': 'Diagram' }, sfdTab, cldTab),
      h('label', { for: 'variable-picker' }, 'Variable'),
      picker,
      h('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => active.zoomBy(1.25) }, '+'),
      h('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => active.zoomBy(0.8) }, '-'),
      h('button', { type: 'button', id: 'fit-width', onclick: () => active.fitWidth() }, 'Fit width'),
      h('button', { type: 'button', id: 'fit-all', onclick: () => active.fitAll() }, 'Fit all'),
      zoomLabel,
    ),
    h(
      'div',
      { class: 'model-layout' },
      h('div', { class: 'diagram-col' }, sfd.el, cld.el, layoutNote),
      details,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'loops-h' },
      h(
        'h3',
        { id: 'loops-h' },
        `Feedback loops: ${counts.R} reinforcing, ${counts.B} balancing${loops.length - counts.R - counts.B ? `, ${loops.length - counts.R - counts.B} of unknown polarity` : ''}`,
      ),
      caseButtons.length
        ? h(
            'div',
            { id: 'case-loops' },
            h(
              'h4',
              {},
              `The case's named loops: ${found} of ${caseButtons.length} found in the model, polarity agrees for ${agreeing}`,
            ),
            h('div', { class: 'loops named' }, ...namedItems),
          )
        : null,
      truncated ? notice('Loop search stopped at its cap; the list is incomplete.') : null,
      h(
        'details',
        { id: 'all-loops', open: caseButtons.length ? undefined : true },
        h('summary', {}, `All ${loops.length} loops detected`),
        loops.length
          ? h(
              'div',
              { class: 'row' },
              h('label', { for: 'loop-polarity' }, 'Show'),
              polFilter,
              throughSelected,
              h('label', { for: 'loop-through' }, 'only through the selected variable'),
              loopCount,
            )
          : null,
        loops.length
          ? h('div', { class: 'loops', id: 'loop-list' }, ...loopButtons)
          : notice('No feedback loops found.'),
        h(
          'p',
          { class: 'muted' },
          "Polarity: each link's sign from a small perturbation of the cause in the effect's equation, at the initial state (or the first later state where the link is active, else structurally); R when the product of signs is positive, B when negative.",
        ),
      ),
    ),
  );
  refreshStatus();
  void drawLayout(false).then(() => {
    if (st.selected) showDetails(st.selected);
  });
  adviseLater();
  return () => {
    flushSoon();
    channel.port1.close();
    clearTimeout(adviseTimer);
    disposed = true;
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('beforeunload', onUnload);
  };
}

/** The model as the editor holds it now, for other pages (Simulate's "beside" run). */
export function editedModel(id: string): Model | undefined {
  return kept.get(id)?.session.model;
}
