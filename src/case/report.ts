/**
 * The case report: one self-contained HTML file (inline CSS and SVG, no script, no network) that
 * a reader can follow without the CLI: the question, the loops, every scenario over time, the
 * outcome table, the hindcast against reported estimates and every assumption with its source.
 */
import { diagramSvg } from '../diagram/svg.js';
import type { DiagramLayout } from '../diagram/layout.js';
import { addDays, centralValue, estimateById, sourceById, type EvidenceDocument } from '../evidence/data.js';
import { canonicalName, formatNumber, type ScenarioRun } from './compare.js';
import type { CaseDefinition, LoopInfo, ParameterInfo } from './definition.js';
import { hindcastStreams, type Hindcast, type HindcastRow } from './hindcast.js';
import {
  PALETTE,
  escapeHtml,
  lineChart,
  stockFlowDiagram,
  type DiagramElement,
  type PointSeries,
} from './svg.js';
import type { Answer } from './answers.js';

export interface ReportInput {
  definition: CaseDefinition;
  /** The diagram laid out by sector (src/diagram/); preferred to `diagram` when given. */
  layout?: DiagramLayout;
  /** The model's diagram (positions from its file), when it has one. */
  diagram?: { elements: DiagramElement[]; connectors: { from: string; to: string }[] };
  runs: ScenarioRun[];
  loops: LoopInfo[];
  parameters: ParameterInfo[];
  hindcast?: Hindcast;
  evidence?: EvidenceDocument;
  /** Model file name as the reader should see it (relative). */
  modelFile: string;
  /** Integration settings used, for the record. */
  settings: { dt: number; method: string; stop: number };
  /** Notes about missing inputs (e.g. no evidence file). */
  notes?: string[];
  /** The four questions answered (src/case/answers.ts), shown first when given. */
  answers?: Answer[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Calendar label of a model time: 'Oct 2024'. */
export function dateLabel(definition: CaseDefinition, t: number): string {
  const date = addDays(definition.startDate, Math.round(t * definition.daysPerTimeUnit));
  const [y, m] = date.split('-');
  return `${MONTHS[Number(m) - 1]} ${y}`;
}

const CSS = `
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 1080px; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .88rem; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; vertical-align: top; }
th { background: #f3f3f3; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.charts { display: grid; grid-template-columns: 1fr; gap: 1rem; }
.note { color: #555; font-size: .9rem; } .loop-r { color: #b00; font-weight: bold; } .loop-b { color: #06c; font-weight: bold; }
.bad { color: #b00; } code { font-size: .85em; background: #f6f6f6; padding: 0 .2em; }
nav a { margin-right: .8rem; } .scroll { overflow-x: auto; }
`;

function section(id: string, title: string, body: string): string {
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function percent(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%` : 'n/a';
}

function scenarioColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

function monthTicks(definition: CaseDefinition, stop: number): number[] {
  const step = stop > 30 ? 6 : 3;
  const ticks: number[] = [];
  for (let t = 0; t <= stop + 1e-9; t += step) ticks.push(t);
  return ticks;
}

function questionSection(input: ReportInput): string {
  const { definition } = input;
  const scenarioRows = input.runs
    .map((r, i) => {
      const overrides = Object.entries(r.overrides)
        .map(([k, v]) => `<code>${escapeHtml(k)} = ${v}</code>`)
        .join(' ');
      return `<tr><td><span style="color:${scenarioColor(i)}">&#9632;</span> <b>${escapeHtml(r.name)}</b></td><td>${escapeHtml(r.description)}</td><td>${overrides || '<span class="note">model defaults</span>'}</td></tr>`;
    })
    .join('\n');
  return section(
    'question',
    'The question',
    `<p>${escapeHtml(definition.question)}</p>
<p class="note">Model time 0 is ${escapeHtml(definition.startDate)}; one time unit is a ${escapeHtml(definition.timeUnit)}. Runs use ${escapeHtml(input.settings.method)} integration with dt = ${input.settings.dt} to ${input.settings.stop} ${escapeHtml(definition.timeUnit)}s. Model file: <code>${escapeHtml(input.modelFile)}</code>.</p>
<h3>Policies</h3>
<table><tr><th>policy</th><th>what it means</th><th>settings changed from the model</th></tr>
${scenarioRows}
</table>`,
  );
}

function diagramHtml(input: ReportInput): string {
  const r1 = input.loops.find((l) => l.id === 'R1') ?? input.loops[0];
  if (input.layout) {
    const names = new Set((r1?.path ?? []).map(canonicalName));
    const highlight = new Set(
      input.layout.nodes.filter((n) => names.has(canonicalName(n.name))).map((n) => n.name),
    );
    const svg = diagramSvg(input.layout, {
      title: 'Stock-and-flow diagram of the model, by sector',
      highlight,
    });
    const note = r1
      ? ` The links of loop ${escapeHtml(r1.id)} (${escapeHtml(r1.name)}) are drawn in red.`
      : '';
    return `<h3>The model's diagram</h3><p class="note">Grouped by sector. Boxes are stocks, blue pills with a valve are flows, rounded labels are other variables; arrows are influences in the equations, dashed ones cross between sectors. Drawn at its own size: scroll to see it all.${note}</p><div class="scroll">${svg}</div>`;
  }
  if (!input.diagram || input.diagram.elements.length === 0) return '';
  const highlight = new Set((r1?.path ?? []).map(canonicalName));
  const svg = stockFlowDiagram(input.diagram.elements, input.diagram.connectors, {
    title: 'Stock-and-flow diagram of the model',
    highlight,
  });
  const note = r1
    ? ` Variables of loop ${escapeHtml(r1.id)} (${escapeHtml(r1.name)}) are outlined in red.`
    : '';
  return `<h3>The model's diagram</h3><p class="note">Boxes are stocks, blue pipes with valves are flows, circles are other variables; thin arrows are influences in the equations. Hover a symbol for its name.${note}</p><div class="scroll">${svg}</div>`;
}

function loopsSection(loops: readonly LoopInfo[], diagram = ''): string {
  if (loops.length === 0)
    return section(
      'loops',
      'Feedback loops',
      `<p class="note">No loops.json in the case folder.</p>${diagram}`,
    );
  const rows = loops
    .map(
      (l) =>
        `<tr><td class="${l.polarity === 'reinforcing' ? 'loop-r' : 'loop-b'}">${escapeHtml(l.id)}</td><td><b>${escapeHtml(l.name)}</b><br><span class="note">${escapeHtml(l.polarity)}; ${escapeHtml(l.claims.join(', '))}</span></td><td>${escapeHtml(l.description)}<br><span class="note">${l.path.map(escapeHtml).join(' &rarr; ')} &rarr; (back to ${escapeHtml(l.path[0]!)})</span></td></tr>`,
    )
    .join('\n');
  return section(
    'loops',
    'Feedback loops',
    `<p>Reinforcing loops (R) amplify a change; balancing loops (B) oppose it. Which dominates decides whether the deployment grows.</p>
<table><tr><th>id</th><th>loop</th><th>how it works, and its path through the model</th></tr>
${rows}
</table>
${diagram}`,
  );
}

function chartsSection(input: ReportInput): string {
  const { definition, runs } = input;
  const stop = runs[0]?.time[runs[0].time.length - 1] ?? 0;
  const charts = definition.charts
    .map((c) =>
      lineChart(
        runs.map((r, i) => ({
          label: r.name,
          x: r.time,
          y: r.series[c.variable] ?? [],
          color: scenarioColor(i),
          dashed: i === 0,
        })),
        {
          title: c.title,
          yLabel: c.units,
          xTicks: monthTicks(definition, stop),
          xTickLabel: (t) => dateLabel(definition, t),
        },
      ),
    )
    .join('\n');
  return section(
    'time-series',
    'Every policy over time',
    `<p class="note">The baseline (${escapeHtml(definition.baseline)}) is dashed. Hover a line for its policy.</p><div class="charts">${charts}</div>`,
  );
}

function outcomesSection(input: ReportInput): string {
  const { definition, runs } = input;
  const head = definition.outcomes
    .map(
      (o) =>
        `<th>${escapeHtml(o.label)}${o.units ? `<br><span class="note">${escapeHtml(o.units)}</span>` : ''}</th>`,
    )
    .join('');
  const rows = runs
    .map(
      (r) =>
        `<tr><td><b>${escapeHtml(r.name)}</b></td>${definition.outcomes
          .map((o) => `<td class="num">${formatNumber(r.outcomes[o.name]!)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  const names = definition.outcomes
    .map((o) => `<code>${escapeHtml(o.name)}</code> = ${escapeHtml(o.label)}`)
    .join('; ');
  return section(
    'outcomes',
    'Outcomes by policy',
    `<div class="scroll"><table><tr><th>policy</th>${head}</tr>\n${rows}\n</table></div><p class="note">Machine names (as in <code>--format json</code>): ${names}.</p>\n${changeFromBaseline(input)}`,
  );
}

/** Each policy's outcomes as a change from the baseline policy's, so that levers can be read off. */
function changeFromBaseline(input: ReportInput): string {
  const { definition, runs } = input;
  const base = runs.find((r) => r.name === definition.baseline);
  if (!base) return '';
  const outcomes = definition.outcomes.filter((o) => o.reduce !== 'time-of-max');
  const head = outcomes.map((o) => `<th>${escapeHtml(o.label)}</th>`).join('');
  const rows = runs
    .filter((r) => r !== base)
    .map((r) => {
      const cells = outcomes.map((o) => {
        const b = base.outcomes[o.name]!;
        const v = r.outcomes[o.name]!;
        const text = Math.abs(b) > 1e-9 ? percent((v - b) / Math.abs(b)) : 'n/a';
        return `<td class="num">${text}</td>`;
      });
      return `<tr><td><b>${escapeHtml(r.name)}</b></td>${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<h3>Change from the baseline (${escapeHtml(definition.baseline)})</h3>
<div class="scroll"><table><tr><th>policy</th>${head}</tr>\n${rows}\n</table></div>`;
}

function hindcastRowHtml(r: HindcastRow): string {
  const range =
    r.low !== undefined && r.high !== undefined ? ` (${formatNumber(r.low)}-${formatNumber(r.high)})` : '';
  const qualifier = r.qualifier ? `${r.qualifier} ` : '';
  const inRange = r.withinRange === undefined ? '' : r.withinRange ? ' (within range)' : '';
  return `<tr><td>${escapeHtml(r.asOf)}</td><td>${escapeHtml(r.source)}<br><span class="note">${escapeHtml(r.estimate)}; published ${escapeHtml(r.published ?? 'undated page')}</span></td><td>${escapeHtml(r.basis)}</td><td class="num">${escapeHtml(qualifier)}${formatNumber(r.reported)}${range}</td><td class="num">${formatNumber(r.model)}</td><td class="num">${formatNumber(r.error)}</td><td class="num">${percent(r.relativeError)}${inRange}</td><td>${r.role === 'test' ? 'test' : 'in-sample'}</td></tr>`;
}

function hindcastSection(input: ReportInput): string {
  const { definition, hindcast } = input;
  if (!definition.hindcast) return '';
  if (!hindcast || hindcast.rows.length === 0) {
    const why = input.notes?.length
      ? input.notes.map(escapeHtml).join(' ')
      : 'No estimates of the tracked quantities.';
    return section('hindcast', 'Hindcast', `<p class="note">${why}</p>`);
  }
  const h = definition.hindcast;
  const run = input.runs.find((r) => r.name === hindcast.scenario) ?? input.runs[0]!;
  const parts: string[] = [];
  parts.push(
    `<p>The <b>${escapeHtml(hindcast.scenario)}</b> run beside every reported estimate from ${escapeHtml(h.from)} to ${escapeHtml(h.to)}. Estimates published by ${escapeHtml(h.inSampleUntil)} could inform the initial values (<i>in-sample</i>); every later one <i>tests</i> the model, which was not fitted to it. Plans and capacities are shown but left out of the error summary: they are not counts. Sources disagree (Ukrainian casualty figures run several times above South Korean ones), so no single series is the truth.</p>`,
  );
  const summaryRows = hindcast.summaries
    .map(
      (s) =>
        `<tr><td><code>${escapeHtml(s.quantity)}</code></td><td><code>${escapeHtml(s.variable)}</code></td><td class="num">${s.count}</td><td class="num">${percent(s.medianRelativeError)}</td><td class="num">${Number.isFinite(s.medianAbsoluteRelativeError) ? (s.medianAbsoluteRelativeError * 100).toFixed(0) + '%' : 'n/a'}</td></tr>`,
    )
    .join('\n');
  parts.push(
    `<table><tr><th>quantity</th><th>model variable</th><th>test estimates (observed or assessed)</th><th>median error (model - reported)</th><th>median |error|</th></tr>\n${summaryRows}\n</table>`,
  );
  for (const { quantity, measure, variable } of hindcastStreams(h)) {
    const rows = hindcast.rows.filter((r) => r.quantity === quantity && r.measure === measure);
    if (rows.length === 0) continue;
    const stop = Math.max(...rows.map((r) => r.time)) + 1;
    const keep = run.time.map((t, i) => (t <= stop ? i : -1)).filter((i) => i >= 0);
    const bySeries = (role: 'in-sample' | 'test', counts: boolean): PointSeries => ({
      label: `${role}${counts ? '' : ' (plan or capacity)'}`,
      color: role === 'test' ? '#D55E00' : '#009E73',
      shape: counts ? 'circle' : 'square',
      hollow: !counts,
      points: rows
        .filter((r) => r.role === role && (r.basis === 'observed' || r.basis === 'assessed') === counts)
        .map((r) => ({
          x: r.time,
          y: r.reported,
          title: `${r.asOf} ${r.source}: ${formatNumber(r.reported)} (${r.basis})`,
        })),
    });
    const points = [
      bySeries('in-sample', true),
      bySeries('test', true),
      bySeries('in-sample', false),
      bySeries('test', false),
    ].filter((p) => p.points.length > 0);
    parts.push(
      lineChart(
        [
          {
            label: `model: ${variable}`,
            x: keep.map((i) => run.time[i]!),
            y: keep.map((i) => run.series[variable]![i]!),
            color: '#0072B2',
          },
        ],
        {
          title: `${quantity}${measure ? ` (${measure})` : ''}: model against reports`,
          xTicks: monthTicks(definition, stop).filter((t) => t <= stop),
          xTickLabel: (t) => dateLabel(definition, t),
        },
        points,
      ),
    );
    parts.push(
      `<table><tr><th>as of</th><th>source</th><th>basis</th><th>reported</th><th>model</th><th>error</th><th>relative</th><th>role</th></tr>\n${rows.map(hindcastRowHtml).join('\n')}\n</table>`,
    );
  }
  return section('hindcast', 'Hindcast: the model against what was reported', parts.join('\n'));
}

function estimatesCell(p: ParameterInfo, evidence?: EvidenceDocument): string {
  if (p.estimates.length === 0) return '';
  return p.estimates
    .map((id) => {
      const e = evidence ? estimateById(evidence, id) : undefined;
      if (!e) return `<code>${escapeHtml(id)}</code> <span class="bad">(not in the evidence file)</span>`;
      const source = evidence ? (sourceById(evidence, e.source)?.name ?? e.source) : e.source;
      return `<code>${escapeHtml(id)}</code>: ${formatNumber(centralValue(e))} ${escapeHtml(e.unit)} as of ${escapeHtml(e.asOf)}, ${escapeHtml(source)} (${escapeHtml(e.basis)})`;
    })
    .join('<br>');
}

function assumptionsSection(input: ReportInput): string {
  const ordered = [...input.parameters].sort(
    (a, b) =>
      Number(a.lever) - Number(b.lever) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  const rows = ordered
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code>${p.lever ? '<br><span class="note">policy lever</span>' : ''}</td><td class="num">${p.value === undefined ? '' : formatNumber(p.value)}</td><td>${escapeHtml(p.units ?? '')}</td><td>${escapeHtml(p.kind)}</td><td class="num">${formatNumber(p.range[0])} - ${formatNumber(p.range[1])}<br><span class="note">${escapeHtml(p.dist)}</span></td><td>${escapeHtml(p.claims.join(', '))}</td><td>${escapeHtml(p.source)}${p.estimates.length ? '<br>' + estimatesCell(p, input.evidence) : ''}</td></tr>`,
    )
    .join('\n');
  const sourced = input.parameters.filter((p) => p.kind === 'sourced').length;
  return section(
    'assumptions',
    'Assumptions and sources',
    `<p>${input.parameters.length} parameters: ${sourced} rest on reported figures (with the estimates they cite), the rest are assumptions whose range the exploratory analysis samples. Levers are set by the scenarios, not sampled.</p>
<table><tr><th>parameter</th><th>value</th><th>units</th><th>kind</th><th>range</th><th>claims</th><th>source or reason</th></tr>
${rows}
</table>`,
  );
}

function limitationsSection(input: ReportInput): string {
  const items = input.definition.limitations ?? [];
  if (items.length === 0) return '';
  return section(
    'limitations',
    'What the model leaves out',
    `<ul>${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('\n')}</ul>`,
  );
}

function answersSection(answers: readonly Answer[] | undefined): string {
  if (!answers?.length) return '';
  const items = answers
    .map(
      (a) =>
        `<h3>${escapeHtml(a.id)}. ${escapeHtml(a.question)}</h3>\n<p>${escapeHtml(a.answer)}</p>\n<p class="note">Claims ${a.claims.map(escapeHtml).join(', ')} (docs/claims.md)${a.status === 'pending' ? '; not computed yet' : ''}.</p>`,
    )
    .join('\n');
  return `<section id="answers"><h2>The answers</h2>\n<p class="note">From the headline ensemble over the posterior draws, the deep uncertainties and both readings of C11, and from the month-by-month forecasts (npm run case:numbers, npm run case:calibrate).</p>\n${items}</section>`;
}

export function renderReport(input: ReportInput): string {
  const { definition } = input;
  const nav = [
    ...(input.answers?.length ? [['answers', 'Answers']] : []),
    ['question', 'Question'],
    ['loops', 'Loops'],
    ['time-series', 'Time series'],
    ['outcomes', 'Outcomes'],
    ['hindcast', 'Hindcast'],
    ['assumptions', 'Assumptions'],
    ['limitations', 'Limitations'],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(definition.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(definition.title)}</h1>
<nav>${nav}</nav>
${answersSection(input.answers)}
${questionSection(input)}
${loopsSection(input.loops, diagramHtml(input))}
${chartsSection(input)}
${outcomesSection(input)}
${hindcastSection(input)}
${assumptionsSection(input)}
${limitationsSection(input)}
<footer class="note"><p>Generated by interlock from the case folder's model, policies (scenarios.json), parameters, loops and evidence files. Every number traces to a parameter above; change the files and regenerate.</p></footer>
</body>
</html>
`;
}
