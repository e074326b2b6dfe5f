/**
 * Regression guard over the SDXorg conformance suite: every model listed in
 * conformance-expected.json (the models that passed when it was generated) must still pass.
 * Regenerate the list with `UPDATE_CONFORMANCE=1 npx vitest run test/engine/conformance.test.ts`
 * after an engine change makes more models pass.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { knownCause, runSuite } from '../../src/conformance/suite.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const suiteRoot = path.resolve(repoRoot, '..', 'shared', 'sd-test-models');
const expectedFile = path.join(here, 'conformance-expected.json');
const present = existsSync(suiteRoot);

if (!present) {
  console.log(`conformance: the SDXorg suite is absent (../shared/sd-test-models); skipped.`);
}

interface Expected {
  /** Models (paths relative to the suite root, `/`-separated) that pass. */
  passing: string[];
}

describe.skipIf(!present)('SDXorg conformance suite', () => {
  it('every model that passed before still passes', () => {
    const report = runSuite(suiteRoot);
    const norm = (p: string) => p.split(path.sep).join('/');
    const passing = report.models.filter((m) => m.outcome === 'pass').map((m) => norm(m.model));
    console.log(
      `conformance: ${report.byFormat.xmile.passed} of ${report.byFormat.xmile.models} XMILE/stmx and ${report.byFormat.mdl.passed} of ${report.byFormat.mdl.models} Vensim models pass`,
    );
    if (process.env.UPDATE_CONFORMANCE) {
      writeFileSync(expectedFile, JSON.stringify({ passing } satisfies Expected, null, 2) + '\n');
    }
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Expected;
    const byModel = new Map(report.models.map((m) => [norm(m.model), m]));
    const regressions = expected.passing
      .filter((m) => !passing.includes(m))
      .map((m) => `${m}: ${byModel.get(m)?.outcome ?? 'missing'} (${byModel.get(m)?.reason ?? 'not run'})`);
    expect(regressions).toEqual([]);
    expect(expected.passing.length).toBeGreaterThan(0);
    // The target for XMILE: every file that does not pass is itself defective, and named with its
    // defect. Vensim files that do not pass are listed with their reasons in the report.
    const unexplained = report.models
      .filter((m) => m.format !== 'mdl' && m.outcome !== 'pass' && !knownCause(m))
      .map((m) => `${norm(m.model)}: ${m.outcome} (${m.reason})`);
    expect(unexplained).toEqual([]);
  });
});
