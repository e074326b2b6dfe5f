/**
 * Plain-text tables for the evidence reports, each followed by the formula that produced its
 * numbers. Node-free, deterministic (no locale-dependent formatting).
 */
import { ACH_FORMULAS, type AchDatedScores, type AchSetResult } from './ach.js';
import { revisionFormula, type EstimateTimeline } from './estimates.js';
import { FORECAST_FORMULAS, type ForecastReport } from './forecasts.js';
import { INDICATOR_FORMULAS, type IndicatorState } from './indicators.js';

/** Fixed decimals, trimmed of a trailing ".000"; "-" for missing. */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return '-';
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}

/** Left-aligned columns separated by two spaces, with a rule under the header. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formulas(lines: readonly string[]): string {
  return lines.map((l) => `  ${l}`).join('\n') + '\n';
}

const RATING_ABBREVIATION: Record<string, string> = {
  'very-consistent': 'CC',
  consistent: 'C',
  neutral: 'N',
  inconsistent: 'I',
  'very-inconsistent': 'II',
  'not-applicable': 'NA',
};

export function renderAch(sets: readonly (AchSetResult & { byDate?: AchDatedScores[] })[]): string {
  const out: string[] = [];
  for (const set of sets) {
    out.push(`Hypothesis set ${set.id}: ${set.question}`);
    out.push(`Analysts: ${set.analysts.join(', ') || '(none)'}\n`);
    out.push(
      renderTable(
        ['rank', 'hypothesis', 'inconsistency', 'consistency', 'heuer', ...set.analysts, 'text'],
        set.hypotheses.map((h) => [
          String(h.rank),
          h.id,
          formatNumber(h.inconsistency),
          formatNumber(h.consistency),
          formatNumber(h.heuerScore),
          ...h.byAnalyst.map((a) => formatNumber(a.inconsistency)),
          h.text,
        ]),
      ),
    );
    // Authored order (H1..H4) reads better than rank order across the columns.
    const hypothesisIds = set.cells.length
      ? [...new Set(set.cells.map((c) => c.hypothesis))]
      : set.hypotheses.map((h) => h.id);
    out.push('Cells: consensus (ratings by analyst) [dispute]');
    out.push(
      renderTable(
        ['evidence', 'weight', 'diagnosticity', ...hypothesisIds],
        set.evidence.map((e) => [
          e.argument ? `${e.id} (argument, not scored)` : e.id,
          formatNumber(e.weight),
          formatNumber(e.diagnosticity),
          ...hypothesisIds.map((h) => {
            const cell = set.cells.find((c) => c.evidence === e.id && c.hypothesis === h);
            if (!cell || cell.consensus === null) return '-';
            const votes = cell.ratings.map((r) => RATING_ABBREVIATION[r.rating]).join('/');
            const dispute = cell.dispute && cell.dispute !== 'consensus' ? ` [${cell.dispute}]` : '';
            return `${RATING_ABBREVIATION[cell.consensus]} (${votes})${dispute}`;
          }),
        ]),
      ),
    );
    if (set.byDate && set.byDate.length > 0) {
      out.push('Inconsistency (rank) by date: only independent evidence public by then counts');
      const ids = set.byDate[0]!.hypotheses.map((h) => h.id);
      out.push(
        renderTable(
          ['as of', 'items', ...ids],
          set.byDate.map((d) => [
            d.date,
            String(d.evidence.length),
            ...d.hypotheses.map((h) => `${formatNumber(h.inconsistency)} (${h.rank})`),
          ]),
        ),
      );
    }
    out.push('Evidence texts:');
    for (const e of set.evidence) out.push(`  ${e.id}: ${e.text}`);
    out.push('');
  }
  out.push('Formulas:');
  out.push(formulas(ACH_FORMULAS));
  return out.join('\n');
}

export function renderTimeline(t: EstimateTimeline): string {
  const range = (low: number | null, high: number | null) =>
    low === null || high === null ? '' : `${formatNumber(low)}-${formatNumber(high)}`;
  const table = renderTable(
    [
      'published',
      'as of',
      'value',
      'range',
      'qualifier',
      'unit',
      'basis',
      'source',
      'later median',
      'ratio',
      'id',
    ],
    t.estimates.map((e) => [
      e.undated ? 'undated' : e.date,
      e.asOf,
      formatNumber(e.value),
      range(e.low, e.high),
      e.qualifier ?? '',
      e.unit,
      e.basis,
      e.source,
      e.laterMedian === null ? '-' : `${formatNumber(e.laterMedian)} (n=${e.laterCount})`,
      formatNumber(e.revisionRatio),
      e.id,
    ]),
  );
  const s = t.summary;
  const summary =
    s.compared === 0
      ? 'No observed or assessed estimate has later estimates in its window.\n'
      : `Observed/assessed estimates with a later consensus: ${s.compared}; below it (ratio < 1): ${s.below}; ` +
        `equal: ${s.equal}; above: ${s.above}; median ratio ${formatNumber(s.medianRatio)}.\n`;
  return `Estimates of ${t.quantity}\n\n${table}\n${summary}\nFormula:\n${formulas(revisionFormula(t.windowDays))}`;
}

export function renderForecasts(r: ForecastReport): string {
  const questions = renderTable(
    ['question', 'closes', 'outcome', 'resolved', 'report', 'forecasts', 'text'],
    r.questions.map((q) => [
      q.id,
      q.closes,
      q.outcome ?? 'open',
      q.resolvedOn ?? '-',
      q.report ?? '-',
      String(q.forecasts),
      q.text,
    ]),
  );
  const scores = renderTable(
    ['question', 'analyst', 'outcome', 'forecasts', 'days', 'brier', 'log', 'final p', 'term', 'final brier'],
    r.scores.map((s) => [
      s.question,
      s.analyst,
      s.outcome,
      String(s.forecasts),
      String(s.days),
      formatNumber(s.brier, 4),
      formatNumber(s.logScore, 4),
      formatNumber(s.finalProbability),
      s.finalTerm,
      formatNumber(s.finalBrier, 4),
    ]),
  );
  const analysts = renderTable(
    ['analyst', 'questions', 'mean brier', 'mean log'],
    r.analysts.map((a) => [
      a.analyst,
      String(a.questions),
      formatNumber(a.meanBrier, 4),
      formatNumber(a.meanLogScore, 4),
    ]),
  );
  const calibration = renderTable(
    ['bucket', 'forecasts', 'mean forecast', 'observed yes'],
    r.calibration.map((b) => [
      b.bucket.toFixed(1),
      String(b.count),
      formatNumber(b.meanForecast),
      formatNumber(b.observedFrequency),
    ]),
  );
  return (
    `Forecast questions\n\n${questions}\nScores per analyst and question\n\n${scores}\n` +
    `Per analyst\n\n${analysts}\nCalibration\n\n${calibration}\nFormulas:\n${formulas(FORECAST_FORMULAS)}`
  );
}

export function renderIndicators(states: readonly IndicatorState[], asOf?: string): string {
  const bears = (s: IndicatorState) =>
    [
      ...(s.bearsOn.claims ?? []),
      ...(s.bearsOn.hypothesisSet
        ? [`${s.bearsOn.hypothesisSet}${s.bearsOn.hypothesis ? '/' + s.bearsOn.hypothesis : ''}`]
        : []),
      ...(s.bearsOn.scenario ? [`scenario ${s.bearsOn.scenario}`] : []),
    ].join(', ');
  const table = renderTable(
    ['indicator', 'state', 'quantity', 'test', 'latest', 'date', 'source', 'bears on', 'text'],
    states.map((s) => [
      s.id,
      s.state,
      s.quantity,
      `${s.comparison} ${formatNumber(s.threshold)}`,
      s.latest ? `${formatNumber(s.latest.value)} ${s.latest.unit} (${s.latest.basis})` : '-',
      s.latest?.date ?? '-',
      s.latest?.source ?? '-',
      bears(s),
      s.text,
    ]),
  );
  return `Indicators${asOf ? ` as of ${asOf}` : ''}\n\n${table}\nFormula:\n${formulas(INDICATOR_FORMULAS)}`;
}
