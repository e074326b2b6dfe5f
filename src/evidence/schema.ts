/**
 * The schema of an evidence document (evidence.json, `interlock evidence import`, the store's
 * rows): each record's fields and their rules, and the rules between records (references,
 * duplicate ids, one unit per quantity), checked in document order. The record types of
 * data.ts are inferred from it, and the canonical key order of export is its field order.
 */
import { z } from 'zod';
import { describeUnsafe, findUnsafeCharacter } from '../model/text.js';
import { describeValue as describe, finite, strict } from '../validation.js';

export const EVIDENCE_FORMAT = 'interlock-evidence';
export const EVIDENCE_VERSION = 1;

export const SOURCE_KINDS = ['government', 'military', 'press', 'think-tank', 'adversary'] as const;

/** Admiralty (NATO STANAG 2511) source reliability: A reliable ... E unreliable, F cannot be judged. */
export const RELIABILITY_GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

/** Admiralty information credibility: 1 confirmed ... 5 improbable, 6 cannot be judged. */
export const CREDIBILITY_GRADES = [1, 2, 3, 4, 5, 6] as const;

/**
 * What a figure is: `observed` (a count or sighting), `assessed` (an analytic judgement),
 * `plan` (an intention, e.g. "10,000 by December") or `capacity` (an upper bound, e.g. what
 * containers "could contain"). Plans and capacities are never merged into observed figures.
 */
export const ESTIMATE_BASES = ['observed', 'assessed', 'plan', 'capacity'] as const;

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

/** How the source qualified the figure ("at least 3,000", "up to 8,000", "about 11,000"). */
export const ESTIMATE_QUALIFIERS = ['about', 'at-least', 'up-to', 'more-than'] as const;

export const CONSISTENCY_RATINGS = [
  'very-consistent',
  'consistent',
  'neutral',
  'inconsistent',
  'very-inconsistent',
  'not-applicable',
] as const;

/** Credibility and relevance of an evidence item in a hypothesis set (PARC ACH weights). */
export const WEIGHT_LEVELS = ['low', 'medium', 'high'] as const;

export const INDICATOR_COMPARISONS = ['above', 'at-least', 'below', 'at-most'] as const;

export const OUTCOMES = ['yes', 'no', 'ambiguous'] as const;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
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

type Ctx = z.core.$RefinementCtx;
const fail = (ctx: Ctx, path: PropertyKey[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });

/**
 * A non-empty string. Names and ids (`name`) allow nothing invisible or reordering; other text
 * (`free`) may also hold line breaks and tabs.
 */
const str = (kind: 'name' | 'free') =>
  z
    .string({
      error: (iss) =>
        iss.input === undefined ? 'is required' : `must be a non-empty string, got ${describe(iss.input)}`,
    })
    .superRefine((v, ctx) => {
      if (v.trim() === '') return fail(ctx, [], `must be a non-empty string, got ${describe(v)}`);
      const unsafe = findUnsafeCharacter(v, { freeText: kind === 'free' });
      if (unsafe) fail(ctx, [], `${describeUnsafe(unsafe)} is not allowed here`);
    });
const name = () => str('name');
const free = () => str('free');
const id = () =>
  name().refine((v) => ID_PATTERN.test(v), {
    error: (iss) =>
      `${describe(iss.input)} is not a valid id (letters, digits, '.', '_', ':', '-'; starting with a letter or digit)`,
  });
const date = () =>
  free().refine(isIsoDate, {
    error: (iss) => `${describe(iss.input)} is not a calendar date written YYYY-MM-DD`,
  });
const quantity = () =>
  name().refine((v) => QUANTITY_PATTERN.test(v), {
    error: (iss) => `${describe(iss.input)} is not a quantity key such as 'nk.troops.in_russia'`,
  });
/** One of a list of values, named `what` in the message. */
const oneOf = <const T extends readonly [string | number, ...(string | number)[]]>(values: T, what: string) =>
  z.literal(values as unknown as readonly T[number][], {
    error: (iss) =>
      iss.input === undefined
        ? 'is required'
        : `${describe(iss.input)} is not ${what}; expected one of ${values.join(', ')}`,
  });
