/**
 * The job-queue commands: `interlock worker` takes jobs from a PostgreSQL queue; `explore
 * --queue URL` (registered with explore, run from here) submits an experiment to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import type { LoadedCalibration } from '../../calibrate/load.js';
import type { LoadedSpec } from '../../experiments/explore.js';
import { SpecError } from '../../experiments/spec.js';
import { isPostgresUrl } from '../../store/postgres-connection.js';
import { InputError, UsageError, parseNumberFlag } from '../util.js';
import { stopOnInterrupt } from '../progress.js';

function positiveInteger(flag: string, value: string, min = 1): number {
  const n = parseNumberFlag(flag, value);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(
      `${flag} expects ${min === 0 ? 'a non-negative' : 'a positive'} integer, got '${value}'`,
    );
  }
  return n;
}

export function queueUrl(flag: string, value: string | undefined): string {
  const url = value ?? process.env.INTERLOCK_QUEUE;
  if (!url) throw new UsageError(`${flag} needs a postgres:// URL (or set INTERLOCK_QUEUE)`);
  if (!isPostgresUrl(url)) throw new UsageError(`${flag} expects a postgres:// URL, got '${url}'`);
  return url;
}

async function asInputError<T>(work: () => Promise<T>): Promise<T> {
  const { QueueError } = await import('../../queue/queue.js');
  try {
    return await work();
  } catch (err) {
    if (err instanceof QueueError || err instanceof SpecError) throw new InputError(err.message);
    throw err;
  }
}

export interface QueuedExploreFlags {
  queue: string;
  out: string;
  samples?: number;
  chunkSize?: number;
  chunkTimeout?: string;
  retries?: string;
  quiet?: boolean;
}

/** `explore SPEC --queue URL`: submit, show progress across all workers, gather the results folder. */
export async function exploreOnQueue(
  loaded: LoadedSpec,
  flags: QueuedExploreFlags,
  progress: { update(done: number, total: number, force?: boolean): void; end(): void } | undefined,
): Promise<void> {
  const url = queueUrl('--queue', flags.queue);
  const settings = queueSettings(flags);
  const { exploreQueued } = await import('../../queue/explore.js');
  const interrupt = stopOnInterrupt(
    'stopping; queued chunks stay queued and workers keep running them (run the same command to resume)',
  );
  try {
    const result = await asInputError(() =>
      exploreQueued(loaded, {
        url,
        outDir: flags.out,
        samples: flags.samples,
        chunkSize: flags.chunkSize,
        settings,
        signal: interrupt.signal,
        onProgress: (done, total) => progress?.update(done, total, done === total),
      }),
    );
    progress?.end();
    const m = result.metadata;
    const rate = result.wallSeconds > 0 ? m.completedRuns / result.wallSeconds : 0;
    process.stderr.write(
      `${result.interrupted ? 'interrupted' : 'done'}: experiment ${result.id}, ${m.completedRuns.toLocaleString('en-US')} of ${m.rows.toLocaleString('en-US')} runs` +
        ` (${m.failedRuns} failed) in ${result.wallSeconds.toFixed(1)}s, ${Math.round(rate).toLocaleString('en-US')} runs/s, ${m.jobs} worker(s)` +
        `${result.resumedChunks ? `, resumed (${result.resumedChunks} chunks already queued)` : ''} -> ${flags.out}\n`,
    );
    for (const f of result.failedChunks)
      process.stderr.write(`interlock: chunk ${f.chunk} failed: ${f.error}\n`);
    if (result.interrupted) process.exitCode = 130;
  } finally {
    progress?.end();
    interrupt.dispose();
  }
}

export interface QueuedCalibrateFlags {
  queue: string;
  chunkSize?: string;
  chunkTimeout?: string;
  retries?: string;
}

function queueSettings(flags: { chunkTimeout?: string; retries?: string }) {
  return {
    ...(flags.chunkTimeout !== undefined
      ? { chunkTimeoutSeconds: positiveInteger('--chunk-timeout', flags.chunkTimeout) }
      : {}),
    ...(flags.retries !== undefined ? { retries: positiveInteger('--retries', flags.retries, 0) } : {}),
  };
}

/**
 * `calibrate SPEC --queue URL`: the evaluator that sends each likelihood batch as jobs to
 * `interlock worker` processes, and a line that says what the queue did.
 */
