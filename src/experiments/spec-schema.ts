/**
 * The schemas of the experiment spec (JSON) and of its parts that calibration specs share: the
 * distributions of inputs and priors, the `run` block and scenario files. The spec's types are
 * inferred from them (spec.ts re-exports them); parseSpec checks with them.
 */
import { z } from 'zod';
import { SAMPLING_METHODS } from './samplers.js';
import { choice, describeValue, finite, flag, numbers, record, strict, text } from '../validation.js';

export const DISTRIBUTION_NAMES = [
  'uniform',
  'triangular',
  'normal',
  'lognormal',
  'integer',
  'categorical',
  'draws',
] as const;
export type DistributionName = (typeof DISTRIBUTION_NAMES)[number];
/** The distributions a calibration prior may take (continuous ones). */
export const CONTINUOUS_DISTRIBUTIONS = ['uniform', 'triangular', 'normal', 'lognormal'] as const;

type Ctx = z.core.$RefinementCtx;
const fail = (ctx: Ctx, path: PropertyKey[], message: string): void =>
  ctx.addIssue({ code: 'custom', path, message });
function highAboveLow(v: { low?: number; high?: number }, ctx: Ctx, strictMessage = true): void {
  if (v.low !== undefined && v.high !== undefined && !(v.high > v.low))
    fail(
      ctx,
      ['high'],
      strictMessage ? `must be greater than low (${v.low}), got ${v.high}` : 'must be greater than low',
    );
}

/** An input's name and the model parameter it sets (default: its name). */
const named = { name: text(), variable: text().optional() };

/** The fields of each distribution, beside an input's name and variable. */
function branches() {
  const extra = named;
  const uniform = strict({ ...extra, dist: z.literal('uniform'), low: finite(), high: finite() }).superRefine(
    (v, c) => highAboveLow(v, c),
  );
  const integer = strict({ ...extra, dist: z.literal('integer'), low: finite(), high: finite() }).superRefine(
    (v, c) => {
      highAboveLow(v, c);
      if (v.high > v.low && Math.floor(v.high) < Math.ceil(v.low)) fail(c, [], 'contains no integer');
    },
  );
  const triangular = strict({
    ...extra,
    dist: z.literal('triangular'),
    low: finite(),
    mode: finite().optional(),
    high: finite(),
  }).superRefine((v, c) => {
    highAboveLow(v, c);
    if (v.mode !== undefined && (v.mode < v.low || v.mode > v.high))
      fail(c, ['mode'], `must lie within [low, high], got ${v.mode}`);
  });
  const normal = strict({
    ...extra,
    dist: z.literal('normal'),
    mean: finite(),
    sd: finite().refine((x) => x > 0, {
      error: (iss) => `must be positive, got ${describeValue(iss.input)}`,
    }),
    low: finite().optional(),
    high: finite().optional(),
  }).superRefine((v, c) => highAboveLow(v, c, false));
  const lognormal = strict({
    ...extra,
    dist: z.literal('lognormal'),
    mu: finite(),
    sigma: finite().refine((x) => x > 0, {
      error: (iss) => `must be positive, got ${describeValue(iss.input)}`,
    }),
    low: finite().optional(),
    high: finite().optional(),
  }).superRefine((v, c) => highAboveLow(v, c, false));
  const categorical = strict({
    ...extra,
    dist: z.literal('categorical'),
    values: numbers(),
    weights: numbers().optional(),
  }).superRefine((v, c) => {
    if (v.weights === undefined) return;
    if (v.weights.length !== v.values.length)
      fail(c, ['weights'], `must have one weight per value (${v.values.length})`);
    else if (v.weights.some((w) => w < 0) || v.weights.every((w) => w === 0))
      fail(c, ['weights'], 'must be non-negative and not all zero');
  });
  /**
   * Joint draws (e.g. a calibration's posterior sample): the values of one input in draw order.
   * Inputs of the same `group` share one design coordinate, so each sampled future takes all of
   * them from the same draw and their correlations are kept (see groupedDesign in plan.ts).
   */
  const draws = strict({ ...extra, dist: z.literal('draws'), group: text(), values: numbers() });
  return { uniform, integer, triangular, normal, lognormal, categorical, draws };
}

const EXAMPLE = '{"name": "x", "dist": "uniform", "low": 0, "high": 1}';

