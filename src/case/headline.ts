/**
 * The case's headline numbers (the four questions of claims.md, as far as the model answers them
 * before calibration), computed from small ensembles and rendered as the README's numbers block.
 * models/north-korea-russia/tools/numbers.ts prints or writes them; a test fails when the README
 * drifts from what it prints. Pure (no Node).
 */
import type { CompiledModel } from '../simulate/types.js';
import type { ExperimentSpec, ScenarioDefinition } from '../experiments/spec.js';
import {
  chosenBox,
  recurrences,
  runEnsemble,
  wilsonInterval,
  type Ensemble,
  type Recurrence,
} from './ensemble.js';
import { formatNumber, formatShare } from '../format/number.js';
import type { ParameterInfo } from './definition.js';
import type { CaseForecasts } from './analysis.js';

export interface HeadlineOptions {
  /** Futures per policy (LHS over the spec's uncertainties and switches). */
  samples: number;
  /** Seed of the main ensemble; discovery repeats with seed, seed + 1, ... */
  seed: number;
  /** Seeds of scenario discovery. */
  seeds: number;
  /** A box restriction is reported when it recurs in at least this many seeds. */
  minRecurrence: number;
}

export const HEADLINE_DEFAULTS: HeadlineOptions = { samples: 2000, seed: 42, seeds: 5, minRecurrence: 5 };

export const OUTCOMES = [
  { name: 'troops_m6', variable: 'nk_troops_in_theatre', reduce: 'at' as const, time: 6 },
  { name: 'troops_m12', variable: 'nk_troops_in_theatre', reduce: 'at' as const, time: 12 },
  { name: 'troops_m24', variable: 'nk_troops_in_theatre', reduce: 'at' as const, time: 24 },
  { name: 'technology_m24', variable: 'technology_transferred', reduce: 'at' as const, time: 24 },
];

/**
 * The deployment "keeps growing" when there are more troops in Russia at month 12 than at 6, and
 * more at month 24 than at 12: growth through the first year and on into the second. A deployment
 * that shrinks in its first year and recovers some of the loss later is not counted as growing.
 */
export const GROWING_RULE = 'troops_m12 > troops_m6 and troops_m24 > troops_m12';
/** GROWING_RULE in words, for every table and page that reports the share. */
export const GROWING_TEXT = 'more troops in Russia at month 12 than at 6, and at 24 than at 12';
const grows = (e: Ensemble, policy: string, r: number) => {
  const o = e.outcomes[policy]!;
  return o.troops_m12![r]! > o.troops_m6![r]! && o.troops_m24![r]! > o.troops_m12![r]!;
};

/** Satisficing: the deployment does not keep growing and under a year of full help arrives. */
export const SATISFICE_TECHNOLOGY = 12;
const satisfices = (e: Ensemble, policy: string, r: number) =>
  !grows(e, policy, r) && e.outcomes[policy]!.technology_m24![r]! <= SATISFICE_TECHNOLOGY;

export interface PolicyHeadline {
  policy: string;
  /** Share of futures that keep growing (GROWING_RULE) (weighted by the history match when there is one). */
  growing: number;
  /** The same share over the sampled futures, before weighting. */
  growingUnweighted: number;
  interval: [number, number];
  medianTroops24: number;
  medianTechnology24: number;
  /** Regret in troops at month 24 against the best policy of the same future: median and 90th. */
  regretMedian: number;
  regret90: number;
  /** Regret in technology packages by month 24 against the policy with the fewest in the same future. */
  technologyRegretMedian: number;
  technologyRegret90: number;
  satisficing: number;
}

/**
 * Weights of the futures (design rows of the main ensemble): how well each future, with its deep
 * parameters and switches, reproduces the evidence (a history match). Sum need not be 1.
 */
export type FutureWeights = (ensemble: Ensemble) => Float64Array;

