/**
 * Model: the stock-and-flow diagram, the feedback loops (R/B) highlighted on it, and for any
 * variable its equation, units, documentation, the claims it encodes and the evidence it cites.
 */
import { h, notice } from '../dom.js';
import { drawDiagram, layout } from '../diagram.js';
import { claimsIn, key, type Workspace } from '../workspace.js';
import { claimLinks } from '../claims.js';
import { detectLoops, type FeedbackLoop, type NamedLoops } from '../../loops/index.js';
import { findEvidenceItem } from '../evidence-data.js';

interface CaseLoop {
  id?: string;
  name?: string;
  polarity?: string;
  claims?: string[];
  description?: string;
  path?: string[];
  variables?: string[];
}

export function renderModel(ws: Workspace, root: HTMLElement): void {
  const { compiled, model } = ws;
  const graph = compiled.graph;
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
  if (!graph.nodes.length) {
    root.append(notice('This model has no variables to draw.'));
    return;
  }
  const named =
    ws.caseData?.loops && typeof ws.caseData.loops === 'object'
      ? (ws.caseData.loops as NamedLoops)
      : undefined;
  let loops: FeedbackLoop[] = [];
  let truncated = false;
  try {
    ({ loops, truncated } = detectLoops(compiled, { named, maxLoops: 500 }));
  } catch {
    loops = [];
  }
  const details = h(
    'section',
    { class: 'panel', id: 'details', 'aria-live': 'polite' },
    h(
      'p',
      { class: 'muted' },
      'Select a variable on the diagram (click, or Tab then Enter) to see its equation, sources and claims.',
    ),
  );
  const placed = layout(graph, model);
  const diagram = drawDiagram(graph, placed.nodes, (name) => showDetails(name));
  let activeLoop: string | null = null;
  // A list of every variable, so that keyboard users need not tab through the whole diagram.
  const picker = h(
    'select',
    { id: 'variable-picker' },
    h('option', { value: '' }, 'Choose...'),
    ...[...graph.nodes]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((n) => h('option', { value: n.name }, `${n.name} (${n.kind})`)),
  );
  picker.addEventListener('change', () => picker.value && showDetails(picker.value));
  const zoomLabel = h('span', { class: 'muted', 'aria-live': 'polite' }, '100%');
  const zoomBy = (f: number) => {
    zoomLabel.textContent = `${Math.round(diagram.zoom(f) * 100)}%`;
  };

  const loopButtons = loops.map((l) => {
    const b = h(
      'button',
      { type: 'button', 'aria-pressed': 'false', 'data-loop': l.id },
      h('span', { class: `pol ${l.polarity === '?' ? 'U' : l.polarity}` }, l.id),
      ` ${l.name ? `${l.name}: ` : ''}${l.variables.join(' -> ')}`,
    );
    b.addEventListener('click', () => {
      activeLoop = activeLoop === l.id ? null : l.id;
      diagram.highlight(activeLoop ? l.variables : null);
      for (const other of [...loopButtons, ...caseButtons])
        other.setAttribute('aria-pressed', String(other.dataset.loop === activeLoop));
    });
    return b;
  });

  // The case's named loops (loops.json), each checked against the detected cycles: is it a cycle
  // of the model, and does the detected polarity agree with the one the case states?
  const nodeByKey = new Map(graph.nodes.map((n) => [key(n.name), n.name]));
  const setKey = (vars: string[]) => vars.map(key).sort().join('|');
  const caseLoops: CaseLoop[] = Array.isArray(ws.caseData?.loops) ? (ws.caseData.loops as CaseLoop[]) : [];
  let agreeing = 0;
  let found = 0;
  const caseButtons = caseLoops.map((cl, i) => {
    const vars = (cl.path ?? cl.variables ?? []).map((v) => nodeByKey.get(key(String(v))) ?? String(v));
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
      h(
        'div',
        { class: 'small muted' },
        check,
        ...(cl.claims?.length ? ['; ', ...claimLinks(cl.claims)] : []),
      ),
    );
    b.addEventListener('click', () => {
      activeLoop = activeLoop === id ? null : id;
      diagram.highlight(activeLoop ? vars : null);
      for (const other of [...loopButtons, ...caseButtons])
        other.setAttribute('aria-pressed', String(other.dataset.loop === activeLoop));
    });
    return b;
  });
  // Filters: by polarity, and to the loops through the selected variable (hundreds of loops in a
  // model of this size are otherwise unreadable).
  let selected: string | null = null;
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
        (!throughSelected.checked || !selected || l.variables.includes(selected));
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

  function showDetails(name: string): void {
    diagram.select(name);
    selected = name;
    applyLoopFilter();
    const v = model.variables.find((x) => key(x.name) === key(name));
    const out = compiled.outputs.find((o) => key(o.base) === key(name));
    const params = ws.caseData?.parameters ?? {};
    const pEntry = Object.entries(params).find(([k]) => key(k) === key(name))?.[1];
    const claims = [...new Set([...claimsIn(v?.doc), ...(pEntry?.claims ?? [])])];
    const inLoops = loops.filter((l) => l.variables.includes(name));
    const evidence = ws.caseData?.evidence;
    const eqn = v?.eqn?.text ?? '';
    const flows =
      v?.kind === 'stock'
        ? `d/dt = ${[...(v.inflows ?? []).map((f) => `+ ${f}`), ...(v.outflows ?? []).map((f) => `- ${f}`)].join(' ') || '0'}`
        : '';
    details.replaceChildren(
      h(
        'div',
        {},
        h('h3', {}, name, h('span', { class: 'units' }, ` ${v?.kind ?? ''}`)),
        flows ? h('pre', { class: 'eqn' }, flows) : null,
        h(
          'div',
          {},
          h('strong', {}, v?.kind === 'stock' ? 'Initial value' : 'Equation'),
          h('pre', { class: 'eqn' }, eqn || (v?.gf ? 'graphical function of time' : '(none)')),
        ),
        v?.gf
          ? h(
              'p',
              { class: 'muted' },
              `Graphical function, ${v.gf.xpts.length} points over ${v.gf.xpts[0]} to ${v.gf.xpts[v.gf.xpts.length - 1]}.`,
            )
          : null,
        h('p', {}, h('strong', {}, 'Units: '), v?.units ?? out?.units ?? 'not given'),
        h('p', {}, h('strong', {}, 'Documentation: '), v?.doc || 'none'),
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
        inLoops.length
          ? h('p', {}, h('strong', {}, 'In loops: '), inLoops.map((l) => l.id).join(', '))
          : null,
      ),
    );
  }

  root.append(
    h(
      'div',
      { class: 'layout' },
      h(
        'div',
        {},
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
                h('div', { class: 'loops' }, ...caseButtons),
                h('h4', {}, 'All loops detected'),
              )
            : null,
          truncated ? notice('Loop search stopped at its cap; the list is incomplete.') : null,
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
        details,
      ),
      h(
        'div',
        {},
        h(
          'div',
          { class: 'row' },
          h('label', { for: 'variable-picker' }, 'Variable'),
          picker,
          h('button', { type: 'button', 'aria-label': 'Zoom in', onclick: () => zoomBy(1.25) }, '+'),
          h('button', { type: 'button', 'aria-label': 'Zoom out', onclick: () => zoomBy(0.8) }, '-'),
          h('button', { type: 'button', onclick: () => zoomBy(0) }, 'Actual size'),
          zoomLabel,
        ),
        h('div', { class: 'diagram', id: 'diagram' }, diagram.svg),
        h(
          'p',
          { class: 'muted' },
          placed.source === 'view'
            ? "Layout from the model file's own diagram."
            : 'Layout computed (the file has no usable diagram).',
        ),
      ),
    ),
  );
}
