#!/usr/bin/env node
// `npm start`: the flagship analysis. Runs every scenario of the North Korea-Russia case, prints
// the comparison and writes the self-contained report to ./interlock-report.html, then serves the
// browser workbench on the case model and prints its URL. `npm start -- --report-only` stops after
// the report; `--port N` / `--host ADDR` choose where to serve. Uses the compiled library in dist/
// and the built web app in web-dist/ (both built by `npm install` through the prepare script; built
// here when missing).
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => new URL(`../dist/${path}`, import.meta.url);

const args = process.argv.slice(2);
const reportOnly = args.includes('--report-only');
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const known = new Set(['--report-only', '--port', '--host']);
for (let i = 0; i < args.length; i++) {
  if (!known.has(args[i])) {
    process.stderr.write(
      `interlock start: unknown option '${args[i]}' (use --report-only, --port N, --host ADDR)\n`,
    );
    process.exit(2);
  }
  if (args[i] !== '--report-only') i++;
}

const needsBuild =
  !existsSync(fileURLToPath(dist('case/load.js'))) ||
  !existsSync(fileURLToPath(dist('case/case-answers.js'))) ||
  (!reportOnly && !existsSync(fileURLToPath(new URL('../web-dist/index.html', import.meta.url))));
if (needsBuild) {
  process.stderr.write('interlock: building the library and the web app first (npm run build)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stderr.write('interlock: the build failed; see the messages above.\n');
    process.exit(2);
  }
}

const { loadCase } = await import(dist('case/load.js').href);
const { analyseCase, caseReport } = await import(dist('case/analysis.js').href);
const { caseDiagramLayout } = await import(dist('case/diagram.js').href);
const { comparisonTable } = await import(dist('case/compare.js').href);
const { CaseError, formatIssue } = await import(dist('case/definition.js').href);
const { computeCaseAnswers } = await import(dist('case/case-answers.js').href);
const { wrapText } = await import(dist('format/table.js').href);

/** The four answers first: the calibrated, history-matched ensemble in plain sentences. */
function printAnswers(loaded) {
  process.stderr.write('interlock: computing the answers (an ensemble over the uncertain parameters)...\n');
  const computed = computeCaseAnswers(loaded);
  if (!computed) return undefined;
  for (const a of computed.answers) {
    process.stdout.write(`${a.id}. ${a.question}\n`);
    for (const line of wrapText(a.answer, 96, true)) process.stdout.write(`    ${line}\n`);
    process.stdout.write(`    (claims ${a.claims.join(', ')}: docs/claims.md)\n\n`);
  }
  return computed;
}

const caseDir = relative(process.cwd(), resolve(root, 'models', 'north-korea-russia')) || '.';
const reportFile = resolve(process.cwd(), 'interlock-report.html');

try {
  const loaded = loadCase(caseDir);
  const analysis = analyseCase(loaded);
  process.stdout.write(`${loaded.definition.title}\n\n`);
  const computed = printAnswers(loaded);
  process.stdout.write('One run per policy at the central assumptions:\n\n');
  process.stdout.write(comparisonTable(loaded.definition, analysis.runs));
  const layout = await caseDiagramLayout(loaded.compiled, loaded.definition);
  writeFileSync(reportFile, caseReport(loaded, analysis, layout, computed?.answers));
  process.stdout.write(
    `\nThe full report (question, loops, charts, hindcast, assumptions) is in ${reportFile}\n` +
      'Open it in a browser; it needs no network. Compare other cases with `interlock compare <case-dir>`.\n',
  );
  if (!reportOnly) await serveWorkbench(computed);
} catch (err) {
  if (err instanceof CaseError) {
    for (const issue of err.issues) process.stderr.write(`interlock: ${formatIssue(issue)}\n`);
    process.exit(1);
  }
  process.stderr.write(`interlock: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(70);
}

/** Serve the browser workbench on the case model until Ctrl+C. */
async function serveWorkbench(computed) {
  const { startServer } = await import(dist('server/app.js').href);
  const port = Number(flag('--port', '4321'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('interlock start: --port must be 0-65535\n');
    process.exit(2);
  }
  let running;
  try {
    running = await startServer({
      model: caseDir,
      root: process.cwd(),
      port,
      host: flag('--host', '127.0.0.1'),
      // The Answers page shows the answers just printed, without computing them again.
      answers: computed,
    });
  } catch (err) {
    const why =
      err && err.code === 'EADDRINUSE' ? `port ${port} is in use (try npm start -- --port 0)` : err.message;
    process.stderr.write(`interlock start: cannot serve the workbench: ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `\nThe workbench is at ${running.url} (Ctrl+C to stop; npm start -- --report-only skips it)\n`,
  );
  const stop = () => running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
