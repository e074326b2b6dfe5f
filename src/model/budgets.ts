/**
 * Resource budgets: the one place that says how large a model, a run or an experiment may grow
 * before the engine refuses it. Every budget is checked before the memory it guards is
 * allocated, and an exceeded budget is an error that names the budget and how to raise it
 * (`--budget NAME=N` on the command line, the `budgets` option of the library calls).
 */
import { ModelError } from './errors.js';
import type { Diagnostic, SourceLocation } from './types.js';

export interface Budgets {
  /** Elements of all variables after array expansion, internal slots (delay stages) included. */
  elements: number;
  /** Stages of one DELAYN / SMTHN. */
  delayOrder: number;
  /** Integration steps of one run. */
  steps: number;
  /** Values a run keeps: saved rows x saved variables (and step histories for DELAY). */
  savedCells: number;
  /** Runs of one experiment (samples x policies). */
  runs: number;
  /** Values an experiment keeps: runs x (inputs + outcomes, a series outcome counting its times). */
  experimentCells: number;
  /** Worker threads of one experiment; 0 means the machine's cores. */
  workers: number;
}

export const DEFAULT_BUDGETS: Readonly<Budgets> = Object.freeze({
  elements: 200_000,
  delayOrder: 1_000,
  steps: 50_000_000,
  savedCells: 25_000_000,
  runs: 10_000_000,
  experimentCells: 100_000_000,
  workers: 0,
});

export const BUDGET_HELP: Readonly<Record<keyof Budgets, string>> = Object.freeze({
  elements: 'expanded elements of a model (arrays, delay stages)',
  delayOrder: 'order of one DELAYN/SMTHN',
  steps: 'integration steps of one run',
  savedCells: 'saved values of one run (rows x variables)',
  runs: 'runs of one experiment',
  experimentCells: 'values kept by one experiment (runs x inputs and outcomes)',
  workers: 'worker threads (0: the number of cores)',
});

export const BUDGET_NAMES = Object.keys(DEFAULT_BUDGETS) as (keyof Budgets)[];

/** The defaults with the given budgets replacing them. */
export function resolveBudgets(partial: Partial<Budgets> = {}): Budgets {
  return { ...DEFAULT_BUDGETS, ...partial };
}

/**
 * Parse `NAME=N` items (the `--budget` flag). Returns the message of the first bad item as
 * `error` rather than throwing, so that each shell reports it in its own way.
 */
export function parseBudgetItems(items: string[]): { budgets: Partial<Budgets>; error?: string } {
  const budgets: Partial<Budgets> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim();
    const known = BUDGET_NAMES.find((n) => n.toLowerCase() === name.toLowerCase().replace(/[-_]/g, ''));
    if (!known) {
      return { budgets, error: `--budget: unknown budget '${name}' (known: ${BUDGET_NAMES.join(', ')})` };
    }
    const value = Number(eq < 0 ? '' : item.slice(eq + 1).trim());
    if (!Number.isInteger(value) || value < (known === 'workers' ? 0 : 1)) {
      return { budgets, error: `--budget ${known} expects a whole number >= 1, got '${item.slice(eq + 1)}'` };
    }
    budgets[known] = value;
  }
  return { budgets };
}

/** The message of an exceeded budget: what, how much, the limit, and how to raise it. */
export function budgetMessage(name: keyof Budgets, what: string, amount: number, limit: number): string {
  return (
    `${what} comes to ${amount.toLocaleString('en-US')}, over the '${name}' budget of ` +
    `${limit.toLocaleString('en-US')} (${BUDGET_HELP[name]}); raise it with --budget ${name}=N`
  );
}

/** A diagnostic of an exceeded budget, located where known. */
export function budgetDiagnostic(
  name: keyof Budgets,
  what: string,
  amount: number,
  limit: number,
  loc?: SourceLocation,
  variable?: string,
): Diagnostic {
  return {
    severity: 'error',
    code: 'budget-exceeded',
    message: budgetMessage(name, what, amount, limit),
    file: loc?.file,
    line: loc?.line,
    column: loc?.column,
    variable,
  };
}

/** Raised where a budget is exceeded inside a library call (run planning, experiments). */
export class BudgetError extends ModelError {
  override name = 'BudgetError';
  constructor(
    readonly budget: keyof Budgets,
    what: string,
    amount: number,
    limit: number,
    loc?: SourceLocation,
  ) {
    const d = budgetDiagnostic(budget, what, amount, limit, loc);
    super(d.message, [d]);
  }
}