/** A discriminated union over `dist` (default uniform), normalised: a triangle's mode, sorted categories. */
function distributionUnion<const N extends readonly DistributionName[]>(names: N, expected: string) {
  const all = branches();
  const options = names.map((n) => all[n]) as unknown as [
    (typeof all)[N[number]],
    ...(typeof all)[N[number]][],
  ];
  const union = z.discriminatedUnion('dist', options, {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const given = (iss.input as { dist?: unknown } | undefined)?.dist;
      return `must be one of ${names.join(', ')}; got ${describeValue(given)}`;
    },
  });
  return z.preprocess(
    (v) =>
      typeof v === 'object' && v !== null && !Array.isArray(v) && !('dist' in v)
        ? { ...v, dist: 'uniform' }
        : v,
    z
      .custom<unknown>(
        (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
        `must be an object like ${expected}`,
      )
      .pipe(union)
      .transform(normalise),
  );
}

type AnyDistribution = z.output<ReturnType<typeof branches>[DistributionName]>;
type Normalised<T> = T extends { dist: 'triangular' } ? Omit<T, 'mode'> & { mode: number } : T;
function normalise<T extends AnyDistribution>(v: T): Normalised<T> {
  if (v.dist === 'triangular' && v.mode === undefined)
    return { ...v, mode: (v.low + v.high) / 2 } as Normalised<T>;
  if (v.dist === 'categorical') {
    // Sorted values keep the quantile function monotone (and the CDF meaningful).
    const order = v.values.map((_, i) => i).sort((a, b) => v.values[a] - v.values[b]);
    const weights = v.weights;
    return {
      ...v,
      values: order.map((i) => v.values[i]),
      weights: weights && order.map((i) => weights[i]),
    } as Normalised<T>;
  }
  return v as Normalised<T>;
}

const withVariable = <T extends { name: string; variable?: string }>(v: T) => ({
  ...v,
  variable: v.variable ?? v.name,
});

/** An experiment's uncertain input: a named distribution setting a model parameter (default: its name). */
export const uncertaintySchema = distributionUnion(DISTRIBUTION_NAMES, EXAMPLE).transform(withVariable);
/** A calibration parameter: a named continuous prior. */
export const namedPriorSchema = distributionUnion(CONTINUOUS_DISTRIBUTIONS, EXAMPLE).transform(withVariable);
/** A continuous distribution by itself (a calibration's prior of a scale or a bias). */
export const priorSchema = z
  .preprocess(
    (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { name: '_', ...v } : v),
    distributionUnion(CONTINUOUS_DISTRIBUTIONS, '{"dist": "uniform", "low": 0, "high": 1}'),
  )
  .transform(({ name: _name, variable: _variable, ...prior }) => prior);

type Output = z.output<typeof uncertaintySchema>;
/** A distribution's fields, without the input's name and variable. */
export type DistributionSpec = Output extends infer U
  ? U extends unknown
    ? Omit<U, 'name' | 'variable'>
    : never
  : never;
export type UncertaintySpec = Output;

export const REDUCERS = ['final', 'max', 'min', 'mean', 'at', 'crossing', 'series'] as const;
export const OUTCOME_KINDS = ['info', 'minimize', 'maximize'] as const;

export const outcomeSchema = strict(
  {
    name: text().refine((s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s), {
      error: (iss) =>
        `must be an identifier (letters, digits, _) so expressions can use it; got '${String(iss.input)}'`,
    }),
    variable: text().optional(),
    reduce: choice(REDUCERS).default('final'),
    /** For `at`: the time to read. */
    time: finite().optional(),
    /** For `crossing`: the level whose first crossing time is recorded. */
    threshold: finite().optional(),
    /** For `crossing`: `up` (default) finds the first value >= threshold, `down` the first <= threshold. */
    direction: choice(['up', 'down']).optional(),
    /** For robustness: whether more is better. */
    kind: choice(OUTCOME_KINDS).default('info'),
  },
  'an object like {"name": "y", "variable": "Y", "reduce": "final"}',
)
  .superRefine((o, c) => {
    if (o.reduce === 'at' && o.time === undefined) fail(c, ['time'], 'is required (a number)');
    if (o.reduce === 'crossing' && o.threshold === undefined)
      fail(c, ['threshold'], 'is required (a number)');
  })
  .transform((o) => ({
    name: o.name,
    variable: o.variable ?? o.name,
    reduce: o.reduce,
    kind: o.kind,
    ...(o.reduce === 'at' ? { time: o.time } : {}),
    ...(o.reduce === 'crossing' ? { threshold: o.threshold, direction: o.direction ?? ('up' as const) } : {}),
  }));
export type OutcomeSpec = z.output<typeof outcomeSchema>;

export const leverSchema = strict(
  { name: text(), variable: text().optional(), values: numbers() },
  'an object like {"name": "policy", "values": [0, 1]}',
).transform(withVariable);
export type LeverSpec = z.output<typeof leverSchema>;

