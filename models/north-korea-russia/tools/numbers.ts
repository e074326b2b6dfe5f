/**
 * Prints the README's headline numbers (the numbers block between `<!-- numbers:start -->` and
 * `<!-- numbers:end -->`), or with `--write` puts them there. Run from the repository root:
 * `npm run case:numbers [-- --write] [-- --samples N --seeds N]`. The drift test
 * (test/case/readme-numbers.test.ts) fails when the README differs from what this prints.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCase } from '../../../src/case/load.js';
import { computeCaseHeadline, type HeadlineCacheMode } from '../../../src/case/case-answers.js';
import { compareScenarios, formatNumber } from '../../../src/case/compare.js';
import {
  HEADLINE_DEFAULTS,
  renderForecasts,
  renderHeadline,
  renderPosterior,
  type HeadlineOptions,
} from '../../../src/case/headline.js';

const caseDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * The numbers block as the script prints it. The case folder is read by src/case (loadCase). The
 * ensemble is computed afresh unless `cache` says to use (or refresh) calibration/headline.json.
 */
export function headlineText(
  options: HeadlineOptions = HEADLINE_DEFAULTS,
  cache: HeadlineCacheMode = 'ignore',
): string {
  const loaded = loadCase(caseDir);
  const runs = compareScenarios(loaded.compiled, loaded.definition, loaded.scenarios);
  const table = [
    '**One run per policy at the default parameters (deep ones at the centres of their ranges, calibrated ones at their posterior medians, both switches at 1)**',
    '',
    '| policy | troops m6 | troops m12 | troops m24 | peak troops (month) | casualties m24 | technology m24 | pressure m12 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((r) => {
      const o = r.outcomes;
      return `| ${r.name} | ${formatNumber(o.troops_m6!)} | ${formatNumber(o.troops_m12!)} | ${formatNumber(o.troops_m24!)} | ${formatNumber(o.peak_troops!)} (${+o.peak_month!.toFixed(2)}) | ${formatNumber(o.casualties_m24!)} | ${formatNumber(o.technology_m24!)} | ${formatNumber(o.mobilisation_pressure_m12!)} |`;
    }),
  ].join('\n');
  const headline = computeCaseHeadline(loaded, options, cache);
  if (!headline) throw new Error(`${caseDir}/experiments/thesis.json is missing`);
  const q4 = loaded.forecasts
    ? renderForecasts(loaded.forecasts)
    : '**Q4** needs `npm run case:calibrate` (calibration/q4.json is missing).';
  return `${renderPosterior(loaded.parameters)}\n\n${table}\n\n${renderHeadline(headline)}\n\n${q4}`;
}

export const NUMBERS_START = '<!-- numbers:start -->';
export const NUMBERS_END = '<!-- numbers:end -->';

/** The numbers block of a README text, trimmed (empty when the markers are missing). */
export function readmeNumbers(text: string): string {
  const i = text.indexOf(NUMBERS_START);
  const j = text.indexOf(NUMBERS_END);
  if (i < 0 || j < i) return '';
  return text.slice(i + NUMBERS_START.length, j).trim();
}

function main(argv: string[]): void {
  const options = { ...HEADLINE_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--samples' || flag === '--seeds') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 2) {
        process.stderr.write(`${flag} needs a whole number of at least 2\n`);
        process.exit(2);
      }
      if (flag === '--samples') options.samples = n;
      else options.seeds = n;
    } else if (flag !== '--write') {
      process.stderr.write(`unknown option '${flag}' (known: --write, --samples N, --seeds N)\n`);
      process.exit(2);
    }
  }
  // --write recomputes and keeps the ensemble for npm start and the workbench; printing reuses it.
  const text = headlineText(options, argv.includes('--write') ? 'refresh' : 'use');
  if (argv.includes('--write')) {
    const file = `${caseDir}/README.md`;
    const readme = readFileSync(file, 'utf8');
    const i = readme.indexOf(NUMBERS_START);
    const j = readme.indexOf(NUMBERS_END);
    if (i < 0 || j < i) {
      process.stderr.write(`README.md has no ${NUMBERS_START} ... ${NUMBERS_END} block\n`);
      process.exit(1);
    }
    writeFileSync(file, `${readme.slice(0, i + NUMBERS_START.length)}\n\n${text}\n\n${readme.slice(j)}`);
  }
  process.stdout.write(text + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
