/**
 * The server's worker threads give way to its main thread: each lowers its own scheduling
 * priority (src/server/limits.ts), which on Linux changes that thread and no other.
 */
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers.js';

describe('server worker threads', () => {
  it.runIf(process.platform === 'linux')(
    'lower their own priority to 19, not the main thread’s',
    async () => {
      const before = getPriority(0);
      // The built module, as the server's workers load it (npm test builds first).
      const limits = pathToFileURL(path.join(repoRoot, 'dist', 'server', 'limits.js')).href;
      const worker = new Worker(
        `const { parentPort } = require('node:worker_threads');
       const { getPriority } = require('node:os');
       import(${JSON.stringify(limits)}).then((m) => {
         const was = getPriority(0);
         m.lowerThisThreadsPriority();
         parentPort.postMessage([was, getPriority(0)]);
       });`,
        { eval: true },
      );
      const [was, now] = await new Promise<[number, number]>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      await worker.terminate();
      expect(was).toBe(before);
      expect(now).toBe(19);
      expect(getPriority(0)).toBe(before);
    },
  );
});