/** The `run` block of a spec: simulation settings that override the model's own. */
export const runSettingsSchema = strict(
  {
    start: finite().optional(),
    stop: finite().optional(),
    dt: finite()
      .refine((x) => x > 0, 'must be positive')
      .optional(),
    saveStep: finite().optional(),
    method: choice(['euler', 'rk2', 'rk4']).optional(),
  },
  'an object like {"stop": 100, "dt": 0.25}',
);
export type RunSettings = z.output<typeof runSettingsSchema>;

const list = <S extends z.ZodType>(item: S) => z.array(item, { error: 'must be an array' }).default([]);

export const experimentSpecSchema = strict(
  {
    /** Model path relative to the spec file, or `builtin:<name>` for a built-in test function. */
    model: text(),
    seed: finite()
      .refine((x) => Number.isSafeInteger(x) && x >= 0, {
        error: (iss) => `must be a non-negative integer, got ${describeValue(iss.input)}`,
      })
      .default(1),
    samples: finite()
      .refine((x) => Number.isInteger(x) && x >= 1, {
        error: (iss) => `must be a positive integer, got ${describeValue(iss.input)}`,
      })
      .default(1000),
    method: choice(SAMPLING_METHODS).default('lhs'),
    /** Sobol: also estimate second-order indices (N(2D+2) rows instead of N(D+2)). */
    secondOrder: flag().default(true),
    /** Morris: grid levels (even). */
    levels: finite().default(4),
    uncertainties: list(uncertaintySchema),
    levers: list(leverSchema),
    scenarios: list(text()),
    /** Scenario file relative to the spec file; default `scenarios.json` beside the model. */
    scenarioFile: text().optional(),
    outcomes: list(outcomeSchema),
    run: runSettingsSchema.default({}),
    /** Default satisficing criterion for robustness (an expression over outcome names). */
    satisfice: text().optional(),
    description: z.string().optional(),
  },
  'a JSON object',
).superRefine((s, c) => {
  if (s.method === 'morris' && (!Number.isInteger(s.levels) || s.levels < 2 || s.levels % 2 !== 0))
    fail(c, ['levels'], `must be an even integer >= 2 for Morris, got ${s.levels}`);
  if (s.outcomes.length === 0) fail(c, ['outcomes'], 'must list at least one outcome');
  const seen = new Map<string, string>();
  const unique = (name: string, path: PropertyKey[], field: string): void => {
    const prior = seen.get(name);
    if (prior) fail(c, path, `name '${name}' is already used by ${prior}`);
    else seen.set(name, field);
  };
  s.uncertainties.forEach((u, i) => unique(u.name, ['uncertainties', i, 'name'], `uncertainties[${i}].name`));
  s.levers.forEach((l, i) => unique(l.name, ['levers', i, 'name'], `levers[${i}].name`));
  s.outcomes.forEach((o, i) => unique(o.name, ['outcomes', i, 'name'], `outcomes[${i}].name`));
  const scenarios = new Set<string>();
  s.scenarios.forEach((name, i) => {
    if (scenarios.has(name)) fail(c, ['scenarios', i], `scenario '${name}' is listed twice`);
    scenarios.add(name);
  });
  const groups = new Map<string, { field: string; length: number }>();
  s.uncertainties.forEach((u, i) => {
    if (u.dist !== 'draws') return;
    const field = `uncertainties[${i}]`;
    if (s.method !== 'mc' && s.method !== 'lhs')
      fail(
        c,
        ['uncertainties', i, 'dist'],
        `joint draws work with the mc and lhs methods, not '${s.method}'`,
      );
    const first = groups.get(u.group);
    if (first && first.length !== u.values.length)
      fail(
        c,
        ['uncertainties', i, 'values'],
        `group '${u.group}' has ${first.length} draws in ${first.field} but ${u.values.length} here`,
      );
    if (!first) groups.set(u.group, { field, length: u.values.length });
  });
  if (s.uncertainties.length === 0 && (s.method === 'sobol' || s.method === 'morris'))
    fail(c, ['uncertainties'], `method '${s.method}' needs at least one uncertainty`);
  if (s.method === 'sobol' && s.uncertainties.length > 32)
    fail(
      c,
      ['uncertainties'],
      `Sobol' sampling supports at most 32 uncertainties, got ${s.uncertainties.length}`,
    );
});

/** One scenario of a scenario file: what it is, and the parameter values it sets. */
export const scenarioSchema = strict(
  {
    description: z.string({ error: 'must be a string' }).optional(),
    overrides: record(finite(), 'an object mapping parameter names to numbers'),
  },
  'an object like {"description": "...", "overrides": {"param": 1}}',
);
