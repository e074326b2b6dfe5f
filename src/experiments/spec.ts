/**
 * The experiment spec (JSON): what to sample, which policies to cross with the samples, what to
 * measure. Parsing is pure (no file access) so the browser can use it; a wrong spec raises a
 * SpecError naming the offending field.
 */
import { DISTRIBUTION_NAMES, type DistributionSpec } from './distributions.js';
import { SAMPLING_METHODS, type SamplingMethod } from './samplers.js';

export class SpecError extends Error {
  override name = 'SpecError';
  constructor(
    readonly field: string,
    message: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${field}: ${message}`);
  }
}

export type UncertaintySpec = DistributionSpec & {
  name: string;
  /** Model parameter set by this input; defaults to `name`. */
  variable: string;
};

export interface LeverSpec {
  name: string;
  variable: string;
  values: number[];
}

export const REDUCERS = ['final', 'max', 'min', 'mean', 'at', 'crossing', 'series'] as const;
export type Reducer = (typeof REDUCERS)[number];
export const OUTCOME_KINDS = ['info', 'minimize', 'maximize'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export interface OutcomeSpec {
  name: string;
  variable: string;
  reduce: Reducer;
  /** For `at`: the time to read. */
  time?: number;
  /** For `crossing`: the level whose first crossing time is recorded. */
  threshold?: number;
  /** For `crossing`: `up` (default) finds the first value >= threshold, `down` the first <= threshold. */
  direction?: 'up' | 'down';
  /** For robustness: whether more is better. */
  kind: OutcomeKind;
}

export interface RunSettings {
  start?: number;
  stop?: number;
  dt?: number;
  saveStep?: number;
  method?: 'euler' | 'rk2' | 'rk4';
}

export interface ExperimentSpec {
  /** Model path relative to the spec file, or `builtin:<name>` for a built-in test function. */
  model: string;
  seed: number;
  samples: number;
  method: SamplingMethod;
  /** Sobol: also estimate second-order indices (N(2D+2) rows instead of N(D+2)). */
  secondOrder: boolean;
  /** Morris: grid levels (even). */
  levels: number;
  uncertainties: UncertaintySpec[];
  levers: LeverSpec[];
  scenarios: string[];
  /** Scenario file relative to the spec file; default `scenarios.json` beside the model. */
  scenarioFile?: string;
  outcomes: OutcomeSpec[];
  run: RunSettings;
  /** Default satisficing criterion for robustness (an expression over outcome names). */
  satisfice?: string;
}

type Json = unknown;

export function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field-by-field JSON reading with SpecErrors naming the field (shared by every spec format). */
export class Reader {
  constructor(readonly file?: string) {}
  fail(field: string, message: string): never {
    throw new SpecError(field, message, this.file);
  }
  number(obj: Record<string, Json>, key: string, field: string, fallback?: number): number {
    const v = obj[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (v === undefined) this.fail(`${field}.${key}`.replace(/^\./, ''), 'is required (a number)');
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(`${field}.${key}`.replace(/^\./, ''), `must be a finite number, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  optionalNumber(obj: Record<string, Json>, key: string, field: string): number | undefined {
    return obj[key] === undefined ? undefined : this.number(obj, key, field);
  }
  string(obj: Record<string, Json>, key: string, field: string, fallback?: string): string {
    const v = obj[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(
        `${field}.${key}`.replace(/^\./, ''),
        v === undefined ? 'is required (a string)' : 'must be a non-empty string',
      );
    }
    return v;
  }
  choice<T extends string>(
    obj: Record<string, Json>,
    key: string,
    field: string,
    choices: readonly T[],
    fallback?: T,
  ): T {
    const v = obj[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || !choices.includes(v as T)) {
      this.fail(
        `${field}.${key}`.replace(/^\./, ''),
        `must be one of ${choices.join(', ')}; got ${JSON.stringify(v)}`,
      );
    }
    return v as T;
  }
  numbers(obj: Record<string, Json>, key: string, field: string): number[] {
    const v = obj[key];
    const where = `${field}.${key}`;
    if (!Array.isArray(v) || v.length === 0) this.fail(where, 'must be a non-empty array of numbers');
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x))
        this.fail(`${where}[${i}]`, `must be a finite number, got ${JSON.stringify(x)}`);
    });
    return v as number[];
  }
  unknownKeys(obj: Record<string, Json>, allowed: string[], field: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.fail(field ? `${field}.${key}` : key, `unknown field (expected one of ${allowed.join(', ')})`);
      }
    }
  }
}

