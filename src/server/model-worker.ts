/** Worker-thread entry of the server: check one model's text and post the outcome (see model-check.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThisThreadsPriority } from './limits.js';
import { describeModelText } from './model-check.js';

lowerThisThreadsPriority();

const { text, file, budgets } = workerData as { text: string; file?: string; budgets?: object };
parentPort?.postMessage(describeModelText(text, file, budgets));