export async function calibrateOnQueue(
  flags: QueuedCalibrateFlags,
  specFile: string,
  signal: AbortSignal,
  onProgress: (points: number, workers: number) => void,
) {
  const url = queueUrl('--queue', flags.queue);
  const settings = queueSettings(flags);
  const sliceSize =
    flags.chunkSize === undefined ? undefined : positiveInteger('--chunk-size', flags.chunkSize);
  const { QueuedLikelihood } = await import('../../queue/calibrate.js');
  let opened: import('../../queue/calibrate.js').QueuedLikelihood | undefined;
  return {
    evaluator: async (loaded: LoadedCalibration) => {
      opened = await asInputError(() =>
        QueuedLikelihood.open(loaded.definition, {
          url,
          key: loaded.spec,
          specFile,
          sliceSize,
          settings,
          signal,
          onProgress,
        }),
      );
      return opened;
    },
    summary: (): string =>
      opened
        ? `queue: calibration ${opened.id}, ${opened.sentJobs.toLocaleString('en-US')} jobs sent, ${opened.resumedJobs.toLocaleString('en-US')} taken from an earlier run, ${opened.workers.size} worker(s)\n`
        : '',
    /** Queue problems (a wrong URL, a lost database) as messages for the user. */
    asInputError,
  };
}

export function registerQueueCommands(program: Command): void {
  program
    .command('worker')
    .description('Run jobs from a PostgreSQL job queue (explore --queue, calibrate --queue) until stopped')
    .option('--queue <url>', 'queue database, postgres://... (default $INTERLOCK_QUEUE)')
    .option('-j, --jobs <n>', 'worker processes to run here', '1')
    .option('--max-chunks <n>', 'stop after this many chunks')
    .option('--idle-exit <seconds>', 'stop once the queue has been empty this long')
    .option('--lost-after <seconds>', 'give up when the database stays unreachable this long', '30')
    .option('-q, --quiet', 'no log lines')
    .action(
      async (opts: {
        queue?: string;
        jobs: string;
        maxChunks?: string;
        idleExit?: string;
        lostAfter: string;
        quiet?: boolean;
      }) => {
        const url = queueUrl('--queue', opts.queue);
        const jobs = positiveInteger('--jobs', opts.jobs);
        const maxChunks =
          opts.maxChunks === undefined ? undefined : positiveInteger('--max-chunks', opts.maxChunks);
        const idleExitSeconds =
          opts.idleExit === undefined ? undefined : positiveInteger('--idle-exit', opts.idleExit, 0);
        const lostAfterSeconds = positiveInteger('--lost-after', opts.lostAfter);
        if (jobs > 1) {
          process.exitCode = await runChildren(jobs, opts);
          return;
        }
        const { runWorker } = await import('../../queue/worker.js');
        const controller = new AbortController();
        const onSignal = (): void => {
          if (controller.signal.aborted) process.exit(130);
          process.stderr.write('interlock: worker stopping after the chunk in hand\n');
          controller.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          const summary = await asInputError(() =>
            runWorker({
              url,
              signal: controller.signal,
              maxChunks,
              idleExitSeconds,
              lostAfterSeconds,
              log: opts.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
            }),
          );
          if (!opts.quiet) {
            process.stderr.write(
              `worker: ${summary.chunks} chunks (${summary.runs.toLocaleString('en-US')} runs) done, ${summary.failedChunks} failed\n`,
            );
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );
}

/** `--jobs N`: N worker processes (one compiled model each), stopped together; exit code of the worst. */
function runChildren(
  jobs: number,
  opts: { queue?: string; maxChunks?: string; idleExit?: string; lostAfter: string; quiet?: boolean },
) {
  const args = [
    ...process.execArgv,
    process.argv[1]!,
    'worker',
    '--jobs',
    '1',
    ...(opts.queue ? ['--queue', opts.queue] : []),
    ...(opts.maxChunks ? ['--max-chunks', opts.maxChunks] : []),
    ...(opts.idleExit ? ['--idle-exit', opts.idleExit] : []),
    '--lost-after',
    opts.lostAfter,
    ...(opts.quiet ? ['--quiet'] : []),
  ];
  const children: ChildProcess[] = [];
  const forward = (signal: NodeJS.Signals) => () => {
    for (const c of children) c.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return Promise.all(
    Array.from({ length: jobs }, () => {
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      children.push(child);
      return new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    }),
  ).then((codes) => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    return Math.max(...codes);
  });
}