/** A named distribution (an experiment's uncertainty, a calibration's prior). */
export function parseUncertainty(r: Reader, v: Json, field: string): UncertaintySpec {
  if (!isObject(v))
    r.fail(field, 'must be an object like {"name": "x", "dist": "uniform", "low": 0, "high": 1}');
  const name = r.string(v, 'name', field);
  const variable = r.string(v, 'variable', field, name);
  const dist = r.choice(v, 'dist', field, DISTRIBUTION_NAMES as readonly string[], 'uniform');
  const common = ['name', 'variable', 'dist'];
  switch (dist) {
    case 'uniform':
    case 'integer': {
      r.unknownKeys(v, [...common, 'low', 'high'], field);
      const low = r.number(v, 'low', field);
      const high = r.number(v, 'high', field);
      if (!(high > low)) r.fail(`${field}.high`, `must be greater than low (${low}), got ${high}`);
      if (dist === 'integer' && Math.floor(high) < Math.ceil(low)) r.fail(`${field}`, 'contains no integer');
      return { name, variable, dist, low, high };
    }
    case 'triangular': {
      r.unknownKeys(v, [...common, 'low', 'mode', 'high'], field);
      const low = r.number(v, 'low', field);
      const high = r.number(v, 'high', field);
      const mode = r.number(v, 'mode', field, (low + high) / 2);
      if (!(high > low)) r.fail(`${field}.high`, `must be greater than low (${low}), got ${high}`);
      if (mode < low || mode > high) r.fail(`${field}.mode`, `must lie within [low, high], got ${mode}`);
      return { name, variable, dist, low, mode, high };
    }
    case 'normal': {
      r.unknownKeys(v, [...common, 'mean', 'sd', 'low', 'high'], field);
      const mean = r.number(v, 'mean', field);
      const sd = r.number(v, 'sd', field);
      if (!(sd > 0)) r.fail(`${field}.sd`, `must be positive, got ${sd}`);
      const low = r.optionalNumber(v, 'low', field);
      const high = r.optionalNumber(v, 'high', field);
      if (low !== undefined && high !== undefined && !(high > low))
        r.fail(`${field}.high`, 'must be greater than low');
      return { name, variable, dist, mean, sd, low, high };
    }
    case 'lognormal': {
      r.unknownKeys(v, [...common, 'mu', 'sigma', 'low', 'high'], field);
      const mu = r.number(v, 'mu', field);
      const sigma = r.number(v, 'sigma', field);
      if (!(sigma > 0)) r.fail(`${field}.sigma`, `must be positive, got ${sigma}`);
      const low = r.optionalNumber(v, 'low', field);
      const high = r.optionalNumber(v, 'high', field);
      if (low !== undefined && high !== undefined && !(high > low))
        r.fail(`${field}.high`, 'must be greater than low');
      return { name, variable, dist, mu, sigma, low, high };
    }
    case 'draws': {
      r.unknownKeys(v, [...common, 'group', 'values'], field);
      const group = r.string(v, 'group', field);
      // Kept in draw order: the position is the draw, shared by the group's inputs.
      return { name, variable, dist, group, values: r.numbers(v, 'values', field) };
    }
    default: {
      r.unknownKeys(v, [...common, 'values', 'weights'], field);
      const values = r.numbers(v, 'values', field);
      let weights: number[] | undefined;
      if (v.weights !== undefined) {
        weights = r.numbers(v, 'weights', field);
        if (weights.length !== values.length)
          r.fail(`${field}.weights`, `must have one weight per value (${values.length})`);
        if (weights.some((w) => w < 0) || weights.every((w) => w === 0)) {
          r.fail(`${field}.weights`, 'must be non-negative and not all zero');
        }
      }
      // Sorted values keep the quantile function monotone (and the CDF meaningful).
      const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
      return {
        name,
        variable,
        dist: 'categorical',
        values: order.map((i) => values[i]),
        weights: weights && order.map((i) => weights[i]),
      };
    }
  }
}

