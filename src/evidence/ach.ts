/**
 * Analysis of competing hypotheses (Heuer), scored from one rating per analyst per cell.
 * The formulas are stated in ACH_FORMULAS and printed under every table, so a reader can
 * recompute any number by hand. Node-free.
 */
import type { ConsistencyRating, HypothesisSet, WeightLevel } from './data.js';

/** PARC ACH weights for credibility and relevance (second-hand, see the reference notes). */
export const LEVEL_WEIGHT: Record<WeightLevel, number> = {
  low: Math.SQRT1_2,
  medium: 1,
  high: Math.SQRT2,
};

/** Heuer's inconsistency points: I counts 1, II counts 2, everything else 0. */
export const INCONSISTENCY_POINTS: Record<ConsistencyRating, number> = {
  'very-inconsistent': 2,
  inconsistent: 1,
  neutral: 0,
  consistent: 0,
  'very-consistent': 0,
  'not-applicable': 0,
};

/** Mirror image used only to break ties between equally inconsistent hypotheses. */
export const CONSISTENCY_POINTS: Record<ConsistencyRating, number> = {
  'very-inconsistent': 0,
  inconsistent: 0,
  neutral: 0,
  consistent: 1,
  'very-consistent': 2,
  'not-applicable': 0,
};

/** The 1..5 scale for means and spreads (Open Synthesis); N/A has no place on it. */
export const SCALE_VALUE: Record<ConsistencyRating, number | null> = {
  'very-inconsistent': 1,
  inconsistent: 2,
  neutral: 3,
  consistent: 4,
  'very-consistent': 5,
  'not-applicable': null,
};
const SCALE_LABEL: ConsistencyRating[] = [
  'very-inconsistent',
  'very-inconsistent',
  'inconsistent',
  'neutral',
  'consistent',
  'very-consistent',
];
export const NEUTRAL = 3;

export const ACH_FORMULAS = [
  'inconsistency(H) = sum over evidence E of cred(E) x mean over analysts a of rel(a,E,H) x points(a,E,H);',
  '  points: very inconsistent 2, inconsistent 1, others 0; cred, rel: low 1/sqrt2, medium 1, high sqrt2;',
  "  rel(a,E,H) = the analyst's relevance on the rating, else the evidence item's relevance.",
  '  (Heuer/PARC weighted inconsistency score, sign flipped so larger = more inconsistent).',
  'rank: ascending inconsistency; ties broken by descending consistency (same formula, points:',
  '  very consistent 2, consistent 1); hypotheses equal on both share a rank.',
  'cell mean m(E,H) = mean of ratings on the scale VI 1, I 2, N 3, C 4, VC 5, with N/A counted as 3.',
  'consensus(E,H) = N/A if more analysts said N/A than rated; otherwise the mean of the rated values',
  '  rounded to the nearest scale point, with exact halves rounded toward neutral (3):',
  '  1.5 -> 2, 2.5 -> 3, 3.5 -> 3, 4.5 -> 4 (Math.round would give 4 for 3.5; Python round gives 2 for 2.5).',
  'disagreement(E,H) = max(sample SD of the rated values, sample SD of 0/1 for N/A vs rated);',
  '  < 0.5 consensus, < 1.5 mild, < 2.0 large, otherwise extreme dispute.',
  'diagnosticity(E) = population SD of m(E,H) across hypotheses (higher = better separates them).',
];

export type DisputeLevel = 'consensus' | 'mild' | 'large' | 'extreme';

export interface AchCell {
  evidence: string;
  hypothesis: string;
  ratings: { analyst: string; rating: ConsistencyRating; relevance: WeightLevel }[];
  /** m(E,H): mean with N/A counted as neutral; null when nobody rated the cell. */
  mean: number | null;
  consensus: ConsistencyRating | null;
  disagreement: number | null;
  dispute: DisputeLevel | null;
}

export interface AchHypothesisResult {
  id: string;
  text: string;
  inconsistency: number;
  consistency: number;
  /** Unweighted Heuer score: sum over evidence of mean inconsistency points. */
  heuerScore: number;
  /** Open Synthesis score: sum over evidence of (3 - m)^2 where m < 3. */
  squaredInconsistency: number;
  /** Each analyst's own weighted inconsistency over the cells they rated. */
  byAnalyst: { analyst: string; inconsistency: number }[];
  rank: number;
}

export interface AchEvidenceResult {
  id: string;
  text: string;
  report?: string;
  /** The analysis under test arguing its own case: shown, never scored. */
  argument: boolean;
  /** Whether the item entered the hypotheses' scores (not an argument; public by the date). */
  scored: boolean;
  credibility: WeightLevel;
  relevance: WeightLevel;
  weight: number;
  diagnosticity: number;
  rank: number;
}

