/**
 * An experiment plan: the spec made concrete. Rows are numbered policy-major: row
 * r = policy * designRows + sample, so every policy meets exactly the same sampled futures
 * (common random numbers), which regret and paired comparisons rely on.
 */
import { makeDistribution, type Distribution } from './distributions.js';
import {
  factorialDesign,
  latinHypercubeDesign,
  monteCarloDesign,
  morrisDesign,
  saltelliDesign,
  type UnitDesign,
} from './samplers.js';
import { BudgetError, resolveBudgets, type Budgets } from '../model/budgets.js';
import { SpecError } from './spec-error.js';
import type { ExperimentSpec, ScenarioDefinition } from './spec.js';

export interface Policy {
  index: number;
  /** e.g. `escalation-management policy=1`; `base` when there are neither scenarios nor levers. */
  name: string;
  scenario?: string;
  levers: Record<string, number>;
  /** Parameter overrides of this policy: scenario overrides, then lever values (levers win). */
  overrides: Record<string, number>;
}

export interface ExperimentPlan {
  readonly spec: ExperimentSpec;
  readonly design: UnitDesign;
  readonly distributions: readonly Distribution[];
  readonly policies: readonly Policy[];
  readonly designRows: number;
  readonly rows: number;
  readonly inputNames: readonly string[];
}

/**
 * Design coordinates of the inputs: inputs of one `draws` group share a coordinate (so they take
 * the same draw); every other input has its own. Returns the coordinate of each input and the count.
 */
export function designColumns(spec: ExperimentSpec): { column: number[]; count: number } {
  const byGroup = new Map<string, number>();
  let count = 0;
  const column = spec.uncertainties.map((u) => {
    if (u.dist !== 'draws') return count++;
    let c = byGroup.get(u.group);
    if (c === undefined) {
      c = count++;
      byGroup.set(u.group, c);
    }
    return c;
  });
  return { column, count };
}

/** A design over the shared coordinates, widened to one column per input. */
function groupedDesign(inner: UnitDesign, column: readonly number[]): UnitDesign {
  const scratch = new Float64Array(inner.dims);
  return {
    method: inner.method,
    rows: inner.rows,
    dims: column.length,
    row(index, out) {
      inner.row(index, scratch);
      for (let i = 0; i < column.length; i++) out[i] = scratch[column[i]];
    },
  };
}

export function makeDesign(spec: ExperimentSpec, distributions: readonly Distribution[]): UnitDesign {
  const { column, count } = designColumns(spec);
  if (count < spec.uncertainties.length) {
    // Only mc and lhs get here (the spec refuses draws with other methods).
    const inner =
      spec.method === 'mc'
        ? monteCarloDesign(spec.samples, count, spec.seed)
        : latinHypercubeDesign(spec.samples, count, spec.seed);
    return groupedDesign(inner, column);
  }
  const dims = spec.uncertainties.length;
  switch (spec.method) {
    case 'mc':
      return monteCarloDesign(spec.samples, dims, spec.seed);
    case 'lhs':
      return latinHypercubeDesign(spec.samples, dims, spec.seed);
    case 'sobol':
      return saltelliDesign(spec.samples, dims, spec.seed, spec.secondOrder);
    case 'morris':
      return morrisDesign(spec.samples, dims, spec.seed, spec.levels);
    case 'factorial': {
      const levels = spec.uncertainties.map((u) =>
        u.dist === 'categorical'
          ? u.values.length
          : u.dist === 'integer'
            ? Math.floor(u.high) - Math.ceil(u.low) + 1
            : spec.samples,
      );
      return factorialDesign(
        levels,
        distributions.map((d) => d.discrete),
      );
    }
  }
}

/** Rows the design of `spec` will have, computed without building it. */
export function designRowCount(spec: ExperimentSpec): number {
  const dims = spec.uncertainties.length;
  switch (spec.method) {
    case 'mc':
    case 'lhs':
      return spec.samples;
    case 'sobol':
      return spec.samples * (spec.secondOrder ? 2 * dims + 2 : dims + 2);
    case 'morris':
      return spec.samples * (dims + 1);
    case 'factorial':
      return spec.uncertainties.reduce(
        (n, u) =>
          n *
          (u.dist === 'categorical'
            ? u.values.length
            : u.dist === 'integer'
              ? Math.floor(u.high) - Math.ceil(u.low) + 1
              : spec.samples),
        1,
      );
  }
}

/**
 * Refuse, before anything is sampled or allocated, an experiment over the runs or
 * experimentCells budget (cells: runs x (inputs + outcomes); series outcomes are counted by
 * explore once the number of saved times is known).
 */
export function checkPlanBudgets(spec: ExperimentSpec, policies: number, budgets: Budgets): void {
  const runs = designRowCount(spec) * policies;
  if (runs > budgets.runs)
    throw new BudgetError(
      'runs',
      `the experiment's runs (${spec.method} design of ${spec.samples.toLocaleString('en-US')} samples x ${policies} policies)`,
      runs,
      budgets.runs,
    );
  const cells = runs * (spec.uncertainties.length + spec.outcomes.length + 1);
  if (cells > budgets.experimentCells)
    throw new BudgetError(
      'experimentCells',
      `the values kept by the experiment (${runs.toLocaleString('en-US')} runs x ${spec.uncertainties.length} inputs and ${spec.outcomes.length} outcomes)`,
      cells,
      budgets.experimentCells,
    );
}

export function buildPlan(
  spec: ExperimentSpec,
  scenarios?: ReadonlyMap<string, ScenarioDefinition>,
  samplesOverride?: number,
  budgets: Partial<Budgets> = {},
): ExperimentPlan {
  const effective = samplesOverride === undefined ? spec : { ...spec, samples: samplesOverride };
  const policyCount =
    Math.max(1, effective.scenarios.length) * effective.levers.reduce((n, l) => n * l.values.length, 1);
  checkPlanBudgets(effective, policyCount, resolveBudgets(budgets));
  const distributions = effective.uncertainties.map((u) => makeDistribution(u));
  const design = makeDesign(effective, distributions);

  const scenarioList: (string | undefined)[] = effective.scenarios.length ? effective.scenarios : [undefined];
  effective.scenarios.forEach((name, i) => {
    if (!scenarios?.has(name)) {
      const known = scenarios ? [...scenarios.keys()].join(', ') : '(no scenario file found)';
      throw new SpecError(`scenarios[${i}]`, `unknown scenario '${name}' (known: ${known})`);
    }
  });

  let leverCombos: Record<string, number>[] = [{}];
  for (const lever of effective.levers) {
    const next: Record<string, number>[] = [];
    for (const combo of leverCombos) for (const v of lever.values) next.push({ ...combo, [lever.name]: v });
    leverCombos = next;
  }

  const policies: Policy[] = [];
  for (const scenario of scenarioList) {
    for (const levers of leverCombos) {
      const overrides: Record<string, number> = { ...(scenario ? scenarios?.get(scenario)?.overrides : {}) };
      for (const lever of effective.levers) overrides[lever.variable] = levers[lever.name];
      const parts = [...(scenario ? [scenario] : []), ...Object.entries(levers).map(([k, v]) => `${k}=${v}`)];
      policies.push({
        index: policies.length,
        name: parts.length ? parts.join(' ') : 'base',
        scenario,
        levers,
        overrides,
      });
    }
  }
  return {
    spec: effective,
    design,
    distributions,
    policies,
    designRows: design.rows,
    rows: design.rows * policies.length,
    inputNames: effective.uncertainties.map((u) => u.name),
  };
}
