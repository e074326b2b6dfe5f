/**
 * `calibrate`: estimate a model's parameters from data and evidence (issue: calibration), once
 * or as a sequence of dates, into a results folder.
 */
import type { Command } from 'commander';
import { calibrate, type CalibrationOutcome } from '../../calibrate/calibrate.js';
import { loadCalibrationFile, type LoadedCalibration } from '../../calibrate/load.js';
import { summaryJson, writeCalibration } from '../../calibrate/output.js';
import { reweightExplore, writeReweight, type ReweightResult } from '../../calibrate/reweight.js';
import { calibrateSequence, parseSequence } from '../../calibrate/sequence.js';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../../calibrate/spec.js';
import { SpecError } from '../../experiments/spec.js';
import { WorkerFatalError, defaultJobs } from '../../experiments/pool.js';
import { CaseError, formatIssue } from '../../case/definition.js';
import { Progress, stopOnInterrupt } from '../progress.js';
import { InputError, UsageError, parseChoice, parseNumberFlag } from '../util.js';

const FORMATS = ['table', 'json'] as const;

function positiveInteger(flag: string, value: string): number {
  const n = parseNumberFlag(flag, value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} expects a positive integer, got '${value}'`);
  return n;
}

function asInputError(err: unknown): never {
  if (err instanceof SpecError) throw new InputError(err.message);
  if (err instanceof WorkerFatalError)
    throw new InputError(err.field ? `${err.field}: ${err.message}` : err.message);
  if (err instanceof CaseError) throw new InputError(err.issues.map(formatIssue).join('\n'));
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EACCES' || code === 'ENOSPC' || code === 'EROFS') {
    throw new InputError(`cannot write results: ${(err as Error).message}`);
  }
  throw err;
}

/** Four significant digits, plain notation where it reads well. */
export function formatValue(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

export function outcomeText(loaded: LoadedCalibration, outcome: CalibrationOutcome): string {
  const r = outcome.result;
  const rhat = (r.diagnostics.rhat ?? {}) as Record<string, number>;
  const ess = (r.diagnostics.essBulk ?? {}) as Record<string, number>;
  const hasChains = Object.keys(rhat).length > 0;
  const header = [
    'parameter',
    'map',
    'mean',
    'sd',
    'q05',
    'q50',
    'q95',
    ...(hasChains ? ['rhat', 'ess'] : []),
  ];
  const rows = outcome.names.map((n) => {
    const p = outcome.parameters[n];
    return [
      n,
      ...[p.map, p.mean, p.sd, p.q05, p.q50, p.q95].map(formatValue),
      ...(hasChains
        ? [
            rhat[n] === undefined ? '-' : rhat[n].toFixed(3),
            ess[n] === undefined ? '-' : Math.round(ess[n]).toString(),
          ]
        : []),
    ];
  });
  const lines = [
    `${outcome.method}${loaded.spec.asOf ? ` as of ${loaded.spec.asOf}` : ''}: ${outcome.rows.length} data rows, ${r.evaluations.toLocaleString('en-US')} model runs (${r.failedEvaluations} failed) in ${outcome.seconds.toFixed(1)}s${r.interrupted ? ' (interrupted)' : ''}`,
    '',
    table(header, rows),
    `log-likelihood at the MAP: ${formatValue(outcome.mapLogLik)}; data points inside the posterior predictive 90% band: ${outcome.coverage90 === null ? '-' : `${Math.round(outcome.coverage90 * 100)}%`}`,
  ];
  for (const s of loaded.streams) {
    const excluded = [
      s.afterAsOf ? `${s.afterAsOf} published later` : '',
      s.duplicates.length ? `${s.duplicates.length} repeated briefing(s)` : '',
      s.outsideRun ? `${s.outsideRun} outside the run` : '',
    ].filter(Boolean);
    lines.push(
      `  stream ${s.name} -> ${s.variable}: ${s.rows} rows${excluded.length ? ` (left out: ${excluded.join(', ')})` : ''}`,
    );
  }
  if (outcome.points.length) {
    lines.push(
      '',
      table(
        ['forecast', 'time', 'q05', 'q25', 'q50', 'q75', 'q95'],
        outcome.points.map((p) => [p.name, p.date ?? formatValue(p.time), ...p.quantiles.map(formatValue)]),
      ),
    );
  }
  for (const w of [...loaded.warnings, ...r.warnings]) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

function reweightText(r: ReweightResult): string {
  const ess = r.result.diagnostics.ess as number | undefined;
  return (
    `re-weighted ensemble: effective sample size ${ess === undefined ? '-' : Math.round(ess)} of ${r.weights.length} futures\n\n` +
    table(
      ['policy', 'outcome', 'prior mean', 'posterior mean', 'q05', 'q95'],
      r.outcomes.map((o) => [
        o.policy,
        o.outcome,
        formatValue(o.prior.mean),
        formatValue(o.weighted.mean),
        formatValue(o.weighted.q05),
        formatValue(o.weighted.q95),
      ]),
    )
  );
}

export function registerCalibrateCommand(program: Command): void {
  program
    .command('calibrate')
    .description('Estimate model parameters from data and evidence (MAP, MCMC or SMC) into DIR')
    .argument('<spec>', 'calibration spec (JSON); paths in it are relative to it')
    .requiredOption(
      '-o, --out <dir>',
      'results directory (summary.json, posterior.csv, predictive.json, rows.csv)',
    )
    .option('--method <method>', `estimator: ${CALIBRATION_METHODS.join(', ')} (default: the spec's)`)
    .option('-n, --samples <n>', "posterior draws (MCMC) or particles (SMC), over the spec's")
    .option('-j, --jobs <n>', `worker threads (default: every core, here ${defaultJobs()})`)
    .option('--as-of <date>', 'use only data published on or before this date (YYYY-MM-DD)')
    .option(
      '--sequence <dates>',
      'calibrate at each date: D1,D2,... or a month range YYYY-MM..YYYY-MM (month ends)',
    )
    .option(
      '--reweight <runs>',
      'weigh the futures of an `interlock explore` results folder by the data (importance sampling; runs no new estimator)',
    )
    .option(
      '--queue <url>',
      'evaluate the likelihood batches as jobs for `interlock worker` processes on this PostgreSQL queue (docs/scale.md)',
    )
    .option(
      '--chunk-size <n>',
      'with --queue: points per job (default: about 16 jobs per batch, at least 32 points each)',
    )
    .option('--chunk-timeout <seconds>', 'with --queue: seconds before a job is handed to another worker')
    .option('--retries <n>', 'with --queue: attempts after the first before the calibration stops')
    .option('--format <format>', 'stdout: table or json', 'table')
    .option('-q, --quiet', 'no progress output')
    .action(
      async (
        specFile: string,
        opts: {
          out: string;
          method?: string;
          samples?: string;
          jobs?: string;
          asOf?: string;
          sequence?: string;
          reweight?: string;
          queue?: string;
          chunkSize?: string;
          chunkTimeout?: string;
          retries?: string;
          format: string;
          quiet?: boolean;
        },
      ) => {
        if (opts.queue === undefined) {
          for (const [flag, value] of [
            ['--chunk-size', opts.chunkSize],
            ['--chunk-timeout', opts.chunkTimeout],
            ['--retries', opts.retries],
          ] as const)
            if (value !== undefined) throw new UsageError(`${flag} needs --queue`);
        } else if (opts.reweight !== undefined) {
          throw new UsageError('--reweight evaluates no new batches; it cannot use --queue');
        }
        const format = parseChoice('--format', opts.format, FORMATS);
        const method =
          opts.method === undefined
            ? undefined
            : (parseChoice('--method', opts.method, CALIBRATION_METHODS) as CalibrationMethod);
        const samples = opts.samples === undefined ? undefined : positiveInteger('--samples', opts.samples);
        const jobs = opts.jobs === undefined ? defaultJobs() : positiveInteger('--jobs', opts.jobs);
        if (jobs > 4 * defaultJobs())
          throw new UsageError(
            `--jobs ${jobs} is more than four times this machine's ${defaultJobs()} cores`,
          );
        if (opts.asOf !== undefined && opts.sequence !== undefined)
          throw new UsageError('give --as-of or --sequence, not both');
        let dates: string[] | undefined;
        if (opts.sequence !== undefined) {
          try {
            dates = parseSequence(opts.sequence);
          } catch (err) {
            throw new UsageError(`--sequence: ${(err as Error).message}`);
          }
        }
        const interrupt = stopOnInterrupt(
          'stopping after the batch in flight; what is done is kept (Ctrl-C again to quit at once)',
        );
        const tty = Boolean(process.stderr.isTTY);
        let progress = opts.quiet ? undefined : new Progress(tty, 'calibrate', 'runs');
        let lastTotal = 0;
        let queueNote: string | undefined;
        const onProgress = (done: number, total: number): void => {
          lastTotal = total;
          progress?.update(done, total, done >= total, queueNote);
        };
        const queued =
          opts.queue === undefined
            ? undefined
            : await (
                await import('./queue.js')
              ).calibrateOnQueue(
                {
                  queue: opts.queue,
                  chunkSize: opts.chunkSize,
                  chunkTimeout: opts.chunkTimeout,
                  retries: opts.retries,
                },
                specFile,
                interrupt.signal,
                (points, workers) => {
                  queueNote = `${workers} worker${workers === 1 ? '' : 's'}`;
                  progress?.update(points, Math.max(lastTotal, points), false, queueNote);
                },
              );
        const run = <T>(work: () => Promise<T>): Promise<T> => (queued ? queued.asInputError(work) : work());
        try {
          if (dates) {
            const { steps, interrupted } = await run(() =>
              calibrateSequence(specFile, dates!, opts.out, {
                jobs,
                evaluator: queued?.evaluator,
                signal: interrupt.signal,
                onProgress,
                load: { method, samples },
                onStep: (asOf, i) => {
                  progress?.end();
                  if (!opts.quiet)
                    process.stderr.write(`calibrate: as of ${asOf} (${i + 1} of ${dates!.length})\n`);
                  progress = opts.quiet ? undefined : new Progress(tty, `calibrate ${asOf}`, 'runs');
                },
              }),
            );
            progress?.end();
            if (format === 'json') {
              process.stdout.write(
                JSON.stringify(
                  steps.map((s) => summaryJson(s.loaded, s.outcome)),
                  null,
                  2,
                ) + '\n',
              );
            } else {
              for (const s of steps) process.stdout.write(outcomeText(s.loaded, s.outcome) + '\n');
            }
            if (interrupted) process.exitCode = 130;
            return;
          }
          let loaded: LoadedCalibration;
          try {
            loaded = loadCalibrationFile(specFile, { method, samples, asOf: opts.asOf });
          } catch (err) {
            asInputError(err);
          }
          let reweighted: ReweightResult | undefined;
          if (opts.reweight !== undefined) {
            try {
              reweighted = await reweightExplore(loaded, opts.reweight, {
                jobs,
                signal: interrupt.signal,
                onProgress,
              });
            } catch (err) {
              if (err instanceof Error && /not an experiment results directory|ENOENT/.test(err.message)) {
                throw new InputError(`--reweight: ${err.message}`);
              }
              throw err;
            }
          }
          const outcome = await run(() =>
            calibrate(loaded, {
              jobs,
              evaluator: queued?.evaluator,
              signal: interrupt.signal,
              onProgress,
              precomputed: reweighted?.result,
            }),
          );
          progress?.end();
          if (queued && !opts.quiet) process.stderr.write(queued.summary());
          writeCalibration(opts.out, loaded, outcome);
          if (reweighted) writeReweight(opts.out, reweighted);
          if (format === 'json') {
            const json = summaryJson(loaded, outcome);
            process.stdout.write(
              JSON.stringify(reweighted ? { ...json, outcomes: reweighted.outcomes } : json, null, 2) + '\n',
            );
          } else {
            process.stdout.write(outcomeText(loaded, outcome));
            if (reweighted) process.stdout.write('\n' + reweightText(reweighted));
          }
          if (outcome.result.interrupted) process.exitCode = 130;
        } catch (err) {
          progress?.end();
          asInputError(err);
        } finally {
          interrupt.dispose();
        }
      },
    );
}
