/**
 * Evidence: sources with their grades, estimate timelines with revisions marked, the competing
 * hypotheses matrix with scores and disagreement, indicators, and forecasts with calibration.
 * All numbers come from the evidence module's own scoring functions, run in the page.
 */
import { table, h, s, fmt, notice } from '../dom.js';
import { PALETTE, niceTicks, scatter } from '../chart.js';
import { evidenceDocument } from '../evidence-data.js';
import type { Workspace } from '../workspace.js';
import { RELIABILITY_LABELS, quantities, type EvidenceDocument } from '../../evidence/data.js';
import { ACH_FORMULAS, analyzeHypothesisSet, type AchSetResult } from '../../evidence/ach.js';
import { estimateTimeline, revisionFormula, type EstimateTimeline } from '../../evidence/estimates.js';
import { indicatorStates } from '../../evidence/indicators.js';
import { FORECAST_FORMULAS, forecastReport } from '../../evidence/forecasts.js';

const ABBR: Record<string, string> = {
  'very-consistent': 'CC',
  consistent: 'C',
  neutral: 'N',
  inconsistent: 'I',
  'very-inconsistent': 'II',
  'not-applicable': 'NA',
};

function formulas(lines: readonly string[]): HTMLElement {
  return h('details', {}, h('summary', {}, 'Formulas'), h('pre', { class: 'eqn' }, lines.join('\n')));
}

export function renderEvidence(ws: Workspace, root: HTMLElement): void {
  root.append(h('h2', {}, 'Evidence'));
  const raw = ws.caseData?.evidence;
  if (!raw) {
    root.append(
      notice(
        'This model has no evidence base (evidence.json beside the model file), so there is nothing to show here.',
      ),
    );
    return;
  }
  const doc = evidenceDocument(raw);
  if (typeof doc === 'string') {
    root.append(notice(doc, 'error'));
    return;
  }
  const sections: [string, string, () => HTMLElement][] = [
    ['ach', 'Competing hypotheses', () => achSection(doc)],
    ['estimates', 'Estimate timelines', () => estimatesSection(doc)],
    ['sources', 'Sources', () => sourcesSection(doc)],
    ['indicators', 'Indicators', () => indicatorsSection(doc)],
    ['forecasts', 'Forecasts and calibration', () => forecastsSection(doc)],
  ];
  const body = h('div', { id: 'evidence-body' });
  const tabs = h('div', { class: 'row', role: 'tablist', 'aria-label': 'Evidence sections' });
  const show = (id: string) => {
    const entry = sections.find((x) => x[0] === id)!;
    for (const b of tabs.querySelectorAll('button'))
      b.setAttribute('aria-selected', String(b.dataset.id === id));
    try {
      body.replaceChildren(h('h3', {}, entry[1]), entry[2]());
    } catch (err) {
      body.replaceChildren(notice(`This section could not be drawn: ${(err as Error).message}`, 'error'));
    }
  };
  for (const [id, title] of sections) {
    tabs.append(
      h(
        'button',
        { type: 'button', role: 'tab', 'data-id': id, 'aria-selected': 'false', onclick: () => show(id) },
        title,
      ),
    );
  }
  if (doc.description) root.append(h('p', { class: 'muted' }, doc.description));
  root.append(tabs, body);
  show('ach');
}

function sourcesSection(doc: EvidenceDocument): HTMLElement {
  const reportCount = (id: string) => doc.reports.filter((r) => r.source === id).length;
  return table(
    'sources-table',
    'Source reliability on the Admiralty scale (A reliable ... E unreliable, F cannot be judged).',
    ['source', 'kind', 'reliability', 'reports', 'note'],
    doc.sources.map((src) => [
      src.url ? h('a', { href: src.url, rel: 'noreferrer noopener', target: '_blank' }, src.name) : src.name,
      src.kind,
      h(
        'span',
        {},
        h('span', { class: 'grade' }, src.reliability),
        ` ${RELIABILITY_LABELS[src.reliability]}`,
      ),
      String(reportCount(src.id)),
      src.note ?? '',
    ]),
    [3],
  );
}

