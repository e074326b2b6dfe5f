/**
 * Experiments started from the workbench: the request becomes an experiment spec (Latin
 * hypercube over the parameter ranges, the chosen output's final value and path), which the
 * experiments module runs on its worker pool into a temporary results directory; the table is
 * then summarised for the Explore page (fan chart, scatter, sensitivity, PRIM).
 */
import type { Worker } from 'node:worker_threads';
import { canonicalName } from '../equations/names.js';
import type { Budgets } from '../model/budgets.js';
import { startModuleWorker } from '../node/workers.js';
import { HttpError, parseJsonBody } from './http.js';
import { resourceLimits, type WorkerLimits } from './limits.js';
import { experimentRequest, MODEL_ID_PATTERN, type ExperimentRequest } from './schema.js';
import { quantiles, spearman } from './analysis.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedSpec } from '../experiments/explore.js';
import { parseSpec, SpecError, type ScenarioDefinition } from '../experiments/spec.js';
import { loadSpecFile } from '../experiments/explore.js';
import { resolveUnder } from './paths.js';
import { dirname, relative, resolve, sep } from 'node:path';
import { loadTable, readSeries } from '../experiments/store.js';
import { STATUS_OK } from '../experiments/runner.js';
import { prim } from '../experiments/prim.js';
import type { OpenModel } from './app.js';
import { readCaseData } from './case.js';
import { BudgetError, resolveBudgets } from '../model/budgets.js';
import { buildPlan } from '../experiments/plan.js';

import type { ExperimentResult } from '../experiments/view.js';

export type { ExperimentRequest } from './schema.js';

interface Experiment {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'stopped';
  done: number;
  failed: number;
  total: number;
  error?: string;
  result?: unknown;
  /** Spec experiments: the spec file (root-relative), policies and when it started. */
  spec?: string;
  policies?: string[];
  startedAt?: number;
  /** Milliseconds since the experiment started running (the page's time left). */
  elapsedMs?: number;
  /** Spec experiments: the results folder, kept until the experiment is forgotten. */
  resultsDir?: string;
  /** Ends the experiment (queued: never starts; running: stops after the runs in flight). */
  stop(): void;
}

/** What the experiment worker is given. */
export interface ExperimentJob {
  loaded: Omit<LoadedSpec, 'scenarios'> & { scenarios: [string, ScenarioDefinition][] };
  outDir: string;
  budgets?: Partial<Budgets>;
  /** A spec run as written (every policy crossed with the sampled futures), with this many samples. */
  fromSpec?: { samples?: number };
  summary?: {
    varied: string[];
    ranges: [number, number][];
    output: string;
    threshold?: number;
    below: boolean;
  };
}

/** Messages from the experiment worker. */
export type FromExperimentWorker =
  | { type: 'progress'; done: number }
  | { type: 'done'; done: number; failed: number; result: unknown }
  | { type: 'stopped'; done: number }
  | { type: 'error'; message: string };

const MAX_EXPERIMENTS = 32;

export interface ExperimentServiceOptions {
  limits: WorkerLimits;
  /** Experiments running at once; the others wait their turn (status `queued`). */
  concurrency: number;
  budgets?: Partial<Budgets>;
  /** Folder spec files are resolved under (the server's root). */
  root?: string;
}

export class ExperimentService {
  private readonly experiments = new Map<string, Experiment>();
  private readonly queue: (() => void)[] = [];
  private running = 0;
  private counter = 0;

  constructor(
    private readonly lookup: (id: string) => OpenModel | undefined,
    private readonly options: ExperimentServiceOptions = {
      limits: { memoryMb: 1024, timeoutMs: 600_000 },
      concurrency: 1,
    },
  ) {}

