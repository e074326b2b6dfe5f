/**
 * Log-likelihoods of batches of parameter vectors, in this thread or over worker threads (Node
 * only). A batch is cut into contiguous slices, one per worker, and the values are put back in
 * order, so the result never depends on how many workers there are or which finished first.
 *
 * `BatchEvaluator` is the one interface calibration evaluates batches through; this pool is its
 * threads implementation, `src/queue/calibrate.ts` its job-queue implementation (worker processes
 * on any machine). Both give the same values for the same points, so an estimator with the same
 * seed makes the same draws through either.
 */
import { Worker } from 'node:worker_threads';
import { Problem, type ProblemDefinition } from './problem.js';
import type { FromLikelihoodWorker, ToLikelihoodWorker } from './worker.js';
import { WorkerFatalError } from '../experiments/pool.js';

function startWorker(): Worker {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    // From the TypeScript sources (tests): register tsx's loader first; workers do not inherit it.
    const target = new URL('./worker.ts', self).href;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(bootstrap, { eval: true });
  }
  return new Worker(new URL('./worker.js', self));
}

/** Log-likelihoods of batches of points, in order, wherever they are computed. */
export interface BatchEvaluator {
  logLikelihood(batch: readonly Float64Array[]): Promise<Float64Array>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending?: { resolve(values: Float64Array): void; reject(err: Error): void };
}

export class LikelihoodPool implements BatchEvaluator {
  private readonly local?: Problem;
  private readonly slots: Slot[] = [];
  private failure?: Error;
  private nextId = 0;
  private lastYield = performance.now();
  /** Likelihood evaluations so far. */
  evaluations = 0;

  private constructor(
    readonly definition: ProblemDefinition,
    readonly jobs: number,
    local?: Problem,
  ) {
    this.local = local;
  }

  /** A pool of `jobs` workers (1: evaluate in this thread with `local`, built if not given). */
  static async create(definition: ProblemDefinition, jobs: number, local?: Problem): Promise<LikelihoodPool> {
    if (jobs <= 1) return new LikelihoodPool(definition, 1, local ?? new Problem(definition));
    const pool = new LikelihoodPool(definition, jobs);
    await Promise.all(
      Array.from({ length: jobs }, () => {
        const worker = startWorker();
        const slot: Slot = { worker };
        pool.slots.push(slot);
        return new Promise<void>((resolve, reject) => {
          worker.on('message', (message: FromLikelihoodWorker) => {
            if (message.type === 'ready') resolve();
            else if (message.type === 'fatal') {
              const err = new WorkerFatalError(message.message, message.field);
              pool.failure = err;
              reject(err);
              slot.pending?.reject(err);
            } else {
              const pending = slot.pending;
              slot.pending = undefined;
              pending?.resolve(message.values);
            }
          });
          const crash = (err: Error): void => {
            pool.failure = err;
            reject(err);
            slot.pending?.reject(err);
          };
          worker.on('error', (err) => crash(new WorkerFatalError(`worker crashed: ${err.message}`)));
          worker.on('exit', (code) => {
            if (code !== 0) crash(new WorkerFatalError(`worker exited with code ${code}`));
          });
          worker.postMessage({ type: 'init', definition } satisfies ToLikelihoodWorker);
        });
      }),
    ).catch(async (err: unknown) => {
      await pool.close();
      throw err;
    });
    return pool;
  }

  /** Log-likelihood of each point, in order. */
  async logLikelihood(batch: readonly Float64Array[]): Promise<Float64Array> {
    this.evaluations += batch.length;
    const n = batch.length;
    const out = new Float64Array(n);
    if (n === 0) return out;
    if (this.local) {
      for (let i = 0; i < n; i++) out[i] = this.local.logLikelihood(batch[i]);
      // Evaluating in this thread resolves at once: give the event loop a turn now and then, so
      // that signals (Ctrl-C) and timers are handled during a long calibration.
      const now = performance.now();
      if (now - this.lastYield > 50) {
        this.lastYield = now;
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    }
    if (this.failure) throw this.failure;
    const dim = batch[0].length;
    const parts = Math.min(this.slots.length, n);
    const size = Math.ceil(n / parts);
    const tasks: Promise<void>[] = [];
    for (let p = 0; p < parts; p++) {
      const start = p * size;
      const end = Math.min(n, start + size);
      if (start >= end) break;
      const points = new Float64Array((end - start) * dim);
      for (let i = start; i < end; i++) points.set(batch[i], (i - start) * dim);
      const slot = this.slots[p];
      tasks.push(
        new Promise<Float64Array>((resolve, reject) => {
          slot.pending = { resolve, reject };
          slot.worker.postMessage({
            type: 'batch',
            id: this.nextId++,
            dim,
            points,
          } satisfies ToLikelihoodWorker);
        }).then((values) => out.set(values, start)),
      );
    }
    await Promise.all(tasks);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