export interface HeadlineResult {
  options: HeadlineOptions;
  /** The history match, when the futures were weighted: Kish's effective sample size. */
  weighting?: { ess: number; n: number };
  policies: PolicyHeadline[];
  /** Growth share by the C11 switch settings under the baseline. */
  bySwitch: {
    input: string;
    value: number;
    growing: number;
    n: number;
    probability: number;
    /** 95% interval of the probability (a Wilson interval at the effective sample size). */
    probabilityInterval: [number, number];
  }[];
  /** Weighted median technology by month 24 per policy under each setting of each C11 switch. */
  technologyBySwitch: { input: string; value: number; medians: Record<string, number> }[];
  recurring: Recurrence[];
  /** All restrictions seen, for "how often each did". */
  allRestrictions: Recurrence[];
  baseline: string;
}

/** The q-quantile of weighted values: the smallest value whose cumulative weight reaches q. */
function weightedQuantile(xs: ArrayLike<number>, w: ArrayLike<number>, q: number): number {
  const order = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  let run = 0;
  for (const i of order) {
    run += w[i]!;
    if (run >= q * total * (1 - 1e-12)) return xs[i]!;
  }
  return xs[order[order.length - 1]!]!;
}

export function computeHeadline(
  compiled: CompiledModel,
  spec: ExperimentSpec,
  scenarios: ReadonlyMap<string, ScenarioDefinition>,
  baseline: string,
  options: HeadlineOptions = HEADLINE_DEFAULTS,
  weigh?: FutureWeights,
): HeadlineResult {
  const main = runEnsemble(compiled, spec, scenarios, OUTCOMES, {
    samples: options.samples,
    seed: options.seed,
  });
  const n = main.designRows;
  const w = weigh ? weigh(main) : new Float64Array(n).fill(1);
  let sum = 0;
  let sum2 = 0;
  for (let r = 0; r < n; r++) {
    sum += w[r]!;
    sum2 += w[r]! * w[r]!;
  }
  if (!(sum > 0)) throw new RangeError('every future has zero weight: the history match rejects them all');
  // Kish's effective sample size: the interval of a weighted share is as wide as for this many.
  const ess = (sum * sum) / sum2;
  const policies = main.policies.map((policy): PolicyHeadline => {
    let k = 0;
    let kUnweighted = 0;
    let ok = 0;
    const regrets = new Float64Array(n);
    const techRegrets = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      if (grows(main, policy, r)) {
        k += w[r]!;
        kUnweighted++;
      }
      if (satisfices(main, policy, r)) ok += w[r]!;
      const best = Math.min(...main.policies.map((p) => main.outcomes[p]!.troops_m24![r]!));
      regrets[r] = main.outcomes[policy]!.troops_m24![r]! - best;
      const fewest = Math.min(...main.policies.map((p) => main.outcomes[p]!.technology_m24![r]!));
      techRegrets[r] = main.outcomes[policy]!.technology_m24![r]! - fewest;
    }
    const share = k / sum;
    return {
      policy,
      growing: share,
      growingUnweighted: kUnweighted / n,
      interval: wilsonInterval(share * ess, ess),
      medianTroops24: weightedQuantile(main.outcomes[policy]!.troops_m24!, w, 0.5),
      medianTechnology24: weightedQuantile(main.outcomes[policy]!.technology_m24!, w, 0.5),
      regretMedian: weightedQuantile(regrets, w, 0.5),
      regret90: weightedQuantile(regrets, w, 0.9),
      technologyRegretMedian: weightedQuantile(techRegrets, w, 0.5),
      technologyRegret90: weightedQuantile(techRegrets, w, 0.9),
      satisficing: ok / sum,
    };
  });
  const bySwitch: HeadlineResult['bySwitch'] = [];
  main.inputNames.forEach((input, d) => {
    if (!input.startsWith('c11_')) return;
    for (const value of [0, 1]) {
      let k = 0;
      let m = 0;
      let weight = 0;
      for (let r = 0; r < n; r++) {
        if (main.inputs[d]![r] !== value) continue;
        m++;
        weight += w[r]!;
        if (grows(main, baseline, r)) k += w[r]!;
      }
      // With equal prior odds, the weight share is the evidence's probability of this reading.
      const probability = weight / sum;
      bySwitch.push({
        input,
        value,
        growing: weight ? k / weight : NaN,
        n: m,
        probability,
        probabilityInterval: wilsonInterval(probability * ess, ess),
      });
    }
  });
  // Q2 by reading of C11: whether a lever raises or lowers the technology transfer can turn on it.
  const technologyBySwitch: HeadlineResult['technologyBySwitch'] = [];
  main.inputNames.forEach((input, d) => {
    if (!input.startsWith('c11_')) return;
    for (const value of [0, 1]) {
      const rows: number[] = [];
      for (let r = 0; r < n; r++) if (main.inputs[d]![r] === value) rows.push(r);
      const ws = rows.map((r) => w[r]!);
      const medians: Record<string, number> = {};
      for (const policy of main.policies) {
        const t = main.outcomes[policy]!.technology_m24!;
        medians[policy] = weightedQuantile(
          rows.map((r) => t[r]!),
          ws,
          0.5,
        );
      }
      technologyBySwitch.push({ input, value, medians });
    }
  });
  // Scenario discovery under the baseline: where does the thesis fail (the deployment does not keep growing)?
  const ranges: Record<string, [number, number]> = {};
  spec.uncertainties.forEach((u) => {
    if (u.dist === 'uniform' || u.dist === 'triangular') ranges[u.name] = [u.low, u.high];
    // Posterior draws: the range the draws span.
    if (u.dist === 'draws') ranges[u.name] = [Math.min(...u.values), Math.max(...u.values)];
  });
  const baseScenario = new Map([[baseline, scenarios.get(baseline)!]]);
  const boxes = [];
  for (let s = 0; s < options.seeds; s++) {
    const e =
      s === 0
        ? main
        : runEnsemble(compiled, { ...spec, scenarios: [baseline] }, baseScenario, OUTCOMES, {
            samples: options.samples,
            seed: options.seed + s,
          });
    const y = Uint8Array.from({ length: e.designRows }, (_, r) => (grows(e, baseline, r) ? 0 : 1));
    boxes.push(chosenBox(e, y));
  }
  const all = recurrences(boxes, ranges);
  return {
    options,
    ...(weigh ? { weighting: { ess, n } } : {}),
    policies,
    bySwitch,
    technologyBySwitch,
    recurring: all.filter((r) => r.seeds >= options.minRecurrence),
    allRestrictions: all,
    baseline,
  };
}

