/**
 * Explore. For a case with experiment specs (experiments/*.json, thesis.json first): run a spec
 * on the server as `interlock explore` runs it (its policies crossed with sampled futures of the
 * uncertainties; levers are never sampled), or load a results folder the CLI or a queue wrote;
 * follow progress with the time left, cancel; then read labelled fan bands per policy,
 * robustness (regret, satisficing) per policy, PRIM with its base rate and each restriction's
 * significance, and the uncertainties' rank correlations. For a plain model: a Latin hypercube
 * over its constants' ranges.
 */
import { h, fmt, notice, table } from '../dom.js';
import { LineChart, PALETTE, bars, scatter, staticChart } from '../chart.js';
import { lineChartSvg, monthTicks } from '../../chart/kit.js';
import { FAN_LABELS } from '../../experiments/fan.js';
import {
  formatPValue,
  formatShare,
  formatTime,
  timeAxisLabel,
  type ModelClock,
} from '../../format/number.js';
import { api, ApiError } from '../api.js';
import type { Workspace } from '../workspace.js';
import type { ExperimentResult, ExploreView } from '../../experiments/view.js';

interface ExperimentStatus {
  id: string;
  status: 'running' | 'done' | 'failed' | 'stopped';
  done: number;
  failed: number;
  total: number;
  error?: string;
  result?: ExperimentResult;
}

