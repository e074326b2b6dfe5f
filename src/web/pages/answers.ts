/**
 * The landing page: the answer first. A case folder gets its four questions answered from the
 * calibrated, history-matched ensemble (the server runs src/case/case-answers.ts once, the same
 * function `npm start` and `npm run case:numbers` use), each answer with its interval, the
 * claims it tests and links to the pages behind it; then the per-policy numbers, what the
 * answers rest on and where the model fails. A plain model gets a summary of its behaviour
 * (src/case/answers.ts behaviourSummary).
 */
import { h, notice, table } from '../dom.js';
import { claimLinks } from '../claims.js';
import { api, ApiError } from '../api.js';
import type { Workspace } from '../workspace.js';
import { behaviourSummary, type CaseAnswers } from '../../case/answers.js';
import { GROWING_TEXT, SATISFICE_TECHNOLOGY } from '../../case/headline.js';
import {
  formatNumber,
  formatPeople,
  formatShare,
  formatShareInterval,
  formatTime,
  type ModelClock,
} from '../../format/number.js';
import { displayName } from '../../equations/names.js';

function modelId(): string {
  return /[?&]model=([a-z0-9-]+)/.exec(location.hash)?.[1] ?? 'default';
}

/** A page route of this workbench for the open model (`#/explore` -> `#/explore?model=...`). */
function modelRoute(page: string): string {
  return `#/${page.replace(/^#\//, '')}?model=${modelId()}`;
}

function plainSummary(ws: Workspace, root: HTMLElement, clock: ModelClock): void {
  const { compiled } = ws;
  const results = compiled.run();
  const stocks = compiled.outputs.filter((o) => o.kind === 'stock').slice(0, 12);
  const shown = stocks.length ? stocks : compiled.outputs.slice(0, 8);
  const summary = behaviourSummary(
    results.time,
    shown.map((o) => ({ name: o.name, units: o.units, values: results.column(o.name) ?? [] })),
    (t) => formatTime(t, clock),
  );
  root.append(
    h(
      'section',
      { class: 'panel answer' },
      h('h3', {}, 'What this model does'),
      h(
        'p',
        {},
        `One run at the file's values, from ${formatTime(compiled.simSpecs.start, clock)} to ${formatTime(compiled.simSpecs.stop, clock)}:`,
      ),
      h('ul', {}, ...summary.map((s) => h('li', {}, s.sentence))),
      h(
        'p',
        {},
        h('a', { href: modelRoute('simulate') }, 'Simulate it'),
        ' or ',
        h('a', { href: modelRoute('model') }, 'read its diagram'),
        '.',
      ),
    ),
  );
}

/** The four answers, the numbers per policy, what they rest on and where the model fails. */
function drawAnswers(ws: Workspace, body: HTMLElement, computed: CaseAnswers): void {
  const { answers, headline } = computed;
  const n = headline.options.samples;
  const w = headline.weighting;
  const parts: HTMLElement[] = [
    h(
      'p',
      { id: 'answers-basis', class: 'small muted' },
      `From ${formatNumber(n)} sampled futures per policy (every uncertain assumption over its range, the calibrated parameters drawn from their posterior)` +
        (w
          ? `, each weighted by how well it reproduces the 2024-25 reported figures: they count as ${formatNumber(w.ess)} effective futures, and the intervals are as wide as for that many.`
          : '; the futures are not weighted by the evidence (the case has no calibration/posterior.json).') +
        ' The same numbers as npm start and the case README (npm run case:numbers).',
    ),
  ];
  for (const a of answers) {
    const section = h(
      'section',
      {
        class: `panel answer${a.status === 'pending' ? ' pending' : ''}`,
        id: `answer-${a.id.toLowerCase()}`,
      },
      h('h3', {}, `${a.id}. ${a.question}`),
      h('p', { class: 'answer-text' }, a.answer),
      h(
        'p',
        { class: 'small' },
        'Behind it: ',
        ...a.links.flatMap((l, i) => [i ? ' · ' : '', h('a', { href: modelRoute(l.href) }, l.label)]),
        ' · claims tested: ',
        ...claimLinks(a.claims),
      ),
    );
    if (a.id === 'Q2') section.append(policyTable(computed), technologyBySwitchTable(computed));
    parts.push(section);
  }
  parts.push(restsOn(ws, computed));
  body.replaceChildren(...parts);
}

/** The headline per policy: the table the case README prints, in the page's formats. */
function policyTable(computed: CaseAnswers): HTMLElement {
  const { headline } = computed;
  // The order of the Q2 answer: by share still growing, then by median regret.
  const rows = [...headline.policies].sort(
    (a, b) => a.growing - b.growing || a.regretMedian - b.regretMedian,
  );
  const t = table(
    'answers-policies',
    `Per policy, over the same futures (weighted): share where the deployment keeps growing (${GROWING_TEXT}), its 95% interval, the median troops and technology packages at month 24, regret (troops above the best policy of the same future, and technology packages above the policy with the fewest) and the share meeting the satisficing test (not growing, at most ${SATISFICE_TECHNOLOGY} packages by month 24).`,
    [
      'policy',
      'keeps growing',
      '95% interval',
      'median troops, month 24',
      'median technology, month 24',
      'regret median / 90th',
      'technology regret median / 90th',
      'satisficing',
    ],
    rows.map((p) => [
      p.policy === headline.baseline ? `${p.policy} (the baseline)` : p.policy,
      formatShare(p.growing),
      formatShareInterval(p.interval[0], p.interval[1]),
      formatPeople(p.medianTroops24),
      formatNumber(p.medianTechnology24),
      `${formatPeople(p.regretMedian)} / ${formatPeople(p.regret90)}`,
      `${formatNumber(p.technologyRegretMedian)} / ${formatNumber(p.technologyRegret90)}`,
      formatShare(p.satisficing),
    ]),
    [1, 2, 3, 4, 5, 6, 7],
  );
  t.classList.add('answers-table');
  return h('div', { class: 'table-scroll' }, t);
}

