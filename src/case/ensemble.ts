/**
 * Small in-process ensembles over a case's experiment spec, for the case's headline numbers
 * (models/north-korea-russia/tools/numbers.ts and its drift test): the spec's design over its
 * uncertainties (deep ones, identifiable ones over their priors, structural switches), crossed
 * with its scenarios; the share of futures with an outcome, with a Wilson interval; regret and
 * satisficing per policy; and PRIM boxes that recur over several seeds. Pure (no Node).
 */
import type { CompiledModel } from '../simulate/types.js';
import { buildPlan } from '../experiments/plan.js';
import { drawIndex } from '../experiments/distributions.js';
import { prim, type PrimBox } from '../experiments/prim.js';
import type { ExperimentSpec, ScenarioDefinition } from '../experiments/spec.js';
import { valueAtTime } from '../experiments/reducers.js';

export interface Ensemble {
  inputNames: string[];
  /** One column per input, designRows long. */
  inputs: Float64Array[];
  discrete: boolean[];
  policies: string[];
  /** outcomes[policy][outcome] is a column of designRows values (same futures for every policy). */
  outcomes: Record<string, Record<string, Float64Array>>;
  designRows: number;
  /** For each group of joint draws (a posterior sample): the draw each future took. */
  draws: Record<string, Int32Array>;
}

/** Outcomes read at a time (reduce 'at') or as the maximum or final value of a variable. */
export interface EnsembleOutcome {
  name: string;
  variable: string;
  reduce: 'at' | 'max' | 'final';
  time?: number;
}

export function runEnsemble(
  compiled: CompiledModel,
  spec: ExperimentSpec,
  scenarios: ReadonlyMap<string, ScenarioDefinition>,
  outcomes: readonly EnsembleOutcome[],
  options: { samples: number; seed: number; saveStep?: number },
): Ensemble {
  const plan = buildPlan({ ...spec, seed: options.seed }, scenarios, options.samples);
  const rows = plan.designRows;
  const dims = plan.inputNames.length;
  const unit = new Float64Array(dims);
  const inputs = plan.inputNames.map(() => new Float64Array(rows));
  const draws: Record<string, Int32Array> = {};
  for (let r = 0; r < rows; r++) {
    plan.design.row(r, unit);
    for (let d = 0; d < dims; d++) {
      inputs[d]![r] = plan.distributions[d]!.quantile(unit[d]!);
      const u = plan.spec.uncertainties[d]!;
      if (u.dist === 'draws')
        (draws[u.group] ??= new Int32Array(rows))[r] = drawIndex(unit[d]!, u.values.length);
    }
  }
  const variables = [...new Set(outcomes.map((o) => o.variable))];
  const result: Ensemble['outcomes'] = {};
  const policies = plan.policies.map((p) => p.scenario ?? p.name);
  plan.policies.forEach((policy, k) => {
    const columns: Record<string, Float64Array> = {};
    for (const o of outcomes) columns[o.name] = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const overrides: Record<string, number> = {};
      plan.inputNames.forEach((name, d) => (overrides[name] = inputs[d]![r]!));
      Object.assign(overrides, policy.overrides);
      const run = compiled.run({ overrides, saveStep: options.saveStep ?? 0.25, vars: variables });
      for (const o of outcomes) {
        const xs = run.column(o.variable)!;
        let v: number;
        if (o.reduce === 'final') v = xs[xs.length - 1]!;
        else if (o.reduce === 'max') v = Math.max(...xs);
        else v = valueAtTime(run.time, xs, o.time!);
        columns[o.name]![r] = v;
      }
    }
    result[policies[k]!] = columns;
  });
  return {
    inputNames: [...plan.inputNames],
    inputs,
    discrete: plan.distributions.map((d) => d.discrete),
    policies,
    outcomes: result,
    designRows: rows,
    draws,
  };
}

/** Wilson score interval for a share k/n (z = 1.96 for 95%). */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** A restriction of one input in a PRIM box: which side was cut (or which categories kept). */
export interface Restriction {
  input: string;
  /** 'low' raises the lower bound, 'high' lowers the upper bound, 'categories' keeps some values. */
  side: 'low' | 'high' | 'categories';
  /** Bound or kept categories, from the first seed where it appeared. */
  value: number | number[];
}

export interface Recurrence extends Restriction {
  /** Seeds whose box restricts this input on this side. */
  seeds: number;
  of: number;
}

/** The restrictions of a box relative to the inputs' full ranges. */
export function restrictionsOf(
  box: PrimBox,
  ranges: Readonly<Record<string, [number, number]>>,
): Restriction[] {
  const out: Restriction[] = [];
  for (const [input, [low, high]] of Object.entries(box.limits)) {
    const full = ranges[input];
    if (!full) continue;
    if (low > full[0]) out.push({ input, side: 'low', value: low });
    if (high < full[1]) out.push({ input, side: 'high', value: high });
  }
  for (const [input, kept] of Object.entries(box.categories)) {
    out.push({ input, side: 'categories', value: [...kept].sort((a, b) => a - b) });
  }
  return out;
}

/**
 * How often each restriction recurs in the boxes found with different seeds. A restriction of
 * categories recurs only with the same categories kept. Sorted by how often, then by name.
 */
export function recurrences(
  boxes: readonly PrimBox[],
  ranges: Readonly<Record<string, [number, number]>>,
): Recurrence[] {
  const seen = new Map<string, Recurrence>();
  for (const box of boxes) {
    const keys = new Set<string>();
    for (const r of restrictionsOf(box, ranges)) {
      const key = `${r.input}\u0000${r.side}\u0000${r.side === 'categories' ? String(r.value) : ''}`;
      if (keys.has(key)) continue;
      keys.add(key);
      const entry = seen.get(key) ?? { ...r, seeds: 0, of: boxes.length };
      entry.seeds++;
      seen.set(key, entry);
    }
  }
  return [...seen.values()].sort(
    (a, b) => b.seeds - a.seeds || a.input.localeCompare(b.input) || a.side.localeCompare(b.side),
  );
}

/** PRIM's chosen box for the futures of one policy where `interest` holds. */
export function chosenBox(ensemble: Ensemble, interest: Uint8Array): PrimBox {
  const result = prim({
    names: ensemble.inputNames,
    columns: ensemble.inputs,
    categorical: ensemble.discrete,
    y: interest,
  });
  return result.boxes[result.chosen]!;
}
