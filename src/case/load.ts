/**
 * Read a case folder from disk: the model, case.json, scenarios.json and the optional
 * parameters.json, loops.json and evidence.json. Every problem becomes a CaseError naming the
 * file (and line, column or JSON path where there is one).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { decodeUtf8 } from '../model/text.js';
import { join } from 'node:path';
import { loadCalibrationFile } from '../calibrate/load.js';
import { dropRowsOutsideRun } from '../calibrate/calibrate.js';
import { historyMatch } from '../calibrate/history.js';
import { forecastStreams, summariseForecasts } from '../calibrate/forecast-summary.js';
import { Problem } from '../calibrate/problem.js';
import type { FutureWeights } from './headline.js';
import { compileModel } from '../engine.js';
import { parseEvidenceJson } from '../evidence/data.js';
import { readModelFile } from '../node/files.js';
import type { Diagnostic } from '../model/types.js';
import type { CaseForecasts, CaseInputs } from './analysis.js';
import { namesVariables, renameInCaseFile } from './rename.js';
import { checkScenarioOverrides } from './compare.js';
import {
  CaseError,
  parseCaseDefinition,
  parseJsonText,
  parseLoops,
  parseParameters,
  parseScenarios,
  type CaseIssue,
} from './definition.js';

export const CASE_FILES = {
  model: 'model.xmile',
  case: 'case.json',
  scenarios: 'scenarios.json',
  parameters: 'parameters.json',
  loops: 'loops.json',
  evidence: 'evidence.json',
} as const;

/** Q4's scored forecasts, beside a calibrated case (written by its calibration tool). */
export const CASE_FORECASTS = 'calibration/q4.json';

export interface LoadedCase extends CaseInputs {
  dir: string;
  /** Warnings from reading and compiling the model. */
  warnings: Diagnostic[];
}

function diagnosticIssue(d: Diagnostic, fallbackFile: string): CaseIssue {
  return {
    file: d.file ?? fallbackFile,
    line: d.line,
    column: d.column,
    message: d.variable ? `${d.message} (in ${d.variable})` : d.message,
  };
}

