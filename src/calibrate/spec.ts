/**
 * The calibration spec (JSON): which model parameters to estimate and their priors, which data
 * streams inform them and through which observation model, and how to estimate. Parsing is pure
 * (no file access); a wrong spec raises a SpecError naming the offending field, like the
 * experiment spec whose field reader and distributions it shares.
 */
import { makeDistribution, type DistributionSpec } from '../experiments/distributions.js';
import {
  isObject,
  parseRunSettings,
  parseUncertainty,
  Reader,
  type RunSettings,
} from '../experiments/spec.js';
import { ESTIMATE_BASES, type EstimateBasis } from '../evidence/data.js';

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

export interface CalibrationSpec {
  model: string;
  seed: number;
  method: CalibrationMethod;
  /** Posterior draws wanted (MCMC: kept draws over all chains; SMC: particles). */
  samples: number;
  /** MCMC chains (default chosen by the sampler). */
  chains?: number;
  parameters: ParameterSpec[];
  data: StreamSpec[];
  /** Only data published on or before this date (YYYY-MM-DD). */
  asOf?: string;
  /** Model time of calendar dates: `start` is the date of the model's start time. */
  calendar?: { start: string; daysPerTimeUnit: number };
  run: RunSettings;
  /** Posterior predictive output: fans of these series and quantiles at these points. */
  predict: { variables: string[]; points: PredictPoint[]; draws: number };
  description?: string;
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date as a day count (UTC), or NaN when it is not a real YYYY-MM-DD date. */
export function dayNumber(date: string): number {
  if (!DATE_PATTERN.test(date)) return NaN;
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== date) return NaN;
  return ms / 86400000;
}

function parsePrior(r: Reader, v: Json, field: string): DistributionSpec {
  if (!isObject(v)) r.fail(field, 'must be a distribution like {"dist": "uniform", "low": 0, "high": 1}');
  const withName = { name: '_', ...v };
  const parsed = parseUncertainty(r, withName, field);
  const { name: _name, variable: _variable, ...spec } = parsed;
  void _name;
  void _variable;
  if (spec.dist === 'integer' || spec.dist === 'categorical' || spec.dist === 'draws') {
    r.fail(
      `${field}.dist`,
      `a calibration prior must be continuous (uniform, triangular, normal, lognormal)`,
    );
  }
  return spec;
}

function parseScale(r: Reader, v: Json, field: string, log: boolean): ScaleSpec {
  if (v === undefined)
    r.fail(field, 'is required: a number, "row" (each data row gives its sd) or "estimate"');
  if (typeof v === 'number') {
    if (!(v > 0) || !Number.isFinite(v)) r.fail(field, `must be a positive number, got ${v}`);
    return { kind: 'fixed', value: v };
  }
  if (v === 'row') return { kind: 'row' };
  if (v === 'estimate') {
    // Default prior of an estimated scale: log-scale errors between about 2% and 150% (median 20%);
    // on the linear scale the user must say what size of error is plausible.
    if (!log) r.fail(field, 'an estimated linear-scale error needs a prior: {"estimate": {"dist": ...}}');
    return { kind: 'estimate', prior: { dist: 'lognormal', mu: Math.log(0.2), sigma: 1 } };
  }
  if (isObject(v)) {
    r.unknownKeys(v, ['estimate', 'prior'], field);
    if ((v.estimate === undefined) === (v.prior === undefined))
      r.fail(field, 'give the prior of the estimated scale as {"estimate": PRIOR}');
    const key = v.estimate === undefined ? 'prior' : 'estimate';
    const prior = parsePrior(r, v[key], `${field}.${key}`);
    if (makeDistribution(prior).support[0] < 0) {
      r.fail(
        `${field}.estimate`,
        'the prior of a scale must be on positive values (e.g. lognormal, or low >= 0)',
      );
    }
    return { kind: 'estimate', prior };
  }
  return r.fail(
    field,
    `must be a number, "row", "estimate" or {"estimate": prior}; got ${JSON.stringify(v)}`,
  );
}

