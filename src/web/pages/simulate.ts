/**
 * Simulate: sliders for levers and assumptions re-run the model in the page on every move (one
 * preallocated Simulation, no allocation per run), a policy switcher, and saved runs overlaid.
 */
import { h, fmt, notice } from '../dom.js';
import { BASELINE_COLOR, LineChart, PALETTE, type Line } from '../chart.js';
import { monthTicks } from '../../chart/kit.js';
import { key, type Lever, type Workspace } from '../workspace.js';
import { deleteRun, loadRuns, saveRun, type SavedRun } from '../runs.js';
import { formatTime, timeAxisLabel, type ModelClock } from '../../format/number.js';
import { besideId, besidePicker, loadAlternative, runWith } from '../editor/beside.js';

export interface RedrawStats {
  /** Re-simulation plus chart update, ms. */
  last: number;
  /** Of which the re-simulation alone, ms. */
  lastSim: number;
  count: number;
}

declare global {
  interface Window {
    /** Time of the last slider re-simulation + redraw in ms (read by the benchmark and tests). */
    __interlockRedraw?: RedrawStats;
  }
}

export function renderSimulate(ws: Workspace, root: HTMLElement): () => void {
  const { compiled } = ws;
  // Save about one point per chart pixel: integration keeps the model's dt, but long runs with a
  // small dt would otherwise copy and draw thousands of points per slider move.
  const spec = compiled.simSpecs;
  const steps = Math.round((spec.stop - spec.start) / spec.dt);
  const stride = Math.max(1, Math.ceil(steps / 480));
  const saveStep = Math.max(spec.saveStep ?? spec.dt, spec.dt * stride);
  const sim = compiled.simulation({ saveStep });
  const scenarios = ws.caseData?.scenarios ?? {};
  // Calendar dates on the time axis when the case gives the model's start date.
  const clock: ModelClock = {
    startDate: ws.caseData?.definition?.startDate,
    startTime: spec.start,
    timeUnits: spec.timeUnits,
  };
  const calendarMonths = timeAxisLabel(clock) === 'date' && /^months?$/i.test(spec.timeUnits?.trim() ?? '');
  const scenarioNames = Object.keys(scenarios);
  const leverIndex = new Map<string, number>();
  for (const l of ws.levers) {
    try {
      leverIndex.set(l.name, sim.parameterIndex(l.name));
    } catch {
      // A lever the engine cannot set is left out rather than breaking the page.
    }
  }
  const levers = ws.levers.filter((l) => leverIndex.has(l.name));
  const values = new Map<string, number>(levers.map((l) => [l.name, l.value]));
  // Start from the case's reference scenario: the one case.json names as baseline, else one called
  // 'baseline', else the first listed.
  const declared = ws.caseData?.definition?.baseline;
  let scenario =
    declared && scenarioNames.includes(declared)
      ? declared
      : scenarioNames.includes('baseline')
        ? 'baseline'
        : (scenarioNames[0] ?? '');
  let scenarioOverrides: Record<string, number> = {};
  // The state in the address (a shareable link): #/simulate?model=ID&policy=NAME&set=NAME:VALUE;...
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const linkedPolicy = params.get('policy');
  if (linkedPolicy !== null && (linkedPolicy === '' || scenarioNames.includes(linkedPolicy)))
    scenario = linkedPolicy;
  const linkedValues = new Map<string, number>();
  for (const part of (params.get('set') ?? '').split(';')) {
    const at = part.lastIndexOf(':');
    if (at <= 0) continue;
    const v = Number(part.slice(at + 1));
    const lever = levers.find((l) => key(l.name) === key(part.slice(0, at)));
    if (lever && Number.isFinite(v)) linkedValues.set(lever.name, v);
  }
  // The reference run drawn behind every run: the case's baseline policy, levers as it sets them.
  const baselineName =
    declared && scenarioNames.includes(declared)
      ? declared
      : scenarioNames.includes('baseline')
        ? 'baseline'
        : '';
  const baseSim = compiled.simulation({ saveStep });
  for (const [name, v] of Object.entries((baselineName && scenarios[baselineName]?.overrides) || {})) {
    try {
      baseSim.set(baseSim.parameterIndex(name), v);
    } catch {
      // Named in the policy but not in this model: left at the model's value.
    }
  }
  baseSim.run();
  const baselineLabel = baselineName ? `baseline (${baselineName})` : 'baseline (model as written)';
  const stats: RedrawStats = { last: 0, lastSim: 0, count: 0 };
  window.__interlockRedraw = stats;

  const status = h('p', { class: 'muted', id: 'redraw-status', 'aria-live': 'off' });
  const charts = h('div', { class: 'charts', id: 'sim-charts' });
  let chartObjs: { name: string; chart: LineChart }[] = [];
  const savedBox = h('div', { id: 'saved-runs' });
  let saved = loadRuns(ws.doc.name);
  const visible = new Set<string>();

  const rebuildCharts = () => {
    chartObjs = ws.shown.map((name) => {
      const out = compiled.outputs.find((o) => o.name === name);
      return {
        name,
        chart: new LineChart(
          ws.titles[name] ?? name,
          out?.units,
          timeAxisLabel(clock),
          (t) => formatTime(t, clock),
          calendarMonths ? monthTicks : undefined,
        ),
      };
    });
    charts.replaceChildren(...chartObjs.map((c) => c.chart.el));
  };

  // A structural alternative saved from the Model page, run beside this model (`&beside=ID`).
  let beside: { sim: ReturnType<typeof compiled.simulation>; label: string } | undefined;
  const besideNote = h('p', { class: 'muted', id: 'beside-note', 'aria-live': 'polite' });
  const wanted = besideId();
  if (wanted)
    void loadAlternative(wanted).then((alt) => {
      if (typeof alt === 'string') besideNote.textContent = alt;
      else {
        beside = { sim: alt.compiled.simulation({ saveStep }), label: `alternative: ${alt.label}` };
        besideNote.textContent = `Beside this model: ${alt.label} (dashed, same policy and levers).`;
        redraw();
      }
    });

  const redraw = () => {
    const t0 = performance.now();
    sim.run();
    if (beside)
      runWith(beside.sim, [
        // The policy, and the levers moved away from this model's own values: an alternative keeps
        // its own values for the rest (they may be what it changes).
        ...Object.entries(scenarioOverrides),
        ...levers
          .filter((l) => values.get(l.name) !== l.value && !(l.name in scenarioOverrides))
          .map((l) => [l.name, values.get(l.name)!] as [string, number]),
      ]);
    stats.lastSim = performance.now() - t0;
    const time = sim.time;
    for (let i = 0; i < chartObjs.length; i++) {
      const { name, chart } = chartObjs[i]!;
      const lines: Line[] = [
        { x: time, y: sim.series(name), color: PALETTE[0]!, label: 'current', width: 2.5 },
      ];
      let c = 1;
      if (beside) {
        const y = beside.sim.series(name);
        if (y)
          lines.push({ x: beside.sim.time, y, color: '#7b3294', label: beside.label, dash: true, width: 2 });
      }
      for (const run of saved) {
        if (!visible.has(run.id)) continue;
        const y = run.series[name];
        if (y)
          lines.push({ x: run.time, y, color: PALETTE[c++ % PALETTE.length]!, label: run.label, dash: true });
      }
      // The baseline runs once (above): its columns are fixed, so its path is kept between moves.
      chart.update(
        lines,
        [],
        { x: baseSim.time, y: baseSim.series(name), color: BASELINE_COLOR, label: baselineLabel },
        true,
      );
    }
    stats.last = performance.now() - t0;
    stats.count++;
    status.textContent = `Re-simulated and redrawn in ${stats.last.toFixed(1)} ms.`;
    scheduleLink();
  };

  // The address follows the state (replaceState: no navigation, no history entry per move).
  let linkTimer: ReturnType<typeof setTimeout> | undefined;
  const link = (): string => {
    const q = new URLSearchParams();
    q.set('model', ws.doc.id);
    q.set('policy', scenario);
    const set: string[] = [];
    for (const l of levers) {
      const v = values.get(l.name)!;
      if (v !== policyValue(l)) set.push(`${l.name}:${v}`);
    }
    if (set.length) q.set('set', set.join(';'));
    return `#/simulate?${q.toString()}`;
  };
  const scheduleLink = () => {
    if (linkTimer) clearTimeout(linkTimer);
    linkTimer = setTimeout(() => {
      linkTimer = undefined;
      if (location.hash.startsWith('#/simulate')) history.replaceState(history.state, '', link());
    }, 150);
  };
  const policyValue = (l: Lever): number => {
    const hit = Object.entries(scenarioOverrides).find(([k]) => key(k) === key(l.name));
    return hit ? hit[1] : l.value;
  };

  const applyAll = () => {
    sim.clearOverrides();
    for (const [name, v] of Object.entries(scenarioOverrides)) {
      try {
        sim.set(sim.parameterIndex(name), v);
      } catch {
        // Scenario names a variable this model lacks: shown in the scenario note instead.
      }
    }
    for (const l of levers) sim.set(leverIndex.get(l.name)!, values.get(l.name)!);
  };

  const sliderInputs = new Map<
    string,
    { input: HTMLInputElement; out: HTMLElement; entry: HTMLInputElement }
  >();
  /** One lever's value from any of its controls: the slider, the number box, its reset. */
  const setLever = (l: Lever, v: number, from?: HTMLInputElement) => {
    values.set(l.name, v);
    const el = sliderInputs.get(l.name)!;
    if (from !== el.input) el.input.value = String(v);
    if (from !== el.entry) el.entry.value = String(v);
    el.out.textContent = fmt(v);
    sim.set(leverIndex.get(l.name)!, v);
    redraw();
  };
  const leverRow = (l: Lever) => {
    const id = `lever-${key(l.name).replace(/[^a-z0-9]+/g, '-')}`;
    const out = h('span', { class: 'val' }, fmt(l.value));
    const input = h('input', {
      type: 'range',
      id,
      min: l.min,
      max: l.max,
      step: 'any',
      value: l.value,
      'aria-describedby': `${id}-doc`,
    });
    const entry = h('input', {
      type: 'number',
      id: `${id}-exact`,
      step: 'any',
      value: l.value,
      'aria-label': `${l.name}: exact value`,
    });
    input.addEventListener('input', () => setLever(l, Number(input.value), input));
    entry.addEventListener('change', () => {
      const v = Number(entry.value);
      if (entry.value.trim() === '' || !Number.isFinite(v)) {
        entry.value = String(values.get(l.name));
        return;
      }
      setLever(l, v, entry);
    });
    const resetOne = h(
      'button',
      {
        type: 'button',
        class: 'small',
        'aria-label': `Reset ${l.name} to the policy's value`,
        title: "Back to the policy's value",
        onclick: () => setLever(l, policyValue(l)),
      },
      'reset',
    );
    sliderInputs.set(l.name, { input, out, entry });
    const tag = l.source?.kind
      ? `${l.source.kind}${l.source.claims?.length ? ` - ${l.source.claims.join(', ')}` : ''}`
      : '';
    return h(
      'div',
      { class: 'lever' },
      h(
        'label',
        { for: id },
        h('span', {}, l.name, l.units ? h('span', { class: 'units' }, ` (${l.units})`) : null),
        out,
      ),
      h('div', { class: 'entry' }, input, entry, resetOne),
      h('div', { class: 'tag', id: `${id}-doc` }, `${fmt(l.min)} to ${fmt(l.max)}${tag ? ` | ${tag}` : ''}`),
    );
  };

  // Policy levers (what some scenario sets) first and open; the sourced figures and the
  // assumptions below them, folded, so that 50-odd sliders stay navigable.
  const leverGroups = (): HTMLElement => {
    const scenarioKeys = new Set(
      Object.values(scenarios).flatMap((sc) => Object.keys(sc?.overrides ?? {}).map(key)),
    );
    const groups: [string, Lever[], boolean][] = [];
    const policy = levers.filter((l) => scenarioKeys.has(key(l.name)));
    const rest = levers.filter((l) => !scenarioKeys.has(key(l.name)));
    if (!ws.caseData?.parameters) return h('div', {}, ...levers.map(leverRow));
    if (policy.length) groups.push(['Policy levers (set by the policies)', policy, true]);
    const sourced = rest.filter((l) => l.source?.kind === 'sourced');
    const assumed = rest.filter((l) => l.source?.kind !== 'sourced');
    if (sourced.length) groups.push([`Sourced figures (${sourced.length})`, sourced, !policy.length]);
    if (assumed.length)
      groups.push([`Assumptions (${assumed.length})`, assumed, !policy.length && !sourced.length]);
    return h(
      'div',
      {},
      ...groups.map(([title, list, open]) =>
        h('details', { open }, h('summary', {}, title), ...list.map(leverRow)),
      ),
    );
  };

  const setLeversFrom = (overrides: Record<string, number>) => {
    for (const l of levers) {
      const hit = Object.entries(overrides).find(([k]) => key(k) === key(l.name));
      const v = hit ? hit[1] : l.value;
      values.set(l.name, v);
      const el = sliderInputs.get(l.name)!;
      el.input.value = String(v);
      el.entry.value = String(v);
      el.out.textContent = fmt(v);
    }
  };

  const scenarioNote = h('p', { class: 'muted', id: 'scenario-note' });
  const linkStatus = h('span', { class: 'muted', role: 'status' });
  const scenarioSelect = h('select', { id: 'scenario' });
  scenarioSelect.append(h('option', { value: '' }, 'Model as written'));
  for (const n of scenarioNames) scenarioSelect.append(h('option', { value: n }, n));
  scenarioSelect.value = scenario;
  const chooseScenario = () => {
    scenario = scenarioSelect.value;
    scenarioOverrides = (scenario && scenarios[scenario]?.overrides) || {};
    const unknown = Object.keys(scenarioOverrides).filter(
      (n) => !compiled.parameters.some((p) => key(p.name) === key(n)),
    );
    scenarioNote.textContent =
      (scenario
        ? (scenarios[scenario]?.description ?? '')
        : 'No policy: every constant as the model file writes it.') +
      (unknown.length ? ` (not in this model: ${unknown.join(', ')})` : '');
    setLeversFrom(scenarioOverrides);
    applyAll();
    redraw();
  };
  scenarioSelect.addEventListener('change', chooseScenario);

  const outputSelect = h('select', { id: 'outputs', multiple: true, size: 6 });
  for (const o of compiled.outputs) {
    const opt = h('option', { value: o.name }, `${o.name} (${o.kind})`);
    opt.selected = ws.shown.includes(o.name);
    outputSelect.append(opt);
  }
  outputSelect.addEventListener('change', () => {
    const chosen = [...outputSelect.selectedOptions].map((o) => o.value).slice(0, 12);
    if (!chosen.length) return;
    ws.shown = chosen;
    rebuildCharts();
    redraw();
  });

  const runLabel = h('input', {
    type: 'text',
    id: 'run-label',
    placeholder: 'e.g. high supply',
    maxlength: 60,
  });
  const renderSaved = () => {
    savedBox.replaceChildren(
      saved.length
        ? h(
            'ul',
            { class: 'plain' },
            ...saved.map((r) => {
              const cb = h('input', { type: 'checkbox', id: `show-${r.id}` });
              cb.checked = visible.has(r.id);
              cb.addEventListener('change', () => {
                if (cb.checked) visible.add(r.id);
                else visible.delete(r.id);
                redraw();
              });
              return h(
                'li',
                {},
                cb,
                h('label', { for: `show-${r.id}` }, ` ${r.label}`),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    'aria-label': `Delete saved run ${r.label}`,
                    onclick: () => {
                      saved = deleteRun(ws.doc.name, r.id);
                      visible.delete(r.id);
                      renderSaved();
                      redraw();
                    },
                  },
                  'delete',
                ),
              );
            }),
          )
        : h('p', { class: 'muted' }, 'No saved runs yet.'),
    );
  };
  const save = () => {
    const series: Record<string, number[]> = {};
    for (const o of compiled.outputs) series[o.name] = Array.from(sim.series(o.name));
    const run: SavedRun = {
      id: `r${Date.now().toString(36)}`,
      label: runLabel.value.trim() || `${scenario || 'as written'} #${saved.length + 1}`,
      scenario,
      overrides: { ...scenarioOverrides, ...Object.fromEntries(values) },
      time: Array.from(sim.time),
      series,
    };
    saved = saveRun(ws.doc.name, run);
    visible.add(run.id);
    runLabel.value = '';
    renderSaved();
    redraw();
  };

  const reset = () => {
    setLeversFrom(scenarioOverrides);
    applyAll();
    redraw();
  };

  root.append(
    h('h2', {}, 'Simulate'),
    besidePicker(ws.doc.id, 'simulate'),
    besideNote,
    h(
      'div',
      { class: 'layout' },
      h(
        'div',
        {},
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'scn-h' },
          h('h3', { id: 'scn-h' }, 'Policy'),
          scenarioNames.length
            ? h('div', {}, h('label', { for: 'scenario' }, 'Policy '), scenarioSelect, scenarioNote)
            : notice(
                'This model has no case policies (scenarios.json); the sliders start from the model as written.',
              ),
          h(
            'div',
            { class: 'row' },
            h(
              'button',
              {
                type: 'button',
                id: 'copy-link',
                onclick: () => {
                  const url = location.href.split('#')[0] + link();
                  history.replaceState(history.state, '', link());
                  void navigator.clipboard
                    ?.writeText(url)
                    .then(() => (linkStatus.textContent = 'Link copied.'))
                    .catch(() => (linkStatus.textContent = 'The address bar holds the link.'));
                },
              },
              'Copy link to this state',
            ),
            linkStatus,
          ),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'lev-h' },
          h('h3', { id: 'lev-h' }, ws.caseData?.parameters ? 'Levers and assumptions' : 'Constants'),
          levers.length ? leverGroups() : notice('This model has no constants to vary.'),
          h('button', { type: 'button', onclick: reset }, 'Reset all to the policy'),
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'runs-h' },
          h('h3', { id: 'runs-h' }, 'Saved runs'),
          h(
            'div',
            { class: 'row' },
            h('label', { for: 'run-label' }, 'Label'),
            runLabel,
            h('button', { type: 'button', class: 'primary', onclick: save }, 'Save run'),
          ),
          savedBox,
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'out-h' },
          h('h3', { id: 'out-h' }, 'Outputs'),
          h('label', { for: 'outputs' }, 'Variables to chart (Ctrl/Shift to choose several)'),
          outputSelect,
        ),
      ),
      h('div', { class: 'sim-charts-col' }, charts, status),
    ),
  );
  rebuildCharts();
  renderSaved();
  scenarioSelect.value = scenario;
  if (scenario) chooseScenario();
  else {
    applyAll();
    redraw();
  }
  if (linkedValues.size) {
    for (const [name, v] of linkedValues) {
      values.set(name, v);
      const el = sliderInputs.get(name)!;
      el.input.value = el.entry.value = String(v);
      el.out.textContent = fmt(v);
    }
    applyAll();
    redraw();
  }
  return () => {
    if (linkTimer) clearTimeout(linkTimer);
    if (window.__interlockRedraw === stats) window.__interlockRedraw = undefined;
  };
}
