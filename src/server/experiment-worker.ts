/**
 * Worker-thread entry of one workbench experiment: run it in this thread (explore, in-process),
 * post progress, then the Explore page's summary (a spec experiment leaves its results folder). A `stop` message ends it after the run in
 * flight; the server ends the thread outright when a limit is passed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from './limits.js';
import { explore } from '../experiments/explore.js';
import type { ExperimentJob, FromExperimentWorker } from './experiments.js';
import { summarise } from './experiments.js';

lowerThisThreadsPriority();

const job = workerData as ExperimentJob;
const controller = new AbortController();
const post = (m: FromExperimentWorker): void => parentPort?.postMessage(m);
parentPort?.on('message', (m: { type: string }) => {
  if (m.type === 'stop') controller.abort();
});

let last = 0;
explore(
  { ...job.loaded, scenarios: new Map(job.loaded.scenarios) },
  {
    outDir: job.outDir,
    samples: job.fromSpec?.samples,
    inProcess: true,
    budgets: job.budgets,
    signal: controller.signal,
    onProgress: (done) => {
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        post({ type: 'progress', done });
      }
    },
  },
)
  .then((run) => {
    if (run.interrupted) return post({ type: 'stopped', done: run.metadata.completedRuns });
    const s = job.summary;
    // A spec experiment's results stay in its folder; the page asks for their view.
    if (!s)
      return post({
        type: 'done',
        done: run.metadata.completedRuns,
        failed: run.metadata.failedRuns,
        result: null,
      });
    const result = summarise(job.outDir, s.varied, s.ranges, s.output, s.threshold, s.below);
    post({ type: 'done', done: run.metadata.completedRuns, failed: run.metadata.failedRuns, result });
  })
  .catch((err: unknown) =>
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