function parseOutcome(r: Reader, v: Json, field: string): OutcomeSpec {
  if (!isObject(v)) r.fail(field, 'must be an object like {"name": "y", "variable": "Y", "reduce": "final"}');
  r.unknownKeys(v, ['name', 'variable', 'reduce', 'time', 'threshold', 'direction', 'kind'], field);
  const name = r.string(v, 'name', field);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    r.fail(
      `${field}.name`,
      `must be an identifier (letters, digits, _) so expressions can use it; got '${name}'`,
    );
  }
  const variable = r.string(v, 'variable', field, name);
  const reduce = r.choice(v, 'reduce', field, REDUCERS, 'final');
  const kind = r.choice(v, 'kind', field, OUTCOME_KINDS, 'info');
  const out: OutcomeSpec = { name, variable, reduce, kind };
  if (reduce === 'at') out.time = r.number(v, 'time', field);
  if (reduce === 'crossing') {
    out.threshold = r.number(v, 'threshold', field);
    out.direction = r.choice(v, 'direction', field, ['up', 'down'] as const, 'up');
  }
  return out;
}

/** Validate a parsed JSON spec. `file` is only used in messages. */
export function parseSpec(json: Json, file?: string): ExperimentSpec {
  const r: Reader = new Reader(file);
  if (!isObject(json)) r.fail('(spec)', 'must be a JSON object');
  r.unknownKeys(
    json,
    [
      'model',
      'seed',
      'samples',
      'method',
      'secondOrder',
      'levels',
      'uncertainties',
      'levers',
      'scenarios',
      'scenarioFile',
      'outcomes',
      'run',
      'satisfice',
      'description',
    ],
    '',
  );
  const model = r.string(json, 'model', '');
  const seed = r.number(json, 'seed', '', 1);
  if (!Number.isSafeInteger(seed) || seed < 0) r.fail('seed', `must be a non-negative integer, got ${seed}`);
  const samples = r.number(json, 'samples', '', 1000);
  if (!Number.isInteger(samples) || samples < 1)
    r.fail('samples', `must be a positive integer, got ${samples}`);
  const method = r.choice(json, 'method', '', SAMPLING_METHODS, 'lhs');
  const secondOrder = json.secondOrder === undefined ? true : json.secondOrder === true;
  if (json.secondOrder !== undefined && typeof json.secondOrder !== 'boolean')
    r.fail('secondOrder', 'must be true or false');
  const levels = r.number(json, 'levels', '', 4);
  if (method === 'morris' && (!Number.isInteger(levels) || levels < 2 || levels % 2 !== 0)) {
    r.fail('levels', `must be an even integer >= 2 for Morris, got ${levels}`);
  }

  const list = (key: string): Json[] => {
    const v = json[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) r.fail(key, 'must be an array');
    return v;
  };
  const uncertainties = list('uncertainties').map((u, i) => parseUncertainty(r, u, `uncertainties[${i}]`));
  const levers = list('levers').map((l, i): LeverSpec => {
    const field = `levers[${i}]`;
    if (!isObject(l)) r.fail(field, 'must be an object like {"name": "policy", "values": [0, 1]}');
    r.unknownKeys(l, ['name', 'variable', 'values'], field);
    const name = r.string(l, 'name', field);
    return { name, variable: r.string(l, 'variable', field, name), values: r.numbers(l, 'values', field) };
  });
  const scenarios = list('scenarios').map((s, i) => {
    if (typeof s !== 'string' || s.trim() === '')
      r.fail(`scenarios[${i}]`, 'must be a scenario name (a string)');
    return s;
  });
  const outcomes = list('outcomes').map((o, i) => parseOutcome(r, o, `outcomes[${i}]`));
  if (outcomes.length === 0) r.fail('outcomes', 'must list at least one outcome');

  const seen = new Map<string, string>();
  const unique = (name: string, field: string): void => {
    const prior = seen.get(name);
    if (prior) r.fail(field, `name '${name}' is already used by ${prior}`);
    seen.set(name, field);
  };
  uncertainties.forEach((u, i) => unique(u.name, `uncertainties[${i}].name`));
  levers.forEach((l, i) => unique(l.name, `levers[${i}].name`));
  outcomes.forEach((o, i) => unique(o.name, `outcomes[${i}].name`));
  const scenarioSeen = new Set<string>();
  scenarios.forEach((s, i) => {
    if (scenarioSeen.has(s)) r.fail(`scenarios[${i}]`, `scenario '${s}' is listed twice`);
    scenarioSeen.add(s);
  });

  const groups = new Map<string, { field: string; length: number }>();
  uncertainties.forEach((u, i) => {
    if (u.dist !== 'draws') return;
    const field = `uncertainties[${i}]`;
    if (method !== 'mc' && method !== 'lhs') {
      r.fail(`${field}.dist`, `joint draws work with the mc and lhs methods, not '${method}'`);
    }
    const first = groups.get(u.group);
    if (first && first.length !== u.values.length) {
      r.fail(
        `${field}.values`,
        `group '${u.group}' has ${first.length} draws in ${first.field} but ${u.values.length} here`,
      );
    }
    if (!first) groups.set(u.group, { field, length: u.values.length });
  });

  if (uncertainties.length === 0 && (method === 'sobol' || method === 'morris')) {
    r.fail('uncertainties', `method '${method}' needs at least one uncertainty`);
  }
  if (method === 'sobol' && uncertainties.length > 32) {
    r.fail('uncertainties', `Sobol' sampling supports at most 32 uncertainties, got ${uncertainties.length}`);
  }

  const run = parseRunSettings(r, json.run);
  const scenarioFile = json.scenarioFile === undefined ? undefined : r.string(json, 'scenarioFile', '');
  const satisfice = json.satisfice === undefined ? undefined : r.string(json, 'satisfice', '');
  return {
    model,
    seed,
    samples,
    method,
    secondOrder,
    levels,
    uncertainties,
    levers,
    scenarios,
    scenarioFile,
    outcomes,
    run,
    satisfice,
  };
}

