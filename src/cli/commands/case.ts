/**
 * `interlock compare CASE_DIR`: run every scenario of a case folder and print the outcomes per
 * scenario (a table or JSON); `--report FILE.html` also writes the self-contained case report.
 */
import type { Command } from 'commander';
import { analyseCase, caseReport } from '../../case/analysis.js';
import { caseDiagramLayout } from '../../case/diagram.js';
import { comparisonJson, comparisonTable } from '../../case/compare.js';
import { CaseError } from '../../case/definition.js';
import { loadCase } from '../../case/load.js';
import type { Diagnostic } from '../../model/types.js';
import { InputError, formatDiagnostic, parseChoice, parseNumberFlag, writeOutput } from '../util.js';

const FORMATS = ['table', 'json'] as const;

/** A CaseError as located diagnostics the CLI prints one per line (exit 1). */
export function caseInputError(err: CaseError): InputError {
  const diagnostics: Diagnostic[] = err.issues.map((i) => ({
    severity: 'error',
    code: 'case-invalid',
    message: i.path ? `${i.path}: ${i.message}` : i.message,
    file: i.file,
    line: i.line,
    column: i.column,
  }));
  return new InputError(err.message, diagnostics);
}

interface CompareFlags {
  format: string;
  wide?: boolean;
  report?: string;
  dt?: string;
  quiet?: boolean;
}

export async function runCompare(dir: string, flags: CompareFlags): Promise<void> {
  const format = parseChoice('--format', flags.format, FORMATS);
  const dt = flags.dt === undefined ? undefined : parseNumberFlag('--dt', flags.dt);
  try {
    const loaded = loadCase(dir);
    if (!flags.quiet) for (const w of loaded.warnings) process.stderr.write(formatDiagnostic(w) + '\n');
    const analysis = analyseCase(loaded, dt === undefined ? {} : { dt });
    process.stdout.write(
      format === 'json'
        ? comparisonJson(analysis.runs)
        : comparisonTable(loaded.definition, analysis.runs, flags.wide ? Infinity : undefined),
    );
    if (flags.report) {
      const layout = await caseDiagramLayout(loaded.compiled, loaded.definition);
      writeOutput(caseReport(loaded, analysis, layout), flags.report);
      if (!flags.quiet) process.stderr.write(`interlock: wrote the report to ${flags.report}\n`);
    }
  } catch (err) {
    if (err instanceof CaseError) throw caseInputError(err);
    throw err;
  }
}

export function registerCaseCommands(program: Command): void {
  program
    .command('compare')
    .description(
      'Run every scenario of a case folder (model.xmile, case.json, scenarios.json, and optionally ' +
        'parameters.json, loops.json, evidence.json) and print the outcomes per scenario.',
    )
    .argument('<case-dir>', 'the case folder, e.g. models/north-korea-russia')
    .option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`, 'table')
    .option(
      '-r, --report <file>',
      'also write a self-contained HTML report (charts, loops, hindcast, assumptions)',
    )
    .option('--dt <dt>', 'integration step (default: the model file)')
    .option('--wide', 'print every outcome column, however wide (default: fit 100 columns)')
    .option('-q, --quiet', 'no warnings or progress on stderr')
    .action((dir: string, flags: CompareFlags) => runCompare(dir, flags));
}
