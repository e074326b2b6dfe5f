/**
 * The files of a case folder beside its model: case.json (the question, outcomes, charts and
 * hindcast mapping), scenarios.json, parameters.json and loops.json. Parsing is pure (no Node
 * imports) so the browser workbench can use it; every problem is reported with its file and
 * JSON path, never thrown as a bare exception.
 */

export interface CaseIssue {
  file: string;
  /** JSON path of the offending value, e.g. `interdiction.overrides.foo`. */
  path?: string;
  line?: number;
  column?: number;
  message: string;
}

/** A case folder is wrong; carries every issue found. */
export class CaseError extends Error {
  override name = 'CaseError';
  constructor(readonly issues: CaseIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: CaseIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((x) => x !== undefined).join(':');
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export const REDUCERS = ['at', 'max', 'time-of-max', 'final'] as const;
export type Reducer = (typeof REDUCERS)[number];

export interface OutcomeDefinition {
  name: string;
  label: string;
  variable: string;
  reduce: Reducer;
  /** For `at`: the model time to read. */
  time?: number;
  units?: string;
}

export interface ChartDefinition {
  variable: string;
  title: string;
  units?: string;
}

export interface HindcastDefinition {
  /** First and last as-of dates of the estimates compared (YYYY-MM-DD). */
  from: string;
  to: string;
  /** Estimates published up to this date may inform initial values; later ones test the model. */
  inSampleUntil: string;
  /**
   * Evidence quantity key -> model variable, or -> {measure type: variable} so that troops
   * present meet troops in theatre and troops sent meet cumulative arrivals.
   */
  quantities: Record<string, string | Record<string, string>>;
}

export interface CaseDefinition {
  title: string;
  question: string;
  /** Calendar date of model time 0 (YYYY-MM-DD). */
  startDate: string;
  /** Length of one model time unit in days (a month is 30.4375). */
  daysPerTimeUnit: number;
  timeUnit: string;
  baseline: string;
  outcomes: OutcomeDefinition[];
  charts: ChartDefinition[];
  hindcast?: HindcastDefinition;
  /** Free text shown in the report: what the model leaves out. */
  limitations?: string[];
  /** Parts of the system the diagram groups variables into (src/case/sectors.ts). */
  sectors?: SectorDefinition[];
}

/**
 * A sector of the diagram: the variables it names, and those whose names start with one of its
 * prefixes (the longest matching prefix wins). Variables no sector claims join the sector most of
 * their neighbours are in.
 */
export interface SectorDefinition {
  name: string;
  prefixes: string[];
  variables: string[];
}

export interface Scenario {
  name: string;
  description: string;
  overrides: Record<string, number>;
}

export interface ParameterInfo {
  name: string;
  kind: 'sourced' | 'assumption';
  value?: number;
  units?: string;
  source: string;
  estimates: string[];
  range: [number, number];
  dist: 'uniform' | 'triangular';
  claims: string[];
  lever: boolean;
  /** identifiable (estimated from evidence), deep (explored), switch (structural 0/1), fixed. */
  estimation?: 'identifiable' | 'deep' | 'switch' | 'fixed';
  /**
   * Identifiable constants of a calibrated case: the posterior's 5%, 50% (the value) and 95%,
   * contraction (1 - posterior sd / prior sd) and the evidence date.
   */
  posterior?: {
    q05: number;
    q50: number;
    q95: number;
    contraction: number;
    /** Convergence of the estimate (MCMC): split R-hat and bulk effective sample size. */
    rhat: number | null;
    ess: number | null;
    asOf: string | null;
  };
}

export interface LoopInfo {
  id: string;
  name: string;
  polarity: 'reinforcing' | 'balancing';
  claims: string[];
  description: string;
  /** Variables around the loop in causal order; the last influences the first. */
  path: string[];
  /** How to cut the loop and which way cutting it moves an outcome (the structure test). */
  knockout?: LoopKnockout;
}

export interface LoopKnockout {
  /** Constants that cut one link of the loop. */
  overrides: Record<string, number>;
  /** Which way cutting moves the outcome (default: troops in theatre at month 24). */
  direction: 'up' | 'down';
  outcome?: string;
  time?: number;
  /**
   * Conditions (constants) under which the loop is tested, applied with and without the cut: for a
   * loop that is dormant at the defaults (one that acts only when mobilisation pressure is
   * intolerable, say). Absent: the defaults.
   */
  given?: Record<string, number>;
  reason: string;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse JSON, turning a syntax error into an issue with line and column. */
export function parseJsonText(text: string, file: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const issue: CaseIssue = { file, message: `not valid JSON: ${message}` };
    const at = /position (\d+)/.exec(message);
    if (at) {
      const before = text.slice(0, Number(at[1])).split('\n');
      issue.line = before.length;
      issue.column = before[before.length - 1]!.length + 1;
    }
    throw new CaseError([issue]);
  }
}

/** Collects issues for one file, so that a user sees every problem at once. */
class Checker {
  readonly issues: CaseIssue[] = [];
  constructor(readonly file: string) {}
  fail(path: string, message: string): void {
    this.issues.push({ file: this.file, path: path || undefined, message });
  }
  string(obj: Record<string, Json>, key: string, path: string, required = true): string | undefined {
    const v = obj[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(join(path, key), v === undefined ? 'is required (a string)' : 'must be a non-empty string');
      return undefined;
    }
    return v;
  }
  number(obj: Record<string, Json>, key: string, path: string, required = true): number | undefined {
    const v = obj[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.fail(join(path, key), `must be a finite number, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }
  strings(obj: Record<string, Json>, key: string, path: string): string[] {
    const v = obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      this.fail(join(path, key), 'must be an array of strings');
      return [];
    }
    return v as string[];
  }
  done<T>(value: T): T {
    if (this.issues.length) throw new CaseError(this.issues);
    return value;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseCaseDefinition(json: Json, file: string): CaseDefinition {
  const c = new Checker(file);
  if (!isObject(json)) {
    c.fail('', 'must be a JSON object with title, question, startDate, baseline, outcomes and charts');
    return c.done(undefined as never);
  }
  const title = c.string(json, 'title', '') ?? '';
  const question = c.string(json, 'question', '') ?? '';
  const startDate = c.string(json, 'startDate', '') ?? '';
  if (startDate && !DATE.test(startDate))
    c.fail('startDate', `must be a date YYYY-MM-DD, got '${startDate}'`);
  const daysPerTimeUnit = c.number(json, 'daysPerTimeUnit', '') ?? 1;
  const timeUnit = c.string(json, 'timeUnit', '') ?? '';
  const baseline = c.string(json, 'baseline', '') ?? '';
  const outcomes: OutcomeDefinition[] = [];
  const rawOutcomes = json.outcomes;
  if (!Array.isArray(rawOutcomes) || rawOutcomes.length === 0) {
    c.fail('outcomes', 'must be a non-empty array of {name, label, variable, reduce}');
  } else {
    rawOutcomes.forEach((o, i) => {
      const p = `outcomes[${i}]`;
      if (!isObject(o)) return c.fail(p, 'must be an object {name, label, variable, reduce}');
      const name = c.string(o, 'name', p);
      const label = c.string(o, 'label', p);
      const variable = c.string(o, 'variable', p);
      const reduce = c.string(o, 'reduce', p) as Reducer | undefined;
      if (reduce && !REDUCERS.includes(reduce)) {
        c.fail(`${p}.reduce`, `must be one of ${REDUCERS.join(', ')}; got '${reduce}'`);
      }
      const time = c.number(o, 'time', p, reduce === 'at');
      const units = c.string(o, 'units', p, false);
      if (name && label && variable && reduce) {
        outcomes.push({ name, label, variable, reduce, ...(time !== undefined ? { time } : {}), units });
      }
    });
  }
  const charts: ChartDefinition[] = [];
  if (!Array.isArray(json.charts)) c.fail('charts', 'must be an array of {variable, title}');
  else
    json.charts.forEach((ch, i) => {
      const p = `charts[${i}]`;
      if (!isObject(ch)) return c.fail(p, 'must be an object {variable, title}');
      const variable = c.string(ch, 'variable', p);
      const chartTitle = c.string(ch, 'title', p);
      const units = c.string(ch, 'units', p, false);
      if (variable && chartTitle) charts.push({ variable, title: chartTitle, units });
    });
  let hindcast: HindcastDefinition | undefined;
  if (json.hindcast !== undefined) {
    const h = json.hindcast;
    if (!isObject(h)) c.fail('hindcast', 'must be an object {from, to, inSampleUntil, quantities}');
    else {
      const from = c.string(h, 'from', 'hindcast') ?? '';
      const to = c.string(h, 'to', 'hindcast') ?? '';
      const inSampleUntil = c.string(h, 'inSampleUntil', 'hindcast') ?? '';
      for (const [k, v] of Object.entries({ from, to, inSampleUntil })) {
        if (v && !DATE.test(v)) c.fail(`hindcast.${k}`, `must be a date YYYY-MM-DD, got '${v}'`);
      }
      const quantities: Record<string, string | Record<string, string>> = {};
      if (!isObject(h.quantities)) c.fail('hindcast.quantities', 'must map evidence quantities to variables');
      else
        for (const [q, v] of Object.entries(h.quantities)) {
          if (typeof v === 'string') quantities[q] = v;
          else if (isObject(v) && Object.values(v).every((x) => typeof x === 'string')) {
            quantities[q] = v as Record<string, string>;
          } else c.fail(`hindcast.quantities.${q}`, 'must be a variable name or {measure: variable}');
        }
      hindcast = { from, to, inSampleUntil, quantities };
    }
  }
  const limitations = c.strings(json, 'limitations', '');
  let sectors: SectorDefinition[] | undefined;
  if (json.sectors !== undefined) {
    if (!Array.isArray(json.sectors)) c.fail('sectors', 'must be an array of {name, prefixes, variables}');
    else {
      sectors = [];
      json.sectors.forEach((sec, i) => {
        const p = `sectors[${i}]`;
        if (!isObject(sec)) return c.fail(p, 'must be an object {name, prefixes, variables}');
        const name = c.string(sec, 'name', p);
        if (name)
          sectors!.push({
            name,
            prefixes: c.strings(sec, 'prefixes', p),
            variables: c.strings(sec, 'variables', p),
          });
      });
    }
  }
  return c.done({
    title,
    question,
    startDate,
    daysPerTimeUnit,
    timeUnit,
    baseline,
    outcomes,
    charts,
    hindcast,
    limitations,
    ...(sectors ? { sectors } : {}),
  });
}

/** `{"<name>": {"description": "...", "overrides": {"<variable>": number}}}`, in file order. */
export function parseScenarios(json: Json, file: string): Scenario[] {
  const c = new Checker(file);
  if (!isObject(json)) {
    c.fail('', 'must be a JSON object mapping scenario names to {description, overrides}');
    return c.done([]);
  }
  const out: Scenario[] = [];
  for (const [name, def] of Object.entries(json)) {
    if (!isObject(def)) {
      c.fail(name, 'must be an object {"description": "...", "overrides": {"variable": number}}');
      continue;
    }
    const description = c.string(def, 'description', name) ?? '';
    const overrides: Record<string, number> = {};
    if (!isObject(def.overrides)) {
      c.fail(`${name}.overrides`, 'must be an object mapping variable names to numbers');
    } else {
      for (const [param, value] of Object.entries(def.overrides)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          c.fail(`${name}.overrides.${param}`, `must be a finite number, got ${JSON.stringify(value)}`);
        } else overrides[param] = value;
      }
    }
    out.push({ name, description, overrides });
  }
  if (out.length === 0 && c.issues.length === 0) c.fail('', 'defines no scenario');
  return c.done(out);
}

export function parseParameters(json: Json, file: string): ParameterInfo[] {
  const c = new Checker(file);
  if (!isObject(json)) {
    c.fail('', 'must be a JSON object mapping parameter names to {kind, source, range, ...}');
    return c.done([]);
  }
  const out: ParameterInfo[] = [];
  for (const [name, def] of Object.entries(json)) {
    if (!isObject(def)) {
      c.fail(name, 'must be an object {kind, source, estimates, range, dist, claims}');
      continue;
    }
    const kind = c.string(def, 'kind', name);
    if (kind && kind !== 'sourced' && kind !== 'assumption') {
      c.fail(`${name}.kind`, `must be 'sourced' or 'assumption'; got '${kind}'`);
    }
    const source = c.string(def, 'source', name) ?? '';
    const range = def.range;
    let parsedRange: [number, number] = [NaN, NaN];
    if (
      !Array.isArray(range) ||
      range.length !== 2 ||
      !range.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      (range[0] as number) > (range[1] as number)
    ) {
      c.fail(`${name}.range`, 'must be [low, high] with low <= high');
    } else parsedRange = [range[0] as number, range[1] as number];
    const dist = (c.string(def, 'dist', name, false) ?? 'uniform') as ParameterInfo['dist'];
    if (dist !== 'uniform' && dist !== 'triangular') {
      c.fail(`${name}.dist`, `must be 'uniform' or 'triangular'; got '${String(dist)}'`);
    }
    const value = c.number(def, 'value', name, false);
    const estimation = c.string(def, 'estimation', name, false) as ParameterInfo['estimation'];
    if (estimation && !['identifiable', 'deep', 'switch', 'fixed'].includes(estimation)) {
      c.fail(`${name}.estimation`, `must be identifiable, deep, switch or fixed; got '${estimation}'`);
    }
    out.push({
      name,
      kind: kind === 'sourced' ? 'sourced' : 'assumption',
      value,
      units: c.string(def, 'units', name, false),
      source,
      estimates: c.strings(def, 'estimates', name),
      range: parsedRange,
      dist,
      claims: c.strings(def, 'claims', name),
      lever: def.lever === true,
      ...(estimation ? { estimation } : {}),
      ...(def.posterior !== undefined ? { posterior: parsePosterior(c, def.posterior, name) } : {}),
    });
  }
  return c.done(out);
}

function parsePosterior(c: Checker, v: Json, name: string): NonNullable<ParameterInfo['posterior']> {
  const field = `${name}.posterior`;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    c.fail(field, 'must be {q05, q50, q95, contraction, asOf}');
    return { q05: NaN, q50: NaN, q95: NaN, contraction: NaN, rhat: null, ess: null, asOf: null };
  }
  const o = v as Record<string, Json>;
  const num = (k: string): number => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      c.fail(`${field}.${k}`, 'must be a finite number');
      return NaN;
    }
    return x;
  };
  const asOf = o.asOf;
  if (asOf !== null && typeof asOf !== 'string') c.fail(`${field}.asOf`, 'must be a date or null');
  const out = { q05: num('q05'), q50: num('q50'), q95: num('q95'), contraction: num('contraction') };
  if (!(out.q05 <= out.q50 && out.q50 <= out.q95)) c.fail(field, 'must have q05 <= q50 <= q95');
  const optional = (k: string): number | null => (o[k] === undefined || o[k] === null ? null : num(k));
  return {
    ...out,
    rhat: optional('rhat'),
    ess: optional('ess'),
    asOf: typeof asOf === 'string' ? asOf : null,
  };
}

export function parseLoops(json: Json, file: string): LoopInfo[] {
  const c = new Checker(file);
  if (!Array.isArray(json)) {
    c.fail('', 'must be an array of {id, name, polarity, claims, description, path}');
    return c.done([]);
  }
  const out: LoopInfo[] = [];
  json.forEach((l, i) => {
    const p = `[${i}]`;
    if (!isObject(l)) return c.fail(p, 'must be an object {id, name, polarity, claims, description, path}');
    const id = c.string(l, 'id', p);
    const name = c.string(l, 'name', p);
    const polarity = c.string(l, 'polarity', p);
    if (polarity && polarity !== 'reinforcing' && polarity !== 'balancing') {
      c.fail(`${p}.polarity`, `must be 'reinforcing' or 'balancing'; got '${polarity}'`);
    }
    const description = c.string(l, 'description', p) ?? '';
    const path = c.strings(l, 'path', p);
    if (path.length < 2) c.fail(`${p}.path`, 'must list at least two variables');
    let knockout: LoopKnockout | undefined;
    if (l.knockout !== undefined) {
      const k = l.knockout;
      const kp = `${p}.knockout`;
      if (!isObject(k) || !isObject(k.overrides)) {
        c.fail(kp, 'must be an object {overrides: {name: number}, direction, reason}');
      } else {
        const overrides: Record<string, number> = {};
        for (const [name, v] of Object.entries(k.overrides)) {
          if (typeof v !== 'number' || !Number.isFinite(v))
            c.fail(`${kp}.overrides.${name}`, 'must be a number');
          else overrides[name] = v;
        }
        let given: Record<string, number> | undefined;
        if (k.given !== undefined) {
          if (!isObject(k.given)) c.fail(`${kp}.given`, 'must be an object {name: number}');
          else {
            given = {};
            for (const [name, v] of Object.entries(k.given)) {
              if (typeof v !== 'number' || !Number.isFinite(v))
                c.fail(`${kp}.given.${name}`, 'must be a number');
              else given[name] = v;
            }
          }
        }
        if (k.direction !== 'up' && k.direction !== 'down') {
          c.fail(`${kp}.direction`, `must be 'up' or 'down'; got '${String(k.direction)}'`);
        }
        const outcome = c.string(k, 'outcome', kp, false);
        const time = c.number(k, 'time', kp, false);
        knockout = {
          overrides,
          direction: k.direction === 'down' ? 'down' : 'up',
          ...(outcome ? { outcome } : {}),
          ...(time !== undefined ? { time } : {}),
          ...(given ? { given } : {}),
          reason: c.string(k, 'reason', kp) ?? '',
        };
      }
    }
    if (id && name && polarity) {
      out.push({
        id,
        name,
        polarity: polarity === 'balancing' ? 'balancing' : 'reinforcing',
        claims: c.strings(l, 'claims', p),
        description,
        path,
        ...(knockout ? { knockout } : {}),
      });
    }
  });
  return c.done(out);
}
