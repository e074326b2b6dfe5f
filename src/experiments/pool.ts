/**
 * A worker-thread pool for ensembles (Node only). Chunks of rows are handed out in order, two
 * per worker so no worker waits for its next job; results come back in any order and the sink
 * writes them at their row offsets. Aborting stops handing out chunks and waits for the ones
 * in flight, so every finished run is kept.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../node/workers.js';
import { availableParallelism } from 'node:os';
import type { ModelSource } from './model-source.js';
import type { ChunkResult } from './runner.js';
import type { Budgets } from '../model/budgets.js';
import type { ExperimentSpec, ScenarioDefinition } from './spec.js';

export type ToWorker =
  | {
      type: 'init';
      spec: ExperimentSpec;
      scenarios: [string, ScenarioDefinition][];
      samples?: number;
      model: ModelSource;
      budgets?: Partial<Budgets>;
      /** Format the rows of results.csv in the worker. */
      csv?: boolean;
      /** One Int32 set to 1 on abort, so workers stop between runs instead of finishing their chunk. */
      stop: SharedArrayBuffer;
    }
  | { type: 'chunk'; start: number; end: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; result: ChunkResult }
  | { type: 'fatal'; message: string; field?: string };

export class WorkerFatalError extends Error {
  override name = 'WorkerFatalError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface PoolOptions {
  init: Omit<Extract<ToWorker, { type: 'init' }>, 'stop'>;
  /** The rows to run, as chunks [start, end) in the order they are handed out. */
  chunks: [number, number][];
  jobs: number;
  onResult(result: ChunkResult): void;
  signal?: AbortSignal;
  /**
   * Workers started earlier with `startWorkers` (so that they load while the caller compiles the
   * model); runPool takes them over and ends them. Otherwise it starts its own.
   */
  workers?: Worker[];
}

export interface PoolOutcome {
  completedRuns: number;
  interrupted: boolean;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Start `count` ensemble workers: each loads its modules and then waits for runPool's init. Pass
 * them to runPool before the event loop turns (they have no listeners until then), or end them.
 */
export function startWorkers(count: number): Worker[] {
  return Array.from({ length: count }, () => startModuleWorker(new URL('./worker.js', import.meta.url)));
}

export function runPool(options: PoolOptions): Promise<PoolOutcome> {
  const { chunks, onResult, signal } = options;
  const total = chunks.reduce((n, [s, e]) => n + e - s, 0);
  const jobs = Math.max(1, Math.min(options.jobs, chunks.length || 1));
  const started = options.workers ?? [];
  // Workers started beyond what the chunks need end at once.
  for (const w of started.slice(jobs)) void w.terminate();
  return new Promise<PoolOutcome>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let completedRuns = 0;
    let settled = false;
    const workers: Worker[] = [];
    const stop = new SharedArrayBuffer(4);
    const stopFlag = new Int32Array(stop);

    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve({ completedRuns, interrupted: completedRuns < total });
    };
    const dispatch = (worker: Worker): void => {
      if (signal?.aborted || next >= chunks.length) {
        if (inFlight === 0) finish();
        return;
      }
      const [start, end] = chunks[next++]!;
      inFlight++;
      worker.postMessage({ type: 'chunk', start, end } satisfies ToWorker);
    };
    signal?.addEventListener('abort', () => {
      Atomics.store(stopFlag, 0, 1);
      if (inFlight === 0) finish();
    });

    for (let i = 0; i < jobs; i++) {
      const worker = started[i] ?? startWorkers(1)[0]!;
      workers.push(worker);
      worker.on('message', (message: FromWorker) => {
        if (settled) return;
        if (message.type === 'ready') {
          dispatch(worker);
          dispatch(worker);
        } else if (message.type === 'result') {
          inFlight--;
          completedRuns += message.result.count;
          try {
            onResult(message.result);
          } catch (err) {
            finish(err as Error);
            return;
          }
          dispatch(worker);
        } else {
          finish(new WorkerFatalError(message.message, message.field));
        }
      });
      worker.on('error', (err) => finish(new WorkerFatalError(`worker crashed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new WorkerFatalError(`worker exited with code ${code}`));
      });
      worker.postMessage({ ...options.init, stop } satisfies ToWorker);
    }
  });
}