const pct = (x: number) => formatShare(x);
const num = formatNumber;

function describeRestriction(r: Recurrence): string {
  if (r.side === 'categories') return `\`${r.input}\` in {${(r.value as number[]).join(', ')}}`;
  return `\`${r.input}\` ${r.side === 'low' ? '>' : '<'} ${num(r.value as number)} (first seed)`;
}

export function renderHeadline(h: HeadlineResult): string {
  const o = h.options;
  const lines: string[] = [];
  lines.push(
    `Computed by \`npm run case:numbers\` (\`npx tsx models/north-korea-russia/tools/numbers.ts\`) with ${o.samples} futures per policy (Latin hypercube, seed ${o.seed}) over every deep parameter (over its range), both C11 switches and, where the spec says so, the calibrated parameters jointly from the posterior's draws; scenario discovery repeats with ${o.seeds} seeds. The 95% intervals are Wilson intervals of the sampled share.`,
  );
  lines.push('');
  const wt = h.weighting;
  lines.push(
    wt
      ? `Each future is weighted by how well its deep parameters and switches reproduce the 2024-25 evidence, given its posterior draw (a history match, \`src/calibrate/history.ts\`): the ${wt.n} futures count as ${num(wt.ess)} (Kish's effective sample size), and the intervals are as wide as for that many. The unweighted share is beside it.`
      : 'The futures are not weighted by the evidence (no calibration/posterior.json).',
  );
  lines.push('');
  lines.push(
    `**Q1 and Q2. Share of futures in which the deployment keeps growing (${GROWING_TEXT}), per policy, with regret and satisficing**`,
  );
  lines.push('');
  lines.push(
    '| policy | growing | 95% interval | growing, unweighted | median troops m24 | median technology m24 (packages) | regret m24 median / 90th | technology regret m24 median / 90th | satisficing |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of h.policies) {
    lines.push(
      `| ${p.policy} | ${pct(p.growing)} | ${pct(p.interval[0])}-${pct(p.interval[1])} | ${pct(p.growingUnweighted)} | ${num(p.medianTroops24)} | ${num(p.medianTechnology24)} | ${num(p.regretMedian)} / ${num(p.regret90)} | ${num(p.technologyRegretMedian)} / ${num(p.technologyRegret90)} | ${pct(p.satisficing)} |`,
    );
  }
  lines.push('');
  lines.push(
    `Regret: troops at month 24 above the best policy of the same future; technology regret: packages by month 24 above the policy with the fewest in the same future (the levers' own costs, such as casualties, are not counted). Satisficing: the deployment does not keep growing and no more than ${SATISFICE_TECHNOLOGY} packages have arrived by month 24. Medians, regret and satisficing are weighted like the shares.`,
  );
  lines.push('');
  lines.push(`**The structural switches (C11) under ${h.baseline}**`);
  lines.push('');
  lines.push('| switch | setting | futures | weight of the evidence | its 95% interval | growing |');
  lines.push('| --- | --- | --- | --- | --- | --- |');
  for (const s of h.bySwitch)
    lines.push(
      `| \`${s.input}\` | ${s.value} | ${s.n} | ${pct(s.probability)} | ${pct(s.probabilityInterval[0])}-${pct(s.probabilityInterval[1])} | ${pct(s.growing)} |`,
    );
  lines.push('');
  lines.push(
    'The weight of the evidence is the share of the history-matched weight on each setting: with even prior odds, the probability the 2024-25 figures give that reading; its interval is a Wilson interval at the effective sample size, so an interval that holds 50% says the figures do not tell the readings apart.',
  );
  lines.push('');
  if (h.technologyBySwitch.length) {
    const policies = h.policies.map((p) => p.policy);
    lines.push(
      '**Q2 by reading of C11: median technology by month 24 (packages), per policy and switch setting**',
    );
    lines.push('');
    lines.push(`| policy | ${h.technologyBySwitch.map((t) => `\`${t.input}\` = ${t.value}`).join(' | ')} |`);
    lines.push(`| --- | ${h.technologyBySwitch.map(() => '---').join(' | ')} |`);
    for (const policy of policies)
      lines.push(`| ${policy} | ${h.technologyBySwitch.map((t) => num(t.medians[policy]!)).join(' | ')} |`);
    lines.push('');
    lines.push('Weighted like the shares, within the futures of each setting.');
    lines.push('');
  }
  lines.push(
    `**Q3. Where the thesis fails under ${h.baseline} (the deployment does not keep growing): PRIM restrictions that recur in at least ${o.minRecurrence} of ${o.seeds} seeds (over the sampled futures, unweighted)**`,
  );
  lines.push('');
  if (h.recurring.length === 0) lines.push('None recurs that often at this sample size.');
  for (const r of h.recurring) lines.push(`- ${describeRestriction(r)}: ${r.seeds} of ${r.of} seeds`);
  lines.push('');
  const others = h.allRestrictions.filter((r) => r.seeds < o.minRecurrence);
  lines.push(
    `Restrictions that did not recur often enough to report (seeds out of ${o.seeds}): ${
      others.length ? others.map((r) => `\`${r.input}\` (${r.side}) ${r.seeds}`).join(', ') : 'none'
    }.`,
  );
  return lines.join('\n');
}

/** How far the data narrowed a parameter, in words (contraction = 1 - posterior sd / prior sd). */
export function identification(contraction: number): string {
  if (contraction >= 0.5) return 'pinned down';
  if (contraction >= 0.2) return 'narrowed';
  return 'not pinned down';
}

/** The calibrated parameters: prior, posterior and what the data pin down. */
export function renderPosterior(parameters: readonly ParameterInfo[]): string {
  const calibrated = parameters.filter((p) => p.posterior);
  if (!calibrated.length) return 'The case is not calibrated yet (`npm run case:calibrate`).';
  const asOf = calibrated[0]!.posterior!.asOf;
  const lines = [
    `**What the evidence identifies: the posterior of the calibrated parameters (evidence published by ${asOf ?? 'the spec date'})**`,
    '',
    '| parameter | prior (uniform) | posterior median | 90% interval | contraction | the data | R-hat | bulk ESS |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const p of calibrated) {
    const q = p.posterior!;
    lines.push(
      `| \`${p.name}\` | ${num(p.range[0])}-${num(p.range[1])} | ${num(q.q50)} | ${num(q.q05)}-${num(q.q95)} | ${q.contraction.toFixed(2)} | ${identification(q.contraction)} | ${q.rhat === null ? '-' : q.rhat.toFixed(3)} | ${q.ess === null ? '-' : num(q.ess)} |`,
    );
  }
  lines.push('');
  lines.push(
    'Contraction is 1 - posterior sd / prior sd: 0 when the data say nothing about a parameter, near 1 when they fix it. Calibrated with `npm run case:calibrate` (calibration.json; results in calibration/posterior.json). The model defaults are the posterior medians.',
  );
  return lines.join('\n');
}

