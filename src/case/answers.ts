/**
 * The case's answers in plain sentences: one place that turns the headline numbers
 * (src/case/headline.ts; later the calibrated ensemble) into the four questions' answers, for
 * `npm start`, the reports and the landing page. A model without a case gets a summary of its
 * behaviour instead (behaviourSummary). Pure: no Node, no DOM.
 */
import type { HeadlineResult, PolicyHeadline } from './headline.js';
import type { CaseForecasts } from './analysis.js';
import type { Recurrence } from './ensemble.js';
import {
  formatNumber,
  formatPeople,
  formatShare,
  formatShareInterval,
  formatValue,
} from '../format/number.js';
import { displayName } from '../equations/names.js';

export interface Answer {
  id: string;
  question: string;
  /** The answer as one or two plain sentences with numbers and intervals. */
  answer: string;
  /** Claims of docs/claims.md the question tests. */
  claims: string[];
  /** 'answered', or 'pending' when its inputs are not computed yet (Q4 before calibration). */
  status: 'answered' | 'pending';
  /** Where to look: page routes or report sections, with their labels. */
  links: { label: string; href: string }[];
}

/** A case's four answers and the headline numbers behind them (src/case/case-answers.ts). */
export interface CaseAnswers {
  answers: Answer[];
  headline: HeadlineResult;
}

/** The case's four questions (docs/claims.md), in plain words. */
export const CASE_QUESTIONS: Record<string, { question: string; claims: string[] }> = {
  Q1: {
    question:
      'Under escalation management, does North Korea’s deployment keep growing, and in what share of plausible futures?',
    claims: ['C4', 'C14', 'C15'],
  },
  Q2: {
    question: 'Which policies hold the deployment and the technology transfer down, and how robustly?',
    claims: ['C16', 'C17', 'C18'],
  },
  Q3: {
    question: 'Which assumptions does the thesis hinge on: where does it fail?',
    claims: ['C12', 'C13', 'C11'],
  },
  Q4: {
    question:
      'How well did the rising estimates match what a model calibrated to the reported figures would have said?',
    claims: ['C5'],
  },
};

function restriction(r: Recurrence): string {
  const name = displayName(r.input);
  if (r.side === 'categories') return `${name} in {${(r.value as number[]).join(', ')}}`;
  return `${name} ${r.side === 'low' ? 'above' : 'below'} ${formatNumber(r.value as number)}`;
}

/** Troops present, the level (not a cumulative total that can only rise), said on its own. */
function presentText(f: CaseForecasts): string {
  const p = f.byStream?.find((b) => b.stream.endsWith('.present'));
  if (!p || !p.paired) return '';
  return ` For troops present, the one level among the streams, the later figure was higher in ${formatShare(p.revisedUp)} of ${formatNumber(p.paired)} cases and the model’s CRPS was ${formatNumber(p.crpsModel)} against the analysts’ ${formatNumber(p.crpsAnalyst)}.`;
}

/**
 * Q4 in words from the scored forecasts: were the later, higher figures foreseeable from what
 * was public at each date? "Predictable" needs both: the model's median sat above the analysts'
 * figure in most of the cases later revised up, and its forecasts scored better (lower CRPS).
 */
export function q4Answer(f: CaseForecasts): string {
  const s = f.summary;
  // A model that only overshoots "anticipates" every upward revision: it must also score better,
  // overall and on the level of troops present, where a revision is not upward by construction.
  const present = f.byStream?.find((b) => b.stream.endsWith('.present'));
  const predictable =
    s.anticipated > 0.5 &&
    s.crpsModel < s.crpsAnalyst &&
    (!present || !present.paired || present.crpsModel < present.crpsAnalyst);
  // Above the analysts and above the later figure too, in most cases: that is a bias, not foresight.
  const biasedHigh = s.overshot >= 0.5;
  const verdict = predictable
    ? 'Largely, yes'
    : s.anticipated > 0.5 && !biasedHigh
      ? 'In direction, but not in size'
      : s.anticipated > 0.5
        ? 'Not by this model: its forecasts were biased high (above even the later figure in most cases), so being above the analysts shows no skill'
        : 'No';
  return (
    `${verdict}: at the end of each month from ${f.byDate[0]?.asOf ?? '?'} to ${f.byDate[f.byDate.length - 1]?.asOf ?? '?'}, the model calibrated on what was published by then forecast ${formatNumber(s.forecasts)} later-published figures. ` +
    `Where the analysts had a figure of their own (${formatNumber(s.paired)} cases), the later report was higher in ${formatShare(s.revisedUp)} of them, and the model’s median was above the analysts’ figure in ${formatShare(s.anticipated)} of those upward revisions (and above even the later figure in ${formatShare(s.overshot)} of all cases). ` +
    `Mean CRPS on the log scale: model ${formatNumber(s.crpsModel)}, analysts’ latest figure ${formatNumber(s.crpsAnalyst)} (lower is better; the model better in ${formatShare(s.modelBetter)} of pairs); the model’s 90% band held ${formatShare(s.coverage90)} of ${formatNumber(s.pointRows)} later figures.` +
    presentText(f)
  );
}

