/**
 * A self-contained HTML report of an experiment (inline SVG, no scripts from anywhere, no
 * network): fan charts of series outcomes per policy, scatter plots of inputs against an
 * outcome, the PRIM trade-off curve and chosen box, sensitivity bars, and policy robustness.
 * Pure: takes data, returns a string, so the browser workbench can produce the same page.
 */
import type { DiscoveryResult } from './discover.js';
import type { PolicyRobustness } from './robustness.js';
import { FAN_LABELS, fanBands, shownTimes } from './fan.js';
import { barsSvg, lineChartSvg, PALETTE, scatterSvg, type ScatterPoint } from '../chart/kit.js';
import type { MorrisResult, SensitivityReport, SobolResult } from './sensitivity.js';
import type { ResultsMetadata } from './store.js';
import type { ExperimentTable } from './table.js';
import { STATUS_OK } from './runner.js';
import { spearman } from '../stats/rank.js';
import { formatNumber, formatPValue } from '../format/number.js';

export interface ReportData {
  title: string;
  meta: ResultsMetadata;
  table: ExperimentTable;
  times: number[];
  /** Series outcomes: per policy a row-major (runs x times) sample of runs. */
  series: { name: string; policies: { rows: number; values: Float64Array }[] }[];
  sensitivity?: SensitivityReport;
  discovery?: DiscoveryResult;
  robustness?: PolicyRobustness[];
  /** Outcome for the scatter plots; default the first scalar outcome. */
  scatterOutcome?: string;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const num = formatNumber;

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

function fanCharts(data: ReportData): string {
  const { times } = data;
  if (!data.series.length || !times.length) return '';
  const out: string[] = [
    '<h2>Outcomes over time</h2><p>Median (line), 25–75% (dark band) and 5–95% (light band) of the runs of each policy.</p>',
  ];
  for (const s of data.series) {
    const shown = shownTimes(times.length);
    const bands = s.policies.map(({ rows, values }) => fanBands(values, rows, times.length, shown));
    const [lo, hi] = extent(bands.flat(2));
    out.push(`<h3>${esc(s.name)}</h3><div class="grid">`);
    s.policies.forEach((_, p) => {
      const colour = PALETTE[p % PALETTE.length]!;
      const x = shown.map((t) => times[t]!);
      const level = (k: number) => bands[p]!.map((b) => b[k]!);
      out.push(
        lineChartSvg({
          title: data.table.policyNames[p]!,
          width: 360,
          height: 240,
          xLabel: 'time',
          titleInside: true,
          // One y axis for every policy of an outcome, so the panels compare at a glance.
          lines: [{ label: FAN_LABELS[2], x, y: level(2), color: colour }],
          bands: [
            { label: FAN_LABELS[0], x, lo: level(0), hi: level(4), color: colour, opacity: 0.18 },
            { label: FAN_LABELS[1], x, lo: level(1), hi: level(3), color: colour, opacity: 0.35 },
          ],
          yDomain: [lo, hi],
        }),
      );
    });
    out.push('</div>');
  }
  return out.join('\n');
}

function scatterPlots(data: ReportData): string {
  const { table } = data;
  const outcome = data.scatterOutcome
    ? table.outcomeNames.indexOf(data.scatterOutcome)
    : table.outcomeNames.findIndex((_, o) => !data.meta.outcomes[o]?.series);
  const o = outcome >= 0 ? outcome : 0;
  if (!table.inputNames.length || !table.outcomeNames.length) return '';
  const y = table.outcomes[o];
  const rows: number[] = [];
  const step = Math.max(1, Math.floor(table.rows / 1500));
  for (let r = 0; r < table.rows; r += step)
    if (table.status[r] === STATUS_OK && Number.isFinite(y[r])) rows.push(r);
  // Show the inputs most correlated (by rank) with the outcome first.
  const ys = rows.map((r) => y[r]);
  const correlation = (xs: number[]): number => spearman(xs, ys);
  const inputs = table.inputNames
    .map((name, i) => ({ name, i, rho: correlation(rows.map((r) => table.inputs[i][r])) }))
    .sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho))
    .slice(0, 12);
  const yDomain = extent(rows.map((r) => y[r]));
  const out = [
    `<h2>Inputs against ${esc(table.outcomeNames[o])}</h2><p>${rows.length} runs shown; inputs ordered by |Spearman ρ|; colour = policy.</p><div class="grid">`,
  ];
  for (const { name, i, rho } of inputs) {
    const points: ScatterPoint[] = rows.map((r) => ({
      x: table.inputs[i][r],
      y: y[r],
      color: PALETTE[Math.floor(r / table.designRows) % PALETTE.length],
    }));
    out.push(
      scatterSvg(`${name} (ρ = ${rho.toFixed(2)})`, name, table.outcomeNames[o], points, {
        width: 340,
        height: 220,
        // One y axis for every input of the outcome, so the panels compare at a glance.
        yDomain,
        radius: 1.6,
        opacity: 0.5,
        titleInside: true,
      }),
    );
  }
  out.push('</div>', legend(table.policyNames));
  return out.join('\n');
}

