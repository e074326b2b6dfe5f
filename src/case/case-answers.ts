/**
 * A case folder's four answers, computed once from the calibrated, history-matched ensemble:
 * the headline (src/case/headline.ts) over the case's thesis experiment, weighted by the history
 * match of its posterior (`loadHistoryMatch`), put into sentences by src/case/answers.ts with the
 * case's scored forecasts for Q4. `npm start`, `npm run case:numbers` and the workbench's Answers
 * page all come here, so they show the same numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../experiments/spec.js';
import { answersFromHeadline, type CaseAnswers } from './answers.js';
import { computeHeadline, HEADLINE_DEFAULTS, type HeadlineOptions, type HeadlineResult } from './headline.js';
import { loadHistoryMatch, type LoadedCase } from './load.js';
import { CaseError, parseJsonText } from './definition.js';

/** The experiment whose futures the answers are computed over, beside a case's model. */
export const CASE_THESIS = 'experiments/thesis.json';

export type { CaseAnswers };

/** The headline ensemble of a loaded case; undefined when the case has no thesis experiment. */
export function computeCaseHeadline(
  loaded: LoadedCase,
  options: HeadlineOptions = HEADLINE_DEFAULTS,
): HeadlineResult | undefined {
  const file = join(loaded.dir, CASE_THESIS);
  if (!existsSync(file)) return undefined;
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
): CaseAnswers | undefined {
  const headline = computeCaseHeadline(loaded, options);
  if (!headline) return undefined;
  return { answers: answersFromHeadline(headline, loaded.forecasts), headline };
}
