/**
 * Estimate timelines and the revision ratio that turns C5 ("estimates were revised, always
 * upward") into a measured quantity. Node-free.
 */
import {
  addDays,
  centralValue,
  estimatesFor,
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
  /** Publication date of the report carrying the figure. */
  date: string;
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
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Ratios within this relative distance of 1 count as "equal" (guards float noise only). */
const RATIO_TOLERANCE = 1e-9;

export function estimateTimeline(
  doc: EvidenceDocument,
  quantity: string,
  windowDays: number = DEFAULT_WINDOW_DAYS,
): EstimateTimeline {
  const all = estimatesFor(doc, quantity);
  const estimates = all.map((e): TimelineEntry => {
    const date = publishedDate(doc, e);
    const windowEnd = addDays(date, windowDays);
    const later = all.filter((f) => {
      const d = publishedDate(doc, f);
      return CONSENSUS_BASES.includes(f.basis) && d > date && d <= windowEnd;
    });
    const laterMedian = median(later.map(centralValue));
    const central = centralValue(e);
    return {
      id: e.id,
      date,
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
      laterCount: later.length,
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
