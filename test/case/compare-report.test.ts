/**
 * The comparison, the hindcast and the report: known answers on small inputs, the shape of the
 * real case's output, and the CLI's handling of good and bad case folders.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyseCase, caseReport } from '../../src/case/analysis.js';
import { caseDiagramLayout } from '../../src/case/diagram.js';
import {
  comparisonJson,
  comparisonTable,
  formatNumber,
  reduceOutcome,
  type ScenarioRun,
} from '../../src/case/compare.js';
import { CaseError, type CaseDefinition } from '../../src/case/definition.js';
import { computeHindcast, hindcastStreams, valueAt } from '../../src/case/hindcast.js';
import { loadCase } from '../../src/case/load.js';
import { validateEvidence, type EvidenceDocument } from '../../src/evidence/data.js';

const CASE_DIR = 'models/north-korea-russia';
const SCENARIOS = [
  'escalation-management',
  'interdiction',
  'area-munitions',
  'information-campaign',
  'interdiction-munitions',
  'interdiction-information',
  'munitions-information',
  'combined-deterrence',
  'no-western-response',
];

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function caseCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'interlock-case-'));
  temporary.push(dir);
  for (const f of [
    'model.xmile',
    'case.json',
    'scenarios.json',
    'parameters.json',
    'loops.json',
    'evidence.json',
  ]) {
    copyFileSync(join(CASE_DIR, f), join(dir, f));
  }
  return dir;
}

function cli(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('reducers and interpolation (known answers)', () => {
  const time = [0, 1, 2, 3, 4];
  const values = [0, 10, 30, 20, 5];
  it('reads at a time, the maximum, its time and the final value', () => {
    expect(reduceOutcome({ name: 'a', label: '', variable: 'x', reduce: 'at', time: 2 }, values, time)).toBe(
      30,
    );
    expect(reduceOutcome({ name: 'm', label: '', variable: 'x', reduce: 'max' }, values, time)).toBe(30);
    expect(reduceOutcome({ name: 't', label: '', variable: 'x', reduce: 'time-of-max' }, values, time)).toBe(
      2,
    );
    expect(reduceOutcome({ name: 'f', label: '', variable: 'x', reduce: 'final' }, values, time)).toBe(5);
    // A time off the saved grid is not silently rounded.
    expect(
      reduceOutcome({ name: 'a', label: '', variable: 'x', reduce: 'at', time: 9 }, values, time),
    ).toBeNaN();
  });
  it('interpolates linearly and clamps at the ends', () => {
    expect(valueAt(time, values, 1.5)).toBe(20);
    expect(valueAt(time, values, 3.2)).toBeCloseTo(17, 12);
    expect(valueAt(time, values, -1)).toBe(0);
    expect(valueAt(time, values, 10)).toBe(5);
  });
});

describe('number formatting for tables', () => {
  it('keeps small parameters visible and large counts readable', () => {
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0.0004)).toBe('< 0.001');
    expect(formatNumber(15.5)).toBe('15.5');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(-250)).toBe('-250');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('–');
  });
});

describe('hindcast (known answers on a synthetic run)', () => {
  const definition: CaseDefinition = {
    title: 't',
    question: 'q',
    startDate: '2024-10-01',
    daysPerTimeUnit: 30.4375,
    timeUnit: 'month',
    baseline: 'base',
    outcomes: [],
    charts: [],
  };
  const hindcast = {
    from: '2024-10-01',
    to: '2025-09-30',
    inSampleUntil: '2024-11-30',
    quantities: { 'nk.troops.in_russia': 'troops' },
  };
  // troops = 1000 per month, exactly.
  const time = Array.from({ length: 25 }, (_, i) => i);
  const run: ScenarioRun = {
    name: 'base',
    description: '',
    overrides: {},
    outcomes: {},
    time,
    series: { troops: time.map((t) => 1000 * t) },
  };
  const raw = {
    format: 'interlock-evidence',
    version: 1,
    sources: [{ id: 's', name: 'Source S', kind: 'government', reliability: 'B' }],
    reports: [
      { id: 'r1', source: 's', published: '2024-11-01', claim: 'early', credibility: 2 },
      { id: 'r2', source: 's', published: '2025-06-01', claim: 'late', credibility: 2 },
    ],
    estimates: [
      {
        id: 'e1',
        quantity: 'nk.troops.in_russia',
        value: 1000,
        unit: 'people',
        asOf: '2024-10-31',
        basis: 'observed',
        source: 's',
        report: 'r1',
      },
      {
        id: 'e2',
        quantity: 'nk.troops.in_russia',
        low: 4000,
        high: 8000,
        unit: 'people',
        asOf: '2025-03-02',
        basis: 'assessed',
        source: 's',
        report: 'r2',
      },
      {
        id: 'e3',
        quantity: 'nk.troops.in_russia',
        value: 20000,
        unit: 'people',
        asOf: '2025-05-31',
        basis: 'plan',
        source: 's',
        report: 'r2',
      },
      {
        id: 'e4',
        quantity: 'nk.troops.in_russia',
        value: 1,
        unit: 'people',
        asOf: '2026-05-31',
        basis: 'observed',
        source: 's',
        report: 'r2',
      },
    ],
    hypothesisSets: [],
    indicators: [],
    forecastQuestions: [],
  };
  const parsed = validateEvidence(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const doc: EvidenceDocument = parsed.document;
  const h = computeHindcast(definition, hindcast, run, doc);

  it('puts the model beside each estimate in the window, with the error', () => {
    expect(h.rows.map((r) => r.estimate)).toEqual(['e1', 'e2', 'e3']);
    const [e1, e2] = h.rows;
    expect(e1!.time).toBeCloseTo(30 / 30.4375, 12);
    expect(e1!.model).toBeCloseTo((1000 * 30) / 30.4375, 9);
    expect(e1!.error).toBeCloseTo(e1!.model - 1000, 9);
    expect(e1!.role).toBe('in-sample');
    expect(e2!.reported).toBe(6000);
    expect(e2!.model).toBeCloseTo((1000 * 152) / 30.4375, 9);
    expect(e2!.withinRange).toBe(true);
    expect(e2!.role).toBe('test');
    expect(e2!.source).toBe('Source S');
  });

  it('summarises only test estimates that are counts or assessments', () => {
    const s = h.summaries[0]!;
    expect(s.count).toBe(1);
    const expected = ((1000 * 152) / 30.4375 - 6000) / 6000;
    expect(s.medianRelativeError).toBeCloseTo(expected, 12);
    expect(s.medianAbsoluteRelativeError).toBeCloseTo(Math.abs(expected), 12);
  });
});

describe('the real case', () => {
  const loaded = loadCase(CASE_DIR);
  const analysis = analyseCase(loaded);

  it('compares every scenario with every outcome, as JSON', () => {
    const out = JSON.parse(comparisonJson(analysis.runs)) as {
      scenarios: { name: string; outcomes: Record<string, number | null> }[];
    };
    expect(out.scenarios.map((s) => s.name)).toEqual(SCENARIOS);
    const required = [
      'troops_m6',
      'troops_m12',
      'troops_m24',
      'peak_troops',
      'casualties_m24',
      'technology_m24',
      'mobilisation_pressure_m12',
    ];
    for (const s of out.scenarios) {
      for (const k of required) expect(typeof s.outcomes[k], `${s.name}.${k}`).toBe('number');
      expect(s.outcomes.peak_troops!).toBeGreaterThanOrEqual(s.outcomes.troops_m24!);
    }
  });

  it('prints a table with a row per scenario', () => {
    const lines = comparisonTable(loaded.definition, analysis.runs).split('\n');
    for (const name of SCENARIOS) expect(lines.some((l) => l.startsWith(name))).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    // troops are people: whole numbers with separators
    expect(lines.find((l) => l.startsWith('escalation-management'))).toMatch(/\d{1,2},\d{3}/);
    const wide = comparisonTable(loaded.definition, analysis.runs, Infinity);
    for (const o of loaded.definition.outcomes) expect(wide).toContain(o.name);
    expect(wide).not.toContain('left out');
  });

  it('hindcasts troops and casualties against the evidence file', () => {
    const rows = analysis.hindcast!.rows;
    const quantities = new Set(rows.map((r) => r.quantity));
    expect([...quantities].sort()).toEqual([
      'nk.casualties.killed',
      'nk.casualties.total',
      'nk.troops.in_russia',
    ]);
    expect(rows.every((r) => r.asOf >= '2024-10-01' && r.asOf <= '2025-09-30')).toBe(true);
    expect(rows.some((r) => r.role === 'in-sample') && rows.some((r) => r.role === 'test')).toBe(true);
  });

  it('writes a self-contained report with every section, chart and scenario', async () => {
    const html = caseReport(loaded, analysis, await caseDiagramLayout(loaded.compiled, loaded.definition));
    for (const id of [
      'question',
      'loops',
      'time-series',
      'outcomes',
      'hindcast',
      'assumptions',
      'limitations',
    ]) {
      expect(html, id).toContain(`<section id="${id}">`);
    }
    expect(html).toContain('Change from the baseline (escalation-management)');
    // The change table shows combined deterrence's troops at month 24 against the baseline's,
    // as the runs give it (well below: a large negative change).
    const troops24 = (name: string) => analysis.runs.find((r) => r.name === name)!.outcomes.troops_m24!;
    const change = troops24('combined-deterrence') / troops24('escalation-management') - 1;
    expect(change).toBeLessThan(-0.5);
    const combinedRow = html
      .split('\n')
      .filter((l) => l.includes('<b>combined-deterrence</b>'))
      .at(-1)!;
    expect(combinedRow).toContain(`>${(change * 100).toFixed(0)}%<`);
    const svgs = html.match(/<svg\b/g) ?? [];
    // One chart per case chart, one per hindcast stream (quantity and measure), and the diagram.
    const streams = hindcastStreams(loaded.definition.hindcast!);
    expect(streams.map((x) => x.measure)).toEqual([
      'present',
      'cumulative-sent',
      'killed-and-wounded',
      'killed',
    ]);
    expect(svgs.length).toBe(loaded.definition.charts.length + streams.length + 1);
    const diagram = html.slice(
      html.indexOf("<h3>The model's diagram</h3>"),
      html.indexOf('<section id="time-series">'),
    );
    const stocks = loaded.compiled.model.variables.filter((v) => v.kind === 'stock').length;
    expect((diagram.match(/<g class="node stock/g) ?? []).length).toBe(stocks);
    // Laid out by sector, with labels at the workbench's size (13 px at the drawing's own size).
    for (const sector of loaded.definition.sectors!)
      expect(diagram).toContain(`>${sector.name.replace("'", '&#39;')}<`);
    expect(diagram).toContain('font-size="13"');
    for (const name of SCENARIOS) expect(html).toContain(name);
    for (const p of loaded.parameters) expect(html).toContain(p.name);
    for (const l of loaded.loops) expect(html).toContain(`>${l.id}<`);
    // Nothing loaded from elsewhere: no src attribute at all, only in-page links.
    expect(html).not.toMatch(/\ssrc\s*=/i);
    const hrefs = [...html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => !h.startsWith('#'))).toEqual([]);
    // url(#id) refers inside the page (an arrow marker); any other url( would load something.
    expect(html).not.toMatch(/<script|<link|@import|url\((?!#)/i);
  });
});

describe('interlock compare (CLI)', () => {
  it('prints JSON for every scenario and writes the report', () => {
    const dir = caseCopy();
    const report = join(dir, 'report.html');
    const r = cli('compare', dir, '--format', 'json', '--report', report);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { scenarios: { name: string }[] };
    expect(out.scenarios.map((s) => s.name)).toEqual(SCENARIOS);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('<section id="hindcast">');
  });

  it('rejects a missing directory with exit 1 and no stack trace', () => {
    const r = cli('compare', 'models/no-such-case');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('models/no-such-case');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a missing scenarios file', () => {
    const dir = caseCopy();
    rmSync(join(dir, 'scenarios.json'));
    const r = cli('compare', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('scenarios.json');
    expect(r.stderr).toContain('missing');
  });

  it('names an unknown override by scenario and parameter', () => {
    const dir = caseCopy();
    const scenarios = JSON.parse(readFileSync(join(dir, 'scenarios.json'), 'utf8')) as Record<
      string,
      { overrides: Record<string, number> }
    >;
    scenarios.interdiction!.overrides.interdiction_levr = 1;
    writeFileSync(join(dir, 'scenarios.json'), JSON.stringify(scenarios));
    const r = cli('compare', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('interdiction.overrides.interdiction_levr');
    expect(r.stderr).toContain("unknown parameter 'interdiction_levr'");
  });

  it('locates a JSON syntax error by line and column', () => {
    const dir = caseCopy();
    writeFileSync(join(dir, 'case.json'), '{\n  "title": "x",\n  oops\n}\n');
    const r = cli('compare', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/case\.json:3:\d+: .*not valid JSON/);
  });

  it('rejects an unknown format as bad usage (exit 2)', () => {
    const r = cli('compare', CASE_DIR, '--format', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format');
  });

  // `npm start` runs the compiled library (dist/, built by `npm install` and by `npm test`); it then
  // serves the workbench, which --report-only skips.
  it.skipIf(!existsSync('dist/case/load.js'))(
    'npm start -- --report-only prints the comparison and writes the report here',
    () => {
      const cwd = mkdtempSync(join(tmpdir(), 'interlock-start-'));
      temporary.push(cwd);
      const r = spawnSync(process.execPath, [join(process.cwd(), 'scripts', 'start.js'), '--report-only'], {
        cwd,
        encoding: 'utf8',
      });
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(0);
      for (const name of SCENARIOS) expect(r.stdout).toContain(name);
      expect(r.stdout).toContain('interlock-report.html');
      expect(readFileSync(join(cwd, 'interlock-report.html'), 'utf8')).toContain(
        '<section id="assumptions">',
      );
    },
  );

  it('library errors are CaseErrors with every issue', () => {
    expect(() => loadCase('package.json')).toThrow(CaseError);
  });
});
