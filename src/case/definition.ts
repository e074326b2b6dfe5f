/**
 * The files of a case folder beside its model: case.json (the question, outcomes, charts and
 * hindcast mapping), scenarios.json, parameters.json and loops.json. Parsing is pure (no Node
 * imports) so the browser workbench can use it; every problem is reported with its file and
 * JSON path, never thrown as a bare exception. The files' shapes are the schemas of schema.ts.
 */
import type { z } from 'zod';
import { check } from '../validation.js';
import {
  caseDefinitionSchema,
  loopSchema,
  loopsSchema,
  knockoutSchema,
  outcomeSchema,
  chartSchema,
  hindcastSchema,
  sectorSchema,
  parameterSchema,
  parametersSchema,
  scenariosSchema,
  REDUCERS,
} from './schema.js';

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

export { REDUCERS } from './schema.js';
export type Reducer = (typeof REDUCERS)[number];

export type OutcomeDefinition = z.output<typeof outcomeSchema>;
export type ChartDefinition = z.output<typeof chartSchema>;
export type HindcastDefinition = z.output<typeof hindcastSchema>;
export type CaseDefinition = z.output<typeof caseDefinitionSchema>;
export type SectorDefinition = z.output<typeof sectorSchema>;
export type ParameterInfo = { name: string } & z.output<typeof parameterSchema>;
export type LoopInfo = z.output<typeof loopSchema>;
export type LoopKnockout = z.output<typeof knockoutSchema>;

export interface Scenario {
  name: string;
  description: string;
  overrides: Record<string, number>;
}

type Json = unknown;

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

/** Check a parsed file against its schema: the value, or a CaseError with every problem located. */
function checked<S extends z.ZodType>(schema: S, json: Json, file: string): z.output<S> {
  const r = check(schema, json);
  if (r.ok) return r.value;
  throw new CaseError(r.problems.map((p) => ({ file, path: p.path || undefined, message: p.message })));
}

export function parseCaseDefinition(json: Json, file: string): CaseDefinition {
  return checked(caseDefinitionSchema, json, file);
}

/** `{"<name>": {"description": "...", "overrides": {"<variable>": number}}}`, in file order. */
export function parseScenarios(json: Json, file: string): Scenario[] {
  return Object.entries(checked(scenariosSchema, json, file)).map(([name, s]) => ({ name, ...s }));
}

export function parseParameters(json: Json, file: string): ParameterInfo[] {
  return Object.entries(checked(parametersSchema, json, file)).map(([name, p]) => ({ name, ...p }));
}

export function parseLoops(json: Json, file: string): LoopInfo[] {
  return checked(loopsSchema, json, file);
}
