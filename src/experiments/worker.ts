/**
 * Worker-thread entry: compile the model once, then turn chunk requests into chunk results.
 */
import { parentPort } from 'node:worker_threads';
import { createSimulation } from './model-source.js';
import { buildPlan } from './plan.js';
import { ChunkRunner } from './runner.js';
import { SpecError } from './spec.js';
import type { ToWorker, FromWorker } from './pool.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

let runner: ChunkRunner | undefined;
let stopFlag: Int32Array | undefined;
const shouldStop = (): boolean => stopFlag !== undefined && Atomics.load(stopFlag, 0) !== 0;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'init') {
    try {
      const plan = buildPlan(message.spec, new Map(message.scenarios), message.samples);
      runner = new ChunkRunner(plan, createSimulation(message.model, plan.spec));
      stopFlag = new Int32Array(message.stop);
      post({ type: 'ready' });
    } catch (err) {
      const e = err as Error;
      post({ type: 'fatal', message: e.message, field: err instanceof SpecError ? err.field : undefined });
    }
    return;
  }
  if (message.type === 'chunk') {
    if (!runner) return;
    try {
      const result = runner.run(message.start, message.end, shouldStop);
      const transfer = [
        result.inputs.buffer,
        result.scalars.buffer,
        result.status.buffer,
        ...result.series.map((s) => s.buffer),
      ];
      post({ type: 'result', result }, transfer as ArrayBuffer[]);
    } catch (err) {
      post({ type: 'fatal', message: (err as Error).message });
    }
  }
});