  start(body: string): { id: string; total: number } {
    const req = parseJsonBody(body, experimentRequest);
    const model = this.lookup(req.model);
    if (!model) throw new HttpError(404, `no open model '${req.model}'`);
    // Facts found when the model was opened (in a worker): nothing is compiled on this thread.
    const compiled = model.facts;
    if (!compiled.simSpecs) throw new HttpError(422, 'the model does not compile');
    if (req.spec !== undefined) return this.startSpec(req);
    const caseParams = readCaseRanges(model, this.options.root ?? process.cwd());
    const ranges = new Map<string, [number, number]>();
    if (req.parameters) {
      for (const [name, [lo, hi]] of Object.entries(req.parameters)) {
        ranges.set(name, [lo, hi]);
      }
    } else if (caseParams.size) {
      for (const [k, v] of caseParams) ranges.set(k, v);
    } else {
      for (const p of compiled.parameters.filter((q) => q.kind === 'constant').slice(0, 12)) {
        const a = p.value * 0.5;
        const b = p.value * 1.5;
        ranges.set(p.name, [Math.min(a, b), Math.max(a, b)]);
      }
    }
    if (!ranges.size) throw new HttpError(400, 'the model has no parameters to vary');
    const stocks = compiled.outputs.filter((o) => o.kind === 'stock');
    const output = req.output ?? stocks[0]?.name ?? compiled.outputs[0]?.name;
    if (!output || !compiled.outputs.some((o) => canonicalName(o.name) === canonicalName(output))) {
      throw new HttpError(400, `unknown output '${output ?? ''}'`);
    }
    // Only to check the names here, with a clear message, before any worker starts.
    const settable = new Set(compiled.parameters.map((p) => parameterKey(p.name)));
    const names = [...ranges.keys()];
    for (const n of [...names]) {
      if (!settable.has(parameterKey(n))) {
        // Case ranges may name variables a changed model no longer has: skip those.
        if (req.parameters) throw new HttpError(400, `'${n}' is not a parameter of this model`);
        names.splice(names.indexOf(n), 1);
      }
    }
    if (!names.length) throw new HttpError(400, 'none of the ranges names a parameter of this model');
    const total = req.samples ?? 200;
    const seed = req.seed ?? 1;
    // Zero-width ranges (a constant of 0 varied by +/-50%) are not uncertain: leave them out.
    const varied = names.filter((n) => ranges.get(n)![0] < ranges.get(n)![1]);
    if (!varied.length) throw new HttpError(400, 'every range is a single value; nothing to vary');

    this.evictIfFull();
    // About 200 saved points are plenty for a fan chart; integration keeps the model's dt.
    const spec = compiled.simSpecs;
    const steps = Math.round((spec.stop - spec.start) / spec.dt);
    const saveStep = Math.max(spec.saveStep ?? spec.dt, spec.dt * Math.max(1, Math.ceil(steps / 200)));
    let loaded: LoadedSpec;
    try {
      const experimentSpec = parseSpec(
        {
          model: model.file ?? 'uploaded.xmile',
          seed,
          samples: total,
          method: 'lhs',
          uncertainties: varied.map((n) => ({
            name: n,
            dist: 'uniform',
            low: ranges.get(n)![0],
            high: ranges.get(n)![1],
          })),
          outcomes: [
            { name: 'final', variable: output, reduce: 'final' },
            { name: 'path', variable: output, reduce: 'series' },
          ],
          run: { saveStep },
        },
        '(workbench request)',
      );
      loaded = {
        spec: experimentSpec,
        specFile: '(workbench request)',
        model: { kind: 'xmile', text: model.text, file: model.file ?? 'uploaded.xmile' },
        modelFile: model.file,
        modelHash: createHash('sha256').update(model.text).digest('hex'),
        scenarios: new Map(),
      };
    } catch (err) {
      if (err instanceof SpecError) throw new HttpError(400, err.message);
      throw err;
    }
    const id = `e${++this.counter}`;
    const job: ExperimentJob = {
      loaded: { ...loaded, scenarios: [] },
      outDir: '',
      budgets: this.options.budgets,
      summary: {
        varied,
        ranges: varied.map((n) => ranges.get(n)!),
        output,
        threshold: req.threshold,
        below: !!req.below,
      },
    };
    return this.enqueue(id, total, job);
  }

  /**
   * An experiment spec file run as `interlock explore` runs it: the policies it names crossed with
   * the futures it samples (levers are never sampled), into a results folder the page then reads.
   */
  private startSpec(req: ExperimentRequest): { id: string; total: number } {
    const root = this.options.root ?? process.cwd();
    const full = resolveUnder(root, req.spec!);
    if (!full) throw new HttpError(403, 'that spec is outside the folder this server may read');
    let loaded: LoadedSpec;
    try {
      loaded = loadSpecFile(full);
    } catch (err) {
      if (err instanceof SpecError) throw new HttpError(400, err.message.split(root).join('.'));
      throw err;
    }
    if (loaded.modelFile && !resolveUnder(root, relative(root, resolve(dirname(full), loaded.spec.model))))
      throw new HttpError(403, "the spec's model is outside the folder this server may read");
    let planned;
    try {
      planned = buildPlan(loaded.spec, loaded.scenarios, req.samples, resolveBudgets(this.options.budgets));
    } catch (err) {
      if (err instanceof BudgetError || err instanceof SpecError)
        throw new HttpError(400, (err as Error).message);
      throw err;
    }
    this.evictIfFull();
    const id = `e${++this.counter}`;
    const job: ExperimentJob = {
      loaded: { ...loaded, scenarios: [...loaded.scenarios.entries()] },
      outDir: '',
      budgets: this.options.budgets,
      fromSpec: { samples: req.samples },
    };
    return this.enqueue(id, planned.rows, job, {
      spec: relative(root, full).split(sep).join('/'),
      policies: planned.policies.map((p) => p.name),
    });
  }