function legend(names: string[]): string {
  return `<p class="legend">${names.map((n, i) => `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(n)}</span>`).join(' ')}</p>`;
}

function primSection(data: ReportData): string {
  const d = data.discovery;
  if (!d) return '';
  const chosen = d.boxes[d.chosen];
  // Darker points restrict more inputs; the chosen box is highlighted.
  const maxRes = Math.max(1, ...d.boxes.map((b) => b.resDim));
  const points: ScatterPoint[] = d.boxes.map((b, i) => {
    const shade = Math.round(200 - (150 * b.resDim) / maxRes);
    return {
      x: b.coverage,
      y: b.density,
      color: i === d.chosen ? PALETTE[1] : `rgb(${shade},${shade},255)`,
      stroke: i === d.chosen ? undefined : '#335',
      big: i === d.chosen,
      title: `box ${i}: coverage ${num(b.coverage)}, density ${num(b.density)}, ${b.resDim} restricted`,
    };
  });
  const curve = scatterSvg('coverage–density trade-off', 'coverage', 'density', points, {
    width: 380,
    height: 300,
    xDomain: [0, 1],
    yDomain: [0, 1],
    radius: 3.5,
    opacity: 1,
    titleInside: true,
  });
  // The chosen box drawn as ranges within each restricted input's full range.
  const restricted = Object.entries(chosen.limits);
  const rowsHtml = restricted.map(([name, [lo, hi]]) => {
    const i = data.table.inputNames.indexOf(name);
    const full = i >= 0 ? extent(data.table.inputs[i]) : [lo, hi];
    const span = full[1] - full[0] || 1;
    const left = ((lo - full[0]) / span) * 100;
    const width = ((hi - lo) / span) * 100;
    return `<tr><td>${esc(name)}</td><td class="bar"><div style="margin-left:${left.toFixed(1)}%;width:${Math.max(0.5, width).toFixed(1)}%"></div></td><td>${num(lo)} – ${num(hi)}</td><td>${num(full[0])} – ${num(full[1])}</td><td>${formatPValue(d.quasiP[name])}</td></tr>`;
  });
  for (const [name, cats] of Object.entries(chosen.categories)) {
    const labels =
      name === 'scenario' && d.scenarioNames ? cats.map((c) => d.scenarioNames![c]) : cats.map(String);
    rowsHtml.push(
      `<tr><td>${esc(name === 'scenario' ? 'policy' : name)}</td><td colspan="3">${esc(labels.join(', '))}</td><td>${formatPValue(d.quasiP[name])}</td></tr>`,
    );
  }
  return `<h2>Scenario discovery</h2>
<p>Runs of interest: <code>${esc(d.where)}</code>: ${d.totalInterest} of ${d.totalRuns} runs. PRIM peeling and pasting; darker points restrict more inputs; the chosen box (large, outlined) has coverage ${num(chosen.coverage)}, density ${num(chosen.density)}, mass ${num(chosen.mass)}.</p>
<div class="grid">${curve}
<table class="box"><tr><th>input</th><th>box within range</th><th>box</th><th>range</th><th>quasi-p</th></tr>${rowsHtml.join('')}</table></div>`;
}