/** Explore for a model without experiment specs: a Latin hypercube over its ranges. */
function renderPlainExplore(ws: Workspace, root: HTMLElement): () => void {
  const { compiled } = ws;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alive = true;
  const caseRanges = ws.levers.length && ws.caseData?.parameters;
  root.append(
    h(
      'p',
      { class: 'muted' },
      caseRanges
        ? `Varies the ${ws.levers.length} case parameters over their ranges (parameters.json, widened to any value a policy sets), Latin hypercube, on the server.`
        : `This model has no case ranges: the experiment varies its ${ws.levers.length} constants over the slider ranges (0 to twice each value), Latin hypercube, on the server.`,
    ),
  );
  const output = h('select', { id: 'exp-output' });
  for (const o of compiled.outputs) output.append(h('option', { value: o.name }, o.name));
  output.value = ws.shown[0] ?? compiled.outputs[0]?.name ?? '';
  const samples = h('input', { type: 'number', id: 'exp-samples', min: 10, max: 5000, value: 200 });
  const seed = h('input', { type: 'number', id: 'exp-seed', min: 0, value: 1 });
  const threshold = h('input', {
    type: 'number',
    id: 'exp-threshold',
    step: 'any',
    placeholder: 'top quartile',
  });
  const below = h('input', { type: 'checkbox', id: 'exp-below' });
  const progress = h('progress', {
    id: 'exp-progress',
    max: 1,
    value: 0,
    'aria-label': 'Experiment progress',
  });
  const progressText = h('span', { role: 'status', 'aria-live': 'polite', id: 'exp-status' });
  const results = h('div', { id: 'exp-results' });
  const start = h('button', { type: 'button', class: 'primary', id: 'exp-start' }, 'Start experiment');

  const ranges: Record<string, [number, number]> = {};
  for (const l of ws.levers) ranges[l.name] = [l.min, l.max];

  start.addEventListener('click', async () => {
    results.replaceChildren();
    start.setAttribute('disabled', '');
    progressText.textContent = 'starting...';
    try {
      const body: Record<string, unknown> = {
        model: ws.doc.id,
        samples: Math.round(Number(samples.value) || 200),
        seed: Math.round(Number(seed.value) || 0),
        output: output.value,
        below: below.checked,
      };
      if (threshold.value.trim() !== '') body.threshold = Number(threshold.value);
      if (Object.keys(ranges).length) body.parameters = ranges;
      const { id } = await api.startExperiment(body);
      const poll = async () => {
        if (!alive) return;
        const st = await api.experiment<ExperimentStatus>(id);
        progress.max = st.total;
        progress.value = st.done + st.failed;
        progressText.textContent = `${st.status}: ${st.done} of ${st.total} runs${st.failed ? `, ${st.failed} failed` : ''}`;
        if (st.status === 'running') timer = setTimeout(() => void poll().catch(fail), 250);
        else {
          start.removeAttribute('disabled');
          if (st.status === 'done' && st.result) showResults(st.result);
          else if (st.error) results.replaceChildren(notice(st.error, 'error'));
        }
      };
      await poll();
    } catch (err) {
      fail(err);
    }
  });

  function fail(err: unknown): void {
    start.removeAttribute('disabled');
    progressText.textContent = '';
    const msg =
      err instanceof ApiError
        ? `${err.message}${err.details.length ? `: ${err.details.join('; ')}` : ''}`
        : String(err);
    results.replaceChildren(notice(`The experiment could not run: ${msg}`, 'error'));
  }

  function showResults(r: ExperimentResult): void {
    const fan = new LineChart(
      `${r.output}: ensemble of ${r.finals.length} runs`,
      undefined,
      compiled.simSpecs.timeUnits ?? 'time',
    );
    const col = (k: number) => r.fan.map((q) => q[k]!);
    fan.update(
      [{ x: r.time, y: col(2), color: PALETTE[0]!, label: FAN_LABELS[2] }],
      [
        { x: r.time, lo: col(0), hi: col(4), color: PALETTE[0]!, opacity: 0.15, label: FAN_LABELS[0] },
        { x: r.time, lo: col(1), hi: col(3), color: PALETTE[0]!, opacity: 0.3, label: FAN_LABELS[1] },
      ],
    );
    const pSelect = h(
      'select',
      { id: 'scatter-param' },
      ...r.parameters.map((p, i) => h('option', { value: String(i) }, p)),
    );
    const scatterBox = h('div', {});
    const primBox = r.prim.trajectory[r.prim.chosen];
    const interesting = (v: number) => (r.prim.below ? v < r.prim.threshold : v > r.prim.threshold);
    const drawScatter = () => {
      const k = Number(pSelect.value);
      scatterBox.replaceChildren(
        scatter(
          `Final ${r.output} against ${r.parameters[k]}`,
          r.parameters[k]!,
          r.output,
          r.samples.map((row, i) => ({
            x: row[k]!,
            y: r.finals[i]!,
            color: interesting(r.finals[i]!) ? PALETTE[1] : PALETTE[0],
          })),
        ),
      );
    };
    pSelect.addEventListener('change', drawScatter);
    drawScatter();
    const trade = scatter(
      'PRIM peeling trajectory: coverage (x) against density (y); the chosen box is the large point',
      'coverage',
      'density',
      r.prim.trajectory.map((t, i) => ({
        x: t.coverage,
        y: t.density,
        big: i === r.prim.chosen,
        color: i === r.prim.chosen ? PALETTE[1] : PALETTE[0],
        title: `step ${i}: coverage ${fmt(t.coverage)}, density ${fmt(t.density)}, mass ${fmt(t.mass)}`,
      })),
    );
    const restricted = primBox
      ? r.parameters
          .map((p, k) => ({
            p,
            lo: primBox.box[k]![0],
            hi: primBox.box[k]![1],
            rlo: r.ranges[k]![0],
            rhi: r.ranges[k]![1],
          }))
          .filter((b) => b.lo > b.rlo || b.hi < b.rhi)
      : [];
    results.replaceChildren(
      h(
        'div',
        { class: 'charts' },
        fan.el,
        h(
          'div',
          {},
          h('div', { class: 'row' }, h('label', { for: 'scatter-param' }, 'Parameter'), pSelect),
          scatterBox,
        ),
      ),
      h(
        'div',
        { class: 'charts' },
        bars(
          `Sensitivity: Spearman rank correlation of each parameter with final ${r.output}`,
          r.sensitivity.map((x) => ({ label: x.parameter, value: x.rho })),
        ),
        h(
          'div',
          {},
          trade,
          h(
            'h3',
            {},
            `PRIM box: runs where final ${r.output} ${r.prim.below ? '<' : '>'} ${fmt(r.prim.threshold)}`,
          ),
          primBox
            ? h(
                'p',
                {},
                `coverage ${fmt(primBox.coverage)}, density ${fmt(primBox.density)}, ${fmt(primBox.mass * 100)}% of runs inside.`,
              )
            : null,
          restricted.length
            ? h(
                'table',
                { id: 'prim-box' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', {}, 'parameter'),
                    h('th', { class: 'num' }, 'box'),
                    h('th', { class: 'num' }, 'full range'),
                    h(
                      'th',
                      { class: 'num', title: 'Bryant and Lempert quasi-p-value of the restriction' },
                      'quasi-p',
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  ...restricted.map((b) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, b.p),
                      h('td', { class: 'num' }, `${fmt(b.lo)} to ${fmt(b.hi)}`),
                      h('td', { class: 'num' }, `${fmt(b.rlo)} to ${fmt(b.rhi)}`),
                      h(
                        'td',
                        { class: 'num' },
                        r.prim.quasiP?.[b.p] === undefined ? '-' : fmt(r.prim.quasiP[b.p]!),
                      ),
                    ),
                  ),
                ),
              )
            : h(
                'p',
                { class: 'muted' },
                'The box restricts no parameter (no subspace concentrates these runs).',
              ),
        ),
      ),
    );
  }

  root.append(
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'exp-output' }, 'Output'),
        output,
        h('label', { for: 'exp-samples' }, 'Runs'),
        samples,
        h('label', { for: 'exp-seed' }, 'Seed'),
        seed,
        h('label', { for: 'exp-threshold' }, 'Interesting when final value >'),
        threshold,
        below,
        h('label', { for: 'exp-below' }, 'below instead'),
        start,
      ),
      h('div', { class: 'row' }, progress, progressText),
    ),
    results,
  );
  return () => {
    alive = false;
    if (timer) clearTimeout(timer);
  };
}