/** The `run` block of a spec: simulation settings that override the model's own. */
export function parseRunSettings(r: Reader, v: Json): RunSettings {
  const run: RunSettings = {};
  if (v === undefined) return run;
  if (!isObject(v)) r.fail('run', 'must be an object like {"stop": 100, "dt": 0.25}');
  r.unknownKeys(v, ['start', 'stop', 'dt', 'saveStep', 'method'], 'run');
  run.start = r.optionalNumber(v, 'start', 'run');
  run.stop = r.optionalNumber(v, 'stop', 'run');
  run.dt = r.optionalNumber(v, 'dt', 'run');
  if (run.dt !== undefined && !(run.dt > 0)) r.fail('run.dt', 'must be positive');
  run.saveStep = r.optionalNumber(v, 'saveStep', 'run');
  if (v.method !== undefined) run.method = r.choice(v, 'method', 'run', ['euler', 'rk2', 'rk4'] as const);
  return run;
}

export interface ScenarioDefinition {
  description?: string;
  overrides: Record<string, number>;
}

/**
 * Read a scenario file: `{"<name>": {"description": "...", "overrides": {"param": value}}}`.
 * A top-level `{"scenarios": {...}}` wrapper is accepted too.
 */
export function parseScenarioFile(json: Json, file?: string): Map<string, ScenarioDefinition> {
  const r: Reader = new Reader(file);
  if (!isObject(json))
    r.fail('(scenarios)', 'must be a JSON object mapping scenario names to {description, overrides}');
  const body = isObject(json.scenarios) ? json.scenarios : json;
  const out = new Map<string, ScenarioDefinition>();
  for (const [name, def] of Object.entries(body)) {
    if (name.startsWith('$') || name === 'description' || name === 'version') continue;
    if (!isObject(def))
      r.fail(name, 'must be an object like {"description": "...", "overrides": {"param": 1}}');
    const overrides = def.overrides;
    if (!isObject(overrides))
      r.fail(`${name}.overrides`, 'must be an object mapping parameter names to numbers');
    const values: Record<string, number> = {};
    for (const [param, value] of Object.entries(overrides)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        r.fail(`${name}.overrides.${param}`, `must be a finite number, got ${JSON.stringify(value)}`);
      }
      values[param] = value;
    }
    out.set(name, {
      description: typeof def.description === 'string' ? def.description : undefined,
      overrides: values,
    });
  }
  return out;
}