/** The policies whose 95% interval overlaps the best one's: not distinguishable at this sample size. */
function tiedText(best: PolicyHeadline, ranked: readonly PolicyHeadline[]): string {
  const tied = ranked.filter((p) => p !== best && p.interval[0] <= best.interval[1]);
  if (!tied.length) return '';
  const names = tied.map((p) => p.policy);
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${list} ${names.length === 1 ? 'is' : 'are'} within sampling error of it (overlapping 95% intervals). `;
}

/**
 * The policies no other beats on both halves of Q2, the share of futures still growing and the
 * median technology by month 24 (weakly better on both, strictly on one): the non-dominated set.
 */
export function nonDominated(policies: readonly PolicyHeadline[]): PolicyHeadline[] {
  return policies.filter(
    (p) =>
      !policies.some(
        (q) =>
          q !== p &&
          q.growing <= p.growing &&
          q.medianTechnology24 <= p.medianTechnology24 &&
          (q.growing < p.growing || q.medianTechnology24 < p.medianTechnology24),
      ),
  );
}

/** Q2's technology half: the fewest packages, and the policies no other beats on both halves. */
function technologyText(policies: readonly PolicyHeadline[]): string {
  if (!policies.length) return '';
  const fewest = [...policies].sort((a, b) => a.medianTechnology24 - b.medianTechnology24)[0]!;
  const front = nonDominated(policies).map((p) => p.policy);
  return (
    `On technology, ${fewest.policy} leaves the fewest packages by month 24 (median ${formatNumber(fewest.medianTechnology24)}); ` +
    `no other policy is better on both growth and technology than ${front.length === 1 ? front[0] : `any of ${front.slice(0, -1).join(', ')} and ${front[front.length - 1]}`}. `
  );
}

/**
 * The verdict of Q1 from the share's 95% interval, not its point estimate: "most" only when the
 * whole interval is above one half, "rarely" only when it is below a quarter.
 */
export function growthVerdict([low, high]: readonly [number, number]): string {
  if (low > 0.5) return 'Yes, in most futures';
  if (high < 0.25) return 'Rarely';
  if (high < 0.5) return 'In a minority of futures';
  return 'In a large share of futures, not distinguishable from half at this sample size';
}

/** The four answers from the headline numbers (ensembles over the uncertain parameters). */
export function answersFromHeadline(h: HeadlineResult, forecasts?: CaseForecasts): Answer[] {
  const n = h.options.samples;
  const base = h.policies.find((p) => p.policy === h.baseline);
  const q = (id: string) => CASE_QUESTIONS[id]!;
  const answers: Answer[] = [];
  answers.push({
    id: 'Q1',
    ...q('Q1'),
    status: base ? 'answered' : 'pending',
    answer: base
      ? `${growthVerdict(base.interval)}: under ${h.baseline} the deployment keeps growing through its first year and into its second in ${formatShare(base.growing)} of ${h.weighting ? `plausible futures (${n} sampled, weighted by how well they reproduce the 2024-25 evidence: ${formatNumber(h.weighting.ess)} effective)` : `${n} sampled futures`} (95% interval ${formatShareInterval(base.interval[0], base.interval[1])}); the median future has ${formatPeople(base.medianTroops24)} troops in Russia at month 24.`
      : `The baseline policy ${h.baseline} was not in the ensemble.`,
    links: [
      { label: 'Explore: the thesis experiment', href: '#/explore' },
      { label: 'Compare the policies', href: '#/compare' },
    ],
  });
  const ranked = [...h.policies].sort((a, b) => a.growing - b.growing || a.regretMedian - b.regretMedian);
  const best: PolicyHeadline | undefined = ranked[0];
  answers.push({
    id: 'Q2',
    ...q('Q2'),
    status: best ? 'answered' : 'pending',
    answer: best
      ? `${best.policy} does best: growth continues in ${formatShare(best.growing)} of futures (${formatShareInterval(best.interval[0], best.interval[1])}), the median future has ${formatPeople(best.medianTroops24)} troops at month 24 and ${formatNumber(best.medianTechnology24)} technology packages delivered, and it meets the satisficing test in ${formatShare(best.satisficing)} of futures. ` +
        tiedText(best, ranked) +
        technologyText(ranked) +
        `Ranked by share of growing futures: ${ranked.map((p) => `${p.policy} ${formatShare(p.growing)}`).join(', ')}.`
      : 'No policy was run.',
    links: [
      { label: 'Robustness per policy (regret, satisficing)', href: '#/explore' },
      { label: 'Simulate a policy', href: '#/simulate' },
    ],
  });
  answers.push({
    id: 'Q3',
    ...q('Q3'),
    status: 'answered',
    answer: h.recurring.length
      ? `Under ${h.baseline} the thesis fails (the deployment does not keep growing) mostly where ${h.recurring.map(restriction).join(' and ')}: these restrictions recur in at least ${h.options.minRecurrence} of ${h.options.seeds} scenario-discovery seeds.`
      : `No assumption region recurs in at least ${h.options.minRecurrence} of ${h.options.seeds} scenario-discovery seeds at ${n} futures per seed: no single assumption decides whether the thesis holds at this sample size.`,
    links: [{ label: 'Scenario discovery (PRIM)', href: '#/explore' }],
  });
  answers.push({
    id: 'Q4',
    ...q('Q4'),
    status: forecasts ? 'answered' : 'pending',
    answer: forecasts
      ? q4Answer(forecasts)
      : 'Not answered yet: it needs the model calibrated to the reported figures as of each date (npm run case:calibrate).',
    links: [
      { label: 'Calibration and the forecasts at each date', href: '#/calibration' },
      { label: 'The estimates over time', href: '#/evidence' },
    ],
  });
  return answers;
}

/** One line on what a saved series does over the run. */
export interface SeriesSummary {
  name: string;
  units?: string;
  start: number;
  end: number;
  min: number;
  max: number;
  /** Time of the maximum. */
  peakTime: number;
  sentence: string;
}

/** A plain model's behaviour: for each series, where it starts, ends and peaks. */
export function behaviourSummary(
  time: ArrayLike<number>,
  series: { name: string; units?: string; values: ArrayLike<number> }[],
  formatTimeOf: (t: number) => string = (t) => formatNumber(t),
): SeriesSummary[] {
  return series.map(({ name, units, values }) => {
    const n = values.length;
    let min = Infinity;
    let max = -Infinity;
    let peak = 0;
    for (let i = 0; i < n; i++) {
      if (values[i]! < min) min = values[i]!;
      if (values[i]! > max) {
        max = values[i]!;
        peak = i;
      }
    }
    const start = values[0]!;
    const end = values[n - 1]!;
    const f = (x: number) => formatValue(x, units) + (units ? ` ${units}` : '');
    const span = Math.max(Math.abs(max - min), 1e-12);
    let shape: string;
    if (max - min <= 1e-9 * Math.max(1, Math.abs(start))) shape = `stays at ${f(start)}`;
    else if (peak > 0 && peak < n - 1 && max - Math.max(start, end) > 0.05 * span)
      shape = `rises from ${f(start)} to a peak of ${f(max)} at ${formatTimeOf(time[peak]!)}, then falls to ${f(end)}`;
    else if (end > start) shape = `grows from ${f(start)} to ${f(end)}`;
    else shape = `falls from ${f(start)} to ${f(end)}`;
    return {
      name,
      units,
      start,
      end,
      min,
      max,
      peakTime: time[peak]!,
      sentence: `${displayName(name)} ${shape}.`,
    };
  });
}