interface SpecStatus {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'stopped';
  done: number;
  failed: number;
  total: number;
  elapsedMs?: number;
  error?: string;
}

/** Time left from the rate so far, in words ("about 40 s"). */
export function timeLeft(done: number, total: number, elapsedMs: number): string {
  if (!(done > 0) || !(elapsedMs > 0)) return 'estimating the time left...';
  const ms = ((total - done) * elapsedMs) / done;
  if (ms < 1500) return 'about a second left';
  if (ms < 90_000) return `about ${Math.round(ms / 1000)} s left`;
  return `about ${Math.round(ms / 60_000)} min left`;
}

/**
 * A default question for PRIM from the outcome names: when two outcomes read one variable at two
 * times (`x_m12`, `x_m24`), "is it still growing" between its two latest readings. Otherwise none.
 */
function defaultWhere(outcomes: { name: string; reduce: string; variable: string }[]): string {
  const groups = new Map<string, { name: string; month: number }[]>();
  for (const o of outcomes) {
    const m = /^(.*)_m(\d+)$/.exec(o.name);
    if (!m || o.reduce !== 'at') continue;
    const k = `${m[1]}|${o.variable}`;
    groups.set(k, [...(groups.get(k) ?? []), { name: o.name, month: Number(m[2]) }]);
  }
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    // The two latest readings: still growing between them?
    const [later, earlier] = [...list].sort((a, b) => b.month - a.month);
    return `${later!.name} > ${earlier!.name}`;
  }
  return '';
}

