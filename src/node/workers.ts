/**
 * Start a worker thread on one of this package's modules. Built JS (dist/) runs directly, also
 * when the caller runs from the TypeScript sources (tests, tsx) and dist/ holds the module;
 * otherwise the worker first registers tsx's loader, which worker threads do not inherit under
 * Node 20.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `moduleUrl`: the module's URL as built (`.js`), e.g. `new URL('./worker.js', import.meta.url)`. */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (import.meta.url.endsWith('.ts')) {
    // Running from the sources: the built module in dist/ when there is one (npm test builds
    // first); tsx's loader, slower to start, only when there is none.
    const built = new URL(moduleUrl.href.replace(/\/src\/(?!.*\/src\/)/, '/dist/'));
    if (built.href !== moduleUrl.href && existsSync(fileURLToPath(built))) return new Worker(built, options);
    const target = moduleUrl.href.replace(/\.js$/, '.ts');
    // Resolved here: an eval'd worker resolves bare names from the working directory, where
    // tsx may not be installed.
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); });`;
    return new Worker(bootstrap, { ...options, eval: true });
  }
  return new Worker(moduleUrl, options);
}
