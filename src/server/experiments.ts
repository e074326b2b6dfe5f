/**
 * Experiments started from the workbench: sample parameter ranges, run the model per sample,
 * and summarise for the Explore page (fan chart, scatter, sensitivity, PRIM). Runs proceed in
 * small slices on the event loop so the server keeps answering progress requests meanwhile.
 */
import { compileModel, readModel } from '../engine.js';
import { HttpError, parseJsonBody } from './http.js';
import { experimentRequest, MODEL_ID_PATTERN } from './openapi.js';
import { latinHypercube, quantiles, spearman } from './analysis.js';
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
  stop: boolean;
}

const MAX_EXPERIMENTS = 16;
const SLICE_MS = 25;

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
    if (
      !output ||
      !compiled.outputs.some((o) => o.name.toLowerCase() === output.toLowerCase().replace(/_/g, ' '))
    ) {
      throw new HttpError(400, `unknown output '${output ?? ''}'`);
    }
    const sim = compiled.simulation();
    const names = [...ranges.keys()];
    const indices: number[] = [];
    for (const n of [...names]) {
      try {
        indices.push(sim.parameterIndex(n));
      } catch {
        // Case ranges may name variables a changed model no longer has: skip those.
        if (req.parameters) throw new HttpError(400, `'${n}' is not a parameter of this model`);
        names.splice(names.indexOf(n), 1);
      }
    }
    if (!names.length) throw new HttpError(400, 'none of the ranges names a parameter of this model');
    const total = req.samples ?? 200;
    const seed = req.seed ?? 1;
    const design = latinHypercube(
      total,
      names.map((n) => ranges.get(n)!),
      seed,
    );

    if (this.experiments.size >= MAX_EXPERIMENTS) {
      const oldest = [...this.experiments.values()].find((e) => e.status !== 'running');
      if (!oldest) throw new HttpError(429, 'too many experiments running; try again later');
      this.experiments.delete(oldest.id);
    }
    const id = `e${++this.counter}`;
    const exp: Experiment = { id, status: 'running', done: 0, failed: 0, total, stop: false };
    this.experiments.set(id, exp);

    const finals = new Float64Array(total).fill(NaN);
    let time: Float64Array | undefined;
    let series: Float64Array[] = [];
    const step = (): void => {
      if (exp.stop) {
        exp.status = 'stopped';
        return;
      }
      const until = performance.now() + SLICE_MS;
      try {
        while (exp.done + exp.failed < total && performance.now() < until) {
          const i = exp.done + exp.failed;
          sim.clearOverrides();
          for (let k = 0; k < names.length; k++) sim.set(indices[k]!, design[i]![k]!);
          try {
            sim.run();
            const s = sim.series(output);
            if (!time) {
              time = Float64Array.from(sim.time);
              series = Array.from({ length: time.length }, () => new Float64Array(total).fill(NaN));
            }
            for (let t = 0; t < series.length; t++) series[t]![i] = s[t]!;
            finals[i] = s[s.length - 1]!;
            exp.done++;
          } catch {
            // A failed run is recorded, not fatal.
            exp.failed++;
          }
        }
      } catch (err) {
        exp.status = 'failed';
        exp.error = (err as Error).message;
        return;
      }
      if (exp.done + exp.failed < total) {
        setTimeout(step, 0);
        return;
      }
      const fan = series.map((col) => quantiles(col, [0.05, 0.25, 0.5, 0.75, 0.95]));
      const finite = Array.from(finals)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const threshold = req.threshold ?? (finite.length ? finite[Math.floor(finite.length * 0.75)]! : 0);
      const interest = Array.from(finals, (v) => (req.below ? v < threshold : v > threshold));
      exp.result = {
        output,
        parameters: names,
        ranges: names.map((n) => ranges.get(n)),
        samples: design,
        finals: Array.from(finals),
        time: time ? Array.from(time) : [],
        fan,
        sensitivity: names.map((n, k) => ({
          parameter: n,
          rho: spearman(
            design.map((r) => r[k]!),
            Array.from(finals),
          ),
        })),
        prim: {
          threshold,
          below: !!req.below,
          ...primSummary(
            names,
            design,
            Array.from(finals, (v, i) => (Number.isFinite(v) ? interest[i]! : undefined)),
            names.map((n) => ranges.get(n)!),
          ),
        },
      };
      exp.status = 'done';
    };
    setTimeout(step, 0);
    return { id, total };
  }

  status(id: string): Omit<Experiment, 'stop'> {
    if (!new RegExp(MODEL_ID_PATTERN).test(id)) throw new HttpError(400, 'malformed experiment id');
    const exp = this.experiments.get(id);
    if (!exp) throw new HttpError(404, `no experiment '${id}'`);
    const { stop: _stop, ...rest } = exp;
    return rest;
  }

  stopAll(): void {
    for (const e of this.experiments.values()) e.stop = true;
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
