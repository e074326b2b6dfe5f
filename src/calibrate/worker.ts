/**
 * Worker-thread entry of the likelihood pool: build the problem once, then turn batches of
 * parameter vectors into log-likelihoods.
 */
import { parentPort } from 'node:worker_threads';
import { Problem, type ProblemDefinition } from './problem.js';

export type ToLikelihoodWorker =
  | { type: 'init'; definition: ProblemDefinition }
  | { type: 'batch'; id: number; dim: number; points: Float64Array };

export type FromLikelihoodWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; values: Float64Array }
  | { type: 'fatal'; message: string; field?: string };

const port = parentPort;
if (!port) throw new Error('calibrate/worker.ts must run in a worker thread');

let problem: Problem | undefined;

port.on('message', (message: ToLikelihoodWorker) => {
  if (message.type === 'init') {
    try {
      problem = new Problem(message.definition);
      port.postMessage({ type: 'ready' } satisfies FromLikelihoodWorker);
    } catch (err) {
      const field = (err as { field?: string }).field;
      port.postMessage({
        type: 'fatal',
        message: (err as Error).message,
        field,
      } satisfies FromLikelihoodWorker);
    }
    return;
  }
  if (!problem) return;
  const { dim, points } = message;
  const n = points.length / dim;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = problem.logLikelihood(points.subarray(i * dim, (i + 1) * dim));
  port.postMessage({ type: 'result', id: message.id, values } satisfies FromLikelihoodWorker);
});
