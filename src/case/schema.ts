/**
 * The schemas of a case folder's JSON files (case.json, scenarios.json, parameters.json,
 * loops.json): the one definition of each file's shape. The parsers in definition.ts check with
 * them, the types are inferred from them and the server's OpenAPI document shows them.
 */
import { z } from 'zod';
import { scenarioSchema } from '../experiments/spec-schema.js';
import { choice, date, finite, flag, record, strict, text } from '../validation.js';

export const REDUCERS = ['at', 'max', 'time-of-max', 'final'] as const;

const strings = () => z.array(z.string(), { error: 'must be an array of strings' });

export const outcomeSchema = strict(
  {
    name: text(),
    label: text(),
    variable: text(),
    reduce: choice(REDUCERS),
    /** For `at`: the model time to read. */
    time: finite().optional(),
    units: text().optional(),
  },
  'an object {name, label, variable, reduce}',
).superRefine((o, ctx) => {
  if (o.reduce === 'at' && o.time === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['time'],
      message: 'is required (a finite number) when reduce is "at"',
    });
});

export const chartSchema = strict(
  { variable: text(), title: text(), units: text().optional() },
  'an object {variable, title}',
);

export const hindcastSchema = strict(
  {
    /** First and last as-of dates of the estimates compared. */
    from: date(),
    to: date(),
    /** Estimates published up to this date may inform initial values; later ones test the model. */
    inSampleUntil: date(),
    /**
     * Evidence quantity key -> model variable, or -> {measure type: variable}, so that troops
     * present meet troops in theatre and troops sent meet cumulative arrivals.
     */
    quantities: record(
      z.union([z.string(), record(z.string())], { error: 'must be a variable name or {measure: variable}' }),
      'an object mapping evidence quantities to variables',
    ),
  },
  'an object {from, to, inSampleUntil, quantities}',
);

/**
 * A sector of the diagram: the variables it names, and those whose names start with one of its
 * prefixes (the longest matching prefix wins). Variables no sector claims join the sector most of
 * their neighbours are in.
 */
export const sectorSchema = strict(
  { name: text(), prefixes: strings().default([]), variables: strings().default([]) },
  'an object {name, prefixes, variables}',
);

export const caseDefinitionSchema = strict(
  {
    title: text(),
    question: text(),
    /** Calendar date of model time 0. */
    startDate: date(),
    /** Length of one model time unit in days (a month is 30.4375). */
    daysPerTimeUnit: finite().positive(),
    timeUnit: text(),
    baseline: text(),
    outcomes: z
      .array(outcomeSchema, { error: 'must be a non-empty array of {name, label, variable, reduce}' })
      .min(1, 'must be a non-empty array of {name, label, variable, reduce}'),
    charts: z.array(chartSchema, { error: 'must be an array of {variable, title}' }),
    hindcast: hindcastSchema.optional(),
    /** Free text shown in the report: what the model leaves out. */
    limitations: strings().default([]),
    /** Parts of the system the diagram groups variables into (src/case/sectors.ts). */
    sectors: z.array(sectorSchema, { error: 'must be an array of {name, prefixes, variables}' }).optional(),
  },
  'a JSON object with title, question, startDate, baseline, outcomes and charts',
);

const overrides = (what: string) => record(finite(), `an object mapping ${what} names to numbers`);

/**
 * scenarios.json: `{"<name>": {"description": "...", "overrides": {"<variable>": number}}}`, the
 * experiments' scenario (one definition of overrides) with its description required.
 */
const caseScenarioSchema = scenarioSchema.extend({ description: text() });
export const scenariosSchema = record(
  caseScenarioSchema,
  'a JSON object mapping scenario names to {description, overrides}',
).refine((s) => Object.keys(s).length > 0, 'defines no scenario');

export const ESTIMATION_KINDS = ['identifiable', 'deep', 'switch', 'fixed'] as const;

/**
 * Identifiable constants of a calibrated case: the posterior's 5%, 50% (the value) and 95%,
 * contraction (1 - posterior sd / prior sd), convergence (split R-hat, bulk effective sample
 * size) and the evidence date.
 */
export const posteriorSchema = strict(
  {
    q05: finite(),
    q50: finite(),
    q95: finite(),
    contraction: finite(),
    rhat: finite().nullable().default(null),
    ess: finite().nullable().default(null),
    asOf: z.string({ error: 'must be a date or null' }).nullable(),
  },
  'an object {q05, q50, q95, contraction, asOf}',
).refine((p) => p.q05 <= p.q50 && p.q50 <= p.q95, 'must have q05 <= q50 <= q95');

export const parameterSchema = strict(
  {
    kind: choice(['sourced', 'assumption']),
    value: finite().optional(),
    units: text().optional(),
    source: text(),
    estimates: strings().default([]),
    range: z
      .tuple([finite(), finite()], { error: 'must be [low, high] with low <= high' })
      .refine(([lo, hi]) => lo <= hi, 'must be [low, high] with low <= high'),
    dist: choice(['uniform', 'triangular']).default('uniform'),
    claims: strings().default([]),
    lever: flag().default(false),
    /** identifiable (estimated from evidence), deep (explored), switch (structural 0/1), fixed. */
    estimation: choice(ESTIMATION_KINDS).optional(),
    posterior: posteriorSchema.optional(),
  },
  'an object {kind, source, estimates, range, dist, claims}',
);
export const parametersSchema = record(
  parameterSchema,
  'a JSON object mapping parameter names to {kind, source, range, ...}',
);

/** How to cut a loop and which way cutting it moves an outcome (the structure test). */
export const knockoutSchema = strict(
  {
    /** Constants that cut one link of the loop. */
    overrides: overrides('constant'),
    /** Which way cutting moves the outcome (default: troops in theatre at month 24). */
    direction: choice(['up', 'down']),
    outcome: text().optional(),
    time: finite().optional(),
    /**
     * Conditions (constants) under which the loop is tested, applied with and without the cut: for
     * a loop that is dormant at the defaults (one that acts only when mobilisation pressure is
     * intolerable, say). Absent: the defaults.
     */
    given: overrides('constant').optional(),
    reason: text(),
  },
  'an object {overrides: {name: number}, direction, reason}',
);

export const loopSchema = strict(
  {
    id: text(),
    name: text(),
    polarity: choice(['reinforcing', 'balancing']),
    claims: strings().default([]),
    description: text(),
    /** Variables around the loop in causal order; the last influences the first. */
    path: strings().min(2, 'must list at least two variables'),
    knockout: knockoutSchema.optional(),
  },
  'an object {id, name, polarity, claims, description, path}',
);
export const loopsSchema = z.array(loopSchema, {
  error: 'must be an array of {id, name, polarity, claims, description, path}',
});