function parseError(r: Reader, v: Json, field: string, evidence: boolean): ErrorSpec {
  if (!isObject(v)) r.fail(field, 'must be an object like {"dist": "normal", "sd": 0.1}');
  r.unknownKeys(v, ['dist', 'df', 'sd', 'log', 'grade'], field);
  const dist = r.choice(v, 'dist', field, ERROR_DISTRIBUTIONS);
  let log = dist === 'lognormal';
  if (v.log !== undefined) {
    if (typeof v.log !== 'boolean') r.fail(`${field}.log`, 'must be true or false');
    if (dist === 'lognormal' && v.log === false)
      r.fail(`${field}.log`, 'a lognormal error is on the log scale');
    log = v.log || log;
  }
  let df: number | undefined;
  if (dist === 'student-t') {
    df = r.number(v, 'df', field, 4);
    if (!(df > 0)) r.fail(`${field}.df`, `must be positive, got ${df}`);
  } else if (v.df !== undefined) r.fail(`${field}.df`, 'applies to student-t errors only');
  const sd = parseScale(r, v.sd, `${field}.sd`, log);
  let grade = evidence;
  if (v.grade !== undefined) {
    if (typeof v.grade !== 'boolean') r.fail(`${field}.grade`, 'must be true or false');
    grade = v.grade;
  }
  return { dist, df, log, sd, grade };
}

function parseBases(r: Reader, v: Json, field: string): EstimateBasis[] {
  if (!Array.isArray(v) || v.length === 0) r.fail(field, 'must be a non-empty array');
  return v.map((b, i) => {
    if (!ESTIMATE_BASES.includes(b as EstimateBasis)) {
      r.fail(`${field}[${i}]`, `must be one of ${ESTIMATE_BASES.join(', ')}; got ${JSON.stringify(b)}`);
    }
    return b as EstimateBasis;
  });
}

function parseStream(
  r: Reader,
  v: Json,
  field: string,
  index: number,
  defaultBases: EstimateBasis[],
): StreamSpec {
  if (!isObject(v)) r.fail(field, 'must be an object with "file" or "evidence", "variable" and "error"');
  r.unknownKeys(
    v,
    [
      'name',
      'file',
      'evidence',
      'quantity',
      'measure',
      'bases',
      'variable',
      'error',
      'bias',
      'dedupe',
      'note',
    ],
    field,
  );
  const variable = r.string(v, 'variable', field);
  let source: StreamSource;
  if (v.file !== undefined && v.evidence !== undefined)
    r.fail(field, 'give either "file" or "evidence", not both');
  if (v.file !== undefined) {
    for (const key of ['quantity', 'measure', 'bases', 'dedupe']) {
      if (v[key] !== undefined) r.fail(`${field}.${key}`, 'applies to evidence streams only');
    }
    source = { kind: 'file', file: r.string(v, 'file', field) };
  } else if (v.evidence !== undefined) {
    const quantity = r.string(v, 'quantity', field);
    let measures: string[] | undefined;
    if (v.measure !== undefined) {
      const list = Array.isArray(v.measure) ? v.measure : [v.measure];
      measures = list.map((m, i) => {
        if (typeof m !== 'string' || !m)
          r.fail(`${field}.measure[${i}]`, 'must be a measure type (a string)');
        return m;
      });
    }
    const bases = v.bases === undefined ? defaultBases : parseBases(r, v.bases, `${field}.bases`);
    source = { kind: 'evidence', file: r.string(v, 'evidence', field), quantity, measures, bases };
  } else {
    return r.fail(field, 'needs "file" (a CSV/TSV of time,value) or "evidence" (an evidence.json)');
  }
  const name = r.string(
    v,
    'name',
    field,
    source.kind === 'evidence'
      ? `${source.quantity}${source.measures ? `.${source.measures.join('+')}` : ''}`
      : `data${index + 1}`,
  );
  const error = parseError(r, v.error, `${field}.error`, source.kind === 'evidence');
  let bias: StreamSpec['bias'];
  if (v.bias !== undefined && v.bias !== false) {
    const fallback: DistributionSpec = { dist: 'lognormal', mu: 0, sigma: 0.5 };
    if (v.bias === true) bias = { prior: fallback, by: 'stream' };
    else {
      const b = v.bias;
      if (!isObject(b))
        r.fail(`${field}.bias`, 'must be true or {"prior": {...}, "by": "stream" | "source"}');
      r.unknownKeys(b, ['prior', 'by', 'reference', 'estimate'], `${field}.bias`);
      if (b.estimate !== undefined && b.estimate !== true)
        r.fail(`${field}.bias.estimate`, 'must be true (or leave out "bias")');
      const prior = b.prior === undefined ? fallback : parsePrior(r, b.prior, `${field}.bias.prior`);
      if (makeDistribution(prior).support[0] < 0)
        r.fail(
          `${field}.bias.prior`,
          'a bias multiplies: its prior must be on positive values (e.g. lognormal)',
        );
      const by = r.choice(b, 'by', `${field}.bias`, ['stream', 'source'] as const, 'stream');
      let reference: string | undefined;
      if (b.reference !== undefined) {
        if (by !== 'source') r.fail(`${field}.bias.reference`, 'applies to "by": "source"');
        reference = r.string(b, 'reference', `${field}.bias`);
      }
      if (by === 'source' && source.kind !== 'evidence')
        r.fail(`${field}.bias.by`, '"source" applies to evidence streams');
      bias = { prior, by, reference };
    }
  }
  let dedupe = source.kind === 'evidence';
  if (v.dedupe !== undefined) {
    if (typeof v.dedupe !== 'boolean') r.fail(`${field}.dedupe`, 'must be true or false');
    dedupe = v.dedupe;
  }
  const note = v.note === undefined ? undefined : r.string(v, 'note', field);
  return { name, variable, source, error, bias, dedupe, note };
}