/** Q4: the forecasts at each month scored beside the analysts' own figure at the date. */
export function renderForecasts(f: CaseForecasts): string {
  const lines = [
    '**Q4. Forecasts at each month-end from what was published by then, scored against what was published later**',
    '',
    '| as of | rows known | later figures | with an analysts’ figure | revised up later | model median above analysts (of those) | CRPS model / analysts | in model 90% band |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const d of f.byDate) {
    lines.push(
      `| ${d.asOf} | ${d.dataRows} | ${d.forecasts} | ${d.paired} | ${pct(d.revisedUp)} | ${pct(d.anticipated)} | ${num(d.crpsModel)} / ${num(d.crpsAnalyst)} | ${pct(d.coverage90)} |`,
    );
  }
  const s = f.summary;
  lines.push(
    `| all dates | | ${s.forecasts} | ${s.paired} | ${pct(s.revisedUp)} | ${pct(s.anticipated)} | ${num(s.crpsModel)} / ${num(s.crpsAnalyst)} | ${pct(s.coverage90)} |`,
  );
  lines.push('');
  lines.push(
    'By stream, over all dates (cumulative totals only ever rise, so a later figure above the analysts’ is no surprise there; troops present is the stream where a revision says something):',
  );
  lines.push('');
  lines.push(
    '| stream | later figures | with an analysts’ figure | revised up later | model median above analysts (of those) | CRPS model / analysts | in model 90% band |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const b of f.byStream ?? []) {
    lines.push(
      `| ${b.stream} | ${b.forecasts} | ${b.paired} | ${pct(b.revisedUp)} | ${pct(b.anticipated)} | ${num(b.crpsModel)} / ${num(b.crpsAnalyst)} | ${pct(b.coverage90)} |`,
    );
  }
  lines.push('');
  lines.push(
    `CRPS on the log scale (lower is better), for figures that are single numbers; the analysts' forecast is their latest figure of the same measure at the date, unchanged. Mean log score: model ${num(s.logModel)}, analysts ${num(s.logAnalyst)} (higher is better; the analysts' figure is given the same error as the model's forecast). Calibrations of ${f.samples.toLocaleString('en-US')} draws per date (\`npm run case:calibrate\`; results in calibration/q4.json).`,
  );
  return lines.join('\n');
}