  private evictIfFull(): void {
    if (this.experiments.size < MAX_EXPERIMENTS) return;
    const oldest = [...this.experiments.values()].find(
      (e) => e.status !== 'running' && e.status !== 'queued',
    );
    if (!oldest) throw new HttpError(429, 'too many experiments running; try again later');
    this.forget(oldest);
  }

  private forget(exp: Experiment): void {
    if (exp.resultsDir) rmSync(exp.resultsDir, { recursive: true, force: true });
    this.experiments.delete(exp.id);
  }

  /** The results folder of a finished spec experiment (for its view). */
  resultsOf(id: string): string {
    const exp = this.experiments.get(id);
    if (!exp || !MODEL_ID_PATTERN.test(id)) return this.status(id) && '';
    if (!exp.resultsDir)
      throw new HttpError(409, `experiment '${id}' has no results folder (not started from a spec)`);
    if (exp.status === 'queued' || exp.status === 'running' || exp.done === 0)
      throw new HttpError(409, `experiment '${id}' has no finished runs yet`);
    return exp.resultsDir;
  }

  private enqueue(
    id: string,
    total: number,
    job: ExperimentJob,
    extra: Partial<Experiment> = {},
  ): { id: string; total: number } {
    const exp: Experiment = { id, status: 'queued', done: 0, failed: 0, total, ...extra, stop: () => {} };
    this.experiments.set(id, exp);
    let cancelled = false;
    exp.stop = () => {
      cancelled = true;
      if (exp.status === 'queued') exp.status = 'stopped';
    };
    this.whenFree(() => {
      if (cancelled) return false;
      this.runJob(exp, job);
      return true;
    });
    return { id, total };
  }

  /** Run `begin` now if fewer than `concurrency` experiments run, else when one ends. */
  private whenFree(begin: () => boolean): void {
    const attempt = (): void => {
      if (this.running >= this.options.concurrency) {
        this.queue.push(attempt);
        return;
      }
      this.running++;
      if (!begin()) this.release();
    };
    attempt();
  }

  private release(): void {
    this.running--;
    const next = this.queue.shift();
    if (next) next();
  }

  /** One experiment in its own worker thread, under the memory and time limits. */
  private runJob(exp: Experiment, job: ExperimentJob): void {
    const outDir = mkdtempSync(join(tmpdir(), 'interlock-explore-'));
    const limits = this.options.limits;
    let worker: Worker;
    try {
      worker = startModuleWorker(new URL('./experiment-worker.js', import.meta.url), {
        workerData: { ...job, outDir } satisfies ExperimentJob,
        resourceLimits: resourceLimits(limits),
      });
    } catch (err) {
      rmSync(outDir, { recursive: true, force: true });
      exp.status = 'failed';
      exp.error = `could not start the experiment: ${(err as Error).message}`;
      this.release();
      return;
    }
    exp.status = 'running';
    exp.startedAt = Date.now();
    if (job.fromSpec) exp.resultsDir = outDir;
    let ended = false;
    const end = (status: Experiment['status'], error?: string): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      clearTimeout(grace);
      exp.status = status;
      if (error) exp.error = error;
      exp.elapsedMs = Date.now() - (exp.startedAt ?? Date.now());
      // A spec experiment's folder stays for its view (stopped ones keep their finished runs).
      void worker.terminate().finally(() => {
        if (!exp.resultsDir) rmSync(outDir, { recursive: true, force: true });
      });
      this.release();
    };
    let grace: NodeJS.Timeout | undefined;
    const stopSoftly = (status: Experiment['status'], error?: string): void => {
      worker.postMessage({ type: 'stop' });
      // Runs in flight get a moment to finish; then the thread is ended.
      grace = setTimeout(() => end(status, error), 2000);
    };
    const timer = setTimeout(
      () =>
        stopSoftly(
          'failed',
          `the experiment took longer than the server allows (${limits.timeoutMs / 1000} s)`,
        ),
      limits.timeoutMs,
    );
    exp.stop = () => stopSoftly('stopped');
    worker.on('message', (m: FromExperimentWorker) => {
      if (m.type === 'progress') exp.done = m.done;
      else if (m.type === 'done') {
        exp.done = m.done;
        exp.failed = m.failed;
        exp.result = m.result;
        end('done');
      } else if (m.type === 'stopped') {
        exp.done = m.done;
        end(exp.error ? 'failed' : 'stopped');
      } else end('failed', m.message);
    });
    worker.on('error', (err: Error & { code?: string }) =>
      end(
        'failed',
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `the experiment needs more memory than the server allows (${limits.memoryMb} MB)`
          : `the experiment failed: ${err.message}`,
      ),
    );
    worker.on('exit', () => end(exp.status === 'running' ? 'stopped' : exp.status));
  }

  status(id: string): Omit<Experiment, 'stop'> {
    if (!MODEL_ID_PATTERN.test(id)) throw new HttpError(400, 'malformed experiment id');
    const exp = this.experiments.get(id);
    if (!exp) throw new HttpError(404, `no experiment '${id}'`);
    const { stop: _stop, resultsDir: _dir, ...rest } = exp;
    if (exp.status === 'running' && exp.startedAt) rest.elapsedMs = Date.now() - exp.startedAt;
    return rest;
  }

  /** Cancel an experiment (DELETE /api/experiments/:id). */
  cancel(id: string): Omit<Experiment, 'stop'> {
    const exp = this.experiments.get(id);
    if (!exp || !MODEL_ID_PATTERN.test(id)) return this.status(id);
    if (exp.status === 'queued' || exp.status === 'running') exp.stop();
    return this.status(id);
  }

  stopAll(): void {
    for (const e of this.experiments.values()) if (e.status === 'queued' || e.status === 'running') e.stop();
  }

  /** Remove every kept results folder (the server is closing). */
  removeResults(): void {
    for (const e of this.experiments.values())
      if (e.resultsDir) rmSync(e.resultsDir, { recursive: true, force: true });
  }
}

