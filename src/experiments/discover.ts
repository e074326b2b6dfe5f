/**
 * Scenario discovery over an experiment table: select runs of interest with an expression,
 * then let PRIM find the box of inputs (uncertainties, levers, scenario) where they concentrate.
 */
import { compileExpression, type NameResolver } from './expr.js';
import { prim, type PrimBox, type PrimOptions, type PrimResult } from './prim.js';
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

/** A box found by one PRIM pass, with the statistics of the data that pass saw. */
export interface FoundBox {
  box: PrimBox;
  quasiP: Record<string, number>;
  /** Runs and runs of interest left when this pass started. */
  runs: number;
  interest: number;
}

export interface DiscoveryResult extends PrimResult {
  where: string;
  /**
   * The chosen box of each pass (covering): the first is the chosen box of the trajectory above;
   * each later pass runs on the runs that no earlier box contains.
   */
  found: FoundBox[];
  /** Policy names when the scenario column was used (its values are indices into this list). */
  scenarioNames?: string[];
}

export function discover(
  table: ExperimentTable,
  where: string,
  options: PrimOptions & { policy?: number; boxes?: number } = {},
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
  const first = prim({ names, columns, categorical, y }, options);
  const found: FoundBox[] = [];
  const record = (result: PrimResult): void => {
    found.push({
      box: result.boxes[result.chosen],
      quasiP: result.quasiP,
      runs: result.totalRuns,
      interest: result.totalInterest,
    });
  };
  record(first);
  // Covering: remove the runs inside each box found and look again in the rest.
  let active = Uint32Array.from(rows, (_, i) => i);
  for (let pass = 1; pass < (options.boxes ?? 1); pass++) {
    const box = found[found.length - 1].box;
    if (box.resDim === 0) break;
    active = active.filter((i) => !insideBox(box, names, columns, i));
    let interest = 0;
    for (const i of active) interest += y[i];
    if (interest === 0 || active.length < 2) break;
    const result = prim(
      {
        names,
        columns: columns.map((c) => Float64Array.from(active, (i) => c[i])),
        categorical,
        y: Uint8Array.from(active, (i) => y[i]),
      },
      options,
    );
    if (result.boxes[result.chosen].resDim === 0) break;
    // A box none of whose restrictions is significant is noise, not a further scenario.
    const pValues = Object.values(result.quasiP);
    if (!pValues.some((p) => p <= (options.simplifyAlpha ?? 0.05))) break;
    record(result);
  }
  return { ...first, where, scenarioNames, found };
}

function insideBox(box: PrimBox, names: string[], columns: Float64Array[], i: number): boolean {
  for (const [name, [lo, hi]] of Object.entries(box.limits)) {
    const v = columns[names.indexOf(name)][i];
    if (v < lo || v > hi) return false;
  }
  for (const [name, cats] of Object.entries(box.categories)) {
    if (!cats.includes(columns[names.indexOf(name)][i])) return false;
  }
  return true;
}
