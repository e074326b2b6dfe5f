/**
 * `explore`: run an experiment spec into a results directory (Node only).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isBuiltinModel } from './builtin.js';
import { modelSourceFor, prepareSimulation, type ModelSource } from './model-source.js';
import { buildPlan, type ExperimentPlan } from './plan.js';
import { defaultJobs, runPool, startWorkers } from './pool.js';
import { ChunkRunner, chunksOf } from './runner.js';
import {
  parseScenarioFile,
  parseSpec,
  SpecError,
  type ExperimentSpec,
  type ScenarioDefinition,
} from './spec.js';
import { pendingRanges, readMetadata, ResultsWriter, STREAMED_CSV, type ResultsMetadata } from './store.js';
import { BudgetError, resolveBudgets, type Budgets } from '../model/budgets.js';
import { decodeUtf8 } from '../model/text.js';
import type { Worker } from 'node:worker_threads';

export interface LoadedSpec {
  spec: ExperimentSpec;
  specFile: string;
  model: ModelSource;
  modelFile?: string;
  modelHash: string;
  scenarios: Map<string, ScenarioDefinition>;
}

function readJson(file: string, what: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SpecError(what, `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) throw new SpecError(what, `${file}:${decoded.line}:${decoded.column}: ${decoded.message}`);
  const text = decoded.text;
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
  /** Finish an earlier run of the same spec in `outDir`: only its missing rows are run. */
  resume?: boolean;
  /** Replace the results already in `outDir`. */
  force?: boolean;
  budgets?: Partial<Budgets>;
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

/** The results folder given to explore cannot be used as asked. `usage`: a flag would fix it. */
export class OutDirError extends Error {
  override name = 'OutDirError';
  constructor(
    message: string,
    readonly usage: boolean,
  ) {
    super(message);
  }
}

/** The files a results directory holds (what --force may remove, and nothing else). */
const RESULT_ENTRIES = [
  'metadata.json',
  'status.u8',
  'inputs.f64',
  'outcomes',
  'series',
  'failures.jsonl',
  'results.csv',
  STREAMED_CSV,
];

/**
 * Decide what to do with `dir`: start afresh (absent, empty, or --force on a results folder) or
 * resume (--resume on a results folder of the same spec and model). Anything else is refused
 * before a file is touched.
 */
function prepareOutDir(
  dir: string,
  plan: ExperimentPlan,
  loaded: LoadedSpec,
  options: ExploreOptions,
): boolean {
  if (options.resume && options.force) throw new OutDirError('--resume and --force exclude each other', true);
  if (!existsSync(dir)) {
    if (options.resume) throw new OutDirError(`--resume: ${dir} does not exist (nothing to resume)`, true);
    return false;
  }
  if (!statSync(dir).isDirectory()) throw new OutDirError(`--out ${dir} is a file, not a folder`, true);
  const entries = readdirSync(dir);
  if (entries.length === 0) {
    if (options.resume) throw new OutDirError(`--resume: ${dir} is empty (nothing to resume)`, true);
    return false;
  }
  if (!entries.includes('metadata.json')) {
    throw new OutDirError(
      `--out ${dir} is not empty and holds no experiment results; choose an empty or new folder`,
      true,
    );
  }
  let meta: ResultsMetadata;
  try {
    meta = readMetadata(dir);
  } catch (err) {
    throw new OutDirError(`${dir}: ${(err as Error).message}`, false);
  }
  const held = `${meta.completedRuns.toLocaleString('en-US')} of ${meta.rows.toLocaleString('en-US')} runs, ${meta.state}`;
  if (options.force) {
    for (const e of RESULT_ENTRIES) rmSync(join(dir, e), { recursive: true, force: true });
    return false;
  }
  if (!options.resume) {
    throw new OutDirError(
      `--out ${dir} already holds experiment results (${held}); --resume finishes them, --force replaces them`,
      true,
    );
  }
  const same =
    JSON.stringify(meta.spec) === JSON.stringify(plan.spec) &&
    meta.modelHash === loaded.modelHash &&
    meta.rows === plan.rows;
  if (!same) {
    throw new OutDirError(
      `--resume: ${dir} holds results of a different ${meta.modelHash !== loaded.modelHash ? 'model' : 'spec'}; ` +
        'resume with the spec and model that started it, or use --force to replace them',
      false,
    );
  }
  return true;
}

