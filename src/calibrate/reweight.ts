/**
 * Re-weighting an existing `interlock explore` results folder by the data (Node only): each
 * sampled future gets the weight prior(x) L(x) / q(x), where q is the distribution the
 * experiment sampled from, L the calibration's likelihood with all of the sample's inputs set,
 * and prior the calibration's priors for the parameters it names (the experiment's own
 * distributions for its other inputs, whose ratio is then 1). The weighted ensemble is the
 * posterior over the futures already run: outcome shares per policy come from it without
 * running the futures again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalName } from '../equations/names.js';
import { makeDistribution, type Distribution } from '../experiments/distributions.js';
import { SpecError } from '../experiments/spec.js';
import { loadTable } from '../experiments/store.js';
import { STATUS_OK } from '../experiments/runner.js';
import { weightedQuantiles } from './estimators/diagnostics.js';
import { importanceReweight } from './estimators/importance.js';
import type { EstimatorResult } from './estimators/types.js';
import type { LoadedCalibration } from './load.js';
import { LikelihoodPool } from './pool.js';
import { Problem } from './problem.js';
import { dropRowsOutsideRun } from './calibrate.js';

export interface ReweightResult {
  result: EstimatorResult;
  /** Weight of each design row (sums to 1). */
  weights: Float64Array;
  /** Per policy and outcome: the weighted mean and 5/50/95% quantiles, beside the unweighted ones. */
  outcomes: {
    policy: string;
    outcome: string;
    weighted: { mean: number; q05: number; q50: number; q95: number };
    prior: { mean: number; q05: number; q50: number; q95: number };
  }[];
}

/**
 * Make `loaded` describe the explore folder's inputs: every input becomes a vector entry (the
 * calibration's parameters keep their priors; the rest take the experiment's distribution).
 * Returns the design rows' points and their log proposal densities.
 */
export function adoptExploreInputs(
  loaded: LoadedCalibration,
  dir: string,
): {
  points: Float64Array[];
  logProposal: Float64Array;
  table: ReturnType<typeof loadTable>['table'];
  meta: ReturnType<typeof loadTable>['meta'];
} {
  const { table, meta } = loadTable(dir);
  const entries = loaded.definition.entries;
  const observationEntries = entries.filter((e) => e.kind !== 'model');
  if (observationEntries.length) {
    throw new SpecError(
      observationEntries[0].field,
      `re-weighting an ensemble needs fixed error scales and biases; ${observationEntries.map((e) => e.name).join(', ')} would have to be estimated`,
    );
  }
  const byVariable = new Map(meta.inputs.map((input, i) => [canonicalName(input.variable), i]));
  const proposals: Distribution[] = meta.spec.uncertainties.map((u) => makeDistribution(u));
  entries.forEach((e) => {
    if (!byVariable.has(canonicalName(e.variable!))) {
      throw new SpecError(
        `${e.field}.variable`,
        `'${e.variable}' is not an input of the experiment in ${dir} (its inputs: ${meta.inputs.map((i) => i.variable).join(', ')})`,
      );
    }
  });
  const calibrated = new Map(entries.map((e, i) => [canonicalName(e.variable!), i]));
  const priors = meta.inputs.map((input, i) => {
    const j = calibrated.get(canonicalName(input.variable));
    return j === undefined ? proposals[i] : loaded.priors[j];
  });
  loaded.definition.entries = meta.inputs.map((input) => ({
    name: input.name,
    kind: 'model' as const,
    variable: input.variable,
    field: calibrated.has(canonicalName(input.variable))
      ? entries[calibrated.get(canonicalName(input.variable))!].field
      : `explore input ${input.name}`,
  }));
  loaded.priors = priors;
  const points: Float64Array[] = [];
  const logProposal = new Float64Array(table.designRows);
  for (let r = 0; r < table.designRows; r++) {
    const x = Float64Array.from(table.inputs, (column) => column[r]);
    points.push(x);
    let lq = 0;
    for (let i = 0; i < x.length; i++) lq += proposals[i].logDensity(x[i]);
    logProposal[r] = lq;
  }
  return { points, logProposal, table, meta };
}

function summary(values: Float64Array, weights?: Float64Array) {
  const [q05, q50, q95] = weightedQuantiles(values, [0.05, 0.5, 0.95], weights);
  let total = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i] : 1;
    if (w > 0 && Number.isFinite(values[i])) {
      total += w;
      sum += w * values[i];
    }
  }
  return { mean: total ? sum / total : NaN, q05, q50, q95 };
}

export async function reweightExplore(
  loaded: LoadedCalibration,
  dir: string,
  options: { jobs: number; onProgress?(done: number, total: number): void; signal?: AbortSignal },
): Promise<ReweightResult> {
  const { points, logProposal, table, meta } = adoptExploreInputs(loaded, dir);
  const local = new Problem(loaded.definition);
  dropRowsOutsideRun(loaded, local);
  const pool = await LikelihoodPool.create(loaded.definition, options.jobs, local);
  const logLik = new Float64Array(points.length).fill(NaN);
  try {
    const batch = Math.max(64, 16 * options.jobs);
    for (let start = 0; start < points.length; start += batch) {
      if (options.signal?.aborted)
        throw new SpecError('(reweight)', 'interrupted before every future was weighed; nothing written');
      const values = await pool.logLikelihood(points.slice(start, start + batch));
      logLik.set(values, start);
      options.onProgress?.(Math.min(points.length, start + batch), points.length);
    }
  } finally {
    await pool.close();
  }
  const logPrior = Float64Array.from(points, (x) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += loaded.priors[i].logDensity(x[i]);
    return s;
  });
  const result = importanceReweight({ points, logLik, logProposal, logPrior });
  result.evaluations = points.length;
  const weights = result.draws.weights!;
  const outcomes: ReweightResult['outcomes'] = [];
  table.policyNames.forEach((policy, p) => {
    table.outcomeNames.forEach((outcome, o) => {
      const values = table.outcomes[o].subarray(p * table.designRows, (p + 1) * table.designRows);
      const status = table.status.subarray(p * table.designRows, (p + 1) * table.designRows);
      const ok = Float64Array.from(values, (v, r) => (status[r] === STATUS_OK ? v : NaN));
      outcomes.push({ policy, outcome, weighted: summary(ok, weights), prior: summary(ok) });
    });
  });
  void meta;
  return { result, weights, outcomes };
}

export function writeReweight(out: string, reweight: ReweightResult): void {
  const lines = ['row,weight'];
  reweight.weights.forEach((w, r) => lines.push(`${r},${w}`));
  writeFileSync(join(out, 'weights.csv'), lines.join('\n') + '\n');
  writeFileSync(join(out, 'outcomes.json'), JSON.stringify(reweight.outcomes, null, 2) + '\n');
}
