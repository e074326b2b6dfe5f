/**
 * `explore`: run an experiment spec into a results directory (Node only).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isBuiltinModel } from './builtin.js';
import { modelSourceFor, prepareSimulation, type ModelSource } from './model-source.js';
import { buildPlan, type ExperimentPlan } from './plan.js';
import { defaultJobs, runPool } from './pool.js';
import { ChunkRunner } from './runner.js';
import {
  parseScenarioFile,
  parseSpec,
  SpecError,
  type ExperimentSpec,
  type ScenarioDefinition,
} from './spec.js';
import { ResultsWriter, type ResultsMetadata } from './store.js';

export interface LoadedSpec {
  spec: ExperimentSpec;
  specFile: string;
  model: ModelSource;
  modelFile?: string;
  modelHash: string;
  scenarios: Map<string, ScenarioDefinition>;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(what, `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new SpecError(what, `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Read and validate a spec file; paths in it are relative to the spec file. */
export function loadSpecFile(specFile: string): LoadedSpec {
  const spec = parseSpec(readJson(specFile, '(spec)'), specFile);
  const base = dirname(resolve(specFile));
  let model: ModelSource;
  let modelFile: string | undefined;
  let modelHash: string;
  if (isBuiltinModel(spec.model)) {
    model = modelSourceFor(spec);
    modelHash = createHash('sha256').update(spec.model).digest('hex');
  } else {
    const path = resolve(base, spec.model);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new SpecError(
        'model',
        `cannot read model ${spec.model}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
        specFile,
      );
    }
    modelFile = relative(process.cwd(), path);
    model = modelSourceFor(spec, text, modelFile);
    modelHash = createHash('sha256').update(text).digest('hex');
  }
  const scenarios = new Map<string, ScenarioDefinition>();
  if (spec.scenarios.length) {
    const file = spec.scenarioFile
      ? resolve(base, spec.scenarioFile)
      : resolve(isBuiltinModel(spec.model) ? base : dirname(resolve(base, spec.model)), 'scenarios.json');
    if (!existsSync(file)) {
      throw new SpecError(
        spec.scenarioFile ? 'scenarioFile' : 'scenarios',
        `scenario file ${relative(process.cwd(), file)} not found (set "scenarioFile" in the spec)`,
        specFile,
      );
    }
    const relativeFile = relative(process.cwd(), file);
    for (const [k, v] of parseScenarioFile(readJson(file, 'scenarioFile'), relativeFile)) scenarios.set(k, v);
  }
  return {
    spec,
    specFile: relative(process.cwd(), resolve(specFile)),
    model,
    modelFile,
    modelHash,
    scenarios,
  };
}

export interface ExploreOptions {
  outDir: string;
  jobs?: number;
  samples?: number;
  chunkSize?: number;
  /** Run in this thread instead of worker threads (the browser path; also handy for debugging). */
  inProcess?: boolean;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export interface ExploreResult {
  metadata: ResultsMetadata;
  interrupted: boolean;
  modelSeconds: number;
  /** Time workers spent in chunks (model plus sampling and reducing), summed over workers. */
  chunkSeconds: number;
  wallSeconds: number;
}

export function defaultChunkSize(rows: number, jobs: number): number {
  return Math.max(1, Math.min(512, Math.ceil(rows / (jobs * 8))));
}

export async function explore(loaded: LoadedSpec, options: ExploreOptions): Promise<ExploreResult> {
  const plan: ExperimentPlan = buildPlan(loaded.spec, loaded.scenarios, options.samples);
  const jobs = options.inProcess ? 1 : Math.max(1, options.jobs ?? defaultJobs());
  const chunkSize = options.chunkSize ?? defaultChunkSize(plan.rows, jobs);
  // Fail fast, in this thread and with the field named, when the model and spec disagree.
  const prepared = prepareSimulation(loaded.model, plan.spec);
  const probe = new ChunkRunner(plan, prepared.simulation);
  const writer = new ResultsWriter(options.outDir, plan, {
    specFile: loaded.specFile,
    modelFile: loaded.modelFile,
    modelHash: loaded.modelHash,
    jobs,
  });
  const started = performance.now();
  let done = 0;
  let modelSeconds = 0;
  let chunkSeconds = 0;
  const onResult = (result: Parameters<ResultsWriter['write']>[0]): void => {
    writer.write(result);
    done += result.count;
    modelSeconds += result.modelSeconds;
    chunkSeconds += result.chunkSeconds;
    options.onProgress?.(done, plan.rows);
  };
  let interrupted = false;
  try {
    if (options.inProcess) {
      for (let start = 0; start < plan.rows; start += chunkSize) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        const result = probe.run(
          start,
          Math.min(plan.rows, start + chunkSize),
          () => options.signal?.aborted === true,
        );
        onResult(result);
        if (result.count < Math.min(plan.rows, start + chunkSize) - start) {
          interrupted = true;
          break;
        }
        // Let signal handlers (Ctrl-C) run between chunks.
        await new Promise((r) => setImmediate(r));
      }
    } else {
      const outcome = await runPool({
        init: {
          type: 'init',
          spec: loaded.spec,
          scenarios: [...loaded.scenarios],
          samples: options.samples,
          model: prepared.forWorkers,
        },
        rows: plan.rows,
        chunkSize,
        jobs,
        onResult,
        signal: options.signal,
      });
      interrupted = outcome.interrupted;
    }
  } catch (err) {
    // Keep what finished and say the run failed, then report the error.
    writer.finish('failed', (performance.now() - started) / 1000);
    throw err;
  }
  // The wall time covers writing every result file, results.csv included.
  writer.finish(interrupted ? 'interrupted' : 'complete', (performance.now() - started) / 1000);
  const wallSeconds = (performance.now() - started) / 1000;
  return { metadata: writer.metadata, interrupted, modelSeconds, chunkSeconds, wallSeconds };
}
