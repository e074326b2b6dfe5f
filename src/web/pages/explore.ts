/**
 * Explore: start an experiment on the server (Latin hypercube over the uncertainty ranges), follow
 * its progress, then read the fan chart, scatter plots, sensitivity bars and the PRIM trade-off
 * and box.
 */
import { h, fmt, notice } from '../dom.js';
import { LineChart, PALETTE, bars, scatter } from '../chart.js';
import { api, ApiError } from '../api.js';
import type { Workspace } from '../workspace.js';

interface PrimStep {
  coverage: number;
  density: number;
  mass: number;
  box: [number, number][];
}

interface ExperimentResult {
  output: string;
  parameters: string[];
  ranges: [number, number][];
  samples: number[][];
  finals: number[];
  time: number[];
  fan: number[][];
  sensitivity: { parameter: string; rho: number }[];
  prim: {
    threshold: number;
    below: boolean;
    trajectory: PrimStep[];
    chosen: number;
    quasiP?: Record<string, number>;
  };
}

interface ExperimentStatus {
  id: string;
  status: 'running' | 'done' | 'failed' | 'stopped';
  done: number;
  failed: number;
  total: number;
  error?: string;
  result?: ExperimentResult;
}

export function renderExplore(ws: Workspace, root: HTMLElement): () => void {
  const { compiled } = ws;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let alive = true;
  root.append(h('h2', {}, 'Explore'));
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
      [{ x: r.time, y: col(2), color: PALETTE[0]!, label: 'median' }],
      [
        { x: r.time, lo: col(0), hi: col(4), color: PALETTE[0]!, opacity: 0.15 },
        { x: r.time, lo: col(1), hi: col(3), color: PALETTE[0]!, opacity: 0.3 },
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
