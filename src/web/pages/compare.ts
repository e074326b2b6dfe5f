/** Compare: the case's policy scenarios (and any saved runs) side by side, charts and end values. */
import { h, fmt, notice } from '../dom.js';
import { LineChart, PALETTE, type Line } from '../chart.js';
import { monthTicks } from '../../chart/kit.js';
import {
  formatChange,
  formatTime,
  formatValue,
  timeAxisLabel,
  type ModelClock,
} from '../../format/number.js';
import { key, type Workspace } from '../workspace.js';
import { loadRuns } from '../runs.js';
import { besideId, besidePicker, loadAlternative, loadedAlternative } from '../editor/beside.js';

interface Series {
  label: string;
  time: ArrayLike<number>;
  column: (name: string) => ArrayLike<number> | undefined;
  dash?: boolean;
}

export function renderCompare(ws: Workspace, root: HTMLElement): void {
  const { compiled } = ws;
  root.append(h('h2', {}, 'Compare'), besidePicker(ws.doc.id, 'compare'));
  const definition = ws.caseData?.definition;
  if (definition?.question) {
    root.append(
      h(
        'section',
        { class: 'panel question' },
        h('h3', {}, definition.title ?? 'The question'),
        h('p', {}, definition.question),
      ),
    );
  }
  const scenarios = ws.caseData?.scenarios ?? {};
  const runs: Series[] = [];
  const failures: string[] = [];
  const known = new Set(compiled.parameters.map((p) => key(p.name)));
  // The case's baseline first: the end-value table measures every change against the first run.
  const baseline = ws.caseData?.definition?.baseline;
  const ordered = Object.entries(scenarios).sort(
    ([a], [b]) => Number(b === baseline) - Number(a === baseline),
  );
  for (const [name, sc] of ordered) {
    const overrides = Object.fromEntries(
      Object.entries(sc?.overrides ?? {}).filter(([k]) => known.has(key(k))),
    );
    try {
      const r = compiled.run({ overrides });
      runs.push({ label: name, time: r.time, column: (n) => r.column(n) });
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
    }
  }
  if (!runs.length) {
    const r = compiled.run();
    runs.push({ label: 'model as written', time: r.time, column: (n) => r.column(n) });
    root.append(
      notice(
        'This model has no case policies (scenarios.json). Saved runs from Simulate are compared with the model as written.',
      ),
    );
  }
  // A structural alternative saved from the Model page (`&beside=ID`): every policy again on it.
  const wanted = besideId();
  if (wanted) {
    const alt = loadedAlternative(wanted);
    if (!alt)
      void loadAlternative(wanted).then(() => window.dispatchEvent(new HashChangeEvent('hashchange')));
    else if (typeof alt === 'string') root.append(notice(alt, 'error'));
    else
      for (const [name, sc] of ordered) {
        const r = alt.compiled.run({
          overrides: Object.fromEntries(
            Object.entries(sc?.overrides ?? {}).filter(([k]) =>
              alt.compiled.parameters.some((p) => key(p.name) === key(k)),
            ),
          ),
        });
        runs.push({ label: `${alt.label}: ${name}`, time: r.time, column: (n) => r.column(n), dash: true });
      }
  }
  for (const s of loadRuns(ws.doc.name)) {
    runs.push({ label: `saved: ${s.label}`, time: s.time, column: (n) => s.series[n], dash: true });
  }
  if (failures.length) root.append(notice(`Some policies failed: ${failures.join('; ')}`, 'error'));

  const descriptions = Object.entries(scenarios);
  if (descriptions.length) {
    root.append(
      h(
        'table',
        { id: 'scenario-table' },
        h('caption', { class: 'muted' }, 'Policies'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'policy'), h('th', {}, 'description'), h('th', {}, 'overrides')),
        ),
        h(
          'tbody',
          {},
          ...descriptions.map(([n, sc]) =>
            h(
              'tr',
              {},
              h('th', {}, n),
              h('td', {}, sc?.description ?? ''),
              h(
                'td',
                {},
                Object.entries(sc?.overrides ?? {})
                  .map(([k, v]) => `${k} = ${fmt(v)}`)
                  .join(', '),
              ),
            ),
          ),
        ),
      ),
    );
  }

  // Calendar dates on the time axis when the case gives the model's start date, as on Simulate.
  const spec = compiled.simSpecs;
  const clock: ModelClock = {
    startDate: ws.caseData?.definition?.startDate,
    startTime: spec.start,
    timeUnits: spec.timeUnits,
  };
  const calendarMonths = timeAxisLabel(clock) === 'date' && /^months?$/i.test(spec.timeUnits?.trim() ?? '');
  const charts = h('div', { class: 'charts', id: 'compare-charts' });
  for (const name of ws.shown) {
    const out = compiled.outputs.find((o) => o.name === name);
    const chart = new LineChart(
      ws.titles[name] ?? name,
      out?.units,
      timeAxisLabel(clock),
      (t) => formatTime(t, clock),
      calendarMonths ? monthTicks : undefined,
    );
    const lines: Line[] = [];
    runs.forEach((r, i) => {
      const y = r.column(name);
      // More runs than colours: the second round of colours is dashed, so no two lines look alike.
      const dash = r.dash || Math.floor(i / PALETTE.length) % 2 === 1;
      if (y) lines.push({ x: r.time, y, color: PALETTE[i % PALETTE.length]!, label: r.label, dash });
    });
    chart.update(lines);
    charts.append(chart.el);
  }
  root.append(h('h3', {}, 'Trajectories'), charts);

  const base = runs[0]!;
  const finalOf = (r: Series, n: string) => {
    const y = r.column(n);
    return y && y.length ? y[y.length - 1]! : NaN;
  };
  root.append(
    h('h3', {}, `End values (${formatTime(spec.stop, clock)}), change against ${base.label}`),
    h(
      'table',
      { id: 'compare-table' },
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'output'), ...runs.map((r) => h('th', { class: 'num' }, r.label))),
      ),
      h(
        'tbody',
        {},
        ...ws.shown.map((n) => {
          const units = compiled.outputs.find((o) => o.name === n)?.units;
          return h(
            'tr',
            {},
            h(
              'th',
              { scope: 'row' },
              ws.titles[n] ?? n,
              units ? h('span', { class: 'muted' }, ` (${units})`) : null,
            ),
            ...runs.map((r, i) => {
              const v = finalOf(r, n);
              const b = finalOf(base, n);
              const change = i ? ` (${formatChange(v, b)})` : '';
              return h('td', { class: 'num' }, formatValue(v, units) + change);
            }),
          );
        }),
      ),
    ),
    h('p', { class: 'muted' }, 'Choose which outputs appear here on the Simulate page.'),
  );
}
