/**
 * Q4 on the Calibration page: the case's forecasts at each date (calibration/q4.json, read on the
 * server through src/case) scored against what was reported later. Per as-of date, a summary row
 * (the statistics of src/calibrate/forecast-summary.ts, computed once on load) that opens onto
 * each forecast: the model's median and 90% band, the analysts' latest figure at that date, the
 * figure reported later, and the scores of both.
 */
import { h, notice, table } from '../dom.js';
import type { CaseForecasts } from '../../case/analysis.js';
import type { ForecastRow, ForecastSummary } from '../../calibrate/forecast-summary.js';
import { formatNumber, formatShare } from '../../format/number.js';
import { identification } from '../../case/headline.js';
import { displayName } from '../../equations/names.js';
import type { ParameterSource } from '../api.js';

/**
 * The case's calibrated parameters (parameters.json, written from calibration/posterior.json by
 * the case's tools): the prior range against the posterior, and how far the data narrowed each.
 */
export function casePosteriorSection(
  parameters: Record<string, ParameterSource> | undefined,
): HTMLElement | null {
  type Posterior = { q05: number; q50: number; q95: number; contraction: number; asOf: string | null };
  const calibrated = Object.entries(parameters ?? {}).filter(
    (e): e is [string, ParameterSource & { posterior: Posterior; range: [number, number] }] =>
      !!e[1] && typeof e[1].posterior === 'object' && e[1].posterior !== null && Array.isArray(e[1].range),
  );
  if (!calibrated.length) return null;
  const asOf = calibrated[0]![1].posterior.asOf;
  return h(
    'section',
    { class: 'panel', id: 'cal-case', 'aria-labelledby': 'cal-case-h' },
    h('h3', { id: 'cal-case-h' }, 'What the reported figures pin down: the case’s calibrated parameters'),
    h(
      'div',
      { class: 'table-scroll' },
      table(
        'cal-case-table',
        `Evidence published by ${asOf ?? 'the calibration date'} (calibration/posterior.json). Contraction is 1 - posterior sd / prior sd: near 0 the data say nothing about the parameter, near 1 they fix it. The model's defaults are the posterior medians.`,
        ['parameter', 'prior range (uniform)', 'posterior median', '90% interval', 'contraction', 'the data'],
        calibrated.map(([name, p]) => [
          displayName(name),
          `${formatNumber(p.range[0])}–${formatNumber(p.range[1])}`,
          formatNumber(p.posterior.q50),
          `${formatNumber(p.posterior.q05)}–${formatNumber(p.posterior.q95)}`,
          // A contraction that rounds to zero is shown as 0.00, not -0.00.
          (Math.abs(p.posterior.contraction) < 0.005 ? 0 : p.posterior.contraction).toFixed(2),
          identification(p.posterior.contraction),
        ]),
        [2, 4],
      ),
    ),
  );
}

/** A stream id (quantity.measure, e.g. nk.troops.in_russia.present) in words. */
export function streamLabel(stream: string): string {
  const parts = stream.replace(/^nk\./, '').split('.');
  const measure = parts.length > 1 ? parts.pop()! : '';
  const quantity = parts.join(' ').replace(/_/g, ' ');
  const words =
    measure && !quantity.endsWith(measure) ? `${quantity}, ${measure.replace(/[-_]/g, ' ')}` : quantity;
  return words.replace(/\brussia\b/g, 'Russia');
}

function reported(r: ForecastRow): string {
  const v = formatNumber(r.value);
  if (r.kind === 'at-least') return `at least ${v}`;
  if (r.kind === 'at-most') return `at most ${v}`;
  if (r.kind === 'range') return `a range around ${v}`;
  return v;
}

const score = (x: number | null | undefined) => (x === null || x === undefined ? '–' : formatNumber(x));

const SUMMARY_HEADERS = [
  'later figures forecast',
  'with an analysts’ figure',
  'revised up later',
  'model median above the analysts’ (of those)',
  'mean CRPS, model / analysts',
  'in the model’s 90% band',
];

function summaryCells(s: ForecastSummary): string[] {
  return [
    formatNumber(s.forecasts),
    formatNumber(s.paired),
    formatShare(s.revisedUp),
    formatShare(s.anticipated),
    `${score(s.crpsModel)} / ${score(s.crpsAnalyst)}`,
    formatShare(s.coverage90),
  ];
}

/** Source ids as their names, when the case's evidence lists them. */
type SourceName = (id: string | undefined) => string;

