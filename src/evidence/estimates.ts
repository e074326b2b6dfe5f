/**
 * Estimate timelines and the revision ratio that turns C5 ("estimates were revised, always
 * upward") into a measured quantity. Node-free.
 */
import {
  addDays,
  centralValue,
  estimatesFor,
  orderingDate,
  publishedDate,
  sourceById,
  type EstimateBasis,
  type EstimateQualifier,
  type EvidenceDocument,
} from './data.js';

/** Bases that count as what was believed to be there; plans and capacities never do. */
export const CONSENSUS_BASES: readonly EstimateBasis[] = ['observed', 'assessed'];
export const DEFAULT_WINDOW_DAYS = 90;

export function revisionFormula(windowDays: number): string[] {
  return [
    `revisionRatio(E) = central(E) / median{ central(F) : F of the same quantity, basis observed or assessed,`,
    `  published after E and at most ${windowDays} days after E }; central = value, or the midpoint of low-high.`,
    '  No later estimate in the window: no ratio. Plans and capacities get a ratio but never enter the median.',
    '  ratio < 1: the figure was below what was reported later (revised upward); > 1: revised downward.',
    '  The quantity itself can grow (more troops sent), so a ratio < 1 measures growth and revision together.',
  ];
}

export interface TimelineEntry {
  id: string;
  /** Publication date of the report carrying the figure (for an undated page, its as-of date). */
  date: string;
  /** The page carries no date: `date` orders it but is not a publication date. */
  undated: boolean;
  asOf: string;
  value: number | null;
  low: number | null;
  high: number | null;
  qualifier: EstimateQualifier | null;
  central: number;
  unit: string;
  basis: EstimateBasis;
  source: string;
  sourceName: string;
  report: string;
  /** How many later estimates formed the consensus (0 when there is no ratio). */
  laterCount: number;
  laterMedian: number | null;
  revisionRatio: number | null;
}

export interface RevisionSummary {
  windowDays: number;
  /** Observed/assessed estimates that have a ratio. */
  compared: number;
  /** Of those, how many were below the later consensus (ratio < 1), equal, above. */
  below: number;
  equal: number;
  above: number;
  medianRatio: number | null;
}

export interface EstimateTimeline {
  quantity: string;
  windowDays: number;
  estimates: TimelineEntry[];
  summary: RevisionSummary;
}

export function median(xs: readonly number[]): number | null {
  return medianOfSorted([...xs].sort((a, b) => a - b));
}

function medianOfSorted(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** First index whose value is >= x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], x: number): void {
  sorted.splice(lowerBound(sorted, x), 0, x);
}

function removeSorted(sorted: number[], x: number): void {
  sorted.splice(lowerBound(sorted, x), 1);
}

/** Ratios within this relative distance of 1 count as "equal" (guards float noise only). */
const RATIO_TOLERANCE = 1e-9;

export function estimateTimeline(
  doc: EvidenceDocument,
  quantity: string,
  windowDays: number = DEFAULT_WINDOW_DAYS,
): EstimateTimeline {
  const all = estimatesFor(doc, quantity);
  const dates = all.map((e) => orderingDate(doc, e));
  const centrals = all.map(centralValue);
  const counts = all.map((e) => CONSENSUS_BASES.includes(e.basis));
  // `all` is in publication order, so each window (date, date + windowDays] is a run of it whose
  // two ends only move forward: keep the window's values sorted and slide it, instead of
  // re-sorting per estimate (thousands of estimates of one quantity stay fast).
  const window: number[] = [];
  let added = 0;
  let removed = 0;
  const estimates = all.map((e, i): TimelineEntry => {
    const date = dates[i]!;
    const windowEnd = addDays(date, windowDays);
    for (; added < all.length && dates[added]! <= windowEnd; added++) {
      if (counts[added]) insertSorted(window, centrals[added]!);
    }
    for (; removed < added && dates[removed]! <= date; removed++) {
      if (counts[removed]) removeSorted(window, centrals[removed]!);
    }
    const laterMedian = medianOfSorted(window);
    const central = centrals[i]!;
    return {
      id: e.id,
      date,
      undated: publishedDate(doc, e) === undefined,
      asOf: e.asOf,
      value: e.value ?? null,
      low: e.low ?? null,
      high: e.high ?? null,
      qualifier: e.qualifier ?? null,
      central,
      unit: e.unit,
      basis: e.basis,
      source: e.source,
      sourceName: sourceById(doc, e.source)?.name ?? e.source,
      report: e.report,
      laterCount: window.length,
      laterMedian,
      revisionRatio: laterMedian === null || laterMedian === 0 ? null : central / laterMedian,
    };
  });
  const ratios = estimates
    .filter((e) => CONSENSUS_BASES.includes(e.basis) && e.revisionRatio !== null)
    .map((e) => e.revisionRatio!);
  return {
    quantity,
    windowDays,
    estimates,
    summary: {
      windowDays,
      compared: ratios.length,
      below: ratios.filter((r) => r < 1 - RATIO_TOLERANCE).length,
      equal: ratios.filter((r) => Math.abs(r - 1) <= RATIO_TOLERANCE).length,
      above: ratios.filter((r) => r > 1 + RATIO_TOLERANCE).length,
      medianRatio: median(ratios),
    },
  };
}
