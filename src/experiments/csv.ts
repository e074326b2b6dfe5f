/**
 * The lines of `results.csv`: one definition, used by the workers (which format the rows of
 * their chunks as they run them) and by the results writer (which formats the table from the
 * binary columns when a folder was resumed or interrupted). Both give the same bytes for a row.
 */
import type { ExperimentPlan } from './plan.js';
import { STATUS_NONFINITE, STATUS_OK } from './runner.js';

/** What the table's layout depends on: the same in a plan and in a folder's metadata.json. */
export interface CsvLayout {
  leverNames: readonly string[];
  inputNames: readonly string[];
  outcomeNames: readonly string[];
  policies: readonly { name: string; scenario?: string; levers: Record<string, number> }[];
  designRows: number;
}

/** The layout of the results.csv a plan gives (the same as its folder's metadata gives). */
export function csvLayoutOfPlan(plan: ExperimentPlan): CsvLayout {
  return {
    leverNames: plan.spec.levers.map((l) => l.name),
    inputNames: plan.inputNames,
    outcomeNames: plan.spec.outcomes.map((o) => o.name),
    policies: plan.policies,
    designRows: plan.designRows,
  };
}

const STATUS_NAMES = ['pending', 'ok', 'failed', 'nonfinite'];

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** A number as a cell: shortest round-trip text, empty for NaN (not run, or no value). */
export function csvNumber(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

export class CsvFormatter {
  /** Per policy: `,policy,scenario,lever...` (the cells after `run`). */
  private readonly policyCells: string[];
  private readonly nInputs: number;

  constructor(private readonly layout: CsvLayout) {
    this.policyCells = layout.policies.map(
      (p) =>
        ',' +
        [quote(p.name), quote(p.scenario ?? ''), ...layout.leverNames.map((l) => String(p.levers[l]))].join(
          ',',
        ),
    );
    this.nInputs = layout.inputNames.length;
  }

  header(): string {
    const l = this.layout;
    return ['run', 'policy', 'scenario', ...l.leverNames, ...l.inputNames, 'status', ...l.outcomeNames]
      .map(quote)
      .join(',');
  }

  /** The input cells of one row, each preceded by a comma (row-major `inputs` at `offset`). */
  inputCells(inputs: ArrayLike<number>, offset: number): string {
    let s = '';
    for (let d = 0; d < this.nInputs; d++) s += ',' + csvNumber(inputs[offset + d]!);
    return s;
  }

  /**
   * One line without its newline. `outcome(o)` gives outcome o's value; outcomes are written only
   * for runs that finished (ok or non-finite).
   */
  line(row: number, inputCells: string, status: number, outcome: (o: number) => number): string {
    const policy = Math.floor(row / this.layout.designRows);
    let s = String(row) + this.policyCells[policy]! + inputCells + ',' + (STATUS_NAMES[status] ?? 'pending');
    const finished = status === STATUS_OK || status === STATUS_NONFINITE;
    for (let o = 0; o < this.layout.outcomeNames.length; o++)
      s += ',' + (finished ? csvNumber(outcome(o)) : '');
    return s;
  }
}
