/**
 * Case data kept beside a model file (case.json, scenarios.json, parameters.json, loops.json,
 * evidence.json), read through `src/case/` with the CLI's parsers and checks, then shaped as the
 * workbench reads it (scenarios and parameters keyed by name). A case folder the CLI would refuse
 * (an override naming no parameter, a malformed range) is refused here with the same messages.
 */
import { relative } from 'node:path';
import { CaseError, formatIssue } from '../case/definition.js';
import { readCaseFolder } from '../case/load.js';
import { HttpError } from './http.js';

export interface CaseDataDocument {
  definition?: unknown;
  scenarios?: Record<string, { description: string; overrides: Record<string, number> }>;
  parameters?: Record<string, unknown>;
  loops?: unknown;
  evidence?: unknown;
}

/**
 * The case files found in `dir` (null when there are none), checked against the model's
 * parameters. A wrong file is an HTTP 422 whose details name each file (relative to `root`),
 * JSON path and problem.
 */
export function readCaseData(
  dir: string | undefined,
  model: { parameters: readonly { name: string }[] },
  root: string,
): CaseDataDocument | null {
  if (!dir) return null;
  let folder;
  try {
    folder = readCaseFolder(dir, model);
  } catch (err) {
    if (!(err instanceof CaseError)) throw err;
    throw new HttpError(
      422,
      'the case folder beside this model is wrong (the CLI refuses it too)',
      err.issues.map((i) => formatIssue({ ...i, file: relative(root, i.file) || i.file })),
    );
  }
  if (!folder) return null;
  const out: CaseDataDocument = {};
  if (folder.definition) out.definition = folder.definition;
  if (folder.scenarios)
    out.scenarios = Object.fromEntries(
      folder.scenarios.map((s) => [s.name, { description: s.description, overrides: s.overrides }]),
    );
  if (folder.parameters)
    out.parameters = Object.fromEntries(folder.parameters.map(({ name, ...rest }) => [name, rest]));
  if (folder.loops) out.loops = folder.loops;
  if (folder.evidence) out.evidence = folder.evidence;
  return out;
}
