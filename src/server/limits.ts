/**
 * Work the server does off its main thread: each task runs in its own worker thread with a
 * memory limit (V8 heap) and a time limit, a few at a time. A task over a limit is ended and
 * becomes a clear HTTP error; the server and the other clients go on.
 */
import { availableParallelism, setPriority } from 'node:os';
import { startModuleWorker } from '../node/workers.js';
import { HttpError } from './http.js';

/**
 * How many compile, check and experiment threads the server runs at once: one core stays free
 * for the main thread, which answers every client (at least one thread, whatever the cores).
 */
export function backgroundThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Called first in each of the server's worker threads: the lowest scheduling priority for this
 * thread alone (on Linux a priority set with pid 0 applies to the calling thread), so that a
 * busy worker never delays the main thread's answers. Where the system refuses, nothing changes.
 */
export function lowerThisThreadsPriority(): void {
  try {
    setPriority(0, 19);
  } catch {
    // Not permitted or not supported here: the thread keeps its priority.
  }
}

export interface WorkerLimits {
  /** V8 old-generation limit of the worker, in MB (typed arrays are bounded by the budgets). */
  memoryMb: number;
  /** Wall-clock limit, in ms. */
  timeoutMs: number;
}

/** Resource limits of a worker thread from our limits. */
export function resourceLimits(limits: WorkerLimits) {
  return {
    maxOldGenerationSizeMb: limits.memoryMb,
    maxYoungGenerationSizeMb: Math.min(64, limits.memoryMb / 4),
  };
}

/** At most `concurrency` tasks at once; up to `maxQueued` wait; beyond that, 503. */
export class TaskGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued)
        throw new HttpError(503, 'the server is busy with other requests; try again shortly');
      await new Promise<void>((go) => this.waiting.push(go));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/**
 * Run a worker module that posts one message (its answer) and ends. `what` names the work in
 * the error a client gets when a limit is hit.
 */
export function runWorkerTask<T>(
  moduleUrl: URL,
  workerData: unknown,
  limits: WorkerLimits,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startModuleWorker(moduleUrl, { workerData, resourceLimits: resourceLimits(limits) });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new HttpError(422, `${what} took longer than the server allows (${limits.timeoutMs / 1000} s)`),
          ),
        ),
      limits.timeoutMs,
    );
    worker.once('message', (answer: T) => settle(() => resolve(answer)));
    worker.once('error', (err: Error & { code?: string }) =>
      settle(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new HttpError(422, `${what} needs more memory than the server allows (${limits.memoryMb} MB)`)
            : new HttpError(500, `${what} failed: ${err.message}`),
        ),
      ),
    );
    worker.once('exit', (code) =>
      settle(() => reject(new HttpError(500, `${what} ended without an answer (exit code ${code})`))),
    );
  });
}
