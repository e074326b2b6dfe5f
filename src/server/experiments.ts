/**
 * Experiments started from the workbench: the request becomes an experiment spec (Latin
 * hypercube over the parameter ranges, the chosen output's final value and path), which the
 * experiments module runs on its worker pool into a temporary results directory; the table is
 * then summarised for the Explore page (fan chart, scatter, sensitivity, PRIM).
 */
import { compileModel, readModel } from '../engine.js';
import { HttpError, parseJsonBody } from './http.js';
import { experimentRequest, MODEL_ID_PATTERN } from './openapi.js';
import { quantiles, spearman } from './analysis.js';
import { canonicalName } from '../equations/names.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore, type LoadedSpec } from '../experiments/explore.js';
import { parseSpec, SpecError } from '../experiments/spec.js';
import { defaultJobs } from '../experiments/pool.js';
import { loadTable, readSeries } from '../experiments/store.js';
import { STATUS_OK } from '../experiments/runner.js';
import { prim } from '../experiments/prim.js';
import type { OpenModel } from './app.js';
import { readCaseData } from './case.js';

export interface ExperimentRequest {
  model: string;
  samples?: number;
  seed?: number;
  output?: string;
  parameters?: Record<string, [number, number]>;
  threshold?: number;
  below?: boolean;
}

interface Experiment {
  id: string;
  status: 'running' | 'done' | 'failed' | 'stopped';
  done: number;
  failed: number;
  total: number;
  error?: string;
  result?: unknown;
  abort: AbortController;
}

const MAX_EXPERIMENTS = 16;

export class ExperimentService {
  private readonly experiments = new Map<string, Experiment>();
  private counter = 0;

  constructor(private readonly lookup: (id: string) => OpenModel | undefined) {}

  start(body: string): { id: string; total: number } {
    const req = parseJsonBody<ExperimentRequest>(body, experimentRequest);
    const model = this.lookup(req.model);
    if (!model) throw new HttpError(404, `no open model '${req.model}'`);
    const read = readModel(model.text, { file: model.file });
    const compiled = read.model ? compileModel(read.model).compiled : undefined;
    if (!compiled) throw new HttpError(422, 'the model does not compile');
    const caseParams = readCaseRanges(model);
    const ranges = new Map<string, [number, number]>();
    if (req.parameters) {
      for (const [name, [lo, hi]] of Object.entries(req.parameters)) {
        if (!(lo <= hi)) throw new HttpError(400, `range of '${name}' must have low <= high`);
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
    const sim = compiled.simulation();
    const names = [...ranges.keys()];
    for (const n of [...names]) {
      try {
        sim.parameterIndex(n);
      } catch {
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

    if (this.experiments.size >= MAX_EXPERIMENTS) {
      const oldest = [...this.experiments.values()].find((e) => e.status !== 'running');
      if (!oldest) throw new HttpError(429, 'too many experiments running; try again later');
      this.experiments.delete(oldest.id);
    }
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
    const abort = new AbortController();
    const exp: Experiment = { id, status: 'running', done: 0, failed: 0, total, abort };
    this.experiments.set(id, exp);
    const outDir = mkdtempSync(join(tmpdir(), 'interlock-explore-'));
    const threshold = req.threshold;
    void explore(loaded, {
      outDir,
      jobs: Math.min(2, defaultJobs()),
      signal: abort.signal,
      onProgress: (done) => {
        exp.done = done;
      },
    })
      .then((run) => {
        if (run.interrupted) {
          exp.status = 'stopped';
          return;
        }
        exp.result = summarise(
          outDir,
          varied,
          varied.map((n) => ranges.get(n)!),
          output,
          threshold,
          !!req.below,
        );
        exp.failed = run.metadata.failedRuns;
        exp.done = run.metadata.completedRuns;
        exp.status = 'done';
      })
      .catch((err: unknown) => {
        exp.status = 'failed';
        exp.error = err instanceof Error ? err.message : String(err);
      })
      .finally(() => rmSync(outDir, { recursive: true, force: true }));
    return { id, total };
  }

  status(id: string): Omit<Experiment, 'abort'> {
    if (!new RegExp(MODEL_ID_PATTERN).test(id)) throw new HttpError(400, 'malformed experiment id');
    const exp = this.experiments.get(id);
    if (!exp) throw new HttpError(404, `no experiment '${id}'`);
    const { abort: _abort, ...rest } = exp;
    return rest;
  }

  stopAll(): void {
    for (const e of this.experiments.values()) e.abort.abort();
  }
}

/** The case's uncertainty ranges (parameters.json beside the model), when there are any. */
function readCaseRanges(model: OpenModel): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const data = readCaseData(model.dir);
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
function summarise(
  dir: string,
  names: string[],
  ranges: [number, number][],
  output: string,
  requestedThreshold: number | undefined,
  below: boolean,
) {
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
