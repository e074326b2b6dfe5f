/**
 * The `interlock` command line: a thin shell over the library. Each command family lives in
 * its own module under ./commands and registers itself on the program.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_INPUT, EXIT_USAGE, InputError, UsageError, formatDiagnostic } from './util.js';
import { VERSION } from '../version.js';

type Register = (program: Command) => void;

/**
 * Command families, loaded on demand: `interlock run` should not pay for loading the evidence
 * store, the experiment runner or the web server. Help and unknown commands load them all.
 */
const FAMILIES: { commands: string[]; load: () => Promise<Register> }[] = [
  {
    commands: ['run', 'check'],
    load: async () => (await import('./commands/engine.js')).registerEngineCommands,
  },
  { commands: ['convert'], load: async () => (await import('./commands/convert.js')).registerConvertCommand },
  { commands: ['compare'], load: async () => (await import('./commands/case.js')).registerCaseCommands },
  {
    commands: ['explore', 'sensitivity', 'discover', 'robustness', 'report'],
    load: async () => (await import('./commands/experiments.js')).registerExperimentCommands,
  },
  {
    commands: ['evidence', 'ach', 'estimates', 'forecasts', 'indicators'],
    load: async () => (await import('./commands/evidence.js')).registerEvidenceCommands,
  },
  { commands: ['worker'], load: async () => (await import('./commands/queue.js')).registerQueueCommands },
  { commands: ['export'], load: async () => (await import('./commands/export.js')).registerExportCommand },
  { commands: ['serve'], load: async () => (await import('./commands/serve.js')).registerServeCommand },
  {
    commands: ['calibrate'],
    load: async () => (await import('./commands/calibrate.js')).registerCalibrateCommand,
  },
];

/** The program with the command families needed for `argv` (all of them when unsure). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('interlock')
    .description(
      'A workbench for modelling strategic dynamics: run XMILE system-dynamics models, compare policy ' +
        'scenarios, explore uncertainty, and weigh the evidence behind them.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const first = argv.find((a) => !a.startsWith('-'));
  const wanted = FAMILIES.filter((f) => first !== undefined && f.commands.includes(first));
  for (const family of wanted.length ? wanted : FAMILIES) (await family.load())(program);
  return program;
}

/** Report an error to the user without a stack trace and return the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander has already printed its message (help and version exit 0).
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`interlock: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof InputError) {
    if (err.diagnostics.length) {
      for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    } else {
      process.stderr.write(`interlock: ${err.message}\n`);
    }
    return EXIT_INPUT;
  }
  const e = err as { code?: string; message?: string; path?: string };
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
    process.stderr.write(`interlock: ${e.message ?? String(err)}\n`);
    return EXIT_INPUT;
  }
  process.stderr.write(`interlock: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env.INTERLOCK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 70;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