export async function explore(loaded: LoadedSpec, options: ExploreOptions): Promise<ExploreResult> {
  const budgets = resolveBudgets(options.budgets);
  const plan: ExperimentPlan = buildPlan(loaded.spec, loaded.scenarios, options.samples, budgets);
  const maxJobs = budgets.workers || defaultJobs();
  const jobs = options.inProcess ? 1 : Math.max(1, options.jobs ?? Math.min(defaultJobs(), maxJobs));
  if (jobs > maxJobs) throw new BudgetError('workers', 'the worker threads asked for', jobs, maxJobs);
  const chunkSize = options.chunkSize ?? defaultChunkSize(plan.rows, jobs);
  // The workers load their modules while this thread compiles the model.
  const workers = options.inProcess ? [] : startWorkers(Math.min(jobs, Math.ceil(plan.rows / chunkSize)));
  try {
    return await exploreWith(loaded, options, plan, budgets, jobs, chunkSize, workers);
  } catch (err) {
    for (const w of workers) void w.terminate();
    throw err;
  }
}

async function exploreWith(
  loaded: LoadedSpec,
  options: ExploreOptions,
  plan: ExperimentPlan,
  budgets: Budgets,
  jobs: number,
  chunkSize: number,
  workers: Worker[],
): Promise<ExploreResult> {
  // Fail fast, in this thread and with the field named, when the model and spec disagree.
  const prepared = prepareSimulation(loaded.model, plan.spec, budgets);
  const probe = new ChunkRunner(plan, prepared.simulation);
  const seriesCount = plan.spec.outcomes.filter((o) => o.reduce === 'series').length;
  if (seriesCount) {
    const cells =
      plan.rows * (plan.inputNames.length + plan.spec.outcomes.length + seriesCount * probe.savedTimes);
    if (cells > budgets.experimentCells)
      throw new BudgetError(
        'experimentCells',
        `the values kept by the experiment (${plan.rows.toLocaleString('en-US')} runs, ${seriesCount} series of ${probe.savedTimes} times)`,
        cells,
        budgets.experimentCells,
      );
  }
  const resume = prepareOutDir(options.outDir, plan, loaded, options);
  const writer = new ResultsWriter(
    options.outDir,
    plan,
    {
      specFile: loaded.specFile,
      modelFile: loaded.modelFile,
      modelHash: loaded.modelHash,
      jobs,
    },
    resume,
  );
  // A fresh run streams results.csv from the rows the workers format; a resumed one writes it
  // from the columns at the end (its earlier rows were run before).
  const csv = !resume;
  const runner = options.inProcess ? new ChunkRunner(plan, prepared.simulation, { csv }) : probe;
  const chunks = chunksOf(resume ? pendingRanges(options.outDir, plan.rows) : [[0, plan.rows]], chunkSize);
  const started = performance.now();
  let done = 0;
  const before = writer.metadata.completedRuns;
  let modelSeconds = 0;
  let chunkSeconds = 0;
  const onResult = (result: Parameters<ResultsWriter['write']>[0]): void => {
    writer.write(result);
    done += result.count;
    modelSeconds += result.modelSeconds;
    chunkSeconds += result.chunkSeconds;
    options.onProgress?.(before + done, plan.rows);
  };
  let interrupted = false;
  try {
    if (options.inProcess) {
      for (const [start, end] of chunks) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        const result = runner.run(start, end, () => options.signal?.aborted === true);
        onResult(result);
        if (result.count < end - start) {
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
          budgets: options.budgets,
          csv,
        },
        chunks,
        jobs,
        onResult,
        signal: options.signal,
        workers,
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