export interface AchSetResult {
  id: string;
  question: string;
  analysts: string[];
  hypotheses: AchHypothesisResult[];
  evidence: AchEvidenceResult[];
  cells: AchCell[];
}

/** Round to the nearest integer; exact halves go toward `toward`. */
export function roundHalfToward(x: number, toward: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor < toward ? floor + 1 : floor;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function sampleSd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Population standard deviation (n); 0 for an empty list. */
export function populationSd(xs: number[]): number {
  if (xs.length === 0) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length);
}

/** m(E,H): mean on the 1..5 scale with N/A counted as neutral; null for no ratings. */
export function cellMean(ratings: readonly ConsistencyRating[]): number | null {
  if (ratings.length === 0) return null;
  return mean(ratings.map((r) => SCALE_VALUE[r] ?? NEUTRAL));
}

export function cellConsensus(ratings: readonly ConsistencyRating[]): ConsistencyRating | null {
  if (ratings.length === 0) return null;
  const rated = ratings.map((r) => SCALE_VALUE[r]).filter((v): v is number => v !== null);
  const notApplicable = ratings.length - rated.length;
  if (notApplicable > rated.length) return 'not-applicable';
  if (rated.length === 0) return 'not-applicable';
  return SCALE_LABEL[roundHalfToward(mean(rated), NEUTRAL)]!;
}

export function cellDisagreement(ratings: readonly ConsistencyRating[]): number | null {
  if (ratings.length === 0) return null;
  const rated = ratings.map((r) => SCALE_VALUE[r]).filter((v): v is number => v !== null);
  const applicability = ratings.map((r) => (SCALE_VALUE[r] === null ? 0 : 1));
  return Math.max(sampleSd(applicability), sampleSd(rated));
}

export function disputeLevel(disagreement: number): DisputeLevel {
  if (disagreement < 0.5) return 'consensus';
  if (disagreement < 1.5) return 'mild';
  if (disagreement < 2.0) return 'large';
  return 'extreme';
}

/** Open Synthesis inconsistency from cell means: sum of (3 - m)^2 over cells with m < 3. */
export function squaredInconsistency(cellRatings: readonly (readonly ConsistencyRating[])[]): number {
  let total = 0;
  for (const ratings of cellRatings) {
    const m = cellMean(ratings);
    if (m !== null && m < NEUTRAL) total += (NEUTRAL - m) ** 2;
  }
  return total;
}

const EPSILON = 1e-9;

export interface AchOptions {
  /** Score only the evidence whose report was published on or before this date. */
  asOf?: string;
  /** Publication date of a report (undefined for an undated page, which never counts by a date). */
  published?: (reportId: string) => string | undefined;
}

/** Whether an item enters the hypotheses' scores: never an argument; by a date, only if public by then. */
function scoredItem(e: HypothesisSet['evidence'][number], options: AchOptions): boolean {
  if (e.argument) return false;
  if (options.asOf === undefined) return true;
  const date = e.report !== undefined ? options.published?.(e.report) : undefined;
  return date !== undefined && date <= options.asOf;
}

/**
 * Score one hypothesis set. Hypotheses come back in rank order, evidence by diagnosticity.
 * Items marked `argument` (the analysis under test arguing its own case) are shown with their
 * diagnosticity but kept out of the scores, so the matrix weighs independent evidence only.
 */
