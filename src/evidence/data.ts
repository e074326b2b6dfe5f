/**
 * The evidence document: types, validation with JSON-path errors, canonical serialisation and
 * pure queries. No Node imports, so the case model, the CLI and the browser workbench can all
 * read `evidence.json` without a database; the SQLite store imports and exports this format.
 */
import type { z } from 'zod';
import { stripBom } from '../model/text.js';
import { check } from '../validation.js';
import {
  CONSISTENCY_RATINGS,
  CREDIBILITY_GRADES,
  ESTIMATE_BASES,
  ESTIMATE_QUALIFIERS,
  EVIDENCE_FORMAT,
  EVIDENCE_VERSION,
  evidenceDocumentSchema,
  evidenceItemSchema,
  FIELDS,
  forecastQuestionSchema,
  forecastSchema,
  hypothesisSchema,
  hypothesisSetSchema,
  indicatorSchema,
  indicatorTargetSchema,
  INDICATOR_COMPARISONS,
  MEASURE_TYPES,
  OUTCOMES,
  ratingSchema,
  RELIABILITY_GRADES,
  reportSchema,
  resolutionSchema,
  SOURCE_KINDS,
  sourceSchema,
  estimateSchema,
  WEIGHT_LEVELS,
} from './schema.js';

export {
  CONSISTENCY_RATINGS,
  CREDIBILITY_GRADES,
  ESTIMATE_BASES,
  ESTIMATE_QUALIFIERS,
  EVIDENCE_FORMAT,
  EVIDENCE_VERSION,
  INDICATOR_COMPARISONS,
  MEASURE_TYPES,
  OUTCOMES,
  RELIABILITY_GRADES,
  SOURCE_KINDS,
  WEIGHT_LEVELS,
};
export { isIsoDate } from './schema.js';
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type Reliability = (typeof RELIABILITY_GRADES)[number];
export type InformationCredibility = (typeof CREDIBILITY_GRADES)[number];
export type EstimateBasis = (typeof ESTIMATE_BASES)[number];
export type MeasureType = (typeof MEASURE_TYPES)[number];
export type EstimateQualifier = (typeof ESTIMATE_QUALIFIERS)[number];
export type ConsistencyRating = (typeof CONSISTENCY_RATINGS)[number];
export type WeightLevel = (typeof WEIGHT_LEVELS)[number];
export type IndicatorComparison = (typeof INDICATOR_COMPARISONS)[number];
export type Outcome = (typeof OUTCOMES)[number];

export const RELIABILITY_LABELS: Record<Reliability, string> = {
  A: 'reliable',
  B: 'usually reliable',
  C: 'fairly reliable',
  D: 'not usually reliable',
  E: 'unreliable',
  F: 'cannot be judged',
};
export const CREDIBILITY_LABELS: Record<InformationCredibility, string> = {
  1: 'confirmed',
  2: 'probably true',
  3: 'possibly true',
  4: 'doubtfully true',
  5: 'improbable',
  6: 'cannot be judged',
};

// The records, as their schemas (schema.ts) define them.
export type Source = z.output<typeof sourceSchema>;
export type Report = z.output<typeof reportSchema>;
export type Estimate = z.output<typeof estimateSchema>;
export type Hypothesis = z.output<typeof hypothesisSchema>;
export type EvidenceItem = z.output<typeof evidenceItemSchema>;
export type Rating = z.output<typeof ratingSchema>;
export type HypothesisSet = z.output<typeof hypothesisSetSchema>;
export type IndicatorTarget = z.output<typeof indicatorTargetSchema>;
export type Indicator = z.output<typeof indicatorSchema>;
export type Resolution = z.output<typeof resolutionSchema>;
export type Forecast = z.output<typeof forecastSchema>;
export type ForecastQuestion = z.output<typeof forecastQuestionSchema>;
export type EvidenceDocument = z.output<typeof evidenceDocumentSchema>;

export function emptyDocument(): EvidenceDocument {
  return {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    sources: [],
    reports: [],
    estimates: [],
    hypothesisSets: [],
    indicators: [],
    forecastQuestions: [],
  };
}

/** One problem in a document, located by JSON path (`$.estimates[3].value`). */
export interface ValidationIssue {
  path: string;
  message: string;
  /** 1-based line and column in the text, when the problem is a JSON syntax error. */
  line?: number;
  column?: number;
}

