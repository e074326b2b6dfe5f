/**
 * Case data kept beside a model file (case.json, scenarios.json, parameters.json, loops.json,
 * evidence.json), read through `src/case/` with the CLI's parsers and checks, then shaped as the
 * workbench reads it (scenarios and parameters keyed by name). A case folder the CLI would refuse
 * (an override naming no parameter, a malformed range) is refused here with the same messages.
 */
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CaseError, formatIssue } from '../case/definition.js';
import { CASE_FILES, readCaseFolder } from '../case/load.js';
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
  // Read and checked once per version of the files: every experiment start and model request
  // asks for them, and checking a large evidence file would hold up the main thread each time.
  const key = `${dir}\u0000${model.parameters.map((p) => p.name).join('\u0000')}`;
  const version = filesVersion(dir);
  const known = cache.get(key);
  if (known && known.version === version) return known.value;
  const value = readCaseDataNow(dir, model, root);
  if (cache.size >= 64) cache.delete(cache.keys().next().value!);
  cache.set(key, { version, value });
  return value;
}

const cache = new Map<string, { version: string; value: CaseDataDocument | null }>();

/** The modification time and size of each case file (and README.md): changes when one does. */
function filesVersion(dir: string): string {
  return [...Object.values(CASE_FILES), 'README.md']
    .map((name) => {
      try {
        const st = statSync(join(dir, name));
        return `${st.mtimeMs}:${st.size}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

function readCaseDataNow(
  dir: string,
  model: { parameters: readonly { name: string }[] },
  root: string,
): CaseDataDocument | null {
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