function sensitivitySection(data: ReportData): string {
  const report = data.sensitivity;
  if (!report) return '';
  const entry = report.byPolicy[0];
  const out = [
    `<h2>Sensitivity (${report.method === 'sobol' ? "Sobol' first and total order" : 'Morris μ*'})</h2><p>Policy: ${esc(entry.policy)}.</p><div class="grid">`,
  ];
  for (const [outcome, r] of Object.entries(entry.outcomes)) {
    // Bars from the kit, largest first (whole labels, one scale).
    const items =
      report.method === 'sobol'
        ? r.names.map((name: string, j: number) => {
            const q = r as SobolResult;
            return {
              label: name,
              value: q.ST[j],
              inner: q.S1[j],
              title: `${name}: ST ${num(q.ST[j])} ± ${num(q.ST_conf[j])}, S1 ${num(q.S1[j])} ± ${num(q.S1_conf[j])}`,
            };
          })
        : r.names.map((name: string, j: number) => {
            const m = r as MorrisResult;
            return {
              label: name,
              value: m.muStar[j],
              title: `${name}: mu* ${num(m.muStar[j])}, sigma ${num(m.sigma[j])}`,
            };
          });
    out.push(
      barsSvg(outcome, items, {
        width: 580,
        limit: items.length,
        max: report.method === 'sobol' ? 1 : undefined,
        format: num,
        titleInside: true,
      }),
    );
  }
  out.push('</div>');
  if (report.method === 'sobol')
    out.push(
      `<p class="legend"><span><i style="background:${PALETTE[0]}"></i>first order S1</span> <span><i style="background:${PALETTE[5]}"></i>total order ST</span></p>`,
    );
  return out.join('\n');
}

function robustnessSection(data: ReportData): string {
  const r = data.robustness;
  if (!r) return '';
  const { table } = data;
  const scalar = table.outcomeNames.filter((_, o) => !data.meta.outcomes[o]?.series);
  const header = `<tr><th>policy</th><th>runs</th><th>failed</th>${r.some((p) => p.satisficing !== undefined) ? '<th>satisficing</th>' : ''}${scalar.map((n) => `<th>${esc(n)}<br><small>p10 / median / p90</small></th>`).join('')}</tr>`;
  const rows = r.map(
    (p) =>
      `<tr><td>${esc(p.policy)}</td><td>${p.runs}</td><td>${p.failed}</td>${p.satisficing !== undefined ? `<td>${num(p.satisficing)}</td>` : r.some((q) => q.satisficing !== undefined) ? '<td></td>' : ''}${scalar
        .map((n) => {
          const o = p.outcomes[n];
          const regret = o.regret ? `<br><small>regret p90 ${num(o.regret.p90)}</small>` : '';
          return `<td>${num(o.p10)} / <b>${num(o.p50)}</b> / ${num(o.p90)}${regret}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<h2>Policies across futures</h2><div class="scroll"><table>${header}${rows.join('')}</table></div>`;
}

export function buildReport(data: ReportData): string {
  const { meta } = data;
  const info: [string, string][] = [
    ['spec', meta.specFile ?? ''],
    ['model', meta.modelFile ?? meta.spec.model],
    ['model sha256', meta.modelHash.slice(0, 16) + '…'],
    ['method', `${meta.method}, ${meta.spec.samples} samples, seed ${meta.seed}`],
    ['runs', `${meta.completedRuns} of ${meta.rows} (${meta.failedRuns} failed), ${meta.state}`],
    ['policies', String(meta.policies.length)],
    ['interlock', meta.interlockVersion],
    ['created', meta.createdAt],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{font-size:20px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
svg{margin:4px}
.grid{display:flex;flex-wrap:wrap;align-items:flex-start}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.meta td:first-child{color:#666}.bar{width:180px}.bar div{height:10px;background:#d62728}
.legend span{margin-right:12px;white-space:nowrap}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.scroll{overflow-x:auto}small{color:#666}
</style></head><body>
<h1>${esc(data.title)}</h1>
<table class="meta">${info.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
${robustnessSection(data)}
${fanCharts(data)}
${primSection(data)}
${sensitivitySection(data)}
${scatterPlots(data)}
</body></html>
`;
}
