/**
 * The calibration spec (JSON): which model parameters to estimate and their priors, which data
 * streams inform them and through which observation model, and how to estimate. Parsing is pure
 * (no file access); a wrong spec raises a SpecError naming the offending field, like the
 * experiment spec whose distributions and run block it shares. Its shape is calibrationSpecSchema.
 */
import { z } from 'zod';
import { makeDistribution, type DistributionSpec } from '../experiments/distributions.js';
import { checkSpec } from '../experiments/spec.js';
import { namedPriorSchema, priorSchema, runSettingsSchema } from '../experiments/spec-schema.js';
import { ESTIMATE_BASES, type EstimateBasis } from '../evidence/data.js';
import { choice, date, describeValue, finite, flag, strict, text } from '../validation.js';

type Json = unknown;

export const CALIBRATION_METHODS = ['optimize', 'mcmc', 'smc'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

export const ERROR_DISTRIBUTIONS = ['normal', 'lognormal', 'student-t'] as const;
export type ErrorDistribution = (typeof ERROR_DISTRIBUTIONS)[number];

export interface ParameterSpec {
  name: string;
  /** The model constant (or stock initial value) this parameter sets; defaults to `name`. */
  variable: string;
  prior: DistributionSpec;
}

/** The error scale of a stream: fixed, given per data row, or estimated with a prior. */
export type ScaleSpec =
  { kind: 'fixed'; value: number } | { kind: 'row' } | { kind: 'estimate'; prior: DistributionSpec };

export interface ErrorSpec {
  dist: ErrorDistribution;
  /** Student-t degrees of freedom. */
  df?: number;
  /**
   * On the log scale (relative errors): always for lognormal; optional for normal and Student-t.
   * The scale is then in log units (0.1 is about a 10% error).
   */
  log: boolean;
  sd: ScaleSpec;
  /** Scale each row's error by its source's grade (evidence streams; default true there). */
  grade: boolean;
}

export type StreamSource =
  | { kind: 'file'; file: string }
  | {
      kind: 'evidence';
      file: string;
      quantity: string;
      /** Only estimates of these measure types (absent: any). */
      measures?: string[];
      /** Only estimates on these bases (default observed and assessed). */
      bases: EstimateBasis[];
    };

export interface StreamSpec {
  /** A short name for the stream (its bias and scale parameters are named after it). */
  name: string;
  /** The model variable the data measure. */
  variable: string;
  source: StreamSource;
  error: ErrorSpec;
  /**
   * A multiplicative bias, estimated with the prior given: one for the whole stream, or one per
   * source of its rows (`by: "source"`), so that sources that disagree are modelled, not averaged;
   * a `reference` source then keeps bias 1 and anchors the level.
   */
  bias?: { prior: DistributionSpec; by: 'stream' | 'source'; reference?: string };
  note?: string;
  /** Count estimates that repeat one briefing once (evidence streams; default true). */
  dedupe: boolean;
}

export interface PredictPoint {
  name: string;
  variable: string;
  /** Model time, or a calendar date converted with the spec's calendar. */
  time?: number;
  date?: string;
}

export { DATE_PATTERN, dayNumber } from '../validation.js';

type Ctx = z.core.$RefinementCtx;
const fail = (ctx: Ctx, path: PropertyKey[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });
const positive = (message: string) =>
  finite().refine((x) => x > 0, { error: (iss) => `${message}, got ${describeValue(iss.input)}` });
/** Whether a prior lies on positive values (a prior that failed its own checks is reported there). */
function onPositiveValues(prior: DistributionSpec | undefined): boolean {
  if (!prior) return true;
  try {
    return makeDistribution(prior).support[0] >= 0;
  } catch {
    return true;
  }
}

/** The error scale: a fixed number, "row" (each data row gives its sd), "estimate", or {estimate: PRIOR}. */
const scaleSchema = z.union(
  [
    positive('must be a positive number'),
    z.literal('row'),
    z.literal('estimate'),
    strict({ estimate: priorSchema.optional(), prior: priorSchema.optional() }, '{"estimate": PRIOR}')
      .refine(
        (v) => (v.estimate === undefined) !== (v.prior === undefined),
        'give the prior of the estimated scale as {"estimate": PRIOR}',
      )
      .refine((v) => onPositiveValues(v.estimate ?? v.prior), {
        path: ['estimate'],
        message: 'the prior of a scale must be on positive values (e.g. lognormal, or low >= 0)',
      }),
  ],
  {
    error: (iss) =>
      iss.input === undefined
        ? 'is required: a number, "row" (each data row gives its sd) or "estimate"'
        : 'must be a number, "row", "estimate" or {"estimate": prior}',
  },
);

const errorSchema = strict(
  {
    dist: choice(ERROR_DISTRIBUTIONS),
    df: positive('must be positive').optional(),
    sd: scaleSchema,
    log: flag().optional(),
    grade: flag().optional(),
  },
  'an object like {"dist": "normal", "sd": 0.1}',
).superRefine((e, c) => {
  if (e.dist === 'lognormal' && e.log === false) fail(c, ['log'], 'a lognormal error is on the log scale');
  if (e.dist !== 'student-t' && e.df !== undefined) fail(c, ['df'], 'applies to student-t errors only');
  const log = e.dist === 'lognormal' || e.log === true;
  if (e.sd === 'estimate' && !log)
    fail(c, ['sd'], 'an estimated linear-scale error needs a prior: {"estimate": {"dist": ...}}');
});

const basesSchema = z
  .array(choice(ESTIMATE_BASES), { error: 'must be a non-empty array' })
  .min(1, 'must be a non-empty array');

const biasSchema = z.union(
  [
    flag(),
    strict({
      prior: priorSchema.optional(),
      by: choice(['stream', 'source']).default('stream'),
      reference: text().optional(),
      estimate: z.literal(true, { error: 'must be true (or leave out "bias")' }).optional(),
    }).superRefine((b, c) => {
      if (b.prior !== undefined && !onPositiveValues(b.prior))
        fail(c, ['prior'], 'a bias multiplies: its prior must be on positive values (e.g. lognormal)');
      if (b.reference !== undefined && b.by !== 'source') fail(c, ['reference'], 'applies to "by": "source"');
    }),
  ],
  { error: 'must be true or {"prior": {...}, "by": "stream" | "source"}' },
);

const streamSchema = strict(
  {
    name: text().optional(),
    file: text().optional(),
    evidence: text().optional(),
    quantity: text().optional(),
    measure: z.union([text(), z.array(text())], { error: 'must be a measure type (a string)' }).optional(),
    bases: basesSchema.optional(),
    variable: text(),
    error: errorSchema,
    bias: biasSchema.optional(),
    dedupe: flag().optional(),
    note: text().optional(),
  },
  'an object with "file" or "evidence", "variable" and "error"',
).superRefine((v, c) => {
  if (v.file !== undefined && v.evidence !== undefined)
    fail(c, [], 'give either "file" or "evidence", not both');
  else if (v.file !== undefined) {
    for (const key of ['quantity', 'measure', 'bases', 'dedupe'] as const)
      if (v[key] !== undefined) fail(c, [key], 'applies to evidence streams only');
    if (typeof v.bias === 'object' && v.bias.by === 'source')
      fail(c, ['bias', 'by'], '"source" applies to evidence streams');
  } else if (v.evidence !== undefined) {
    if (v.quantity === undefined) fail(c, ['quantity'], 'is required (a string)');
  } else fail(c, [], 'needs "file" (a CSV/TSV of time,value) or "evidence" (an evidence.json)');
});

const pointSchema = strict(
  { name: text(), variable: text(), time: finite().optional(), date: date().optional() },
  'an object {"name", "variable", "time" or "date"}',
).refine((q) => (q.time === undefined) !== (q.date === undefined), 'needs exactly one of "time" and "date"');

const integerIn = (lo: number, hi: number) =>
  finite().refine((x) => Number.isInteger(x) && x >= lo && x <= hi, {
    error: (iss) => `must be an integer in [${lo}, ${hi}], got ${describeValue(iss.input)}`,
  });

export const calibrationSpecSchema = strict(
  {
    model: text(),
    seed: finite()
      .refine((x) => Number.isSafeInteger(x) && x >= 0, {
        error: (iss) => `must be a non-negative integer, got ${describeValue(iss.input)}`,
      })
      .default(1),
    method: choice(CALIBRATION_METHODS).default('mcmc'),
    /** Bases of evidence streams: observed and assessed unless the spec or the stream says otherwise. */
    bases: basesSchema.default(['observed', 'assessed']),
    /** Posterior draws wanted (MCMC: kept draws over all chains; SMC: particles). */
    samples: finite()
      .refine((x) => Number.isInteger(x) && x >= 10, {
        error: (iss) => `must be an integer >= 10, got ${describeValue(iss.input)}`,
      })
      .default(2000),
    /** MCMC chains (default chosen by the sampler). */
    chains: integerIn(2, 256).optional(),
    parameters: z
      .array(namedPriorSchema, { error: 'must be a non-empty array' })
      .min(1, 'must be a non-empty array'),
    data: z.array(streamSchema, { error: 'must be a non-empty array' }).min(1, 'must be a non-empty array'),
    /** Only data published on or before this date. */
    asOf: date().optional(),
    /** Model time of calendar dates: `start` is the date of the model's start time. */
    calendar: strict(
      { start: date(), daysPerTimeUnit: finite().refine((x) => x > 0, 'must be positive') },
      '{"start": "YYYY-MM-DD", "daysPerTimeUnit": 30.4375}',
    ).optional(),
    run: runSettingsSchema.default({}),
    /** Posterior predictive output: fans of these series and quantiles at these points. */
    predict: strict(
      {
        variables: z.array(text(), { error: 'must be an array of variable names' }).default([]),
        points: z.array(pointSchema, { error: 'must be an array' }).default([]),
        draws: integerIn(10, 100000).default(400),
      },
      '{"variables": [...], "points": [...]}',
    ).default({ variables: [], points: [], draws: 400 }),
    description: text().optional(),
  },
  'a JSON object',
).transform((json, ctx) => {
  const parameters = json.parameters.map(({ name, variable, ...prior }): ParameterSpec => ({
    name,
    variable,
    prior,
  }));
  const data = json.data.map((v, i) => toStream(v, i, json.bases));
  const seen = new Map<string, string>();
  parameters.forEach((p, i) => {
    const prior = seen.get(p.name);
    if (prior) fail(ctx, ['parameters', i, 'name'], `name '${p.name}' is already used by ${prior}`);
    seen.set(p.name, `parameters[${i}].name`);
  });
  const streamNames = new Set<string>();
  data.forEach((d, i) => {
    if (streamNames.has(d.name))
      fail(ctx, ['data', i, 'name'], `stream name '${d.name}' is used twice; name the streams`);
    streamNames.add(d.name);
  });
  const { bases: _bases, ...rest } = json;
  void _bases;
  return { ...rest, parameters, data };
});

export type CalibrationSpec = z.output<typeof calibrationSpecSchema>;

function toStream(
  v: z.output<typeof streamSchema>,
  index: number,
  defaultBases: EstimateBasis[],
): StreamSpec {
  const measures = v.measure === undefined ? undefined : Array.isArray(v.measure) ? v.measure : [v.measure];
  const source: StreamSource =
    v.file !== undefined
      ? { kind: 'file', file: v.file }
      : {
          kind: 'evidence',
          file: v.evidence!,
          quantity: v.quantity!,
          measures,
          bases: v.bases ?? defaultBases,
        };
  const evidence = source.kind === 'evidence';
  const name =
    v.name ??
    (source.kind === 'evidence'
      ? `${source.quantity}${measures ? `.${measures.join('+')}` : ''}`
      : `data${index + 1}`);
  const log = v.error.dist === 'lognormal' || v.error.log === true;
  const sd = v.error.sd;
  const scale: ScaleSpec =
    typeof sd === 'number'
      ? { kind: 'fixed', value: sd }
      : sd === 'row'
        ? { kind: 'row' }
        : // Default prior of an estimated scale: log-scale errors between about 2% and 150% (median 20%).
          sd === 'estimate'
          ? { kind: 'estimate', prior: { dist: 'lognormal', mu: Math.log(0.2), sigma: 1 } }
          : { kind: 'estimate', prior: (sd.estimate ?? sd.prior)! };
  const error: ErrorSpec = {
    dist: v.error.dist,
    df: v.error.dist === 'student-t' ? (v.error.df ?? 4) : undefined,
    log,
    sd: scale,
    grade: v.error.grade ?? evidence,
  };
  let bias: StreamSpec['bias'];
  const fallback: DistributionSpec = { dist: 'lognormal', mu: 0, sigma: 0.5 };
  if (v.bias === true) bias = { prior: fallback, by: 'stream' };
  else if (typeof v.bias === 'object')
    bias = { prior: v.bias.prior ?? fallback, by: v.bias.by, reference: v.bias.reference };
  return { name, variable: v.variable, source, error, bias, dedupe: v.dedupe ?? evidence, note: v.note };
}

export function parseCalibrationSpec(json: Json, file?: string): CalibrationSpec {
  return checkSpec(calibrationSpecSchema, json, file);
}