/** Q2's technology by reading of C11: a lever can raise it under one reading and lower it under the other. */
function technologyBySwitchTable(computed: CaseAnswers): HTMLElement | string {
  const columns = computed.headline.technologyBySwitch ?? [];
  if (!columns.length) return '';
  const t = table(
    'answers-technology-by-switch',
    'Median technology packages by month 24 per policy under each setting of each C11 switch (weighted like the shares, within the futures of each setting).',
    ['policy', ...columns.map((c) => `${displayName(c.input)} = ${c.value}`)],
    computed.headline.policies.map((p) => [
      p.policy,
      ...columns.map((c) => formatNumber(c.medians[p.policy] ?? NaN)),
    ]),
    columns.map((_, i) => i + 1),
  );
  t.classList.add('answers-table');
  return h('div', { class: 'table-scroll' }, t);
}

/** What the answers rest on (the structural switches, the weighting) and where the model fails. */
function restsOn(ws: Workspace, computed: CaseAnswers): HTMLElement {
  const { headline } = computed;
  const switches = [...new Set(headline.bySwitch.map((s) => s.input))];
  const limitations = ws.caseData?.definition?.limitations;
  return h(
    'section',
    { class: 'panel', id: 'answers-rests-on', 'aria-labelledby': 'answers-rests-on-h' },
    h('h3', { id: 'answers-rests-on-h' }, 'What the answers rest on'),
    h(
      'ul',
      {},
      ...switches.map((input) => {
        const on = headline.bySwitch.find((s) => s.input === input && s.value === 1);
        const off = headline.bySwitch.find((s) => s.input === input && s.value === 0);
        return h(
          'li',
          {},
          `The structural switch ${displayName(input)} (claim C11): `,
          on && off
            ? `with it on, the deployment keeps growing under ${headline.baseline} in ${formatShare(on.growing)} of futures, with it off in ${formatShare(off.growing)}; the 2024-25 figures put ${formatShare(on.probability)} of their weight on it being on (95% interval ${formatShareInterval(on.probabilityInterval[0], on.probabilityInterval[1])}).`
            : 'sampled both ways.',
        );
      }),
      h(
        'li',
        {},
        'The calibrated parameters (what the reported figures pin down, and what they do not): ',
        h('a', { href: modelRoute('calibration') }, 'the Calibration page'),
        '; every other assumption is sampled over the range its source gives (',
        h('a', { href: modelRoute('model') }, 'the Model page'),
        ' lists each with its source).',
      ),
      headline.recurring.length
        ? h(
            'li',
            {},
            'Where the thesis fails: see Q3 above, and ',
            h('a', { href: modelRoute('explore') }, 'scenario discovery on Explore'),
            '.',
          )
        : null,
    ),
    Array.isArray(limitations) && limitations.length
      ? h(
          'div',
          {},
          h('h3', {}, 'Where the model stops (its boundary, from case.json)'),
          h('ul', { id: 'answers-limitations' }, ...limitations.map((l) => h('li', {}, String(l)))),
        )
      : null,
  );
}

export function renderAnswers(ws: Workspace, root: HTMLElement): () => void {
  let alive = true;
  const definition = ws.caseData?.definition;
  root.append(h('h2', {}, 'Answers'));
  const clock: ModelClock = {
    startDate: definition?.startDate,
    startTime: ws.compiled.simSpecs.start,
    timeUnits: ws.compiled.simSpecs.timeUnits,
  };
  if (!definition?.question) {
    plainSummary(ws, root, clock);
    return () => {};
  }
  root.append(h('p', { class: 'lead' }, definition.question));
  const body = h(
    'div',
    { id: 'answers-body', 'aria-live': 'polite' },
    notice(
      'Computing the answers from the calibrated ensemble (several thousand runs, done once per server; a minute at most on a busy machine)...',
    ),
  );
  root.append(body);
  const started = performance.now();
  const tick = setInterval(() => {
    const p = body.querySelector('.notice');
    if (p && alive)
      p.textContent = `Computing the answers from the calibrated ensemble (several thousand runs, done once per server)... ${Math.round((performance.now() - started) / 1000)} s`;
  }, 1000);
  api
    .answers(ws.doc.id)
    .then((r) => {
      if (!alive) return;
      if (r.answers) drawAnswers(ws, body, r.answers);
      else {
        body.replaceChildren(
          notice(
            'The four answers are computed over the case’s thesis experiment (experiments/thesis.json) for the case’s own model (model.xmile); this model is not that one, or the case has no such experiment. A summary of one run instead:',
          ),
        );
        plainSummary(ws, body, clock);
      }
    })
    .catch((err: unknown) => {
      if (!alive) return;
      body.replaceChildren(
        notice(
          `The answers could not be computed: ${err instanceof ApiError ? `${err.message}${err.details.length ? `: ${err.details.join('; ')}` : ''}` : String(err)}`,
          'error',
        ),
      );
    })
    .finally(() => clearInterval(tick));
  return () => {
    alive = false;
    clearInterval(tick);
  };
}