function dateRows(asOf: string, rows: readonly ForecastRow[], source: SourceName): HTMLElement {
  return table(
    `q4-rows-${asOf}`,
    'Each figure published later, as the model forecast it at this date, beside the analysts’ latest figure of the same measure (their forecast, unchanged). CRPS on the log scale, lower is better; only for figures that are single numbers.',
    [
      'measure',
      'reported later (date, source)',
      'model: median (90% band)',
      'analysts’ figure at the date (source)',
      'CRPS model / analysts',
      'log score model / analysts',
    ],
    rows.map((r) => [
      streamLabel(r.stream),
      `${reported(r)} (${r.date ?? r.published ?? '?'}, ${source(r.source)})`,
      `${formatNumber(r.model.q50)} (${formatNumber(r.model.q05)}–${formatNumber(r.model.q95)})`,
      r.analyst
        ? `${formatNumber(r.analyst.value)} (${r.analyst.published ?? '?'}, ${source(r.analyst.source)})`
        : 'none yet',
      `${score(r.model.crps)} / ${score(r.analyst?.crps)}`,
      `${score(r.model.logScore)} / ${score(r.analyst?.logScore)}`,
    ]),
    [2, 4, 5],
  );
}

/** The Q4 section: the table by date (each opening onto its forecasts), then by measure. */
export function forecastsSection(
  forecasts: CaseForecasts | null,
  file: string | undefined,
  sourceNames: ReadonlyMap<string, string>,
): HTMLElement {
  const section = h('section', { class: 'panel', id: 'cal-q4', 'aria-labelledby': 'cal-q4-h' });
  section.append(h('h3', { id: 'cal-q4-h' }, 'Q4: forecast at each date against what was reported later'));
  if (!forecasts) {
    section.append(
      notice(
        'Not computed for this case: the forecasts at each date are written to calibration/q4.json by the case’s calibration tool (npm run case:calibrate).',
      ),
    );
    return section;
  }
  const source: SourceName = (id) => (id ? (sourceNames.get(id) ?? id) : 'unknown source');
  const s = forecasts.summary;
  section.append(
    h(
      'p',
      { class: 'small' },
      `At the end of each month from ${forecasts.byDate[0]?.asOf ?? '?'} to ${forecasts.byDate[forecasts.byDate.length - 1]?.asOf ?? '?'}, the model was calibrated on what had been published by then (${formatNumber(forecasts.samples)} posterior draws per date) and forecast every figure published later. Over all dates the model’s mean CRPS is ${score(s.crpsModel)} against ${score(s.crpsAnalyst)} for the analysts’ latest figure (lower is better), and its 90% band held ${formatShare(s.coverage90)} of ${formatNumber(s.pointRows)} later figures. Open a date for its forecasts.`,
    ),
  );
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'as of'),
    h('th', { scope: 'col', class: 'num' }, 'figures known'),
    ...SUMMARY_HEADERS.map((x) => h('th', { scope: 'col', class: 'num' }, x)),
  );
  const body = h('tbody', {});
  forecasts.byDate.forEach((d, i) => {
    const step = forecasts.steps[i]!;
    const rowsId = `q4-date-${d.asOf}`;
    const toggle = h(
      'button',
      { type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-controls': rowsId },
      d.asOf,
    );
    const detail = h(
      'tr',
      { id: rowsId, class: 'q4-detail', hidden: true },
      h('td', { colspan: SUMMARY_HEADERS.length + 2 }, dateRows(d.asOf, step.rows, source)),
    );
    toggle.addEventListener('click', () => {
      const open = detail.hidden;
      detail.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    });
    body.append(
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, toggle),
        h('td', { class: 'num' }, Number.isFinite(d.dataRows) ? formatNumber(d.dataRows) : '–'),
        ...summaryCells(d).map((c) => h('td', { class: 'num' }, c)),
      ),
      detail,
    );
  });
  body.append(
    h(
      'tr',
      { class: 'total' },
      h('th', { scope: 'row' }, 'all dates'),
      h('td', {}, ''),
      ...summaryCells(s).map((c) => h('td', { class: 'num' }, c)),
    ),
  );
  section.append(
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { id: 'q4-table' },
        h(
          'caption',
          { class: 'muted' },
          `By forecast date${file ? ` (${file})` : ''}: how many later figures the model forecast, how many the analysts had a figure for at that date, how often the later report was higher, and the scores.`,
        ),
        h('thead', {}, head),
        body,
      ),
    ),
  );
  section.append(
    h('h4', {}, 'By measure, over all dates'),
    h(
      'p',
      { class: 'small muted' },
      'Cumulative totals only rise, so a later figure above the analysts’ says little there; troops present is the measure where a revision is informative.',
    ),
    h(
      'div',
      { class: 'table-scroll' },
      table(
        'q4-streams',
        'Per measure',
        ['measure', ...SUMMARY_HEADERS],
        forecasts.byStream.map((b) => [streamLabel(b.stream), ...summaryCells(b)]),
        [1, 2, 3, 4, 5, 6],
      ),
    ),
  );
  return section;
}
