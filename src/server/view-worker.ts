/**
 * Worker-thread entry that reads a results or calibration folder and posts the page's view of it
 * (results-view.ts, calibration-view.ts), so that reading files and the analysis never hold up
 * the server's main thread. A problem with the folder or the expressions is posted as a message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from './limits.js';
import { exploreView, ViewError, type ViewOptions } from './results-view.js';
import { calibrationView, CalibrationFolderError } from './calibration-view.js';
import { ExpressionError } from '../experiments/expr.js';
import { loadCase } from '../case/load.js';
import { computeCaseAnswers } from '../case/case-answers.js';
import { CaseError, formatIssue } from '../case/definition.js';
import type { HeadlineOptions } from '../case/headline.js';

lowerThisThreadsPriority();

export type ViewJob =
  | { kind: 'explore'; dir: string; options: ViewOptions }
  | { kind: 'calibration'; root: string; dir: string; asOf?: string }
  /** A case folder's four answers (src/case/case-answers.ts); null without a thesis experiment. */
  | { kind: 'answers'; dir: string; options?: HeadlineOptions };

export type ViewAnswer = { ok: true; view: unknown } | { ok: false; message: string };

const job = workerData as ViewJob;
let answer: ViewAnswer;
try {
  answer = {
    ok: true,
    view:
      job.kind === 'explore'
        ? exploreView(job.dir, job.options)
        : job.kind === 'answers'
          ? (computeCaseAnswers(loadCase(job.dir), job.options) ?? null)
          : calibrationView(job.root, job.dir, job.asOf),
  };
} catch (err) {
  const known =
    err instanceof ViewError ||
    err instanceof CalibrationFolderError ||
    err instanceof ExpressionError ||
    (err instanceof Error &&
      /not an experiment results directory|not an interlock experiments file/.test(err.message));
  answer = {
    ok: false,
    message:
      err instanceof CaseError
        ? err.issues.map(formatIssue).join('; ')
        : known
          ? (err as Error).message
          : `could not read the folder: ${(err as Error).message}`,
  };
}
parentPort?.postMessage(answer);