const trueOrLeftOut = () =>
  z.literal(true, { error: (iss) => `must be true (or left out), got ${describe(iss.input)}` }).optional();
const url = () =>
  z.string({ error: (iss) => `must be a URL string, got ${describe(iss.input)}` }).superRefine((v, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      return fail(ctx, [], `'${v}' is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      fail(ctx, [], `'${v}' must be an http or https URL`);
  });
const list = <S extends z.ZodType>(item: S) =>
  z.array(item, { error: (iss) => `must be an array, got ${describe(iss.input)}` });
const claims = () =>
  list(
    z
      .string({ error: (iss) => `${describe(iss.input)} is not a claim id such as 'C5'` })
      .refine((c) => CLAIM_PATTERN.test(c), {
        error: (iss) => `${describe(iss.input)} is not a claim id such as 'C5'`,
      }),
  ).optional();
const note = () => free().optional();

export const sourceSchema = strict({
  id: id(),
  name: name(),
  kind: oneOf(SOURCE_KINDS, 'a source kind'),
  reliability: oneOf(RELIABILITY_GRADES, 'an Admiralty reliability grade'),
  url: url().optional(),
  note: note(),
});

export const reportSchema = strict({
  id: id(),
  source: id(),
  /** When the report was published; absent exactly when `undated` is true. */
  published: date().optional(),
  /** The page carries no date: it is never given one, and never counts as public by a date. */
  undated: trueOrLeftOut(),
  /** When the reported event happened, kept apart from publication. */
  eventDate: date().optional(),
  /** The report's claim, paraphrased. */
  claim: free(),
  credibility: oneOf(CREDIBILITY_GRADES, 'an Admiralty information credibility grade'),
  urls: list(url()).optional(),
  /** Claim ids of the seed analysis this report bears on (C1..C18). */
  claims: claims(),
  note: note(),
}).superRefine((r, ctx) => {
  if (r.undated && r.published !== undefined)
    fail(ctx, ['published'], 'an undated report has no publication date (drop published or undated)');
  if (!r.undated && r.published === undefined) fail(ctx, ['published'], 'is required');
  if (r.undated && r.note === undefined)
    fail(ctx, ['note'], 'an undated report needs a note saying what is known of its date');
});

export const estimateSchema = strict({
  id: id(),
  quantity: quantity(),
  value: finite().optional(),
  low: finite().optional(),
  high: finite().optional(),
  qualifier: oneOf(ESTIMATE_QUALIFIERS, 'a qualifier').optional(),
  unit: name(),
  /** The date the figure describes. */
  asOf: date(),
  basis: oneOf(ESTIMATE_BASES, 'an estimate basis'),
  /** What the figure counts (troops present vs sent, killed vs killed and wounded, ...). */
  measure: oneOf(MEASURE_TYPES, 'a measure type').optional(),
  /**
   * Key shared by estimates that repeat one briefing (one NIS briefing relayed by several
   * outlets or lawmakers): a likelihood counts a briefing once.
   */
  briefing: id().optional(),
  source: id(),
  report: id(),
  note: note(),
}).superRefine(({ value, low, high }, ctx) => {
  if (value === undefined && low === undefined && high === undefined)
    fail(ctx, ['value'], 'an estimate needs a value or a low-high range');
  else if ((low === undefined) !== (high === undefined))
    fail(ctx, [low === undefined ? 'low' : 'high'], 'a range needs both low and high');
  else if (low !== undefined && high !== undefined && low > high)
    fail(ctx, ['low'], `low ${low} is above high ${high}`);
  else if (value !== undefined && low !== undefined && high !== undefined && (value < low || value > high))
    fail(ctx, ['value'], `value ${value} lies outside its range ${low}-${high}`);
});

export const hypothesisSchema = strict({ id: id(), text: free(), claims: claims() });

export const evidenceItemSchema = strict({
  id: id(),
  text: free(),
  report: id().optional(),
  claims: claims(),
  /**
   * The analysis under test making its own case (the seed article's argument), not independent
   * evidence: shown in the matrix but kept out of the hypotheses' scores.
   */
  argument: trueOrLeftOut(),
  credibility: oneOf(WEIGHT_LEVELS, 'a credibility level'),
  relevance: oneOf(WEIGHT_LEVELS, 'a relevance level'),
});

export const ratingSchema = strict({
  analyst: id(),
  evidence: id(),
  hypothesis: id(),
  rating: oneOf(CONSISTENCY_RATINGS, 'a consistency rating'),
  /** This analyst's relevance of the item to this hypothesis; default: the item's relevance. */
  relevance: oneOf(WEIGHT_LEVELS, 'a relevance level').optional(),
  note: note(),
});

export const hypothesisSetSchema = strict({
  id: id(),
  question: free(),
  claims: claims(),
  hypotheses: list(hypothesisSchema).default([]),
  evidence: list(evidenceItemSchema).default([]),
  ratings: list(ratingSchema).default([]),
});

export const indicatorTargetSchema = strict({
  claims: claims(),
  hypothesisSet: id().optional(),
  hypothesis: id().optional(),
  scenario: free().optional(),
}).superRefine((b, ctx) => {
  if (b.hypothesis !== undefined && b.hypothesisSet === undefined)
    fail(ctx, ['hypothesis'], 'a hypothesis needs its hypothesisSet');
  if (!b.claims && b.hypothesisSet === undefined && b.scenario === undefined)
    fail(ctx, [], 'must name claims, a hypothesis set (and hypothesis) or a scenario');
});

export const indicatorSchema = strict({
  id: id(),
  text: free(),
  quantity: quantity(),
  comparison: oneOf(INDICATOR_COMPARISONS, 'a comparison'),
  threshold: finite(),
  /** Which estimate bases count; default observed and assessed. */
  bases: list(oneOf(ESTIMATE_BASES, 'an estimate basis'))
    .superRefine((bases, ctx) => {
      if (bases.length === 0) fail(ctx, [], 'must list at least one basis (or be left out)');
      bases.forEach((b, j) => {
        if (bases.indexOf(b) < j) fail(ctx, [j], `duplicate basis '${b}'`);
      });
    })
    .optional(),
  bearsOn: indicatorTargetSchema,
  note: note(),
});

export const resolutionSchema = strict({
  outcome: oneOf(OUTCOMES, 'an outcome'),
  date: date(),
  report: id().optional(),
  note: note(),
}).superRefine((r, ctx) => {
  if (r.outcome !== 'ambiguous' && r.report === undefined) fail(ctx, ['report'], 'is required');
});

export const forecastSchema = strict({
  analyst: id(),
  date: date(),
  probability: finite().refine((p) => p > 0 && p < 1, {
    error: (iss) =>
      `${String(iss.input)} is out of range: a probability must lie strictly between 0 and 1 (the log score of 0 or 1 is infinite)`,
  }),
  note: note(),
});

export const forecastQuestionSchema = strict({
  id: id(),
  text: free(),
  claims: claims(),
  opened: date(),
  closes: date(),
  resolution: resolutionSchema.optional(),
  forecasts: list(forecastSchema).default([]),
}).superRefine((q, ctx) => {
  if (q.closes < q.opened) fail(ctx, ['closes'], `closes ${q.closes} before it opened ${q.opened}`);
  q.forecasts.forEach((f, j) => {
    const at = ['forecasts', j, 'date'];
    if (f.date < q.opened) fail(ctx, at, `forecast dated ${f.date}, before the question opened ${q.opened}`);
    if (f.date > q.closes) fail(ctx, at, `forecast dated ${f.date}, after the question closed ${q.closes}`);
    if (q.resolution && f.date > q.resolution.date)
      fail(ctx, at, `forecast dated ${f.date}, after the question resolved on ${q.resolution.date}`);
  });
});

const documentFields = strict({
  format: z.literal(EVIDENCE_FORMAT, { error: `must be '${EVIDENCE_FORMAT}'` }),
  version: z.literal(EVIDENCE_VERSION, {
    error: (iss) => `unsupported version ${describe(iss.input)}; this interlock reads version 1`,
  }),
  description: free().optional(),
  sources: list(sourceSchema).default([]),
  reports: list(reportSchema).default([]),
  estimates: list(estimateSchema).default([]),
  hypothesisSets: list(hypothesisSetSchema).default([]),
  indicators: list(indicatorSchema).default([]),
  forecastQuestions: list(forecastQuestionSchema).default([]),
});

/** The fields of each record, in canonical order: what validation accepts and export writes. */
const keysOf = <T extends object>(shape: T) => Object.keys(shape) as (keyof T & string)[];
export const FIELDS = {
  document: keysOf(documentFields.shape),
  source: keysOf(sourceSchema.shape),
  report: keysOf(reportSchema.shape),
  estimate: keysOf(estimateSchema.shape),
  hypothesisSet: keysOf(hypothesisSetSchema.shape),
  hypothesis: keysOf(hypothesisSchema.shape),
  evidenceItem: keysOf(evidenceItemSchema.shape),
  rating: keysOf(ratingSchema.shape),
  indicator: keysOf(indicatorSchema.shape),
  bearsOn: keysOf(indicatorTargetSchema.shape),
  question: keysOf(forecastQuestionSchema.shape),
  resolution: keysOf(resolutionSchema.shape),
  forecast: keysOf(forecastSchema.shape),
};

/** A value as the cross-record pass may find it beside problems: typed only where it checks. */
type Loose = Record<string, unknown>;
const records = (v: unknown): Loose[] =>
  Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x !== null ? (x as Loose) : {})) : [];
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The rules between records, in document order: references resolve, ids and cells are unique,
 * one unit per quantity. They run beside the records' own problems (so one import reports
 * everything), on whatever fields are strings; a field that is wrong is reported by its schema.
 */
function checkReferences(value: unknown, ctx: Ctx): void {
  const doc = (typeof value === 'object' && value !== null ? value : {}) as Loose;
  const pathText = (path: PropertyKey[]) =>
    `$${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
  const unique = (
    seen: Map<string, string>,
    key: string | undefined,
    path: PropertyKey[],
    what: string,
  ): void => {
    if (key === undefined) return;
    const first = seen.get(key);
    if (first !== undefined) fail(ctx, path, `duplicate ${what} (first defined at ${first})`);
    else seen.set(key, pathText(path));
  };
  const sources = new Map<string, string>();
  records(doc.sources).forEach((s, i) =>
    unique(sources, text(s.id), ['sources', i, 'id'], `source id '${text(s.id)}'`),
  );
  const knownSource = (source: unknown, path: PropertyKey[]): void => {
    const id = text(source);
    if (id !== undefined && !sources.has(id)) fail(ctx, path, `unknown source '${id}' (not in $.sources)`);
  };
  const reports = new Map<string, string>();
  records(doc.reports).forEach((r, i) => {
    knownSource(r.source, ['reports', i, 'source']);
    unique(reports, text(r.id), ['reports', i, 'id'], `report id '${text(r.id)}'`);
  });
  const knownReport = (report: unknown, path: PropertyKey[]): void => {
    const id = text(report);
    if (id !== undefined && !reports.has(id)) fail(ctx, path, `unknown report '${id}' (not in $.reports)`);
  };
  const estimates = new Map<string, string>();
  const unitOf = new Map<string, { unit: string; path: string }>();
  records(doc.estimates).forEach((e, i) => {
    knownSource(e.source, ['estimates', i, 'source']);
    knownReport(e.report, ['estimates', i, 'report']);
    const quantity = text(e.quantity);
    const unit = text(e.unit);
    if (quantity !== undefined && unit !== undefined) {
      const first = unitOf.get(quantity);
      if (first === undefined) unitOf.set(quantity, { unit, path: `$.estimates[${i}]` });
      else if (first.unit !== unit)
        fail(
          ctx,
          ['estimates', i, 'unit'],
          `'${unit}' differs from the unit '${first.unit}' of ${quantity} at ${first.path}`,
        );
    }
    unique(estimates, text(e.id), ['estimates', i, 'id'], `estimate id '${text(e.id)}'`);
  });
  const sets = new Map<string, string>();
  const hypothesesBySet = new Map<string, Set<string>>();
  records(doc.hypothesisSets).forEach((s, i) => {
    const at = (...rest: PropertyKey[]) => ['hypothesisSets', i, ...rest];
    const p = `$.hypothesisSets[${i}]`;
    const hypotheses = new Map<string, string>();
    records(s.hypotheses).forEach((h, j) =>
      unique(hypotheses, text(h.id), at('hypotheses', j, 'id'), `hypothesis id '${text(h.id)}'`),
    );
    const items = new Map<string, string>();
    records(s.evidence).forEach((e, j) => {
      knownReport(e.report, at('evidence', j, 'report'));
      unique(items, text(e.id), at('evidence', j, 'id'), `evidence id '${text(e.id)}'`);
    });
    const cells = new Map<string, string>();
    records(s.ratings).forEach((r, j) => {
      const [analyst, evidence, hypothesis] = [text(r.analyst), text(r.evidence), text(r.hypothesis)];
      if (evidence !== undefined && !items.has(evidence))
        fail(ctx, at('ratings', j, 'evidence'), `unknown evidence item '${evidence}' (not in ${p}.evidence)`);
      if (hypothesis !== undefined && !hypotheses.has(hypothesis))
        fail(
          ctx,
          at('ratings', j, 'hypothesis'),
          `unknown hypothesis '${hypothesis}' (not in ${p}.hypotheses)`,
        );
      if (analyst === undefined || evidence === undefined || hypothesis === undefined) return;
      unique(
        cells,
        `${analyst}\u0000${evidence}\u0000${hypothesis}`,
        at('ratings', j),
        `rating: ${analyst} already rated (${evidence}, ${hypothesis})`,
      );
    });
    const id = text(s.id);
    unique(sets, id, at('id'), `hypothesis set id '${id}'`);
    if (id !== undefined && !hypothesesBySet.has(id)) hypothesesBySet.set(id, new Set(hypotheses.keys()));
  });
  const indicators = new Map<string, string>();
  records(doc.indicators).forEach((ind, i) => {
    const bearsOn = (typeof ind.bearsOn === 'object' && ind.bearsOn !== null ? ind.bearsOn : {}) as Loose;
    const [set, hypothesis] = [text(bearsOn.hypothesisSet), text(bearsOn.hypothesis)];
    if (set !== undefined && !hypothesesBySet.has(set))
      fail(ctx, ['indicators', i, 'bearsOn', 'hypothesisSet'], `unknown hypothesis set '${set}'`);
    if (set !== undefined && hypothesis !== undefined && hypothesesBySet.get(set)?.has(hypothesis) === false)
      fail(
        ctx,
        ['indicators', i, 'bearsOn', 'hypothesis'],
        `unknown hypothesis '${hypothesis}' in set '${set}'`,
      );
    unique(indicators, text(ind.id), ['indicators', i, 'id'], `indicator id '${text(ind.id)}'`);
  });
  const questions = new Map<string, string>();
  records(doc.forecastQuestions).forEach((q, i) => {
    const resolution = (
      typeof q.resolution === 'object' && q.resolution !== null ? q.resolution : {}
    ) as Loose;
    knownReport(resolution.report, ['forecastQuestions', i, 'resolution', 'report']);
    const keys = new Map<string, string>();
    records(q.forecasts).forEach((f, j) => {
      const [analyst, date] = [text(f.analyst), text(f.date)];
      if (analyst === undefined || date === undefined) return;
      unique(
        keys,
        `${analyst}\u0000${date}`,
        ['forecastQuestions', i, 'forecasts', j],
        `forecast: ${analyst} already forecast on ${date}`,
      );
    });
    unique(questions, text(q.id), ['forecastQuestions', i, 'id'], `forecast question id '${text(q.id)}'`);
  });
}

/** The evidence document: its records' schemas and, beside their problems, the rules between them. */
export const evidenceDocumentSchema = documentFields.superRefine(checkReferences, { when: () => true });
