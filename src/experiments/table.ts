/**
 * The plain (experiments, outcomes) table that every analysis function takes. No Node imports:
 * the browser builds the same table from fetched files and reuses the analysis.
 */
import type { SamplingMethod } from './samplers.js';
import type { OutcomeKind } from './spec.js';
import { STATUS_OK } from './runner.js';

export interface ExperimentTable {
  rows: number;
  /** Rows per policy (the design size); row r belongs to policy floor(r / designRows). */
  designRows: number;
  method: SamplingMethod;
  /** Sobol' designs: whether second-order rows are present. */
  secondOrder: boolean;
  inputNames: string[];
  /** One column per uncertain input. */
  inputs: Float64Array[];
  /** Whether an input is discrete (integer or categorical). */
  inputDiscrete: boolean[];
  policyNames: string[];
  /** Lever values per policy (for PRIM and reports). */
  policyLevers: Record<string, number>[];
  policyScenarios: (string | undefined)[];
  status: Uint8Array;
  outcomeNames: string[];
  outcomeKinds: OutcomeKind[];
  outcomes: Float64Array[];
}

export function policyOfRow(table: ExperimentTable, row: number): number {
  return Math.floor(row / table.designRows);
}

export function outcomeColumn(table: ExperimentTable, name: string): Float64Array {
  const i = table.outcomeNames.indexOf(name);
  if (i < 0) throw new Error(`unknown outcome '${name}' (known: ${table.outcomeNames.join(', ')})`);
  return table.outcomes[i];
}

/** Rows that ran successfully. */
export function okRows(table: ExperimentTable): number {
  let n = 0;
  for (let i = 0; i < table.rows; i++) if (table.status[i] === STATUS_OK) n++;
  return n;
}
