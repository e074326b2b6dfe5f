/**
 * A case folder's four answers, computed once from the calibrated, history-matched ensemble:
 * the headline (src/case/headline.ts) over the case's thesis experiment, weighted by the history
 * match of its posterior (`loadHistoryMatch`), put into sentences by src/case/answers.ts with the
 * case's scored forecasts for Q4. `npm start`, `npm run case:numbers` and the workbench's Answers
 * page all come here, so they show the same numbers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../experiments/spec.js';
import { answersFromHeadline, type CaseAnswers } from './answers.js';
import { computeHeadline, HEADLINE_DEFAULTS, type HeadlineOptions, type HeadlineResult } from './headline.js';
import { loadHistoryMatch, type LoadedCase } from './load.js';
import { CaseError, parseJsonText } from './definition.js';

/** The experiment whose futures the answers are computed over, beside a case's model. */
export const CASE_THESIS = 'experiments/thesis.json';

export type { CaseAnswers };

/**
 * Where a case keeps its computed headline, so that `npm start` and the workbench need not rerun
 * the ensemble (2,000 futures per policy take a minute or two): written by
 * `npm run case:numbers -- --write`, used only while its key matches.
 */
export const HEADLINE_CACHE = 'calibration/headline.json';

/** Bump when the headline's computation changes in a way its inputs' key cannot see. */
const HEADLINE_CODE_VERSION = 2;

/**
 * The inputs a case's headline depends on: the thesis experiment, the model, the scenarios, the
 * calibration spec, evidence and posterior (the history match), the options and the code version.
 */
export function headlineKey(dir: string, options: HeadlineOptions): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ options, version: HEADLINE_CODE_VERSION }));
  for (const name of [
    CASE_THESIS,
    'model.xmile',
    'scenarios.json',
    'case.json',
    'calibration.json',
    'evidence.json',
    'calibration/posterior.json',
  ]) {
    const file = join(dir, name);
    hash.update(`\n${name}\n`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** How to use the cached headline: read it when current, recompute and write it, or ignore it. */
export type HeadlineCacheMode = 'use' | 'refresh' | 'ignore';

function readCachedHeadline(dir: string, key: string): HeadlineResult | undefined {
  const file = join(dir, HEADLINE_CACHE);
  if (!existsSync(file)) return undefined;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; headline?: HeadlineResult };
    return cached.key === key ? cached.headline : undefined;
  } catch {
    return undefined;
  }
}

function writeCachedHeadline(dir: string, key: string, headline: HeadlineResult): void {
  const file = join(dir, HEADLINE_CACHE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ key, headline }, null, 1) + '\n');
  renameSync(temporary, file);
}

/** The headline ensemble of a loaded case; undefined when the case has no thesis experiment. */
export function computeCaseHeadline(
  loaded: LoadedCase,
  options: HeadlineOptions = HEADLINE_DEFAULTS,
  cache: HeadlineCacheMode = 'ignore',
): HeadlineResult | undefined {
  const file = join(loaded.dir, CASE_THESIS);
  if (!existsSync(file)) return undefined;
  const key = cache === 'ignore' ? '' : headlineKey(loaded.dir, options);
  if (cache === 'use') {
    const cached = readCachedHeadline(loaded.dir, key);
    if (cached) return cached;
  }
  const headline = computeFresh(loaded, file, options);
  if (cache === 'refresh') writeCachedHeadline(loaded.dir, key, headline);
  return headline;
}

function computeFresh(loaded: LoadedCase, file: string, options: HeadlineOptions): HeadlineResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CaseError([{ file, message: `cannot read: ${(err as Error).message}` }]);
  }
  const spec = parseSpec(parseJsonText(text, file) as never, file);
  const scenarios = new Map(
    loaded.scenarios.map((s) => [s.name, { description: s.description, overrides: s.overrides }]),
  );
  return computeHeadline(
    loaded.compiled,
    spec,
    scenarios,
    loaded.definition.baseline,
    options,
    loadHistoryMatch(loaded.dir),
  );
}

/** The four answers and the headline behind them; undefined without a thesis experiment. */
export function computeCaseAnswers(
  loaded: LoadedCase,
  options: HeadlineOptions = HEADLINE_DEFAULTS,
  cache: HeadlineCacheMode = 'use',
): CaseAnswers | undefined {
  const headline = computeCaseHeadline(loaded, options, cache);
  if (!headline) return undefined;
  return { answers: answersFromHeadline(headline, loaded.forecasts), headline };
}