function readText(path: string): string {
  try {
    const decoded = decodeUtf8(readFileSync(path));
    if (!decoded.ok) {
      throw new CaseError([
        { file: path, line: decoded.line, column: decoded.column, message: decoded.message },
      ]);
    }
    return decoded.text;
  } catch (err) {
    if (err instanceof CaseError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new CaseError([
      { file: path, message: `cannot read: ${e.code === 'ENOENT' ? 'no such file' : e.message}` },
    ]);
  }
}

/** The case files of a folder, parsed and checked, without the model (the workbench server). */
export interface CaseFolder {
  definition?: ReturnType<typeof parseCaseDefinition>;
  scenarios?: ReturnType<typeof parseScenarios>;
  parameters?: ReturnType<typeof parseParameters>;
  loops?: ReturnType<typeof parseLoops>;
  evidence?: NonNullable<CaseInputs['evidence']>;
}

/**
 * Read whichever case files a model's folder has, with the same parsers and located errors as
 * `loadCase` (one CaseError carrying every issue); null when the folder has none. With `known`
 * (the model's parameter names) an override naming no parameter is refused, as the CLI does.
 */
export function readCaseFolder(
  dir: string,
  known?: { parameters: readonly { name: string }[] },
): CaseFolder | null {
  const path = (name: string): string => join(dir, name);
  const out: CaseFolder = {};
  const issues: CaseIssue[] = [];
  let any = false;
  const attempt = (file: string, parse: (text: string, file: string) => void): void => {
    if (!existsSync(path(file))) return;
    any = true;
    try {
      parse(readText(path(file)), path(file));
    } catch (err) {
      if (err instanceof CaseError) issues.push(...err.issues);
      else throw err;
    }
  };
  attempt(CASE_FILES.case, (t, f) => (out.definition = parseCaseDefinition(parseJsonText(t, f), f)));
  attempt(CASE_FILES.scenarios, (t, f) => {
    out.scenarios = parseScenarios(parseJsonText(t, f), f);
    if (known) checkScenarioOverrides(known, out.scenarios, f);
  });
  attempt(CASE_FILES.parameters, (t, f) => (out.parameters = parseParameters(parseJsonText(t, f), f)));
  attempt(CASE_FILES.loops, (t, f) => (out.loops = parseLoops(parseJsonText(t, f), f)));
  attempt(CASE_FILES.evidence, (t, f) => {
    const parsed = parseEvidenceJson(t);
    if (parsed.ok) out.evidence = parsed.document;
    else
      throw new CaseError(
        parsed.issues.map((i) => ({
          file: f,
          path: i.path,
          line: i.line,
          column: i.column,
          message: i.message,
        })),
      );
  });
  if (issues.length) throw new CaseError(issues);
  if (!any) return null;
  return out;
}

/**
 * A case's scored forecasts (Q4, `calibration/q4.json` as the case's calibration tool writes it).
 * The statistics are derived from the scored rows here (one definition: summariseForecasts), so a
 * file written by an older tool still reads with today's summary. Errors are CaseErrors.
 */
export function readCaseForecasts(q4File: string): CaseForecasts {
  const json = parseJsonText(readText(q4File), q4File) as Partial<CaseForecasts> & {
    byDate?: { asOf: string; dataRows: number }[];
  };
  if (
    typeof json !== 'object' ||
    json === null ||
    typeof json.summary !== 'object' ||
    !Array.isArray(json.byDate) ||
    !Array.isArray(json.steps)
  ) {
    throw new CaseError([
      { file: q4File, message: 'must hold summary, byDate and steps (rerun the calibration tool)' },
    ]);
  }
  const steps = json.steps;
  const rowsKnown = new Map(json.byDate.map((d) => [d.asOf, d.dataRows]));
  return {
    months: String(json.months ?? ''),
    samples: Number(json.samples ?? NaN),
    steps,
    summary: summariseForecasts(steps),
    byDate: steps.map((s) => ({
      asOf: s.asOf,
      dataRows: rowsKnown.get(s.asOf) ?? NaN,
      ...summariseForecasts([s]),
    })),
    byStream: forecastStreams(steps).map((stream) => ({ stream, ...summariseForecasts(steps, stream) })),
  };
}

export function loadCase(dir: string): LoadedCase {
  if (!existsSync(dir)) throw new CaseError([{ file: dir, message: 'no such case directory' }]);
  if (!statSync(dir).isDirectory()) {
    throw new CaseError([
      {
        file: dir,
        message: 'not a directory: give the case folder (with model.xmile, case.json, scenarios.json)',
      },
    ]);
  }
  const path = (name: string): string => join(dir, name);
  const missing = (['model', 'case', 'scenarios'] as const).filter((k) => !existsSync(path(CASE_FILES[k])));
  if (missing.length) {
    throw new CaseError(
      missing.map((k) => ({
        file: path(CASE_FILES[k]),
        message: `missing: a case folder needs ${CASE_FILES[k]}`,
      })),
    );
  }
  const files: CaseInputs['files'] = {
    model: path(CASE_FILES.model),
    case: path(CASE_FILES.case),
    scenarios: path(CASE_FILES.scenarios),
  };

  const read = readModelFile(files.model);
  const readErrors = read.diagnostics.filter((d) => d.severity === 'error');
  if (!read.model || readErrors.length) {
    throw new CaseError(
      (readErrors.length ? readErrors : read.diagnostics).map((d) => diagnosticIssue(d, files.model)),
    );
  }
  const compiledResult = compileModel(read.model);
  const compileErrors = compiledResult.diagnostics.filter((d) => d.severity === 'error');
  if (!compiledResult.compiled || compileErrors.length) {
    throw new CaseError(compileErrors.map((d) => diagnosticIssue(d, files.model)));
  }
  const warnings = [...read.diagnostics, ...compiledResult.diagnostics].filter(
    (d) => d.severity === 'warning',
  );

  const definition = parseCaseDefinition(parseJsonText(readText(files.case), files.case), files.case);
  const scenarios = parseScenarios(
    parseJsonText(readText(files.scenarios), files.scenarios),
    files.scenarios,
  );
  const notes: string[] = [];

  let parameters: CaseInputs['parameters'] = [];
  if (existsSync(path(CASE_FILES.parameters))) {
    files.parameters = path(CASE_FILES.parameters);
    parameters = parseParameters(
      parseJsonText(readText(files.parameters), files.parameters),
      files.parameters,
    );
  } else notes.push(`No ${CASE_FILES.parameters}: parameters are listed without sources.`);

  let loops: CaseInputs['loops'] = [];
  if (existsSync(path(CASE_FILES.loops))) {
    files.loops = path(CASE_FILES.loops);
    loops = parseLoops(parseJsonText(readText(files.loops), files.loops), files.loops);
  }

  let evidence: CaseInputs['evidence'];
  if (existsSync(path(CASE_FILES.evidence))) {
    files.evidence = path(CASE_FILES.evidence);
    const parsed = parseEvidenceJson(readText(files.evidence));
    if (!parsed.ok) {
      throw new CaseError(
        parsed.issues.map((i) => ({
          file: files.evidence!,
          path: i.path,
          line: i.line,
          column: i.column,
          message: i.message,
        })),
      );
    }
    evidence = parsed.document;
  } else notes.push(`No ${CASE_FILES.evidence} in the case folder: the hindcast needs reported estimates.`);

  // Q4's forecasts, once the case's calibration tool has written them.
  const q4File = path(CASE_FORECASTS);
  const forecasts = existsSync(q4File) ? readCaseForecasts(q4File) : undefined;

  return {
    dir,
    files,
    compiled: compiledResult.compiled,
    ...(forecasts ? { forecasts } : {}),
    definition,
    scenarios,
    parameters,
    loops,
    evidence,
    notes,
    warnings,
  };
}

/**
 * The history match of a calibrated case's headline ensemble (src/calibrate/history.ts): its
 * calibration spec and the posterior sample its tool wrote (calibration/posterior.json). Undefined
 * for a case without them.
 */
export function loadHistoryMatch(dir: string): FutureWeights | undefined {
  const spec = join(dir, 'calibration.json');
  const posteriorFile = join(dir, 'calibration', 'posterior.json');
  if (!existsSync(spec) || !existsSync(posteriorFile)) return undefined;
  const loaded = loadCalibrationFile(spec);
  const posterior = parseJsonText(readText(posteriorFile), posteriorFile) as {
    draws?: Record<string, number[]>;
  };
  if (!posterior.draws) throw new CaseError([{ file: posteriorFile, message: 'has no draws' }]);
  const definition = loaded.definition;
  dropRowsOutsideRun(loaded, new Problem(definition));
  return (ensemble) => historyMatch(loaded.definition, posterior.draws!, ensemble).weights;
}

/**
 * The files of a case folder that a rename of model variables changes (see src/case/rename.ts),
 * with their new text; nothing is written. A file that names variables but is not JSON is an
 * error (the rename would silently miss it).
 */
export function renameInCaseFolder(
  dir: string,
  renames: readonly [string, string][],
): { file: string; path: string; text: string; count: number }[] {
  const candidates: string[] = [];
  const add = (rel: string) => {
    if (namesVariables(rel) && existsSync(join(dir, rel)) && statSync(join(dir, rel)).isFile())
      candidates.push(rel);
  };
  for (const f of Object.values(CASE_FILES)) add(f);
  add('calibration.json');
  add('calibration/posterior.json');
  for (const sub of ['experiments', 'calibration/sequence']) {
    if (!existsSync(join(dir, sub))) continue;
    for (const f of readdirSync(join(dir, sub)).sort()) add(`${sub}/${f}`);
  }
  const out: { file: string; path: string; text: string; count: number }[] = [];
  for (const rel of candidates) {
    const path = join(dir, rel);
    const r = renameInCaseFile(rel, readText(path), renames);
    if (!r) throw new CaseError([{ file: path, message: 'not valid JSON: the rename cannot update it' }]);
    if (r.count) out.push({ file: rel, path, text: r.text, count: r.count });
  }
  return out;
}
