/**
 * Run every scenario of a case and reduce the results to the case's outcomes. Pure (no Node
 * imports): the CLI, the report and the browser workbench share it.
 */
import { hindcastStreams } from './hindcast.js';
import { ModelError } from '../model/errors.js';
import type { CompiledModel, Results } from '../simulate/types.js';
import {
  CaseError,
  type CaseDefinition,
  type CaseIssue,
  type OutcomeDefinition,
  type Scenario,
} from './definition.js';
import { formatNumber, formatValue } from '../format/number.js';
import { valueAtTime } from '../experiments/reducers.js';
import { canonicalName } from '../equations/names.js';
import { renderTextTable, TABLE_WIDTH } from '../format/table.js';

/** Names in any spelling (case, `_` or spaces) map to one key: the engine's rule. */
export { canonicalName };

export interface ScenarioRun {
  name: string;
  description: string;
  overrides: Record<string, number>;
  outcomes: Record<string, number>;
  /** Saved times of the run. */
  time: number[];
  /** Series by the variable names the case uses (as written in case.json). */
  series: Record<string, number[]>;
}

export interface CompareOptions {
  /** Save interval of the series (model time units); default 0.25. */
  saveStep?: number;
  /** Integration step; default the model's own. */
  dt?: number;
  /** Extra variables to keep in the series. */
  extraVariables?: string[];
}

/** Every variable the case refers to must exist in the model. */
export function checkCaseVariables(
  compiled: CompiledModel,
  definition: CaseDefinition,
  caseFile: string,
): void {
  const known = new Set(compiled.outputs.map((o) => canonicalName(o.name)));
  const issues: CaseIssue[] = [];
  const check = (variable: string, path: string): void => {
    if (!known.has(canonicalName(variable))) {
      issues.push({ file: caseFile, path, message: `unknown model variable '${variable}'` });
    }
  };
  definition.outcomes.forEach((o, i) => check(o.variable, `outcomes[${i}].variable`));
  definition.charts.forEach((c, i) => check(c.variable, `charts[${i}].variable`));
  for (const s of definition.hindcast ? hindcastStreams(definition.hindcast) : []) {
    check(s.variable, `hindcast.quantities.${s.quantity}${s.measure ? `.${s.measure}` : ''}`);
  }
  if (issues.length) throw new CaseError(issues);
}

/** Every override must name a parameter of the model (a constant or a stock's initial value). */
export function checkScenarioOverrides(
  compiled: { parameters: readonly { name: string }[] },
  scenarios: readonly Scenario[],
  scenarioFile: string,
): void {
  const known = new Set(compiled.parameters.map((p) => canonicalName(p.name)));
  const issues: CaseIssue[] = [];
  for (const s of scenarios) {
    for (const name of Object.keys(s.overrides)) {
      if (!known.has(canonicalName(name))) {
        issues.push({
          file: scenarioFile,
          path: `${s.name}.overrides.${name}`,
          message: `unknown parameter '${name}': not a constant or stock of the model`,
        });
      }
    }
  }
  if (issues.length) throw new CaseError(issues);
}

/** Reduce one saved series to a number; `at` is the project's one (src/experiments/reducers.ts). */
export function reduceOutcome(
  outcome: OutcomeDefinition,
  values: ArrayLike<number>,
  time: ArrayLike<number>,
): number {
  switch (outcome.reduce) {
    case 'final':
      return values[values.length - 1]!;
    case 'at':
      return valueAtTime(time, values, outcome.time!);
    case 'max':
    case 'time-of-max': {
      let best = 0;
      for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
      return outcome.reduce === 'max' ? values[best]! : time[best]!;
    }
  }
}

function seriesVariables(definition: CaseDefinition, extra: readonly string[]): string[] {
  const names = [
    ...definition.outcomes.map((o) => o.variable),
    ...definition.charts.map((c) => c.variable),
    ...(definition.hindcast ? hindcastStreams(definition.hindcast).map((s) => s.variable) : []),
    ...extra,
  ];
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = canonicalName(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Run one scenario (overrides on top of the model's own values). */
export function runScenario(
  compiled: CompiledModel,
  definition: CaseDefinition,
  scenario: Scenario,
  options: CompareOptions = {},
): ScenarioRun {
  const variables = seriesVariables(definition, options.extraVariables ?? []);
  let results: Results;
  try {
    results = compiled.run({
      overrides: scenario.overrides,
      saveStep: options.saveStep ?? 0.25,
      ...(options.dt !== undefined ? { dt: options.dt } : {}),
      vars: variables,
    });
  } catch (err) {
    if (err instanceof ModelError) {
      throw new CaseError([{ file: 'scenarios.json', path: scenario.name, message: err.message }]);
    }
    throw err;
  }
  const time = Array.from(results.time);
  const series: Record<string, number[]> = {};
  for (const v of variables) {
    const column = results.column(v);
    if (column) series[v] = Array.from(column);
  }
  const outcomes: Record<string, number> = {};
  for (const o of definition.outcomes) {
    outcomes[o.name] = reduceOutcome(o, series[o.variable] ?? [], time);
  }
  return {
    name: scenario.name,
    description: scenario.description,
    overrides: scenario.overrides,
    outcomes,
    time,
    series,
  };
}

/** Run every scenario in file order. */
export function compareScenarios(
  compiled: CompiledModel,
  definition: CaseDefinition,
  scenarios: readonly Scenario[],
  options: CompareOptions = {},
): ScenarioRun[] {
  return scenarios.map((s) => runScenario(compiled, definition, s, options));
}

/** `{"scenarios": [{"name", "description", "overrides", "outcomes"}]}` */
export function comparisonJson(runs: readonly ScenarioRun[]): string {
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return (
    JSON.stringify(
      {
        scenarios: runs.map((r) => ({
          name: r.name,
          description: r.description,
          overrides: r.overrides,
          outcomes: Object.fromEntries(Object.entries(r.outcomes).map(([k, v]) => [k, finite(v)])),
        })),
      },
      null,
      2,
    ) + '\n'
  );
}

/** A number for a table: the project's one formatter (src/format/number.ts). */
export { formatNumber };

/** A plain-text table: one row per scenario, one column per outcome, within `width` columns. */
export function comparisonTable(
  definition: CaseDefinition,
  runs: readonly ScenarioRun[],
  width = TABLE_WIDTH,
): string {
  const header = ['policy', ...definition.outcomes.map((o) => o.name)];
  const rows = runs.map((r) => [
    r.name,
    ...definition.outcomes.map((o) => formatValue(r.outcomes[o.name]!, o.units)),
  ]);
  const legend = definition.outcomes.map((o) => `  ${o.name}: ${o.label}${o.units ? ` (${o.units})` : ''}`);
  return (
    renderTextTable(header, rows, { width, maxCell: 12 }) + ['', 'Outcomes:', ...legend].join('\n') + '\n'
  );
}