export type ParseResult = { ok: true; document: EvidenceDocument } | { ok: false; issues: ValidationIssue[] };

// ---------------------------------------------------------------------------------------------
// Parsing and validation

/** Parse JSON text and validate it as an evidence document. Never throws. */
export function parseEvidenceJson(text: string): ParseResult {
  let raw: unknown;
  text = stripBom(text);
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const issue: ValidationIssue = { path: '$', message: `not valid JSON: ${message}` };
    const at = /position (\d+)/.exec(message);
    // Node 20 reports a truncated document without a position: the problem is at its end.
    const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.length : undefined;
    if (offset !== undefined) {
      const before = text.slice(0, offset).split('\n');
      issue.line = before.length;
      issue.column = before[before.length - 1]!.length + 1;
    }
    return { ok: false, issues: [issue] };
  }
  return validateEvidence(raw);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Validate a parsed JSON value as an evidence document (evidenceDocumentSchema): types, ranges,
 * unknown and prototype keys, duplicate ids and references between records. Every issue carries
 * its JSON path (`$.estimates[3].value`).
 */
export function validateEvidence(raw: unknown): ParseResult {
  const r = check(evidenceDocumentSchema, raw);
  if (!r.ok) {
    return {
      ok: false,
      issues: r.problems.map((p) => ({
        path: p.path === '' ? '$' : p.path.startsWith('[') ? `$${p.path}` : `$.${p.path}`,
        message: p.message,
      })),
    };
  }
  return { ok: true, document: canonicalDocument(r.value) };
}

// ---------------------------------------------------------------------------------------------
// Canonical form

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical document: top-level records sorted by id; hypotheses and evidence items keep
 * their authored order (it is meaningful: H1..H4); ratings sorted by evidence order, then
 * hypothesis order, then analyst; forecasts by analyst then date; keys in a fixed order.
 */
export function canonicalDocument(doc: EvidenceDocument): EvidenceDocument {
  const pick = <T extends object>(o: T, keys: readonly (keyof T)[]): T => {
    const out = {} as T;
    for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
    return out;
  };
  const sets = doc.hypothesisSets.map((s) => {
    const eOrder = new Map(s.evidence.map((e, i) => [e.id, i]));
    const hOrder = new Map(s.hypotheses.map((h, i) => [h.id, i]));
    const ratings = [...s.ratings]
      .sort(
        (a, b) =>
          (eOrder.get(a.evidence) ?? 0) - (eOrder.get(b.evidence) ?? 0) ||
          (hOrder.get(a.hypothesis) ?? 0) - (hOrder.get(b.hypothesis) ?? 0) ||
          compareStrings(a.analyst, b.analyst),
      )
      .map((r) => pick(r, FIELDS.rating));
    return pick(
      {
        ...s,
        hypotheses: s.hypotheses.map((h) => pick(h, FIELDS.hypothesis)),
        evidence: s.evidence.map((e) => pick(e, FIELDS.evidenceItem)),
        ratings,
      },
      FIELDS.hypothesisSet,
    );
  });
  const out: EvidenceDocument = {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    sources: [...doc.sources].sort(byId).map((s) => pick(s, FIELDS.source)),
    reports: [...doc.reports].sort(byId).map((r) => pick(r, FIELDS.report)),
    estimates: [...doc.estimates].sort(byId).map((e) => pick(e, FIELDS.estimate)),
    hypothesisSets: sets.sort(byId),
    indicators: [...doc.indicators]
      .sort(byId)
      .map((i) => pick({ ...i, bearsOn: pick(i.bearsOn, FIELDS.bearsOn) }, FIELDS.indicator)),
    forecastQuestions: [...doc.forecastQuestions].sort(byId).map((q) =>
      pick(
        {
          ...q,
          ...(q.resolution ? { resolution: pick(q.resolution, FIELDS.resolution) } : {}),
          forecasts: [...q.forecasts]
            .sort((a, b) => compareStrings(a.analyst, b.analyst) || compareStrings(a.date, b.date))
            .map((f) => pick(f, FIELDS.forecast)),
        },
        FIELDS.question,
      ),
    ),
  };
  if (doc.description === undefined) return out;
  const { format, version, ...rest } = out;
  return { format, version, description: doc.description, ...rest };
}

