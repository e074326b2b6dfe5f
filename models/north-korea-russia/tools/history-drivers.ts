/**
 * Which inputs the history match weighs the futures by: `npx tsx
 * models/north-korea-russia/tools/history-drivers.ts [--samples N] [--seed S]`. It runs the thesis
 * ensemble under escalation management, weighs each future as the headline does
 * (src/calibrate/history.ts) and prints, for every sampled input, the share of the variance of the
 * log weights its rank bins explain (the correlation ratio, src/stats/rank.ts) and Spearman's rho.
 * An input that explains much of it bears on the 2024-25 figures and belongs in the calibration;
 * the effective sample size says how unevenly the futures are weighed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCase, loadHistoryMatch } from '../../../src/case/load.js';
import { runEnsemble } from '../../../src/case/ensemble.js';
import { OUTCOMES } from '../../../src/case/headline.js';
import { parseSpec } from '../../../src/experiments/spec.js';
import { correlationRatio, spearman } from '../../../src/stats/rank.js';

const caseDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { samples: { type: 'string', default: '2000' }, seed: { type: 'string', default: '42' } },
});
const samples = Number(values.samples);
const seed = Number(values.seed);
if (!Number.isInteger(samples) || samples < 20) throw new Error(`--samples must be an integer of 20 or more`);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer`);

const loaded = loadCase(caseDir);
const file = join(caseDir, 'experiments', 'thesis.json');
const spec = parseSpec(JSON.parse(readFileSync(file, 'utf8')), file);
const policy = loaded.definition.baseline;
const scenarios = new Map(
  loaded.scenarios
    .filter((s) => s.name === policy)
    .map((s) => [s.name, { description: s.description, overrides: s.overrides }]),
);
const weigh = loadHistoryMatch(caseDir);
if (!weigh) throw new Error('no calibration/posterior.json: run `npm run case:calibrate` first');
const ensemble = runEnsemble(loaded.compiled, { ...spec, scenarios: [policy] }, scenarios, OUTCOMES, {
  samples,
  seed,
});
const w = weigh(ensemble);
let sum = 0;
let sum2 = 0;
for (const x of w) {
  sum += x;
  sum2 += x * x;
}
const logW = Array.from(w, (x) => (x > 0 ? Math.log(x) : NaN));
const rows = ensemble.inputNames
  .map((name, d) => ({
    name,
    eta2: correlationRatio(ensemble.inputs[d]!, logW),
    rho: spearman(ensemble.inputs[d]!, logW),
  }))
  .sort((a, b) => b.eta2 - a.eta2);
process.stdout.write(
  `${samples} futures under ${policy} (seed ${seed}): effective sample size ${((sum * sum) / sum2).toFixed(1)}\n\n` +
    '| input | share of log-weight variance (10 rank bins) | Spearman rho |\n| --- | --- | --- |\n' +
    rows.map((r) => `| \`${r.name}\` | ${r.eta2.toFixed(3)} | ${r.rho.toFixed(3)} |`).join('\n') +
    '\n',
);