function parseDate(r: Reader, v: Json, field: string): string {
  if (typeof v !== 'string' || !Number.isFinite(dayNumber(v))) {
    r.fail(field, `must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseCalibrationSpec(json: Json, file?: string): CalibrationSpec {
  const r: Reader = new Reader(file);
  if (!isObject(json)) r.fail('(spec)', 'must be a JSON object');
  r.unknownKeys(
    json,
    [
      'model',
      'seed',
      'method',
      'bases',
      'samples',
      'chains',
      'parameters',
      'data',
      'asOf',
      'calendar',
      'run',
      'predict',
      'description',
    ],
    '',
  );
  const model = r.string(json, 'model', '');
  const seed = r.number(json, 'seed', '', 1);
  if (!Number.isSafeInteger(seed) || seed < 0) r.fail('seed', `must be a non-negative integer, got ${seed}`);
  const method = r.choice(json, 'method', '', CALIBRATION_METHODS, 'mcmc');
  const samples = r.number(json, 'samples', '', 2000);
  if (!Number.isInteger(samples) || samples < 10)
    r.fail('samples', `must be an integer >= 10, got ${samples}`);
  let chains: number | undefined;
  if (json.chains !== undefined) {
    chains = r.number(json, 'chains', '');
    if (!Number.isInteger(chains) || chains < 2 || chains > 256)
      r.fail('chains', `must be an integer in [2, 256], got ${chains}`);
  }
  const list = (key: string): Json[] => {
    const v = json[key];
    if (!Array.isArray(v) || v.length === 0) r.fail(key, 'must be a non-empty array');
    return v;
  };
  const parameters = list('parameters').map((p, i): ParameterSpec => {
    const field = `parameters[${i}]`;
    if (!isObject(p))
      r.fail(field, 'must be an object like {"name": "k", "dist": "uniform", "low": 0, "high": 1}');
    const u = parseUncertainty(r, p, field);
    const { name, variable, ...prior } = u;
    if (prior.dist === 'integer' || prior.dist === 'categorical' || prior.dist === 'draws') {
      r.fail(
        `${field}.dist`,
        'a calibration prior must be continuous (uniform, triangular, normal, lognormal)',
      );
    }
    return { name, variable, prior };
  });
  // Bases of evidence streams: observed and assessed unless the spec or the stream says otherwise.
  const defaultBases: EstimateBasis[] =
    json.bases === undefined ? ['observed', 'assessed'] : parseBases(r, json.bases, 'bases');
  const data = list('data').map((d, i) => parseStream(r, d, `data[${i}]`, i, defaultBases));

  const seen = new Map<string, string>();
  const unique = (name: string, field: string): void => {
    const prior = seen.get(name);
    if (prior) r.fail(field, `name '${name}' is already used by ${prior}`);
    seen.set(name, field);
  };
  parameters.forEach((p, i) => unique(p.name, `parameters[${i}].name`));
  const streamNames = new Set<string>();
  data.forEach((d, i) => {
    if (streamNames.has(d.name))
      r.fail(`data[${i}].name`, `stream name '${d.name}' is used twice; name the streams`);
    streamNames.add(d.name);
  });

  const asOf = json.asOf === undefined ? undefined : parseDate(r, json.asOf, 'asOf');
  let calendar: CalibrationSpec['calendar'];
  if (json.calendar !== undefined) {
    const c = json.calendar;
    if (!isObject(c)) r.fail('calendar', 'must be {"start": "YYYY-MM-DD", "daysPerTimeUnit": 30.4375}');
    r.unknownKeys(c, ['start', 'daysPerTimeUnit'], 'calendar');
    const start = parseDate(r, c.start, 'calendar.start');
    const daysPerTimeUnit = r.number(c, 'daysPerTimeUnit', 'calendar');
    if (!(daysPerTimeUnit > 0)) r.fail('calendar.daysPerTimeUnit', 'must be positive');
    calendar = { start, daysPerTimeUnit };
  }
  const run = parseRunSettings(r, json.run);

  const predict: CalibrationSpec['predict'] = { variables: [], points: [], draws: 400 };
  if (json.predict !== undefined) {
    const p = json.predict;
    if (!isObject(p)) r.fail('predict', 'must be {"variables": [...], "points": [...]}');
    r.unknownKeys(p, ['variables', 'points', 'draws'], 'predict');
    if (p.variables !== undefined) {
      if (!Array.isArray(p.variables)) r.fail('predict.variables', 'must be an array of variable names');
      predict.variables = p.variables.map((v, i) => {
        if (typeof v !== 'string' || !v) r.fail(`predict.variables[${i}]`, 'must be a variable name');
        return v;
      });
    }
    if (p.points !== undefined) {
      if (!Array.isArray(p.points)) r.fail('predict.points', 'must be an array');
      predict.points = p.points.map((q, i) => {
        const field = `predict.points[${i}]`;
        if (!isObject(q)) r.fail(field, 'must be {"name", "variable", "time" or "date"}');
        r.unknownKeys(q, ['name', 'variable', 'time', 'date'], field);
        const point: PredictPoint = {
          name: r.string(q, 'name', field),
          variable: r.string(q, 'variable', field),
        };
        if ((q.time === undefined) === (q.date === undefined))
          r.fail(field, 'needs exactly one of "time" and "date"');
        if (q.time !== undefined) point.time = r.number(q, 'time', field);
        else {
          point.date = parseDate(r, q.date, `${field}.date`);
        }
        return point;
      });
    }
    predict.draws = r.number(p, 'draws', 'predict', 400);
    if (!Number.isInteger(predict.draws) || predict.draws < 10 || predict.draws > 100000) {
      r.fail('predict.draws', `must be an integer in [10, 100000], got ${predict.draws}`);
    }
  }
  const description = json.description === undefined ? undefined : r.string(json, 'description', '');
  return {
    model,
    seed,
    method,
    samples,
    chains,
    parameters,
    data,
    asOf,
    calendar,
    run,
    predict,
    description,
  };
}