/** Canonical text: the canonical document, two-space indentation, a final newline. */
export function serializeEvidence(doc: EvidenceDocument): string {
  return JSON.stringify(canonicalDocument(doc), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// Queries

export function sourceById(doc: EvidenceDocument, id: string): Source | undefined {
  return doc.sources.find((s) => s.id === id);
}

export function reportById(doc: EvidenceDocument, id: string): Report | undefined {
  return doc.reports.find((r) => r.id === id);
}

export function estimateById(doc: EvidenceDocument, id: string): Estimate | undefined {
  return doc.estimates.find((e) => e.id === id);
}

/** The date an estimate became public: its report's publication date; undefined when undated. */
export function publishedDate(doc: EvidenceDocument, estimate: Estimate): string | undefined {
  return reportById(doc, estimate.report)?.published;
}

/** The date to order an estimate by: its publication date, or for an undated page its as-of date. */
export function orderingDate(doc: EvidenceDocument, estimate: Estimate): string {
  return publishedDate(doc, estimate) ?? estimate.asOf;
}

/** A single number for an estimate: its value, or the midpoint of its range. */
export function centralValue(estimate: Estimate): number {
  if (estimate.value !== undefined) return estimate.value;
  return ((estimate.low ?? 0) + (estimate.high ?? 0)) / 2;
}

export interface EstimateFilter {
  bases?: readonly EstimateBasis[];
  /** Only estimates of these measure types (estimates without a measure are left out). */
  measures?: readonly MeasureType[];
  /** Only estimates published on or before this date (undated pages never qualify). */
  publishedBy?: string;
}

/** Estimates of one quantity in publication order (then as-of date, then id). */
export function estimatesFor(
  doc: EvidenceDocument,
  quantity: string,
  filter: EstimateFilter = {},
): Estimate[] {
  // One lookup table instead of a search per comparison: large stores stay O(n log n).
  const published = new Map(doc.reports.map((r) => [r.id, r.published]));
  const dateOf = (e: Estimate) => published.get(e.report) ?? e.asOf;
  return doc.estimates
    .filter((e) => e.quantity === quantity)
    .filter((e) => !filter.bases || filter.bases.includes(e.basis))
    .filter((e) => !filter.measures || (e.measure !== undefined && filter.measures.includes(e.measure)))
    .filter((e) => {
      if (!filter.publishedBy) return true;
      const date = published.get(e.report);
      return date !== undefined && date <= filter.publishedBy;
    })
    .sort(
      (a, b) =>
        compareStrings(dateOf(a), dateOf(b)) || compareStrings(a.asOf, b.asOf) || compareStrings(a.id, b.id),
    );
}

/** Every quantity key with at least one estimate, sorted. */
export function quantities(doc: EvidenceDocument): string[] {
  return [...new Set(doc.estimates.map((e) => e.quantity))].sort();
}

/** Resolve estimate ids cited by a model parameter; unknown ids are returned separately. */
export function citedEstimates(
  doc: EvidenceDocument,
  ids: readonly string[],
): { found: Estimate[]; missing: string[] } {
  const found: Estimate[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const e = estimateById(doc, id);
    if (e) found.push(e);
    else missing.push(id);
  }
  return { found, missing };
}

/** One estimate as a point for a hindcast: the date it describes and its central value. */
export interface Observation {
  id: string;
  /** The date the figure describes (the estimate's asOf). */
  date: string;
  /** Publication date; null for an undated page. */
  published: string | null;
  value: number;
  low: number | null;
  high: number | null;
  basis: EstimateBasis;
  measure: MeasureType | null;
  briefing: string | null;
  source: string;
}

/**
 * Observed values for a model hindcast: estimates of a quantity (observed and assessed only
 * by default; plans and capacities are not observations), ordered by the date they describe.
 */
export function observationsFor(
  doc: EvidenceDocument,
  quantity: string,
  bases: readonly EstimateBasis[] = ['observed', 'assessed'],
): Observation[] {
  return estimatesFor(doc, quantity, { bases })
    .map((e) => ({
      id: e.id,
      date: e.asOf,
      published: publishedDate(doc, e) ?? null,
      value: centralValue(e),
      low: e.low ?? null,
      high: e.high ?? null,
      basis: e.basis,
      measure: e.measure ?? null,
      briefing: e.briefing ?? null,
      source: e.source,
    }))
    .sort(
      (a, b) =>
        compareStrings(a.date, b.date) ||
        compareStrings(a.published ?? '', b.published ?? '') ||
        compareStrings(a.id, b.id),
    );
}
