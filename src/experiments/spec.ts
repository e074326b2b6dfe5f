/**
 * The experiment spec (JSON): what to sample, which policies to cross with the samples, what to
 * measure. Parsing is pure (no file access) so the browser can use it; a wrong spec raises a
 * SpecError naming the offending field. The spec's shape is experimentSpecSchema (spec-schema.ts).
 */
import type { z } from 'zod';
import { check } from '../validation.js';
import { experimentSpecSchema, OUTCOME_KINDS, REDUCERS, scenarioSchema } from './spec-schema.js';

import { SpecError } from './spec-error.js';

export { SpecError };

export type { LeverSpec, OutcomeSpec, RunSettings, UncertaintySpec } from './spec-schema.js';
export { OUTCOME_KINDS, REDUCERS } from './spec-schema.js';
export type Reducer = (typeof REDUCERS)[number];
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** A checked spec (defaults filled in); its shape is experimentSpecSchema's. */
export type ExperimentSpec = Omit<z.output<typeof experimentSpecSchema>, 'description'>;

type Json = unknown;

export function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check a parsed JSON value against a schema; the first problem becomes a SpecError naming its field. */
export function checkSpec<S extends z.ZodType>(
  schema: S,
  json: Json,
  file?: string,
  at?: string,
): z.output<S> {
  const r = check(schema, json);
  if (r.ok) return r.value;
  const first = r.problems[0]!;
  const path = at ? [at, first.path].filter(Boolean).join(first.path.startsWith('[') ? '' : '.') : first.path;
  throw new SpecError(path || '(spec)', first.message, file);
}

/** Validate a parsed JSON spec. `file` is only used in messages. */
export function parseSpec(json: Json, file?: string): ExperimentSpec {
  const { description: _description, ...spec } = checkSpec(experimentSpecSchema, json, file);
  void _description;
  return spec;
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
  if (!isObject(json)) {
    throw new SpecError(
      '(scenarios)',
      'must be a JSON object mapping scenario names to {description, overrides}',
      file,
    );
  }
  const body = isObject(json.scenarios) ? json.scenarios : json;
  const out = new Map<string, ScenarioDefinition>();
  for (const [name, def] of Object.entries(body)) {
    if (name.startsWith('$') || name === 'description' || name === 'version') continue;
    const checked = checkSpec(scenarioSchema, def, file, name);
    out.set(name, { description: checked.description, overrides: checked.overrides });
  }
  return out;
}
