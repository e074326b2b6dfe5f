#!/usr/bin/env node
// `npm start`: the flagship analysis. Runs every scenario of the North Korea-Russia case, prints
// the comparison and writes the self-contained report to ./interlock-report.html. Uses the
// compiled library in dist/ (built by `npm install` through the prepare script).
import { existsSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => new URL(`../dist/${path}`, import.meta.url);

if (!existsSync(fileURLToPath(dist('case/load.js')))) {
  process.stderr.write(
    'interlock: the compiled library is missing (dist/). Run `npm install` or `npm run build`.\n',
  );
  process.exit(2);
}

const { loadCase } = await import(dist('case/load.js').href);
const { analyseCase, caseReport } = await import(dist('case/analysis.js').href);
const { comparisonTable } = await import(dist('case/compare.js').href);
const { CaseError, formatIssue } = await import(dist('case/definition.js').href);

const caseDir = relative(process.cwd(), resolve(root, 'models', 'north-korea-russia')) || '.';
const reportFile = resolve(process.cwd(), 'interlock-report.html');

try {
  const loaded = loadCase(caseDir);
  const analysis = analyseCase(loaded);
  process.stdout.write(`${loaded.definition.title}\n\n`);
  process.stdout.write(comparisonTable(loaded.definition, analysis.runs));
  writeFileSync(reportFile, caseReport(loaded, analysis));
  process.stdout.write(
    `\nThe full report (question, loops, charts, hindcast, assumptions) is in ${reportFile}\n` +
      'Open it in a browser; it needs no network. Compare other cases with `interlock compare <case-dir>`.\n',
  );
} catch (err) {
  if (err instanceof CaseError) {
    for (const issue of err.issues) process.stderr.write(`interlock: ${formatIssue(issue)}\n`);
    process.exit(1);
  }
  process.stderr.write(`interlock: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(70);
}
