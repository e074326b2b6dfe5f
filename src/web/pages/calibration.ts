/**
 * Calibration: a calibration output folder (`interlock calibrate SPEC --out DIR`, or one date of
 * a `--sequence` folder) read through the server: per parameter the prior against the posterior
 * on one grid; per data stream the posterior predictive band at each reported estimate with the
 * estimates by source. First, the case's Q4 table (forecast at each date against what was
 * reported later, pages/forecasts.ts).
 */
import { h, fmt, notice } from '../dom.js';
import { casePosteriorSection, forecastsSection } from './forecasts.js';
import { PALETTE, staticChart } from '../chart.js';
import { lineChartSvg, monthTicks, type PointSeries } from '../../chart/kit.js';
import { api, ApiError } from '../api.js';
import type { Workspace } from '../workspace.js';
import type { CalibrationView } from '../../calibrate/view.js';
import { formatShare, formatTime, timeAxisLabel, type ModelClock } from '../../format/number.js';

const SHAPES: PointSeries['shape'][] = ['circle', 'square', 'diamond'];

export function renderCalibration(ws: Workspace, root: HTMLElement): () => void {
  let alive = true;
  root.append(h('h2', {}, 'Calibration'));
  const clock: ModelClock = {
    startDate: ws.caseData?.definition?.startDate,
    startTime: ws.compiled.simSpecs.start,
    timeUnits: ws.compiled.simSpecs.timeUnits,
  };
  const folderSelect = h('select', { id: 'cal-folder' });
  const folderPath = h('input', {
    type: 'text',
    id: 'cal-path',
    size: 30,
    placeholder: 'or a folder path, e.g. out/cal',
  });
  const dateSelect = h('select', { id: 'cal-date', hidden: true, 'aria-label': 'Calibration date' });
  const open = h('button', { type: 'button', id: 'cal-open' }, 'Open');
  const body = h('div', { id: 'cal-body' });
  // Q4 is the case's (calibration/q4.json), whichever calibration folder is shown below.
  const q4 = h('div', { id: 'cal-q4-slot' }, notice('Reading the forecasts at each date...'));
  const evidenceSources = (ws.caseData?.evidence as { sources?: { id: string; name?: string }[] } | undefined)
    ?.sources;
  const sourceNames = new Map((evidenceSources ?? []).map((x) => [x.id, x.name ?? x.id]));
  api
    .forecasts(ws.doc.id)
    .then((r) => {
      if (alive) q4.replaceChildren(forecastsSection(r.forecasts, r.file, sourceNames));
    })
    .catch((err: unknown) => {
      if (alive) q4.replaceChildren(notice(`The forecasts could not be read: ${String(err)}`, 'error'));
    });
  root.append(
    ...[casePosteriorSection(ws.caseData?.parameters), q4].filter((x): x is HTMLElement => !!x),
    h('h3', {}, 'A calibration run (interlock calibrate)'),
    h(
      'p',
      { class: 'muted' },
      'What the evidence says about the identifiable parameters: a calibration output folder written by interlock calibrate SPEC --out DIR (or --sequence, one folder per date).',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'row' },
        h('label', { for: 'cal-folder' }, 'Calibration folder'),
        folderSelect,
        h('label', { for: 'cal-path', class: 'visually-hidden' }, 'Calibration folder path'),
        folderPath,
        dateSelect,
        open,
      ),
    ),
    body,
  );
  const fail = (err: unknown) =>
    body.replaceChildren(
      notice(
        err instanceof ApiError
          ? `${err.message}${err.details.length ? `: ${err.details.join('; ')}` : ''}`
          : String(err),
        'error',
      ),
    );
  // Only the latest request draws (an earlier, slower answer must not replace a later one).
  let asked = 0;
  const show = async (path: string, asOf?: string) => {
    const ticket = ++asked;
    body.replaceChildren(notice('Reading the calibration...'));
    try {
      const v = await api.calibration<CalibrationView>(path, asOf);
      if (alive && ticket === asked) render(v);
    } catch (err) {
      fail(err);
    }
  };
  open.addEventListener('click', () => {
    const path = folderPath.value.trim() || folderSelect.value;
    if (path) void show(path, dateSelect.hidden ? undefined : dateSelect.value || undefined);
  });
  dateSelect.addEventListener(
    'change',
    () => void show(folderPath.value.trim() || folderSelect.value, dateSelect.value),
  );

  const render = (v: CalibrationView) => {
    if (v.sequence) {
      dateSelect.hidden = false;
      dateSelect.replaceChildren(...v.sequence.dates.map((d) => h('option', { value: d }, `as of ${d}`)));
      dateSelect.value = v.sequence.current;
    } else dateSelect.hidden = true;
    const parts: HTMLElement[] = [];
    parts.push(
      h(
        'p',
        { id: 'cal-summary' },
        `${v.folder}: ${v.method}, ${v.samples.toLocaleString('en-US')} posterior draws from ${v.observations} reported figures${v.asOf ? ` published by ${v.asOf}` : ''}; ${v.coverage90 === null ? '' : `${formatShare(v.coverage90)} of the point figures fall inside their 90% predictive band`}. Priors from ${v.specFile ?? '(the calibration spec was not found: priors not shown)'}.`,
      ),
    );
    if (v.warnings.length)
      parts.push(
        h(
          'details',
          { class: 'warning' },
          h(
            'summary',
            {},
            `${v.warnings.length} warning${v.warnings.length > 1 ? 's' : ''} from the estimator`,
          ),
          h('ul', {}, ...v.warnings.map((w) => h('li', {}, w))),
        ),
      );
    // Prior against posterior, one small chart per parameter.
    parts.push(
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'cal-pp-h', id: 'cal-parameters' },
        h('h3', { id: 'cal-pp-h' }, 'Prior against posterior, per parameter'),
        h(
          'p',
          { class: 'muted small' },
          'Share of probability in each of 30 bins: the prior (dashed) against the posterior draws (filled). A posterior as wide as its prior means the evidence says little about that parameter.',
        ),
        h(
          'div',
          { class: 'charts' },
          ...v.parameters.map((p) => {
            const mid = p.edges.slice(0, -1).map((e, i) => (e + p.edges[i + 1]!) / 2);
            const zero = mid.map(() => 0);
            const s = p.summary;
            const title = p.name;
            return staticChart(
              title,
              lineChartSvg({
                title,
                width: 360,
                height: 180,
                xLabel: p.name,
                includeZero: true,
                bands: [
                  {
                    label: 'posterior',
                    x: mid,
                    lo: zero,
                    hi: p.posteriorMass,
                    color: PALETTE[0]!,
                    opacity: 0.45,
                  },
                ],
                lines: p.priorMass
                  ? [
                      {
                        label: `prior (${p.prior?.dist ?? ''})`,
                        x: mid,
                        y: p.priorMass,
                        color: PALETTE[1]!,
                        dashed: true,
                      },
                    ]
                  : [],
              }),
              {
                caption: `posterior median ${fmt(s.q50)}, 90% ${fmt(s.q05)} to ${fmt(s.q95)}`,
                csv: () =>
                  `bin_low,bin_high,prior,posterior\n${mid.map((_, i) => `${p.edges[i]},${p.edges[i + 1]},${p.priorMass?.[i] ?? ''},${p.posteriorMass[i]}`).join('\n')}\n`,
              },
            );
          }),
        ),
      ),
    );
    // The posterior predictive band at each reported figure, the figures by source.
    parts.push(
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'cal-fan-h', id: 'cal-streams' },
        h('h3', { id: 'cal-fan-h' }, 'Posterior predictive against the reported figures, by source'),
        h(
          'p',
          { class: 'muted small' },
          'Band: 5-95% of the posterior predictive at each reported figure (noise and source bias included); line: its median. Marks: the figures as reported, one shape and colour per source; a bar is a reported range.',
        ),
        h(
          'div',
          { class: 'charts' },
          ...v.streams.map((st) => {
            const x = st.rows.map((r) => r.time);
            const sources = [...new Set(st.rows.map((r) => r.source ?? 'unknown'))];
            const points: PointSeries[] = sources.map((src, i) => ({
              label: src,
              color: PALETTE[(i + 2) % PALETTE.length]!,
              shape: SHAPES[i % SHAPES.length]!,
              hollow: false,
              points: st.rows
                .filter((r) => (r.source ?? 'unknown') === src)
                .map((r) => {
                  const y =
                    r.value ??
                    (r.low !== null && r.high !== null ? (r.low + r.high) / 2 : (r.low ?? r.high ?? NaN));
                  return {
                    x: r.time,
                    y,
                    low: r.low ?? undefined,
                    high: r.high ?? undefined,
                    title: `${r.date ?? formatTime(r.time, clock)} ${src}: ${r.kind ?? ''} ${r.value !== null ? fmt(r.value) : `${fmt(r.low)} to ${fmt(r.high)}`}; predictive median ${fmt(r.q50)}`,
                  };
                }),
            }));
            const title = `${st.name} (${st.variable})`;
            return staticChart(
              title,
              lineChartSvg({
                title,
                width: 420,
                height: 240,
                xLabel: timeAxisLabel(clock),
                xTickLabel: (t) => formatTime(t, clock),
                xTicks: timeAxisLabel(clock) === 'date' ? monthTicks : undefined,
                includeZero: true,
                bands: [
                  {
                    label: '5-95% predictive',
                    x,
                    lo: st.rows.map((r) => r.q05 ?? NaN),
                    hi: st.rows.map((r) => r.q95 ?? NaN),
                    color: PALETTE[0]!,
                    opacity: 0.2,
                  },
                ],
                lines: [
                  { label: 'predictive median', x, y: st.rows.map((r) => r.q50 ?? NaN), color: PALETTE[0]! },
                ],
                points,
              }),
              {
                caption:
                  st.coverage90 === null ? undefined : `${formatShare(st.coverage90)} inside the 90% band`,
                csv: () =>
                  `id,time,date,source,kind,value,low,high,q05,q50,q95\n${st.rows.map((r) => [r.id, r.time, r.date, r.source, r.kind, r.value, r.low, r.high, r.q05, r.q50, r.q95].map((c) => (c === null ? '' : String(c))).join(',')).join('\n')}\n`,
              },
            );
          }),
        ),
      ),
    );
    body.replaceChildren(...parts);
  };

  api
    .folders(ws.doc.id)
    .then((f) => {
      if (!alive) return;
      folderSelect.replaceChildren(
        ...(f.calibrations.length
          ? f.calibrations.map((c) => h('option', { value: c }, c))
          : [h('option', { value: '' }, 'none found (calibration/ beside the case, or out/)')]),
      );
      // The case's own results first (calibration/ beside the model), else the first found.
      const own = f.calibrations.find((c) => /(^|\/)calibration(\/|$)/.test(c)) ?? f.calibrations[0];
      if (own) {
        folderSelect.value = own;
        void show(own);
      } else
        body.replaceChildren(
          notice(
            'No calibration output folder found. Write one with: npx interlock calibrate models/north-korea-russia/calibration.json --out out/cal',
          ),
        );
    })
    .catch(fail);
  return () => {
    alive = false;
  };
}