function renderSpecExplore(
  ws: Workspace,
  root: HTMLElement,
  folders: { specs: string[]; results: string[] },
): () => void {
  let alive = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clock: ModelClock = {
    startDate: ws.caseData?.definition?.startDate,
    startTime: ws.compiled.simSpecs.start,
    timeUnits: ws.compiled.simSpecs.timeUnits,
  };
  const specs = [...folders.specs].sort(
    (a, b) => Number(/\/thesis\.json$/.test(b)) - Number(/\/thesis\.json$/.test(a)),
  );
  const specSelect = h('select', { id: 'exp-spec' }, ...specs.map((f) => h('option', { value: f }, f)));
  const samples = h('input', {
    type: 'number',
    id: 'exp-samples',
    min: 2,
    max: 5000,
    placeholder: 'as in the spec',
    class: 'count-input',
    'aria-describedby': 'exp-samples-hint',
  });
  const start = h('button', { type: 'button', class: 'primary', id: 'exp-start' }, 'Run the experiment');
  const cancel = h('button', { type: 'button', id: 'exp-cancel', disabled: true }, 'Cancel');
  const progress = h('progress', {
    id: 'exp-progress',
    max: 1,
    value: 0,
    'aria-label': 'Experiment progress',
  });
  const progressText = h('span', { role: 'status', 'aria-live': 'polite', id: 'exp-status' });
  const resultsSelect = h(
    'select',
    { id: 'exp-results-folder' },
    h(
      'option',
      { value: '' },
      folders.results.length ? 'Choose a results folder...' : 'none found under out/ or runs/',
    ),
    ...folders.results.map((f) => h('option', { value: f }, f)),
  );
  const resultsPath = h('input', {
    type: 'text',
    id: 'exp-results-path',
    placeholder: 'or a folder path, e.g. out/thesis',
    size: 28,
  });
  const load = h('button', { type: 'button', id: 'exp-load' }, 'Load results');
  const analysis = h('div', { id: 'exp-analysis' });
  const body = h('div', { id: 'exp-results' });

  // What the analysis reads: a finished experiment of this page, or a folder.
  let source: { experiment?: string; path?: string } | undefined;
  let current: string | undefined;

  const fail = (err: unknown) => {
    const msg =
      err instanceof ApiError
        ? `${err.message}${err.details.length ? `: ${err.details.join('; ')}` : ''}`
        : String(err);
    body.replaceChildren(notice(msg, 'error'));
  };

  const where = h('input', { type: 'text', id: 'exp-where', size: 34, 'aria-describedby': 'exp-where-doc' });
  const primPolicy = h('select', { id: 'exp-prim-policy' });
  const satisfice = h('input', {
    type: 'text',
    id: 'exp-satisfice',
    size: 30,
    placeholder: 'e.g. troops_m24 < 15000',
  });
  const regret = h('select', { id: 'exp-regret' });
  const analyse = h('button', { type: 'button', id: 'exp-analyse', class: 'primary' }, 'Analyse');

  let asked = 0;
  const runView = async () => {
    if (!source) return;
    const ticket = ++asked;
    const q = new URLSearchParams();
    if (where.value.trim()) q.set('where', where.value.trim());
    if (primPolicy.value) q.set('policy', primPolicy.value);
    if (satisfice.value.trim()) q.set('satisfice', satisfice.value.trim());
    if (regret.value) q.set('regret', regret.value);
    body.replaceChildren(notice('Reading the results...'));
    try {
      const view = source.experiment
        ? await api.experimentView<ExploreView>(source.experiment, q)
        : await api.resultsView<ExploreView>(source.path!, q);
      if (alive && ticket === asked) showView(view);
    } catch (err) {
      fail(err);
    }
  };
  analyse.addEventListener('click', () => void runView());

  /** The analysis controls for a results folder with these policies and outcomes. */
  const prepare = async (next: { experiment?: string; path?: string }) => {
    source = next;
    const q = new URLSearchParams();
    body.replaceChildren(notice('Reading the results...'));
    let view: ExploreView;
    try {
      view = next.experiment
        ? await api.experimentView<ExploreView>(next.experiment, q)
        : await api.resultsView<ExploreView>(next.path!, q);
    } catch (err) {
      analysis.replaceChildren();
      return fail(err);
    }
    if (!alive) return;
    const scalar = view.outcomes.filter((o) => !o.series);
    where.value = defaultWhere(view.outcomes);
    satisfice.value = view.robustness.satisfice ?? '';
    primPolicy.replaceChildren(
      h('option', { value: '' }, 'every policy (pooled)'),
      ...view.policies.map((p) => h('option', { value: p }, p)),
    );
    primPolicy.value = view.policies[0] ?? '';
    regret.replaceChildren(...scalar.map((o) => h('option', { value: o.name }, o.name)));
    regret.value =
      view.robustness.regret ??
      scalar.find((o) => o.name === where.value.split(' ')[0])?.name ??
      scalar[0]?.name ??
      '';
    analysis.replaceChildren(
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'exp-analysis-h' },
        h('h3', { id: 'exp-analysis-h' }, 'Questions to the results'),
        h(
          'div',
          { class: 'row' },
          h('label', { for: 'exp-where' }, 'Runs of interest (PRIM)'),
          where,
          h('label', { for: 'exp-prim-policy' }, 'within'),
          primPolicy,
        ),
        h(
          'p',
          { class: 'muted small', id: 'exp-where-doc' },
          `An expression over the outcomes (${scalar.map((o) => o.name).join(', ')}) and the uncertainties; e.g. troops_m24 > troops_m12.`,
        ),
        h(
          'div',
          { class: 'row' },
          h('label', { for: 'exp-regret' }, 'Regret of (lower is better)'),
          regret,
          h('label', { for: 'exp-satisfice' }, 'Satisficing criterion'),
          satisfice,
          analyse,
        ),
      ),
    );
    await runView();
  };

  const poll = async (id: string) => {
    if (!alive) return;
    let st: SpecStatus;
    try {
      st = await api.experiment<SpecStatus>(id);
    } catch (err) {
      return fail(err);
    }
    progress.max = st.total;
    progress.value = st.done + st.failed;
    const left =
      st.status === 'running' ? `; ${timeLeft(st.done + st.failed, st.total, st.elapsedMs ?? 0)}` : '';
    progressText.textContent = `${st.status}: ${st.done.toLocaleString('en-US')} of ${st.total.toLocaleString('en-US')} runs${st.failed ? `, ${st.failed} failed` : ''}${left}`;
    if (st.status === 'running' || st.status === 'queued') {
      timer = setTimeout(() => void poll(id), 300);
      return;
    }
    start.removeAttribute('disabled');
    cancel.setAttribute('disabled', '');
    current = undefined;
    if (st.status === 'failed') return fail(st.error ?? 'the experiment failed');
    if (st.done > 0) await prepare({ experiment: id });
    else body.replaceChildren(notice('Stopped before any run finished.'));
  };

  start.addEventListener('click', async () => {
    body.replaceChildren();
    analysis.replaceChildren();
    start.setAttribute('disabled', '');
    progressText.textContent = 'starting...';
    try {
      const req: Record<string, unknown> = { model: ws.doc.id, spec: specSelect.value };
      if (samples.value.trim()) req.samples = Math.round(Number(samples.value));
      const { id } = await api.startExperiment(req);
      current = id;
      cancel.removeAttribute('disabled');
      await poll(id);
    } catch (err) {
      start.removeAttribute('disabled');
      progressText.textContent = '';
      fail(err);
    }
  });
  cancel.addEventListener('click', () => {
    if (!current) return;
    progressText.textContent = 'cancelling (the runs in flight finish)...';
    void api.stopExperiment(current).catch(fail);
  });
  load.addEventListener('click', () => {
    const path = resultsPath.value.trim() || resultsSelect.value;
    if (!path) return void (progressText.textContent = 'Choose a results folder or type its path.');
    progressText.textContent = '';
    analysis.replaceChildren();
    void prepare({ path });
  });

  function showView(v: ExploreView): void {
    const parts: HTMLElement[] = [];
    const s = v.source;
    parts.push(
      h(
        'p',
        { id: 'exp-summary' },
        `${s.specFile ?? 'results folder'}: ${s.method} design, ${s.samples.toLocaleString('en-US')} futures x ${v.policies.length} policies = ${s.rows.toLocaleString('en-US')} runs (${s.completed.toLocaleString('en-US')} finished${s.failed ? `, ${s.failed} failed` : ''}; ${s.state}); ${v.uncertainties.length} uncertainties sampled, seed ${s.seed}. Policies are the crossed dimension: every policy meets the same futures.`,
      ),
    );
    parts.push(primSection(v));
    parts.push(robustnessSection(v));
    // Fans: one panel per policy, one y range per outcome.
    for (const fan of v.fans) {
      const all = fan.policies.flat(2).filter(Number.isFinite);
      const yDomain: [number, number] = [Math.min(...all), Math.max(...all)];
      const charts = fan.policies.map((bands, p) => {
        const color = PALETTE[p % PALETTE.length]!;
        const level = (k: number) => bands.map((b) => b[k]!);
        const title = `${fan.outcome}: ${v.policies[p]}`;
        return staticChart(
          title,
          lineChartSvg({
            title,
            width: 420,
            height: 220,
            xLabel: timeAxisLabel(clock),
            xTickLabel: (t) => formatTime(t, clock),
            xTicks: timeAxisLabel(clock) === 'date' ? monthTicks : undefined,
            yDomain,
            includeZero: true,
            lines: [{ label: v.fanLabels[2]!, x: v.times, y: level(2), color }],
            bands: [
              { label: v.fanLabels[0], x: v.times, lo: level(0), hi: level(4), color, opacity: 0.18 },
              { label: v.fanLabels[1], x: v.times, lo: level(1), hi: level(3), color, opacity: 0.35 },
            ],
          }),
          {
            csv: () =>
              `time,q05,q25,q50,q75,q95\n${v.times.map((t, i) => [t, ...bands[i]!].join(',')).join('\n')}\n`,
          },
        );
      });
      parts.push(
        h(
          'section',
          { class: 'panel', 'aria-label': `Fan chart of ${fan.outcome}` },
          h('h3', {}, `${fan.outcome} (${fan.variable}) over time, per policy`),
          h('div', { class: 'charts' }, ...charts),
        ),
      );
    }
    if (v.sensitivity?.rows.length) {
      parts.push(
        h(
          'div',
          { class: 'charts' },
          bars(
            `Uncertainties: Spearman rank correlation with ${v.sensitivity.outcome} (policies pooled; levers are not sampled)`,
            v.sensitivity.rows.map((r) => ({ label: r.name, value: r.rho })),
          ),
        ),
      );
    }
    body.replaceChildren(...parts);
  }

  function primSection(v: ExploreView): HTMLElement {
    const box = h('section', { class: 'panel', id: 'exp-prim', 'aria-labelledby': 'exp-prim-h' });
    box.append(h('h3', { id: 'exp-prim-h' }, 'Scenario discovery (PRIM)'));
    const p = v.prim;
    if (!p) {
      box.append(notice('Give the runs of interest above to look for the futures where they concentrate.'));
      return box;
    }
    if ('error' in p) {
      box.append(notice(p.error, 'error'));
      return box;
    }
    box.append(
      h(
        'p',
        { id: 'exp-prim-base' },
        `Runs of interest: ${p.where}${p.policy ? ` under ${p.policy}` : ' (every policy)'}: ${p.interest.toLocaleString('en-US')} of ${p.runs.toLocaleString('en-US')} runs, a base rate of ${formatShare(p.baseRate, 1)}.`,
      ),
    );
    if (!p.significant) {
      box.append(
        h(
          'p',
          { class: 'warning', role: 'note', id: 'exp-prim-warning' },
          `No box: no restriction of the uncertainties is significant at ${p.alpha} (quasi-p-value). The runs of interest are not concentrated in any region PRIM can find; a box here would be noise. Try more runs or another question.`,
        ),
      );
      return box;
    }
    box.append(
      h(
        'p',
        {},
        `The box holds ${formatShare(p.mass, 1)} of the runs; ${formatShare(p.density, 1)} of the runs inside are of interest (density, against the base rate of ${formatShare(p.baseRate, 1)}), and it covers ${formatShare(p.coverage, 1)} of all runs of interest.`,
      ),
      table(
        'prim-box',
        'Restrictions of the box, most significant first (quasi-p-value: the chance of this density gain if the restriction were lifted)',
        ['uncertainty', 'kept', 'sampled range', 'quasi-p', 'significant'],
        p.restrictions.map((r) => [
          r.name,
          r.categories ? r.categories.join(', ') : `${fmt(r.low)} to ${fmt(r.high)}`,
          r.full ? `${fmt(r.full[0])} to ${fmt(r.full[1])}` : '',
          formatPValue(r.p),
          r.significant ? 'yes' : `no (> ${p.alpha})`,
        ]),
        [3],
      ),
    );
    return box;
  }

  function robustnessSection(v: ExploreView): HTMLElement {
    const r = v.robustness;
    const o = r.regret;
    const rows = r.policies.map((p) => {
      const s = o ? p.outcomes[o] : undefined;
      return [
        p.policy,
        fmt(p.runs),
        s ? `${fmt(s.p10)} / ${fmt(s.p50)} / ${fmt(s.p90)}` : '',
        s?.regret ? fmt(s.regret.mean) : '',
        s?.regret ? fmt(s.regret.p90) : '',
        s?.regret ? fmt(s.regret.max) : '',
        p.satisficing === undefined ? '' : formatShare(p.satisficing),
      ];
    });
    return h(
      'section',
      { class: 'panel', id: 'exp-robustness', 'aria-labelledby': 'exp-rob-h' },
      h('h3', { id: 'exp-rob-h' }, 'Robustness per policy'),
      table(
        'robustness',
        `${o ?? 'outcome'}: 10th / 50th / 90th percentile over the futures; regret = how far a policy falls short of the best policy in the same future (lower is better); satisficing = share of futures meeting ${r.satisfice ? `"${r.satisfice}"` : '(no criterion given)'}`,
        [
          'policy',
          'runs',
          `${o ?? ''} p10 / p50 / p90`,
          'regret mean',
          'regret p90',
          'regret max',
          'satisficing',
        ],
        rows,
        [1, 2, 3, 4, 5, 6],
      ),
    );
  }

  root.append(
    h(
      'p',
      { class: 'muted' },
      'The thesis experiment: every policy of the spec meets the same sampled futures of the uncertainties (policy levers are set by the policies, never sampled). Run it here, or load a results folder written by interlock explore SPEC --out DIR (also one gathered from a queue).',
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'exp-run-h' },
      h('h3', { id: 'exp-run-h' }, 'Run a spec'),
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'exp-spec' }, 'Spec'),
        specSelect,
        h('label', { for: 'exp-samples' }, 'Futures per policy'),
        samples,
        start,
        cancel,
      ),
      h(
        'p',
        { class: 'muted small', id: 'exp-samples-hint' },
        'Leave the number blank for the spec’s own; every future is run under every policy, so the runs are futures times policies. A progress bar and the time left show while it runs.',
      ),
      h('div', { class: 'row' }, progress, progressText),
      h('h3', {}, 'Or load results'),
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'exp-results-folder' }, 'Results folder'),
        resultsSelect,
        h('label', { for: 'exp-results-path', class: 'visually-hidden' }, 'Results folder path'),
        resultsPath,
        load,
      ),
    ),
    analysis,
    body,
  );
  return () => {
    alive = false;
    if (timer) clearTimeout(timer);
  };
}

export function renderExplore(ws: Workspace, root: HTMLElement): () => void {
  root.append(h('h2', {}, 'Explore'));
  const inner = h('div', {});
  root.append(inner);
  let cleanup: (() => void) | undefined;
  let alive = true;
  api
    .folders(ws.doc.id)
    .then((f) => {
      if (!alive) return;
      cleanup = f.specs.length ? renderSpecExplore(ws, inner, f) : renderPlainExplore(ws, inner);
    })
    .catch(() => {
      if (alive) cleanup = renderPlainExplore(ws, inner);
    });
  return () => {
    alive = false;
    cleanup?.();
  };
}
