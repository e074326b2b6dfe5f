/**
 * Hindcast: the model's baseline run beside every reported estimate of the quantities it
 * tracks, with the error shown. Estimates published up to the in-sample date could inform the
 * initial values; later ones test the model (they were not used to set it). Pure (no Node).
 */
import {
  centralValue,
  daysBetween,
  estimatesFor,
  publishedDate,
  sourceById,
  type EstimateBasis,
  type EstimateQualifier,
  type EvidenceDocument,
  type MeasureType,
} from '../evidence/data.js';
import type { CaseDefinition, HindcastDefinition } from './definition.js';
import type { ScenarioRun } from './compare.js';

export interface HindcastRow {
  estimate: string;
  quantity: string;
  /** The estimate's measure type, when the hindcast compares by measure. */
  measure?: string;
  variable: string;
  asOf: string;
  /** Publication date; null for an undated page (never in-sample). */
  published: string | null;
  source: string;
  basis: EstimateBasis;
  qualifier?: EstimateQualifier;
  reported: number;
  low?: number;
  high?: number;
  /** Model time of the as-of date. */
  time: number;
  model: number;
  /** model - reported */
  error: number;
  /** (model - reported) / reported */
  relativeError: number;
  /** For ranges: whether the model falls inside [low, high]. */
  withinRange?: boolean;
  /** 'in-sample' when published by the in-sample date (could inform initial values), else 'test'. */
  role: 'in-sample' | 'test';
  note?: string;
}

export interface HindcastSummary {
  quantity: string;
  measure?: string;
  variable: string;
  /** Test estimates that count (observed or assessed; plans and capacities excluded). */
  count: number;
  /** Median of |relative error| over them. */
  medianAbsoluteRelativeError: number;
  /** Median signed relative error: positive when the model runs above the reports. */
  medianRelativeError: number;
}

export interface Hindcast {
  scenario: string;
  rows: HindcastRow[];
  summaries: HindcastSummary[];
}

/** Linear interpolation of a saved series at time t (clamped to the run). */
export function valueAt(time: readonly number[], values: readonly number[], t: number): number {
  if (time.length === 0) return NaN;
  if (t <= time[0]!) return values[0]!;
  if (t >= time[time.length - 1]!) return values[values.length - 1]!;
  let lo = 0;
  let hi = time.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (time[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const f = (t - time[lo]!) / (time[hi]! - time[lo]!);
  return values[lo]! + f * (values[hi]! - values[lo]!);
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function modelTimeOf(definition: CaseDefinition, date: string): number {
  return daysBetween(definition.startDate, date) / definition.daysPerTimeUnit;
}

/** The (quantity, measure, variable) streams a hindcast compares. */
export function hindcastStreams(
  hindcast: HindcastDefinition,
): { quantity: string; measure?: string; variable: string }[] {
  return Object.entries(hindcast.quantities).flatMap(([quantity, v]) =>
    typeof v === 'string'
      ? [{ quantity, variable: v }]
      : Object.entries(v).map(([measure, variable]) => ({ quantity, measure, variable })),
  );
}

export function computeHindcast(
  definition: CaseDefinition,
  hindcast: HindcastDefinition,
  run: ScenarioRun,
  evidence: EvidenceDocument,
): Hindcast {
  const rows: HindcastRow[] = [];
  for (const { quantity, measure, variable } of hindcastStreams(hindcast)) {
    const series = run.series[variable];
    if (!series) continue;
    const filter = measure ? { measures: [measure as MeasureType] } : {};
    for (const e of estimatesFor(evidence, quantity, filter)) {
      if (e.asOf < hindcast.from || e.asOf > hindcast.to) continue;
      const time = modelTimeOf(definition, e.asOf);
      const model = valueAt(run.time, series, time);
      const reported = centralValue(e);
      const published = publishedDate(evidence, e) ?? null;
      const row: HindcastRow = {
        estimate: e.id,
        quantity,
        ...(measure ? { measure } : {}),
        variable,
        asOf: e.asOf,
        published,
        source: sourceById(evidence, e.source)?.name ?? e.source,
        basis: e.basis,
        reported,
        time,
        model,
        error: model - reported,
        relativeError: reported !== 0 ? (model - reported) / reported : NaN,
        role: published !== null && published <= hindcast.inSampleUntil ? 'in-sample' : 'test',
      };
      if (e.qualifier) row.qualifier = e.qualifier;
      if (e.note) row.note = e.note;
      if (e.low !== undefined && e.high !== undefined) {
        row.low = e.low;
        row.high = e.high;
        row.withinRange = model >= e.low && model <= e.high;
      }
      rows.push(row);
    }
  }
  rows.sort(
    (a, b) =>
      a.quantity.localeCompare(b.quantity) ||
      (a.measure ?? '').localeCompare(b.measure ?? '') ||
      a.asOf.localeCompare(b.asOf),
  );
  const summaries: HindcastSummary[] = [];
  for (const { quantity, measure, variable } of hindcastStreams(hindcast)) {
    const tests = rows.filter(
      (r) =>
        r.quantity === quantity &&
        r.measure === measure &&
        r.role === 'test' &&
        (r.basis === 'observed' || r.basis === 'assessed') &&
        Number.isFinite(r.relativeError),
    );
    if (rows.every((r) => r.quantity !== quantity || r.measure !== measure)) continue;
    summaries.push({
      quantity,
      ...(measure ? { measure } : {}),
      variable,
      count: tests.length,
      medianAbsoluteRelativeError: median(tests.map((r) => Math.abs(r.relativeError))),
      medianRelativeError: median(tests.map((r) => r.relativeError)),
    });
  }
  return { scenario: run.name, rows, summaries };
}
