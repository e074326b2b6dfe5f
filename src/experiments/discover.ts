/**
 * Scenario discovery over an experiment table: select runs of interest with an expression,
 * then let PRIM find the box of inputs (uncertainties, levers, scenario) where they concentrate.
 */
import { compileExpression, type NameResolver } from './expr.js';
import { prim, type PrimOptions, type PrimResult } from './prim.js';
import { STATUS_OK } from './runner.js';
import type { ExperimentTable } from './table.js';

/** Names usable in expressions: outcomes, inputs, levers and `policy` (the policy's index). */
export function tableResolver(table: ExperimentTable): { resolve: NameResolver; known: () => string[] } {
  const leverNames = [...new Set(table.policyLevers.flatMap((l) => Object.keys(l)))];
  const resolve: NameResolver = (name) => {
    const o = table.outcomeNames.indexOf(name);
    if (o >= 0) {
      const col = table.outcomes[o];
      return (row) => col[row];
    }
    const i = table.inputNames.indexOf(name);
    if (i >= 0) {
      const col = table.inputs[i];
      return (row) => col[row];
    }
    if (leverNames.includes(name)) {
      return (row) => table.policyLevers[Math.floor(row / table.designRows)][name] ?? NaN;
    }
    if (name === 'policy') return (row) => Math.floor(row / table.designRows);
    return undefined;
  };
  return { resolve, known: () => [...table.outcomeNames, ...table.inputNames, ...leverNames, 'policy'] };
}

export interface DiscoveryResult extends PrimResult {
  where: string;
  /** Policy names when the scenario column was used (its values are indices into this list). */
  scenarioNames?: string[];
}

export function discover(
  table: ExperimentTable,
  where: string,
  options: PrimOptions & { policy?: number } = {},
): DiscoveryResult {
  const { resolve, known } = tableResolver(table);
  const expression = compileExpression(where, resolve, known);
  const rows: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    if (table.status[r] !== STATUS_OK) continue;
    if (options.policy !== undefined && Math.floor(r / table.designRows) !== options.policy) continue;
    rows.push(r);
  }
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const categorical: boolean[] = [];
  table.inputNames.forEach((name, i) => {
    names.push(name);
    columns.push(Float64Array.from(rows, (r) => table.inputs[i][r]));
    categorical.push(false);
  });
  if (options.policy === undefined) {
    const leverNames = [...new Set(table.policyLevers.flatMap((l) => Object.keys(l)))];
    for (const lever of leverNames) {
      const col = Float64Array.from(rows, (r) => table.policyLevers[Math.floor(r / table.designRows)][lever]);
      if (new Set(col).size > 1) {
        names.push(lever);
        columns.push(col);
        categorical.push(true);
      }
    }
  }
  const scenarios = [...new Set(table.policyScenarios.filter((s): s is string => s !== undefined))];
  let scenarioNames: string[] | undefined;
  if (options.policy === undefined && scenarios.length > 1) {
    scenarioNames = scenarios;
    names.push('scenario');
    columns.push(
      Float64Array.from(rows, (r) =>
        scenarios.indexOf(table.policyScenarios[Math.floor(r / table.designRows)] ?? ''),
      ),
    );
    categorical.push(true);
  }
  const y = Uint8Array.from(rows, (r) => (expression.evaluate(r) ? 1 : 0));
  const result = prim({ names, columns, categorical, y }, options);
  return { ...result, where, scenarioNames };
}