function timelineChart(t: EstimateTimeline): HTMLElement {
  const W = 620;
  const H = 260;
  const M = { l: 64, r: 16, t: 14, b: 34 };
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  const xs = t.estimates.map((e) => day(e.date));
  const ys = t.estimates
    .flatMap((e) => [e.central, e.low ?? e.central, e.high ?? e.central])
    .filter(Number.isFinite);
  const x0 = Math.min(...xs) - 10;
  const x1 = Math.max(...xs) + 10;
  const ticks = niceTicks(Math.min(0, ...ys), Math.max(...ys) * 1.05 || 1);
  const y0 = Math.min(0, ...ys);
  const y1 = Math.max(ticks[ticks.length - 1]!, Math.max(...ys) * 1.05) || 1;
  const sx = (v: number) => M.l + ((v - x0) / (x1 - x0 || 1)) * (W - M.l - M.r);
  const sy = (v: number) => H - M.b - ((v - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const g = s('g', {});
  for (const v of ticks) {
    g.append(
      s('line', { x1: M.l, x2: W - M.r, y1: sy(v), y2: sy(v), class: 'grid' }),
      s('text', { x: M.l - 6, y: sy(v) + 4, 'text-anchor': 'end' }, fmt(v)),
    );
  }
  const basisColor: Record<string, string> = {
    observed: PALETTE[0]!,
    assessed: PALETTE[2]!,
    plan: PALETTE[3]!,
    capacity: PALETTE[4]!,
  };
  const dates = [...new Set(t.estimates.map((e) => e.date))];
  // Label dates far enough apart to stay readable; clustered reports share one label.
  let lastLabel = -Infinity;
  for (const d of dates) {
    const x = sx(day(d));
    if (x - lastLabel < 80) continue;
    lastLabel = x;
    g.append(s('text', { x, y: H - M.b + 16, 'text-anchor': 'middle' }, d));
  }
  for (const e of t.estimates) {
    const x = sx(day(e.date));
    if (e.low !== null && e.high !== null)
      g.append(
        s('line', {
          x1: x,
          x2: x,
          y1: sy(e.low),
          y2: sy(e.high),
          stroke: basisColor[e.basis] ?? '#888',
          'stroke-width': 2,
        }),
      );
    const revised = e.revisionRatio !== null && Math.abs(e.revisionRatio - 1) > 1e-9;
    g.append(
      s(
        'circle',
        {
          cx: x,
          cy: sy(e.central),
          r: revised ? 6 : 4,
          fill: basisColor[e.basis] ?? '#888',
          stroke: revised ? '#d1495b' : 'none',
          'stroke-width': 2,
        },
        s(
          'title',
          {},
          `${e.id}: ${fmt(e.central)} ${e.unit} (${e.basis}, ${e.sourceName}, ${e.undated ? 'undated page' : `published ${e.date}`})${e.revisionRatio !== null ? `; later consensus ratio ${fmt(e.revisionRatio)}` : ''}`,
        ),
      ),
    );
    if (revised)
      g.append(s('text', { x: x + 7, y: sy(e.central) - 6, class: 'small' }, `x${fmt(e.revisionRatio!)}`));
  }
  return h(
    'figure',
    { class: 'chart' },
    h(
      'figcaption',
      {},
      `${t.quantity} by publication date `,
      h(
        'span',
        { class: 'units' },
        '(colour: basis; ringed: revised by later estimates, label = estimate / later median)',
      ),
    ),
    s(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Estimate timeline of ${t.quantity}` },
      g,
    ),
    h(
      'div',
      { class: 'legend' },
      ...Object.entries(basisColor).map(([b, c]) =>
        h('span', { class: 'key' }, h('i', { style: `border-color:${c};border-style:solid` }), b),
      ),
    ),
  );
}

function estimatesSection(doc: EvidenceDocument): HTMLElement {
  const qs = quantities(doc);
  if (!qs.length) return notice('No estimates recorded.');
  const select = h('select', { id: 'quantity' }, ...qs.map((q) => h('option', { value: q }, q)));
  const out = h('div', {});
  const draw = () => {
    const t = estimateTimeline(doc, select.value);
    const sm = t.summary;
    out.replaceChildren(
      timelineChart(t),
      h(
        'p',
        {},
        sm.compared
          ? `${sm.compared} observed/assessed estimates have a later consensus within ${sm.windowDays} days: ${sm.below} below it, ${sm.equal} equal, ${sm.above} above; median ratio ${fmt(sm.medianRatio ?? NaN)}.`
          : 'No estimate has later estimates in its window yet.',
      ),
      table(
        'timeline-table',
        'Estimates in publication order',
        ['published', 'as of', 'value', 'range', 'basis', 'source', 'later median', 'ratio', 'id'],
        t.estimates.map((e) => [
          e.undated ? 'undated' : e.date,
          e.asOf,
          `${e.qualifier ? `${e.qualifier} ` : ''}${e.value === null ? '' : fmt(e.value)} ${e.unit}`,
          e.low !== null && e.high !== null ? `${fmt(e.low)}-${fmt(e.high)}` : '',
          e.basis,
          e.sourceName,
          e.laterMedian === null ? '-' : `${fmt(e.laterMedian)} (n=${e.laterCount})`,
          e.revisionRatio === null ? '-' : fmt(e.revisionRatio),
          e.id,
        ]),
        [2, 6, 7],
      ),
      formulas(revisionFormula(t.windowDays)),
    );
  };
  // Open on the quantity with the most estimates: its timeline says the most.
  const count = (q: string) => doc.estimates.filter((e) => e.quantity === q).length;
  select.value = qs.reduce((best, q) => (count(q) > count(best) ? q : best), qs[0]!);
  select.addEventListener('change', draw);
  draw();
  return h('div', {}, h('div', { class: 'row' }, h('label', { for: 'quantity' }, 'Quantity'), select), out);
}

function achMatrix(set: AchSetResult): HTMLElement {
  const hyps = set.hypotheses.slice().sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const cellOf = (e: string, hy: string) => set.cells.find((c) => c.evidence === e && c.hypothesis === hy);
  const rows = set.evidence.map((e) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, `${e.id}: ${e.text}`),
      h('td', { class: 'num' }, fmt(e.weight)),
      h('td', { class: 'num' }, fmt(e.diagnosticity)),
      ...hyps.map((hy) => {
        const c = cellOf(e.id, hy.id);
        if (!c || c.consensus === null) return h('td', { class: 'c' }, '-');
        const votes = c.ratings.map((r) => `${r.analyst}: ${r.rating}`).join('\n');
        const dispute = c.dispute && c.dispute !== 'consensus' ? c.dispute : '';
        return h(
          'td',
          {
            class: `c r-${ABBR[c.consensus]}`,
            title: `${votes}${c.disagreement !== null ? `\ndisagreement (sd) ${fmt(c.disagreement)}` : ''}`,
          },
          ABBR[c.consensus],
          h('div', { class: 'small muted' }, c.ratings.map((r) => ABBR[r.rating]).join('/')),
          dispute ? h('div', { class: 'small', style: 'color:#d1495b' }, `dispute: ${dispute}`) : null,
        );
      }),
    ),
  );
  const scoreRow = (label: string, f: (hy: (typeof hyps)[number]) => string) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', {}),
      h('td', {}),
      ...hyps.map((hy) => h('td', { class: 'num' }, f(hy))),
    );
  return h(
    'table',
    { class: 'matrix', id: `ach-${set.id}` },
    h('caption', {}, `${set.id}: ${set.question} (analysts: ${set.analysts.join(', ') || 'none'})`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'evidence'),
        h('th', { scope: 'col', class: 'num' }, 'weight'),
        h('th', { scope: 'col', class: 'num' }, 'diagnosticity'),
        // The whole hypothesis: a column header cut mid-word hides what is being rated.
        ...hyps.map((hy) => h('th', { scope: 'col' }, `${hy.id}: ${hy.text}`)),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows,
      scoreRow('weighted inconsistency (lower is better)', (hy) => fmt(hy.inconsistency)),
      scoreRow('rank', (hy) => String(hy.rank)),
      scoreRow('Heuer score (unweighted)', (hy) => fmt(hy.heuerScore)),
      ...set.analysts.map((a) =>
        scoreRow(`analyst ${a}`, (hy) =>
          fmt(hy.byAnalyst.find((b) => b.analyst === a)?.inconsistency ?? NaN),
        ),
      ),
    ),
  );
}

function achSection(doc: EvidenceDocument): HTMLElement {
  if (!doc.hypothesisSets.length) return notice('No hypothesis sets recorded.');
  return h(
    'div',
    { id: 'ach' },
    h(
      'p',
      { class: 'muted' },
      'Cells show the consensus rating (CC very consistent ... II very inconsistent) and each analyst’s rating beneath; hover for details. Disputed cells are marked.',
    ),
    ...doc.hypothesisSets.map((set) =>
      h('div', { style: 'overflow:auto;margin-bottom:16px' }, achMatrix(analyzeHypothesisSet(set))),
    ),
    formulas(ACH_FORMULAS),
  );
}

function indicatorsSection(doc: EvidenceDocument): HTMLElement {
  if (!doc.indicators.length) return notice('No indicators recorded.');
  return table(
    'indicators-table',
    'Indicator state from the latest observed or assessed estimate of its quantity.',
    ['indicator', 'state', 'test', 'latest', 'bears on', 'text'],
    indicatorStates(doc).map((st) => [
      st.id,
      h('strong', { style: st.state === 'triggered' ? 'color:#d1495b' : '' }, st.state),
      `${st.quantity} ${st.comparison} ${fmt(st.threshold)}`,
      st.latest
        ? `${fmt(st.latest.value)} ${st.latest.unit} (${st.latest.date}, ${st.latest.basis})`
        : 'no data',
      [...(st.bearsOn.claims ?? []), st.bearsOn.hypothesisSet, st.bearsOn.hypothesis, st.bearsOn.scenario]
        .filter(Boolean)
        .join(', '),
      st.text,
    ]),
  );
}

function forecastsSection(doc: EvidenceDocument): HTMLElement {
  if (!doc.forecastQuestions.length) return notice('No forecast questions recorded.');
  const r = forecastReport(doc);
  const cal = r.calibration.filter((b) => b.count > 0);
  const calChart = scatter(
    'Calibration: mean forecast (x) against observed frequency (y); perfect calibration lies on the diagonal',
    'mean forecast',
    'observed frequency',
    [
      ...cal.map((b) => ({
        x: b.meanForecast,
        y: b.observedFrequency,
        title: `bucket ${b.bucket.toFixed(1)}: ${b.count} forecasts`,
        big: true,
      })),
      { x: 0, y: 0, color: '#bbb' },
      { x: 1, y: 1, color: '#bbb' },
    ],
    { diagonal: true },
  );
  return h(
    'div',
    {},
    table(
      'questions-table',
      'Questions',
      ['question', 'closes', 'outcome', 'forecasts', 'text'],
      r.questions.map((q) => [q.id, q.closes, q.outcome ?? 'open', String(q.forecasts), q.text]),
      [3],
    ),
    table(
      'scores-table',
      'Scores (time-averaged daily Brier and log scores; lower Brier is better)',
      ['question', 'analyst', 'outcome', 'brier', 'log', 'final p'],
      r.scores.map((x) => [
        x.question,
        x.analyst,
        x.outcome,
        fmt(x.brier),
        fmt(x.logScore),
        fmt(x.finalProbability),
      ]),
      [3, 4, 5],
    ),
    table(
      'analysts-table',
      'Per analyst',
      ['analyst', 'questions', 'mean Brier', 'mean log'],
      r.analysts.map((a) => [a.analyst, String(a.questions), fmt(a.meanBrier), fmt(a.meanLogScore)]),
      [1, 2, 3],
    ),
    cal.length ? calChart : notice('No resolved questions yet, so no calibration.'),
    table(
      'calibration-table',
      'Calibration buckets',
      ['bucket', 'forecasts', 'mean forecast', 'observed yes'],
      r.calibration.map((b) => [
        b.bucket.toFixed(1),
        String(b.count),
        fmt(b.meanForecast),
        fmt(b.observedFrequency),
      ]),
      [1, 2, 3],
    ),
    formulas(FORECAST_FORMULAS),
  );
}
