/**
 * The evidence document: types, validation with JSON-path errors, canonical serialisation and
 * pure queries. No Node imports, so the case model, the CLI and the browser workbench can all
 * read `evidence.json` without a database; the SQLite store imports and exports this format.
 */
import { describeUnsafe, findUnsafeCharacter, stripBom } from '../model/text.js';

export const EVIDENCE_FORMAT = 'interlock-evidence';
export const EVIDENCE_VERSION = 1;

export const SOURCE_KINDS = ['government', 'military', 'press', 'think-tank', 'adversary'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Admiralty (NATO STANAG 2511) source reliability: A reliable ... E unreliable, F cannot be judged. */
export const RELIABILITY_GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Reliability = (typeof RELIABILITY_GRADES)[number];

/** Admiralty information credibility: 1 confirmed ... 5 improbable, 6 cannot be judged. */
export const CREDIBILITY_GRADES = [1, 2, 3, 4, 5, 6] as const;
export type InformationCredibility = (typeof CREDIBILITY_GRADES)[number];

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

/**
 * What a figure is: `observed` (a count or sighting), `assessed` (an analytic judgement),
 * `plan` (an intention, e.g. "10,000 by December") or `capacity` (an upper bound, e.g. what
 * containers "could contain"). Plans and capacities are never merged into observed figures.
 */
export const ESTIMATE_BASES = ['observed', 'assessed', 'plan', 'capacity'] as const;
export type EstimateBasis = (typeof ESTIMATE_BASES)[number];

/**
 * What an estimate counts, so that a likelihood compares like with like: troops `present` at a
 * date vs `cumulative-sent` since the start; casualties as `killed`, `wounded`,
 * `killed-and-wounded` (the usual "casualties") or `captured`; munitions `delivered` or `fired`; a `rate`
 * (per day or month); or a yes/no fact `acknowledged` (1 = officially acknowledged).
 */
export const MEASURE_TYPES = [
  'present',
  'cumulative-sent',
  'killed',
  'killed-and-wounded',
  'wounded',
  'captured',
  'delivered',
  'fired',
  'rate',
  'acknowledged',
] as const;
export type MeasureType = (typeof MEASURE_TYPES)[number];

/** How the source qualified the figure ("at least 3,000", "up to 8,000", "about 11,000"). */
export const ESTIMATE_QUALIFIERS = ['about', 'at-least', 'up-to', 'more-than'] as const;
export type EstimateQualifier = (typeof ESTIMATE_QUALIFIERS)[number];

export const CONSISTENCY_RATINGS = [
  'very-consistent',
  'consistent',
  'neutral',
  'inconsistent',
  'very-inconsistent',
  'not-applicable',
] as const;
export type ConsistencyRating = (typeof CONSISTENCY_RATINGS)[number];

/** Credibility and relevance of an evidence item in a hypothesis set (PARC ACH weights). */
export const WEIGHT_LEVELS = ['low', 'medium', 'high'] as const;
export type WeightLevel = (typeof WEIGHT_LEVELS)[number];

export const INDICATOR_COMPARISONS = ['above', 'at-least', 'below', 'at-most'] as const;
export type IndicatorComparison = (typeof INDICATOR_COMPARISONS)[number];

export const OUTCOMES = ['yes', 'no', 'ambiguous'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Source {
  id: string;
  name: string;
  kind: SourceKind;
  reliability: Reliability;
  url?: string;
  note?: string;
}

export interface Report {
  id: string;
  source: string;
  /** When the report was published (YYYY-MM-DD); absent exactly when `undated` is true. */
  published?: string;
  /** The page carries no date: it is never given one, and never counts as public by a date. */
  undated?: true;
  /** When the reported event happened, kept apart from publication. */
  eventDate?: string;
  /** The report's claim, paraphrased. */
  claim: string;
  credibility: InformationCredibility;
  urls?: string[];
  /** Claim ids of the seed analysis this report bears on (C1..C18). */
  claims?: string[];
  note?: string;
}

export interface Estimate {
  id: string;
  quantity: string;
  value?: number;
  low?: number;
  high?: number;
  qualifier?: EstimateQualifier;
  unit: string;
  /** The date the figure describes. */
  asOf: string;
  basis: EstimateBasis;
  /** What the figure counts (troops present vs sent, killed vs killed and wounded, ...). */
  measure?: MeasureType;
  /**
   * Key shared by estimates that repeat one briefing (one NIS briefing relayed by several
   * outlets or lawmakers): a likelihood counts a briefing once.
   */
  briefing?: string;
  source: string;
  report: string;
  note?: string;
}

export interface Hypothesis {
  id: string;
  text: string;
  claims?: string[];
}

export interface EvidenceItem {
  id: string;
  text: string;
  report?: string;
  claims?: string[];
  /**
   * The analysis under test making its own case (the seed article's argument), not independent
   * evidence: shown in the matrix but kept out of the hypotheses' scores.
   */
  argument?: true;
  credibility: WeightLevel;
  relevance: WeightLevel;
}

export interface Rating {
  analyst: string;
  evidence: string;
  hypothesis: string;
  rating: ConsistencyRating;
  /** This analyst's relevance of the item to this hypothesis; default: the item's relevance. */
  relevance?: WeightLevel;
  note?: string;
}

export interface HypothesisSet {
  id: string;
  question: string;
  claims?: string[];
  hypotheses: Hypothesis[];
  evidence: EvidenceItem[];
  ratings: Rating[];
}

export interface IndicatorTarget {
  claims?: string[];
  hypothesisSet?: string;
  hypothesis?: string;
  scenario?: string;
}

export interface Indicator {
  id: string;
  text: string;
  quantity: string;
  comparison: IndicatorComparison;
  threshold: number;
  /** Which estimate bases count; default observed and assessed. */
  bases?: EstimateBasis[];
  bearsOn: IndicatorTarget;
  note?: string;
}

export interface Resolution {
  outcome: Outcome;
  date: string;
  report?: string;
  note?: string;
}

export interface Forecast {
  analyst: string;
  date: string;
  probability: number;
  note?: string;
}

export interface ForecastQuestion {
  id: string;
  text: string;
  claims?: string[];
  opened: string;
  closes: string;
  resolution?: Resolution;
  forecasts: Forecast[];
}

export interface EvidenceDocument {
  format: typeof EVIDENCE_FORMAT;
  version: typeof EVIDENCE_VERSION;
  description?: string;
  sources: Source[];
  reports: Report[];
  estimates: Estimate[];
  hypothesisSets: HypothesisSet[];
  indicators: Indicator[];
  forecastQuestions: ForecastQuestion[];
}

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

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Fields that name or identify something: held to the strict character rule of model/text.ts. */
const NAME_KEYS = new Set(['id', 'name', 'analyst', 'quantity', 'unit', 'source', 'report', 'label']);
const QUANTITY_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
const CLAIM_PATTERN = /^C[0-9]+$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = DATE_PATTERN.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '...' : v}'`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

/** Collects issues while walking the raw JSON; each reader returns a typed value or undefined. */
class Checker {
  readonly issues: ValidationIssue[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(v: Json, path: string, allowed: readonly string[]): JsonObject | undefined {
    if (!isObject(v)) return this.fail(path, `must be an object, got ${describe(v)}`);
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) {
        this.fail(`${path}.${key}`, `unknown field '${key}' (allowed: ${allowed.join(', ')})`);
      }
    }
    return v;
  }

  array(v: Json, path: string): Json[] | undefined {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return this.fail(path, `must be an array, got ${describe(v)}`);
    return v;
  }

  string(o: JsonObject, key: string, path: string, required = true): string | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.fail(`${path}.${key}`, 'is required') : undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      return this.fail(`${path}.${key}`, `must be a non-empty string, got ${describe(v)}`);
    }
    // Names and ids: nothing invisible or reordering; other text may hold line breaks.
    const unsafe = findUnsafeCharacter(v, { freeText: !NAME_KEYS.has(key) });
    if (unsafe) return this.fail(`${path}.${key}`, `${describeUnsafe(unsafe)} is not allowed here`);
    return v;
  }

  id(o: JsonObject, key: string, path: string, required = true): string | undefined {
    const v = this.string(o, key, path, required);
    if (v !== undefined && !ID_PATTERN.test(v)) {
      return this.fail(
        `${path}.${key}`,
        `'${v}' is not a valid id (letters, digits, '.', '_', ':', '-'; starting with a letter or digit)`,
      );
    }
    return v;
  }

  date(o: JsonObject, key: string, path: string, required = true): string | undefined {
    const v = this.string(o, key, path, required);
    if (v !== undefined && !isIsoDate(v)) {
      return this.fail(`${path}.${key}`, `'${v}' is not a calendar date written YYYY-MM-DD`);
    }
    return v;
  }

  number(o: JsonObject, key: string, path: string, required = true): number | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.fail(`${path}.${key}`, 'is required') : undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return this.fail(`${path}.${key}`, `must be a finite number, got ${describe(v)}`);
    }
    return v;
  }

  choice<T extends string | number>(
    o: JsonObject,
    key: string,
    path: string,
    choices: readonly T[],
    what: string,
    required = true,
  ): T | undefined {
    const v = o[key];
    if (v === undefined) return required ? this.fail(`${path}.${key}`, 'is required') : undefined;
    if (!choices.includes(v as T)) {
      return this.fail(
        `${path}.${key}`,
        `${describe(v)} is not ${what}; expected one of ${choices.join(', ')}`,
      );
    }
    return v as T;
  }

  url(v: Json, path: string): string | undefined {
    if (typeof v !== 'string') return this.fail(path, `must be a URL string, got ${describe(v)}`);
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      return this.fail(path, `'${v}' is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return this.fail(path, `'${v}' must be an http or https URL`);
    }
    return v;
  }

  claims(o: JsonObject, path: string): string[] | undefined {
    if (o.claims === undefined) return undefined;
    const list = this.array(o.claims, `${path}.claims`);
    if (!list) return undefined;
    const out: string[] = [];
    list.forEach((c, i) => {
      if (typeof c !== 'string' || !CLAIM_PATTERN.test(c)) {
        this.fail(`${path}.claims[${i}]`, `${describe(c)} is not a claim id such as 'C5'`);
      } else out.push(c);
    });
    return out;
  }

  /** Refuse a second record with the same key; returns false for a duplicate. */
  unique(seen: Map<string, string>, key: string, path: string, what: string): boolean {
    const first = seen.get(key);
    if (first !== undefined) {
      this.fail(path, `duplicate ${what} (first defined at ${first})`);
      return false;
    }
    seen.set(key, path);
    return true;
  }
}

function optionalNote(c: Checker, o: JsonObject, path: string): { note?: string } {
  const note = c.string(o, 'note', path, false);
  return note === undefined ? {} : { note };
}

/** The fields of each record, in canonical order: what validation accepts and export writes. */
const FIELDS = {
  document: [
    'format',
    'version',
    'description',
    'sources',
    'reports',
    'estimates',
    'hypothesisSets',
    'indicators',
    'forecastQuestions',
  ],
  source: ['id', 'name', 'kind', 'reliability', 'url', 'note'],
  report: [
    'id',
    'source',
    'published',
    'undated',
    'eventDate',
    'claim',
    'credibility',
    'urls',
    'claims',
    'note',
  ],
  estimate: [
    'id',
    'quantity',
    'value',
    'low',
    'high',
    'qualifier',
    'unit',
    'asOf',
    'basis',
    'measure',
    'briefing',
    'source',
    'report',
    'note',
  ],
  hypothesisSet: ['id', 'question', 'claims', 'hypotheses', 'evidence', 'ratings'],
  hypothesis: ['id', 'text', 'claims'],
  evidenceItem: ['id', 'text', 'report', 'claims', 'argument', 'credibility', 'relevance'],
  rating: ['analyst', 'evidence', 'hypothesis', 'rating', 'relevance', 'note'],
  indicator: ['id', 'text', 'quantity', 'comparison', 'threshold', 'bases', 'bearsOn', 'note'],
  bearsOn: ['claims', 'hypothesisSet', 'hypothesis', 'scenario'],
  question: ['id', 'text', 'claims', 'opened', 'closes', 'resolution', 'forecasts'],
  resolution: ['outcome', 'date', 'report', 'note'],
  forecast: ['analyst', 'date', 'probability', 'note'],
} as const;

/**
 * Validate a parsed JSON value as an evidence document: types, ranges, unknown fields,
 * duplicate ids and references between records. Every issue carries its JSON path.
 */
export function validateEvidence(raw: unknown): ParseResult {
  const c = new Checker();
  const top = c.object(raw, '$', FIELDS.document);
  if (!top) return { ok: false, issues: c.issues };
  if (top.format !== EVIDENCE_FORMAT) c.fail('$.format', `must be '${EVIDENCE_FORMAT}'`);
  if (top.version !== EVIDENCE_VERSION) {
    c.fail('$.version', `unsupported version ${describe(top.version)}; this interlock reads version 1`);
  }
  const doc = emptyDocument();
  const description = c.string(top, 'description', '$', false);
  if (description !== undefined) doc.description = description;

  // Sources
  const sourceIds = new Map<string, string>();
  (c.array(top.sources, '$.sources') ?? []).forEach((rawSource, i) => {
    const p = `$.sources[${i}]`;
    const o = c.object(rawSource, p, FIELDS.source);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const name = c.string(o, 'name', p);
    const kind = c.choice(o, 'kind', p, SOURCE_KINDS, 'a source kind');
    const reliability = c.choice(o, 'reliability', p, RELIABILITY_GRADES, 'an Admiralty reliability grade');
    const url = o.url === undefined ? undefined : c.url(o.url, `${p}.url`);
    if (id !== undefined && !c.unique(sourceIds, id, `${p}.id`, `source id '${id}'`)) return;
    if (id === undefined || name === undefined || kind === undefined || reliability === undefined) return;
    doc.sources.push({ id, name, kind, reliability, ...(url ? { url } : {}), ...optionalNote(c, o, p) });
  });

  // Reports
  const reportIds = new Map<string, string>();
  (c.array(top.reports, '$.reports') ?? []).forEach((rawReport, i) => {
    const p = `$.reports[${i}]`;
    const o = c.object(rawReport, p, FIELDS.report);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const source = c.id(o, 'source', p);
    if (source !== undefined && !sourceIds.has(source)) {
      c.fail(`${p}.source`, `unknown source '${source}' (not in $.sources)`);
    }
    let undated: true | undefined;
    if (o.undated !== undefined && o.undated !== true) {
      c.fail(`${p}.undated`, `must be true (or left out), got ${describe(o.undated)}`);
    } else if (o.undated === true) undated = true;
    if (undated && o.published !== undefined) {
      c.fail(`${p}.published`, 'an undated report has no publication date (drop published or undated)');
    }
    const published = undated ? undefined : c.date(o, 'published', p);
    if (undated && o.note === undefined) {
      c.fail(`${p}.note`, 'an undated report needs a note saying what is known of its date');
    }
    const eventDate = c.date(o, 'eventDate', p, false);
    const claim = c.string(o, 'claim', p);
    const credibility = c.choice(
      o,
      'credibility',
      p,
      CREDIBILITY_GRADES,
      'an Admiralty information credibility grade',
    );
    let urls: string[] | undefined;
    if (o.urls !== undefined) {
      urls = [];
      for (const [j, u] of (c.array(o.urls, `${p}.urls`) ?? []).entries()) {
        const ok = c.url(u, `${p}.urls[${j}]`);
        if (ok) urls.push(ok);
      }
    }
    const claims = c.claims(o, p);
    if (id !== undefined && !c.unique(reportIds, id, `${p}.id`, `report id '${id}'`)) return;
    if (!id || !source || (!published && !undated) || !claim || credibility === undefined) return;
    doc.reports.push({
      id,
      source,
      ...(published ? { published } : {}),
      ...(undated ? { undated } : {}),
      ...(eventDate ? { eventDate } : {}),
      claim,
      credibility,
      ...(urls ? { urls } : {}),
      ...(claims ? { claims } : {}),
      ...optionalNote(c, o, p),
    });
  });

  // Estimates
  const estimateIds = new Map<string, string>();
  const unitOf = new Map<string, { unit: string; path: string }>();
  (c.array(top.estimates, '$.estimates') ?? []).forEach((rawEstimate, i) => {
    const p = `$.estimates[${i}]`;
    const o = c.object(rawEstimate, p, FIELDS.estimate);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const quantity = c.string(o, 'quantity', p);
    if (quantity !== undefined && !QUANTITY_PATTERN.test(quantity)) {
      c.fail(`${p}.quantity`, `'${quantity}' is not a quantity key such as 'nk.troops.in_russia'`);
    }
    const issuesBefore = c.issues.length;
    const value = c.number(o, 'value', p, false);
    const low = c.number(o, 'low', p, false);
    const high = c.number(o, 'high', p, false);
    if (c.issues.length === issuesBefore) {
      if (value === undefined && low === undefined && high === undefined) {
        c.fail(`${p}.value`, 'an estimate needs a value or a low-high range');
      } else if ((low === undefined) !== (high === undefined)) {
        c.fail(`${p}.${low === undefined ? 'low' : 'high'}`, 'a range needs both low and high');
      } else if (low !== undefined && high !== undefined && low > high) {
        c.fail(`${p}.low`, `low ${low} is above high ${high}`);
      } else if (
        value !== undefined &&
        low !== undefined &&
        high !== undefined &&
        (value < low || value > high)
      ) {
        c.fail(`${p}.value`, `value ${value} lies outside its range ${low}-${high}`);
      }
    }
    const figuresOk = c.issues.length === issuesBefore;
    const qualifier = c.choice(o, 'qualifier', p, ESTIMATE_QUALIFIERS, 'a qualifier', false);
    const unit = c.string(o, 'unit', p);
    const asOf = c.date(o, 'asOf', p);
    const basis = c.choice(o, 'basis', p, ESTIMATE_BASES, 'an estimate basis');
    const measure = c.choice(o, 'measure', p, MEASURE_TYPES, 'a measure type', false);
    const briefing = c.id(o, 'briefing', p, false);
    const source = c.id(o, 'source', p);
    if (source !== undefined && !sourceIds.has(source)) {
      c.fail(`${p}.source`, `unknown source '${source}' (not in $.sources)`);
    }
    const report = c.id(o, 'report', p);
    if (report !== undefined && !reportIds.has(report)) {
      c.fail(`${p}.report`, `unknown report '${report}' (not in $.reports)`);
    }
    if (quantity !== undefined && unit !== undefined) {
      const first = unitOf.get(quantity);
      if (first === undefined) unitOf.set(quantity, { unit, path: p });
      else if (first.unit !== unit) {
        c.fail(
          `${p}.unit`,
          `'${unit}' differs from the unit '${first.unit}' of ${quantity} at ${first.path}`,
        );
      }
    }
    if (id !== undefined && !c.unique(estimateIds, id, `${p}.id`, `estimate id '${id}'`)) return;
    if (!id || !quantity || !unit || !asOf || !basis || !source || !report || !figuresOk) return;
    doc.estimates.push({
      id,
      quantity,
      ...(value !== undefined ? { value } : {}),
      ...(low !== undefined ? { low } : {}),
      ...(high !== undefined ? { high } : {}),
      ...(qualifier ? { qualifier } : {}),
      unit,
      asOf,
      basis,
      ...(measure ? { measure } : {}),
      ...(briefing ? { briefing } : {}),
      source,
      report,
      ...optionalNote(c, o, p),
    });
  });

  // Hypothesis sets
  const setIds = new Map<string, string>();
  const hypothesesBySet = new Map<string, Set<string>>();
  (c.array(top.hypothesisSets, '$.hypothesisSets') ?? []).forEach((rawSet, i) => {
    const p = `$.hypothesisSets[${i}]`;
    const o = c.object(rawSet, p, FIELDS.hypothesisSet);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const question = c.string(o, 'question', p);
    const claims = c.claims(o, p);
    const hypotheses: Hypothesis[] = [];
    const hypothesisIds = new Map<string, string>();
    (c.array(o.hypotheses, `${p}.hypotheses`) ?? []).forEach((rawH, j) => {
      const hp = `${p}.hypotheses[${j}]`;
      const h = c.object(rawH, hp, FIELDS.hypothesis);
      if (!h) return;
      const hid = c.id(h, 'id', hp);
      const text = c.string(h, 'text', hp);
      const hClaims = c.claims(h, hp);
      if (hid !== undefined && !c.unique(hypothesisIds, hid, `${hp}.id`, `hypothesis id '${hid}'`)) return;
      if (hid && text) hypotheses.push({ id: hid, text, ...(hClaims ? { claims: hClaims } : {}) });
    });
    const evidence: EvidenceItem[] = [];
    const evidenceIds = new Map<string, string>();
    (c.array(o.evidence, `${p}.evidence`) ?? []).forEach((rawE, j) => {
      const ep = `${p}.evidence[${j}]`;
      const e = c.object(rawE, ep, FIELDS.evidenceItem);
      if (!e) return;
      const eid = c.id(e, 'id', ep);
      const text = c.string(e, 'text', ep);
      const report = c.id(e, 'report', ep, false);
      if (report !== undefined && !reportIds.has(report)) {
        c.fail(`${ep}.report`, `unknown report '${report}' (not in $.reports)`);
      }
      const eClaims = c.claims(e, ep);
      if (e.argument !== undefined && e.argument !== true) {
        c.fail(`${ep}.argument`, `must be true (or left out), got ${describe(e.argument)}`);
      }
      const credibility = c.choice(e, 'credibility', ep, WEIGHT_LEVELS, 'a credibility level');
      const relevance = c.choice(e, 'relevance', ep, WEIGHT_LEVELS, 'a relevance level');
      if (eid !== undefined && !c.unique(evidenceIds, eid, `${ep}.id`, `evidence id '${eid}'`)) return;
      if (eid && text && credibility && relevance) {
        evidence.push({
          id: eid,
          text,
          ...(report ? { report } : {}),
          ...(eClaims ? { claims: eClaims } : {}),
          ...(e.argument === true ? { argument: true as const } : {}),
          credibility,
          relevance,
        });
      }
    });
    const ratings: Rating[] = [];
    const cells = new Map<string, string>();
    (c.array(o.ratings, `${p}.ratings`) ?? []).forEach((rawR, j) => {
      const rp = `${p}.ratings[${j}]`;
      const r = c.object(rawR, rp, FIELDS.rating);
      if (!r) return;
      const analyst = c.id(r, 'analyst', rp);
      const ev = c.id(r, 'evidence', rp);
      if (ev !== undefined && !evidenceIds.has(ev)) {
        c.fail(`${rp}.evidence`, `unknown evidence item '${ev}' (not in ${p}.evidence)`);
      }
      const hyp = c.id(r, 'hypothesis', rp);
      if (hyp !== undefined && !hypothesisIds.has(hyp)) {
        c.fail(`${rp}.hypothesis`, `unknown hypothesis '${hyp}' (not in ${p}.hypotheses)`);
      }
      const rating = c.choice(r, 'rating', rp, CONSISTENCY_RATINGS, 'a consistency rating');
      const relevance = c.choice(r, 'relevance', rp, WEIGHT_LEVELS, 'a relevance level', false);
      if (!analyst || !ev || !hyp || !rating) return;
      if (
        !c.unique(
          cells,
          `${analyst}\u0000${ev}\u0000${hyp}`,
          rp,
          `rating: ${analyst} already rated (${ev}, ${hyp})`,
        )
      )
        return;
      ratings.push({
        analyst,
        evidence: ev,
        hypothesis: hyp,
        rating,
        ...(relevance ? { relevance } : {}),
        ...optionalNote(c, r, rp),
      });
    });
    if (id !== undefined && !c.unique(setIds, id, `${p}.id`, `hypothesis set id '${id}'`)) return;
    if (!id || !question) return;
    hypothesesBySet.set(id, new Set(hypotheses.map((h) => h.id)));
    doc.hypothesisSets.push({
      id,
      question,
      ...(claims ? { claims } : {}),
      hypotheses,
      evidence,
      ratings,
    });
  });

  // Indicators
  const indicatorIds = new Map<string, string>();
  (c.array(top.indicators, '$.indicators') ?? []).forEach((rawI, i) => {
    const p = `$.indicators[${i}]`;
    const o = c.object(rawI, p, FIELDS.indicator);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const text = c.string(o, 'text', p);
    const quantity = c.string(o, 'quantity', p);
    if (quantity !== undefined && !QUANTITY_PATTERN.test(quantity)) {
      c.fail(`${p}.quantity`, `'${quantity}' is not a quantity key such as 'nk.troops.in_russia'`);
    }
    const comparison = c.choice(o, 'comparison', p, INDICATOR_COMPARISONS, 'a comparison');
    const threshold = c.number(o, 'threshold', p);
    let bases: EstimateBasis[] | undefined;
    if (o.bases !== undefined) {
      bases = [];
      for (const [j, b] of (c.array(o.bases, `${p}.bases`) ?? []).entries()) {
        if (!ESTIMATE_BASES.includes(b as EstimateBasis)) {
          c.fail(
            `${p}.bases[${j}]`,
            `${describe(b)} is not an estimate basis; expected one of ${ESTIMATE_BASES.join(', ')}`,
          );
        } else if (bases.includes(b as EstimateBasis)) {
          c.fail(`${p}.bases[${j}]`, `duplicate basis '${String(b)}'`);
        } else bases.push(b as EstimateBasis);
      }
      if (bases.length === 0 && Array.isArray(o.bases) && o.bases.length === 0) {
        c.fail(`${p}.bases`, 'must list at least one basis (or be left out)');
      }
    }
    const bp = `${p}.bearsOn`;
    const b = o.bearsOn === undefined ? c.fail(bp, 'is required') : c.object(o.bearsOn, bp, FIELDS.bearsOn);
    let bearsOn: IndicatorTarget | undefined;
    if (b) {
      bearsOn = {};
      const claims = c.claims(b, bp);
      if (claims) bearsOn.claims = claims;
      const set = c.id(b, 'hypothesisSet', bp, false);
      const hyp = c.id(b, 'hypothesis', bp, false);
      const scenario = c.string(b, 'scenario', bp, false);
      if (set !== undefined) {
        if (!hypothesesBySet.has(set)) c.fail(`${bp}.hypothesisSet`, `unknown hypothesis set '${set}'`);
        bearsOn.hypothesisSet = set;
      }
      if (hyp !== undefined) {
        if (set === undefined) c.fail(`${bp}.hypothesis`, 'a hypothesis needs its hypothesisSet');
        else if (hypothesesBySet.has(set) && !hypothesesBySet.get(set)!.has(hyp)) {
          c.fail(`${bp}.hypothesis`, `unknown hypothesis '${hyp}' in set '${set}'`);
        }
        bearsOn.hypothesis = hyp;
      }
      if (scenario !== undefined) bearsOn.scenario = scenario;
      if (!claims && set === undefined && scenario === undefined) {
        c.fail(bp, 'must name claims, a hypothesis set (and hypothesis) or a scenario');
      }
    }
    if (id !== undefined && !c.unique(indicatorIds, id, `${p}.id`, `indicator id '${id}'`)) return;
    if (!id || !text || !quantity || !comparison || threshold === undefined || !bearsOn) return;
    doc.indicators.push({
      id,
      text,
      quantity,
      comparison,
      threshold,
      ...(bases ? { bases } : {}),
      bearsOn,
      ...optionalNote(c, o, p),
    });
  });

  // Forecast questions
  const questionIds = new Map<string, string>();
  (c.array(top.forecastQuestions, '$.forecastQuestions') ?? []).forEach((rawQ, i) => {
    const p = `$.forecastQuestions[${i}]`;
    const o = c.object(rawQ, p, FIELDS.question);
    if (!o) return;
    const id = c.id(o, 'id', p);
    const text = c.string(o, 'text', p);
    const claims = c.claims(o, p);
    const opened = c.date(o, 'opened', p);
    const closes = c.date(o, 'closes', p);
    if (opened && closes && closes < opened)
      c.fail(`${p}.closes`, `closes ${closes} before it opened ${opened}`);
    let resolution: Resolution | undefined;
    if (o.resolution !== undefined) {
      const rp = `${p}.resolution`;
      const r = c.object(o.resolution, rp, FIELDS.resolution);
      if (r) {
        const outcome = c.choice(r, 'outcome', rp, OUTCOMES, 'an outcome');
        const date = c.date(r, 'date', rp);
        const report = c.id(r, 'report', rp, outcome !== 'ambiguous');
        if (report !== undefined && !reportIds.has(report)) {
          c.fail(`${rp}.report`, `unknown report '${report}' (not in $.reports)`);
        }
        if (outcome && date) {
          resolution = { outcome, date, ...(report ? { report } : {}), ...optionalNote(c, r, rp) };
        }
      }
    }
    const forecasts: Forecast[] = [];
    const forecastKeys = new Map<string, string>();
    (c.array(o.forecasts, `${p}.forecasts`) ?? []).forEach((rawF, j) => {
      const fp = `${p}.forecasts[${j}]`;
      const f = c.object(rawF, fp, FIELDS.forecast);
      if (!f) return;
      const analyst = c.id(f, 'analyst', fp);
      const date = c.date(f, 'date', fp);
      let probability = c.number(f, 'probability', fp);
      if (probability !== undefined && !(probability > 0 && probability < 1)) {
        c.fail(
          `${fp}.probability`,
          `${probability} is out of range: a probability must lie strictly between 0 and 1 (the log score of 0 or 1 is infinite)`,
        );
        probability = undefined;
      }
      if (date && opened && date < opened)
        c.fail(`${fp}.date`, `forecast dated ${date}, before the question opened ${opened}`);
      if (date && closes && date > closes)
        c.fail(`${fp}.date`, `forecast dated ${date}, after the question closed ${closes}`);
      if (date && resolution && date > resolution.date) {
        c.fail(`${fp}.date`, `forecast dated ${date}, after the question resolved on ${resolution.date}`);
      }
      if (!analyst || !date || probability === undefined) return;
      if (
        !c.unique(
          forecastKeys,
          `${analyst}\u0000${date}`,
          fp,
          `forecast: ${analyst} already forecast on ${date}`,
        )
      )
        return;
      forecasts.push({ analyst, date, probability, ...optionalNote(c, f, fp) });
    });
    if (id !== undefined && !c.unique(questionIds, id, `${p}.id`, `forecast question id '${id}'`)) return;
    if (!id || !text || !opened || !closes) return;
    doc.forecastQuestions.push({
      id,
      text,
      ...(claims ? { claims } : {}),
      opened,
      closes,
      ...(resolution ? { resolution } : {}),
      forecasts,
    });
  });

  if (c.issues.length) return { ok: false, issues: c.issues };
  return { ok: true, document: canonicalDocument(doc) };
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
