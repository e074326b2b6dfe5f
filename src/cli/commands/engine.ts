/**
 * `interlock run` and `interlock check`: read, compile and run one model file.
 */
import type { Command } from 'commander';
import { checkModel, compileModel } from '../../engine.js';
import { canonicalName } from '../../equations/names.js';
import { ModelError } from '../../model/errors.js';
import type { Diagnostic, IntegrationMethod, Model } from '../../model/types.js';
import { readModelFile } from '../../node/files.js';
import type { CompiledModel, Results, RunOptions } from '../../simulate/types.js';
import { BudgetError, type Budgets } from '../../model/budgets.js';
import { describeNonFinite, nonFiniteOutputs } from '../../simulate/finite.js';
import {
  InputError,
  UsageError,
  addBudgetOption,
  budgetsFromFlags,
  formatDiagnostic,
  parseChoice,
  parseNumberFlag,
  writeStreamed,
} from '../util.js';

const METHODS = ['euler', 'rk2', 'rk4'] as const;
const FORMATS = ['csv', 'tsv', 'json'] as const;

/** Read and compile, or raise InputError with every error diagnostic; warnings go to stderr. */
export function loadCompiled(
  file: string,
  options: { quiet?: boolean; budgets?: Partial<Budgets> } = {},
): { model: Model; compiled: CompiledModel } {
  const read = readModelFile(file, options.budgets);
  const errors = read.diagnostics.filter((d) => d.severity === 'error');
  if (!read.model || errors.length)
    throw new InputError(`cannot read ${file}`, errors.length ? errors : read.diagnostics);
  const result = compileModel(read.model, { budgets: options.budgets });
  const all = [...read.diagnostics, ...result.diagnostics];
  const compileErrors = all.filter((d) => d.severity === 'error');
  if (!result.compiled || compileErrors.length) throw new InputError(`cannot compile ${file}`, compileErrors);
  if (!options.quiet) {
    for (const d of all.filter((x) => x.severity === 'warning'))
      process.stderr.write(formatDiagnostic(d) + '\n');
  }
  return { model: read.model, compiled: result.compiled };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Format a number for text output: shortest round-trip representation. */
function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function quoteCsv(name: string): string {
  return /[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name;
}

export function formatResults(r: Results, format: (typeof FORMATS)[number]): string {
  return [...resultPieces(r, format)].join('');
}

/** Rows (or JSON values) per piece of streamed output. */
const BLOCK = 2048;

/** The results as text, a block at a time, so that a long run is never one string in memory. */
export function* resultPieces(r: Results, format: (typeof FORMATS)[number]): Generator<string> {
  const rows = r.time.length;
  if (format === 'json') {
    // Same document as JSON.stringify({ time, series }): non-finite values become null.
    const json = (v: number): string => (Number.isFinite(v) ? JSON.stringify(v) : 'null');
    const array = function* (values: Float64Array): Generator<string> {
      for (let i = 0; i < rows; i += BLOCK) {
        const end = Math.min(rows, i + BLOCK);
        const parts: string[] = [];
        for (let k = i; k < end; k++) parts.push(json(values[k]!));
        yield (i > 0 ? ',' : '') + parts.join(',');
      }
    };
    yield '{"time":[';
    yield* array(r.time);
    yield '],"series":{';
    for (let c = 0; c < r.names.length; c++) {
      yield `${c > 0 ? ',' : ''}${JSON.stringify(r.names[c])}:[`;
      yield* array(r.columns[c]!);
      yield ']';
    }
    yield '}}\n';
    return;
  }
  const sep = format === 'tsv' ? '\t' : ',';
  yield (
    ['time', ...r.names].map((n) => (format === 'csv' ? quoteCsv(n) : n.replace(/\t/g, ' '))).join(sep) + '\n'
  );
  for (let start = 0; start < rows; start += BLOCK) {
    const end = Math.min(rows, start + BLOCK);
    const lines: string[] = [];
    for (let row = start; row < end; row++) {
      const cells = [fmt(r.time[row]!)];
      for (const c of r.columns) cells.push(fmt(c[row]!));
      lines.push(cells.join(sep));
    }
    yield lines.join('\n') + '\n';
  }
}

interface RunFlags {
  method?: string;
  start?: string;
  stop?: string;
  dt?: string;
  saveStep?: string;
  set: string[];
  vars?: string;
  format: string;
  out?: string;
  seed?: string;
  budget?: string[];
  strict?: boolean;
}

/** A save interval must be a positive whole multiple of dt; anything else is bad usage. */
export function checkSaveStep(saveStep: number, dt: number): void {
  if (!(saveStep > 0)) throw new UsageError(`--save-step must be positive, got ${saveStep}`);
  const k = saveStep / dt;
  if (Math.abs(k - Math.round(k)) > 1e-9 * Math.max(1, k) || Math.round(k) < 1)
    throw new UsageError(
      `--save-step ${saveStep} is not a multiple of dt ${dt}: use ${Math.max(1, Math.round(k)) * dt} or another multiple`,
    );
}

export function parseSet(items: string[]): Record<string, number> {
  const overrides: Record<string, number> = {};
  for (const item of items) {
    const eq = item.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects NAME=VALUE, got '${item}'`);
    const name = item.slice(0, eq).trim();
    overrides[name] = parseNumberFlag(`--set ${name}`, item.slice(eq + 1).trim());
  }
  return overrides;
}

export function registerEngineCommands(program: Command): void {
  const run = program
    .command('run')
    .description('Simulate a model and write its results as a table (time, then one column per variable).')
    .argument('<model>', 'an XMILE file (.xmile, .stmx, .xml)')
    .option('--method <method>', "integration method: euler, rk2 or rk4 (default: the model's)")
    .option('--start <t>', "start time (default: the model's)")
    .option('--stop <t>', "stop time (default: the model's)")
    .option('--dt <dt>', "time step (default: the model's)")
    .option('--save-step <s>', 'save interval, a multiple of dt (default: dt)')
    .option('--set <name=value>', "override a constant or a stock's initial value (repeatable)", collect, [])
    .option('--vars <names>', 'comma-separated variables to output (default: all)')
    .option('--seed <n>', 'seed for random functions called without their own seed (default 1)')
    .option('--format <format>', 'csv, tsv or json', 'csv')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--strict', 'a value that becomes NaN or infinite is an error (exit 1), not a warning');
  addBudgetOption(run).action((file: string, flags: RunFlags) => {
    const format = parseChoice('--format', flags.format, FORMATS);
    const options: RunOptions = { overrides: parseSet(flags.set) };
    if (flags.method) options.method = parseChoice('--method', flags.method, METHODS) as IntegrationMethod;
    if (flags.start !== undefined) options.start = parseNumberFlag('--start', flags.start);
    if (flags.stop !== undefined) options.stop = parseNumberFlag('--stop', flags.stop);
    if (flags.dt !== undefined) options.dt = parseNumberFlag('--dt', flags.dt);
    if (flags.saveStep !== undefined) options.saveStep = parseNumberFlag('--save-step', flags.saveStep);
    if (flags.seed !== undefined) options.seed = parseNumberFlag('--seed', flags.seed);
    if (flags.vars !== undefined) {
      options.vars = flags.vars
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
    }
    const budgets = budgetsFromFlags(flags.budget);
    const { model, compiled } = loadCompiled(file, { budgets });
    if (options.saveStep !== undefined) checkSaveStep(options.saveStep, options.dt ?? compiled.simSpecs.dt);
    let results: Results;
    try {
      results = compiled.run(options);
    } catch (err) {
      if (err instanceof BudgetError) {
        throw new InputError(
          err.message,
          err.diagnostics.map((d) => ({ ...d, file: d.file ?? file, ...simSpecsLoc(model) })),
        );
      }
      if (err instanceof ModelError) throw new UsageError(err.message);
      throw err;
    }
    const bad = nonFiniteOutputs(results);
    if (bad.length) {
      const first = bad[0]!;
      const d: Diagnostic = {
        severity: flags.strict ? 'error' : 'warning',
        code: 'non-finite',
        message:
          `'${first.variable}' becomes ${describeNonFinite(first.value)} at time ${first.time}` +
          (bad.length > 1 ? `; ${bad.length - 1} other variable(s) follow` : ''),
        file,
        ...locOfVariable(model, first.variable),
        variable: first.variable,
      };
      if (flags.strict) throw new InputError(d.message, [d]);
      process.stderr.write(formatDiagnostic(d) + '\n');
    }
    writeStreamed(resultPieces(results, format), flags.out);
  });

  program
    .command('check')
    .description('Read and compile a model; print every diagnostic (errors and warnings). Exit 1 on errors.')
    .argument('<model>', 'an XMILE file (.xmile, .stmx, .xml)')
    .option('--format <format>', 'text or json', 'text')
    .option(
      '--budget <name=n>',
      'raise or lower a resource budget (see interlock run --help); repeatable',
      collect,
      [],
    )
    .action((file: string, flags: { format: string; budget?: string[] }) => {
      const format = parseChoice('--format', flags.format, ['text', 'json'] as const);
      const budgets = budgetsFromFlags(flags.budget);
      const read = readModelFile(file, budgets);
      const diagnostics: Diagnostic[] = [...read.diagnostics];
      if (read.model && !read.diagnostics.some((d) => d.severity === 'error')) {
        diagnostics.push(...checkModel(read.model, { budgets }));
      }
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
      if (format === 'json') {
        process.stdout.write(JSON.stringify({ file, errors, warnings, diagnostics }, null, 2) + '\n');
      } else {
        for (const d of diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
        process.stdout.write(`${file}: ${errors} error(s), ${warnings} warning(s)\n`);
      }
      if (errors > 0) process.exitCode = 1;
    });
}

/** Where the model's run settings are written (the steps and saved-cells budgets point there). */
function simSpecsLoc(model: Model): { line?: number; column?: number } {
  const loc = (model.simSpecs as { loc?: { line: number; column: number } }).loc;
  return loc ? { line: loc.line, column: loc.column } : {};
}

function locOfVariable(model: Model, name: string): { line?: number; column?: number } {
  const base = canonicalName(name.replace(/\[.*$/, ''));
  const v = model.variables.find((x) => canonicalName(x.name) === base);
  return v?.loc ? { line: v.loc.line, column: v.loc.column } : {};
}