export function analyzeHypothesisSet(set: HypothesisSet, options: AchOptions = {}): AchSetResult {
  const scored = set.evidence.filter((e) => scoredItem(e, options));
  const analysts = [...new Set(set.ratings.map((r) => r.analyst))].sort();
  const itemRelevance = new Map(set.evidence.map((e) => [e.id, e.relevance]));
  const byCell = new Map<string, { analyst: string; rating: ConsistencyRating; relevance: WeightLevel }[]>();
  for (const r of set.ratings) {
    const key = `${r.evidence}\u0000${r.hypothesis}`;
    const list = byCell.get(key) ?? [];
    list.push({
      analyst: r.analyst,
      rating: r.rating,
      relevance: r.relevance ?? itemRelevance.get(r.evidence) ?? 'medium',
    });
    byCell.set(key, list);
  }
  const cells: AchCell[] = [];
  const cellOf = (e: string, h: string) => byCell.get(`${e}\u0000${h}`) ?? [];
  for (const e of set.evidence) {
    for (const h of set.hypotheses) {
      const ratings = [...cellOf(e.id, h.id)].sort((a, b) => (a.analyst < b.analyst ? -1 : 1));
      const values = ratings.map((r) => r.rating);
      const disagreement = cellDisagreement(values);
      cells.push({
        evidence: e.id,
        hypothesis: h.id,
        ratings,
        mean: cellMean(values),
        consensus: cellConsensus(values),
        disagreement,
        dispute: disagreement === null ? null : disputeLevel(disagreement),
      });
    }
  }

  const hypotheses = set.hypotheses.map((h) => {
    let inconsistency = 0;
    let consistency = 0;
    let heuerScore = 0;
    const perAnalyst = new Map<string, number>(analysts.map((a) => [a, 0]));
    for (const e of scored) {
      const ratings = cellOf(e.id, h.id);
      if (ratings.length === 0) continue;
      const credibility = LEVEL_WEIGHT[e.credibility];
      const weightOf = (r: { relevance: WeightLevel }) => credibility * LEVEL_WEIGHT[r.relevance];
      inconsistency += mean(ratings.map((r) => weightOf(r) * INCONSISTENCY_POINTS[r.rating]));
      heuerScore += mean(ratings.map((r) => INCONSISTENCY_POINTS[r.rating]));
      consistency += mean(ratings.map((r) => weightOf(r) * CONSISTENCY_POINTS[r.rating]));
      for (const r of ratings) {
        perAnalyst.set(r.analyst, perAnalyst.get(r.analyst)! + weightOf(r) * INCONSISTENCY_POINTS[r.rating]);
      }
    }
    return {
      id: h.id,
      text: h.text,
      inconsistency,
      consistency,
      heuerScore,
      squaredInconsistency: squaredInconsistency(scored.map((e) => cellOf(e.id, h.id).map((r) => r.rating))),
      byAnalyst: analysts.map((analyst) => ({ analyst, inconsistency: perAnalyst.get(analyst)! })),
      rank: 0,
    };
  });
  const order = hypotheses
    .map((h, index) => ({ h, index }))
    .sort(
      (a, b) =>
        (Math.abs(a.h.inconsistency - b.h.inconsistency) > EPSILON
          ? a.h.inconsistency - b.h.inconsistency
          : 0) ||
        (Math.abs(a.h.consistency - b.h.consistency) > EPSILON ? b.h.consistency - a.h.consistency : 0) ||
        a.index - b.index,
    )
    .map((x) => x.h);
  order.forEach((h, i) => {
    const previous = order[i - 1];
    const tied =
      previous !== undefined &&
      Math.abs(previous.inconsistency - h.inconsistency) <= EPSILON &&
      Math.abs(previous.consistency - h.consistency) <= EPSILON;
    h.rank = tied ? previous.rank : i + 1;
  });

  const evidence = set.evidence.map((e) => {
    const means = set.hypotheses
      .map((h) => cellMean(cellOf(e.id, h.id).map((r) => r.rating)))
      .filter((m): m is number => m !== null);
    return {
      id: e.id,
      text: e.text,
      ...(e.report ? { report: e.report } : {}),
      argument: e.argument === true,
      scored: scored.includes(e),
      credibility: e.credibility,
      relevance: e.relevance,
      weight: LEVEL_WEIGHT[e.credibility] * LEVEL_WEIGHT[e.relevance],
      diagnosticity: populationSd(means),
      rank: 0,
    };
  });
  const evidenceOrder = evidence
    .map((e, index) => ({ e, index }))
    .sort(
      (a, b) =>
        (Math.abs(a.e.diagnosticity - b.e.diagnosticity) > EPSILON
          ? b.e.diagnosticity - a.e.diagnosticity
          : 0) || a.index - b.index,
    )
    .map((x) => x.e);
  evidenceOrder.forEach((e, i) => {
    const previous = evidenceOrder[i - 1];
    e.rank =
      previous !== undefined && Math.abs(previous.diagnosticity - e.diagnosticity) <= EPSILON
        ? previous.rank
        : i + 1;
  });

  return { id: set.id, question: set.question, analysts, hypotheses: order, evidence: evidenceOrder, cells };
}

export interface AchDatedScores {
  date: string;
  /** Independent evidence items public by the date. */
  evidence: string[];
  hypotheses: { id: string; inconsistency: number; rank: number }[];
}

/**
 * The scores as they stood at each date: only evidence published by then counts (undated pages
 * never do), so the matrix shows how the case for each hypothesis built up over time.
 */
export function achScoresByDate(
  set: HypothesisSet,
  dates: readonly string[],
  published: (reportId: string) => string | undefined,
): AchDatedScores[] {
  return dates.map((date) => {
    const result = analyzeHypothesisSet(set, { asOf: date, published });
    return {
      date,
      evidence: set.evidence
        .filter((e) => result.evidence.find((r) => r.id === e.id)?.scored)
        .map((e) => e.id),
      hypotheses: set.hypotheses.map((h) => {
        const r = result.hypotheses.find((x) => x.id === h.id)!;
        return { id: h.id, inconsistency: r.inconsistency, rank: r.rank };
      }),
    };
  });
}
