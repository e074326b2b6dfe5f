#!/usr/bin/env node
// Runs the SDXorg conformance suite from ../shared/sd-test-models (or the folder given) against
// the built library and writes out/conformance.md and out/conformance.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const suite = resolve(process.argv[2] ?? join(repo, '..', 'shared', 'sd-test-models'));
if (!existsSync(suite)) {
  console.log(
    `conformance: the suite is absent (${process.argv[2] ?? '../shared/sd-test-models'}); skipped.`,
  );
  process.exit(0);
}
const lib = join(repo, 'dist', 'conformance', 'suite.js');
if (!existsSync(lib)) {
  console.error('conformance: dist/ is missing; run `npm run build` first.');
  process.exit(2);
}
const { runSuite, formatReport } = await import(new URL(`file://${lib}`).href);
const report = runSuite(suite);
mkdirSync(join(repo, 'out'), { recursive: true });
writeFileSync(join(repo, 'out', 'conformance.md'), formatReport(report));
writeFileSync(join(repo, 'out', 'conformance.json'), JSON.stringify(report, null, 2) + '\n');
for (const m of report.models) {
  console.log(`${m.outcome.padEnd(11)} ${m.model}${m.reason ? `  (${m.reason})` : ''}`);
}
const f = report.byFormat;
const v = report.vensimFolders;
console.log(
  `\nXMILE/stmx: ${f.xmile.passed} of ${f.xmile.models} pass; Vensim .mdl: ${f.mdl.passed} of ${f.mdl.models} pass; Vensim-only folders with output: ${v.passing.length} of ${v.withOutput.length} pass.`,
);
console.log('Report: out/conformance.md');