/** Parameter names compared as the engine does (case, `_` or space; element lists). */
function parameterKey(name: string): string {
  const m = /^(.*?)\[(.*)\]\s*$/.exec(name);
  if (!m) return canonicalName(name);
  return `${canonicalName(m[1]!)}[${m[2]!
    .split(',')
    .map((p) => canonicalName(p))
    .join(',')}]`;
}

/** The case's uncertainty ranges (parameters.json beside the model), when there are any. */
function readCaseRanges(model: OpenModel, root: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const data = readCaseData(model.dir, model.facts, root);
  const params = data?.parameters as Record<string, { range?: unknown }> | undefined;
  if (!params || typeof params !== 'object') return out;
  for (const [name, p] of Object.entries(params)) {
    const r = p?.range;
    if (Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      const [lo, hi] = r as [number, number];
      if (lo < hi) out.set(name, [lo, hi]);
    }
  }
  return out;
}

/**
 * PRIM (the experiments module's peel-and-paste) over the runs that succeeded, as the page draws
 * it: every box of the trajectory with its limits on every parameter (the full range where the
 * box does not restrict it).
 */
function primSummary(
  names: string[],
  design: number[][],
  interest: (boolean | undefined)[],
  ranges: [number, number][],
) {
  const ok = design.map((_, i) => i).filter((i) => interest[i] !== undefined);
  const result = prim({
    names,
    columns: names.map((_, k) => ok.map((i) => design[i]![k]!)),
    categorical: names.map(() => false),
    y: ok.map((i) => (interest[i] ? 1 : 0)),
  });
  return {
    chosen: result.chosen,
    quasiP: result.quasiP,
    trajectory: result.boxes.map((b) => ({
      coverage: b.coverage,
      density: b.density,
      mass: b.mass,
      box: names.map((n, k) => b.limits[n] ?? ranges[k]!),
    })),
  };
}

/** The Explore page's view of a finished results directory. */
export function summarise(
  dir: string,
  names: string[],
  ranges: [number, number][],
  output: string,
  requestedThreshold: number | undefined,
  below: boolean,
): ExperimentResult {
  const { table, meta } = loadTable(dir);
  const rows = Array.from({ length: table.rows }, (_, i) => i);
  const ok = rows.filter((i) => table.status[i] === STATUS_OK);
  const finalCol = table.outcomes[table.outcomeNames.indexOf('final')]!;
  const finals = rows.map((i) => (table.status[i] === STATUS_OK ? finalCol[i]! : NaN));
  const samples = rows.map((i) => names.map((_, k) => table.inputs[k]![i]!));
  const times = meta.times ?? [];
  const paths = readSeries(dir, meta, 'path', ok);
  const fan = times.map((_, t) => {
    const column = ok.map((_, k) => paths[k * times.length + t]!);
    return quantiles(column, [0.05, 0.25, 0.5, 0.75, 0.95]);
  });
  const finite = finals.filter(Number.isFinite).sort((a, b) => a - b);
  const threshold = requestedThreshold ?? (finite.length ? finite[Math.floor(finite.length * 0.75)]! : 0);
  const interest = finals.map((v) =>
    Number.isFinite(v) ? (below ? v < threshold : v > threshold) : undefined,
  );
  return {
    output,
    parameters: names,
    ranges,
    samples,
    finals,
    time: times,
    fan,
    sensitivity: names.map((n, k) => ({
      parameter: n,
      rho: spearman(
        samples.map((r) => r[k]!),
        finals,
      ),
    })),
    prim: { threshold, below, ...primSummary(names, samples, interest, ranges) },
  };
}
