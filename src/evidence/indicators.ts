/**
 * Indicators: what to watch, a threshold, and the claim, hypothesis or scenario it bears on.
 * The state is computed from the latest qualifying estimate. Node-free.
 */
import {
  centralValue,
  estimatesFor,
  orderingDate,
  type EstimateBasis,
  type EvidenceDocument,
  type Indicator,
  type IndicatorComparison,
  type IndicatorTarget,
} from './data.js';
import { CONSENSUS_BASES } from './estimates.js';

export const INDICATOR_FORMULAS = [
  'state = triggered if central(latest) <comparison> threshold, otherwise not triggered; no data if no estimate.',
  "  latest = the most recently published estimate of the indicator's quantity whose basis is in the",
  "  indicator's bases (default observed, assessed), published on or before the as-of date;",
  '  central = value, or the midpoint of low-high. above: >, at-least: >=, below: <, at-most: <=.',
];

export type IndicatorStateName = 'triggered' | 'not-triggered' | 'no-data';

export interface IndicatorState {
  id: string;
  text: string;
  quantity: string;
  comparison: IndicatorComparison;
  threshold: number;
  bases: EstimateBasis[];
  bearsOn: IndicatorTarget;
  state: IndicatorStateName;
  latest: {
    id: string;
    date: string;
    value: number;
    unit: string;
    source: string;
    basis: EstimateBasis;
  } | null;
}

export function compare(value: number, comparison: IndicatorComparison, threshold: number): boolean {
  switch (comparison) {
    case 'above':
      return value > threshold;
    case 'at-least':
      return value >= threshold;
    case 'below':
      return value < threshold;
    case 'at-most':
      return value <= threshold;
  }
}

export function indicatorState(doc: EvidenceDocument, indicator: Indicator, asOf?: string): IndicatorState {
  const bases = indicator.bases ?? [...CONSENSUS_BASES];
  const candidates = estimatesFor(doc, indicator.quantity, { bases, ...(asOf ? { publishedBy: asOf } : {}) });
  const latest = candidates[candidates.length - 1];
  const base = {
    id: indicator.id,
    text: indicator.text,
    quantity: indicator.quantity,
    comparison: indicator.comparison,
    threshold: indicator.threshold,
    bases,
    bearsOn: indicator.bearsOn,
  };
  if (!latest) return { ...base, state: 'no-data', latest: null };
  const value = centralValue(latest);
  return {
    ...base,
    state: compare(value, indicator.comparison, indicator.threshold) ? 'triggered' : 'not-triggered',
    latest: {
      id: latest.id,
      date: orderingDate(doc, latest),
      value,
      unit: latest.unit,
      source: latest.source,
      basis: latest.basis,
    },
  };
}

export function indicatorStates(doc: EvidenceDocument, asOf?: string): IndicatorState[] {
  return doc.indicators.map((i) => indicatorState(doc, i, asOf));
}
