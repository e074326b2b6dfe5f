/**
 * A history match of an ensemble whose calibrated parameters come from a posterior sample drawn
 * with the other inputs (deep uncertainties, structural switches) at their defaults: each future
 * is weighted by how much better or worse its other inputs reproduce the evidence than the
 * defaults did, w = L(theta, phi) / L(theta, phi0). With theta ~ p(theta | data, phi0) and phi from
 * its own distribution, the weighted futures follow p(theta, phi | data) up to the usual
 * importance-sampling error (the effective sample size says how much is left). Pure: the caller
 * loads the calibration.
 */
import type { Ensemble } from '../case/ensemble.js';
import { Problem, type ProblemDefinition } from './problem.js';

export interface HistoryMatch {
  /** One weight per future (design row); the largest is 1. */
  weights: Float64Array;
  /** Futures whose run failed or whose inputs cannot meet a censored row: weight 0. */
  rejected: number;
}

/**
 * Weigh the futures of `ensemble`: `draws` is the posterior sample (every vector entry of
 * `definition`, biases included) the ensemble's `group` took its calibrated parameters from.
 */
export function historyMatch(
  definition: ProblemDefinition,
  draws: Readonly<Record<string, readonly number[]>>,
  ensemble: Ensemble,
  group = 'posterior',
): HistoryMatch {
  const index = ensemble.draws[group];
  if (!index) throw new RangeError(`the ensemble has no joint draws of group '${group}'`);
  const calibrated = definition.entries.map((e) => {
    const column = draws[e.name];
    if (!column) throw new RangeError(`the posterior sample has no column '${e.name}'`);
    return column;
  });
  const known = new Set(definition.entries.map((e) => e.name));
  // The other inputs become model entries of the same problem.
  const others = ensemble.inputNames.map((name, d) => ({ name, d })).filter(({ name }) => !known.has(name));
  const widened: ProblemDefinition = {
    ...definition,
    entries: [
      ...definition.entries,
      ...others.map(({ name }) => ({
        name,
        kind: 'model' as const,
        variable: name,
        field: `inputs.${name}`,
      })),
    ],
  };
  const atDefaults = new Problem(definition);
  const withInputs = new Problem(widened);
  const n = ensemble.designRows;
  const logWeights = new Float64Array(n);
  const x0 = new Float64Array(definition.entries.length);
  const x1 = new Float64Array(widened.entries.length);
  let rejected = 0;
  for (let r = 0; r < n; r++) {
    const k = index[r]!;
    calibrated.forEach((column, j) => {
      x0[j] = column[k]!;
      x1[j] = column[k]!;
    });
    others.forEach(({ d }, i) => (x1[definition.entries.length + i] = ensemble.inputs[d]![r]!));
    const l1 = withInputs.logLikelihood(x1);
    const l0 = atDefaults.logLikelihood(x0);
    const lw = l1 - l0;
    if (!Number.isFinite(l1) || !Number.isFinite(l0)) {
      logWeights[r] = -Infinity;
      rejected++;
    } else logWeights[r] = lw;
  }
  let max = -Infinity;
  for (const lw of logWeights) if (lw > max) max = lw;
  const weights = Float64Array.from(logWeights, (lw) => (lw === -Infinity ? 0 : Math.exp(lw - max)));
  return { weights, rejected };
}
