/**
 * Maximum a posteriori estimation in three steps:
 *
 * 1. Differential evolution (Storn and Price 1997), DE/rand/1/bin with the scale factor dithered in
 *    [0.5, 1) per trial vector and crossover 0.9. The population starts from prior draws; each
 *    generation's trial vectors are one batch. A coordinate pushed past a finite bound is put back
 *    at a random point between its parent and that bound. It stops when the population's log
 *    posteriors agree within `deTolerance` or after `generations`.
 * 2. Nelder-Mead polishing from several starts at once (the best DE member and the best distinct
 *    members of the initial population), in lockstep so each round is one batch. It works in an
 *    unconstrained space: logit for a parameter bounded on both sides, log for one bound, identity
 *    otherwise (the transform does not move the maximum; no Jacobian is added). The diagnostics
 *    say how many starts reached the same optimum.
 * 3. Intervals from the local curvature: a central finite-difference Hessian of the log posterior
 *    at the MAP (steps a tenth of a first, diagonal estimate of each sd, kept inside the bounds),
 *    inverted into a covariance; sd per parameter. Optionally a profile of the log posterior for each
 *    parameter (the others re-maximised on a grid of +-4 curvature sd), with the interval where it
 *    is within 1.92 of the maximum (95% by Wilks' chi-square(1) rule).
 */
import { Evaluator, drawInSupport } from './evaluator.js';
import { inverseSpd } from './linalg.js';
import { nelderMead, runLockstep, type NelderMeadRun } from './nelder-mead.js';
import type { EstimatorResult, RunControl, Target } from './types.js';

export interface OptimizeOptions {
  /** DE population size (default 10 d, at least 20, at most 200). */
  population?: number;
  /** Most DE generations (default 200). */
  generations?: number;
  /** DE stops when max - min log posterior of the population is below this (default 1e-3). */
  deTolerance?: number;
  /** Nelder-Mead starts (default 4). */
  starts?: number;
  /** Nelder-Mead evaluations per start (default 200 + 200 d). */
  polishEvaluations?: number;
  /** Compute profile-likelihood intervals (default false; costs about 16 optimisations per parameter). */
  profile?: boolean;
  /** Starts agree when their log posterior is within this of the best (default 0.01) ... */
  agreeLogPost?: number;
  /** ... and every coordinate within this many curvature sd of the MAP (default 0.1). */
  agreeSd?: number;
}

/** Maps between a parameter and an unconstrained coordinate. */
interface Transform {
  toFree(x: number): number;
  fromFree(u: number): number;
}

function transformFor(lo: number, hi: number): Transform {
  const eps = 1e-12;
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const w = hi - lo;
    return {
      toFree: (x) => {
        const p = Math.min(1 - eps, Math.max(eps, (x - lo) / w));
        return Math.log(p / (1 - p));
      },
      fromFree: (u) => lo + w / (1 + Math.exp(-u)),
    };
  }
  if (Number.isFinite(lo)) {
    return { toFree: (x) => Math.log(Math.max(x - lo, 1e-300)), fromFree: (u) => lo + Math.exp(u) };
  }
  if (Number.isFinite(hi)) {
    return { toFree: (x) => Math.log(Math.max(hi - x, 1e-300)), fromFree: (u) => hi - Math.exp(u) };
  }
  return { toFree: (x) => x, fromFree: (u) => u };
}

export interface OptimizeDiagnostics {
  /** Curvature sd per parameter name (NaN where unavailable). */
  sd: Record<string, number>;
  /** Curvature covariance (rows in parameter order), null when it could not be computed. */
  covariance: number[][] | null;
  hessianSteps: number[] | null;
  starts: StartResult[];
  startsAgreed: number;
  deGenerations: number;
  deConverged: boolean;
  population: number;
  /** With `profile: true`: per parameter, the 95% profile interval. */
  profile?: Record<string, ProfileInterval>;
  warnings: string[];
  [key: string]: unknown;
}

export interface ProfileInterval {
  low95: number;
  high95: number;
  /** True when the profile did not fall by 1.92 within the grid on that side. */
  lowOpen: boolean;
  highOpen: boolean;
  /** [value, profile log posterior] pairs, the MAP included. */
  grid: [number, number][];
}

export type OptimizeResult = EstimatorResult & { diagnostics: OptimizeDiagnostics };

export interface StartResult {
  start: number[];
  optimum: number[];
  logPost: number;
  evaluations: number;
  converged: boolean;
  agrees: boolean;
}

export async function optimize(
  target: Target,
  control: RunControl,
  options: OptimizeOptions = {},
): Promise<OptimizeResult> {
  const d = target.names.length;
  const np = Math.max(4, Math.floor(options.population ?? Math.min(200, Math.max(20, 10 * d))));
  const maxGenerations = Math.max(0, Math.floor(options.generations ?? 200));
  const deTolerance = options.deTolerance ?? 1e-3;
  const nStarts = Math.max(1, Math.floor(options.starts ?? 4));
  const polishEvaluations = options.polishEvaluations ?? 200 + 200 * d;
  const agreeLogPost = options.agreeLogPost ?? 0.01;
  const agreeSd = options.agreeSd ?? 0.1;
  const { rng } = control;
  const lower = target.lower;
  const upper = target.upper;
  const ev = new Evaluator(
    target,
    control,
    np * (maxGenerations + 1) + nStarts * polishEvaluations + 2 * d * d + 2 * d,
  );
  const warnings: string[] = [];

  // ---- 1. differential evolution
  let pop: Float64Array[] = [];
  for (let i = 0; i < np; i++) {
    const x = new Float64Array(d);
    drawInSupport(ev, x);
    pop.push(x);
  }
  const initial = await ev.evaluate(pop);
  let popLogLik = initial ? initial.logLik : new Float64Array(np).fill(-Infinity);
  let popLogPost = initial ? initial.logPost : new Float64Array(np).fill(-Infinity);
  const initialPop = pop.slice();
  const initialLogPost = Float64Array.from(popLogPost);
  let generation = 0;
  let deConverged = false;
  while (initial && generation < maxGenerations) {
    const range = spread(popLogPost);
    if (range < deTolerance) {
      deConverged = true;
      break;
    }
    const trials: Float64Array[] = [];
    for (let i = 0; i < np; i++) {
      const [r1, r2, r3] = distinctOthers(rng, np, i);
      const f = 0.5 + 0.5 * rng.next();
      const jRand = rng.int(d);
      const x = pop[i]!;
      const t = Float64Array.from(x);
      for (let j = 0; j < d; j++) {
        if (j !== jRand && rng.next() >= 0.9) continue;
        let v = pop[r1!]![j]! + f * (pop[r2!]![j]! - pop[r3!]![j]!);
        if (v < lower[j]!) v = x[j]! + rng.next() * (lower[j]! - x[j]!);
        else if (v > upper[j]!) v = x[j]! + rng.next() * (upper[j]! - x[j]!);
        t[j] = v;
      }
      trials.push(t);
    }
    const res = await ev.evaluate(trials);
    if (!res) break;
    const next = pop.slice();
    const nextLogLik = Float64Array.from(popLogLik);
    const nextLogPost = Float64Array.from(popLogPost);
    for (let i = 0; i < np; i++) {
      if (res.logPost[i]! >= popLogPost[i]! && res.logPost[i]! > -Infinity) {
        next[i] = trials[i]!;
        nextLogLik[i] = res.logLik[i]!;
        nextLogPost[i] = res.logPost[i]!;
      }
    }
    pop = next;
    popLogLik = nextLogLik;
    popLogPost = nextLogPost;
    generation++;
  }
  if (initial && !deConverged && !ev.interrupted) {
    warnings.push(
      `differential evolution did not converge in ${maxGenerations} generations (log posterior range ${spread(popLogPost).toPrecision(3)})`,
    );
  }

  if (initial && ev.bestLogPost === -Infinity && !ev.interrupted) {
    warnings.push(
      'no point with positive posterior density was found: every evaluation failed or was impossible',
    );
  }

  // ---- 2. Nelder-Mead polishing from several starts
  const transforms = target.names.map((_, j) => transformFor(lower[j]!, upper[j]!));
  const toFree = (x: Float64Array): Float64Array => Float64Array.from(x, (v, j) => transforms[j]!.toFree(v));
  const fromFree = (u: Float64Array): Float64Array =>
    Float64Array.from(u, (v, j) => transforms[j]!.fromFree(v));
  const starts: Float64Array[] = [];
  if (ev.bestLogPost > -Infinity) starts.push(Float64Array.from(ev.best));
  const byValue = initialPop
    .map((x, i) => ({ x, lp: initialLogPost[i]! }))
    .filter((s) => s.lp > -Infinity)
    .sort((a, b) => b.lp - a.lp);
  for (const s of byValue) {
    if (starts.length >= nStarts) break;
    if (!starts.some((x) => x.every((v, j) => v === s.x[j]))) starts.push(s.x);
  }
  // Simplex steps: the spread of the initial population in the free space (a tenth of it), at least
  // the final population's spread.
  const freeInitial = initialPop.map(toFree);
  const freeFinal = pop.map(toFree);
  const step = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s0 = sdOf(freeInitial.map((u) => u[j]!));
    const s1 = sdOf(freeFinal.map((u) => u[j]!));
    step[j] = Math.max(0.1 * s0, s1, 1e-4 * (1 + Math.abs(freeFinal[0]![j]!))) || 0.1;
  }
  const negLogPost = async (batch: Float64Array[]): Promise<Float64Array | null> => {
    const res = await ev.evaluate(batch.map(fromFree));
    return res ? res.logPost.map((v) => -v) : null;
  };
  const runs = starts.map((x) => nelderMead(toFree(x), step, { maxEvaluations: polishEvaluations }));
  const polished = await runLockstep(runs, negLogPost);

  const map = Float64Array.from(ev.best);
  const mapLogPost = ev.bestLogPost;

  // ---- 3. curvature at the MAP
  const curvature =
    mapLogPost > -Infinity ? await curvatureAt(ev, map, mapLogPost, initialPop, warnings) : null;
  const sd = curvature?.sd ?? new Float64Array(d).fill(NaN);

  const startResults: StartResult[] = starts.map((x, i) => {
    const r = polished[i];
    const optimum = r ? fromFree(r.x) : Float64Array.from(x);
    const logPost = r ? -r.f : NaN;
    const close = optimum.every((v, j) => {
      const unit = Number.isFinite(sd[j]!) && sd[j]! > 0 ? sd[j]! : 1e-3 * (Math.abs(map[j]!) + 1);
      return Math.abs(v - map[j]!) <= agreeSd * unit;
    });
    return {
      start: Array.from(x),
      optimum: Array.from(optimum),
      logPost,
      evaluations: r?.evaluations ?? 0,
      converged: r?.converged ?? false,
      agrees: close && Math.abs(logPost - mapLogPost) <= agreeLogPost,
    };
  });
  const agreed = startResults.filter((s) => s.agrees).length;
  if (startResults.length > 1 && agreed < startResults.length && !ev.interrupted) {
    warnings.push(
      `${agreed} of ${startResults.length} Nelder-Mead starts reached the MAP; the others stopped elsewhere (several optima?)`,
    );
  }

  // ---- optional profiles
  let profiles: Record<string, ProfileInterval> | undefined;
  if (options.profile && curvature && !ev.interrupted) {
    profiles = await profileIntervals(ev, map, mapLogPost, sd, transforms, polishEvaluations);
  }
  warnings.push(...ev.commonWarnings());
  if (!ev.interrupted) ev.finish();

  const sdByName: Record<string, number> = {};
  target.names.forEach((name, j) => (sdByName[name] = sd[j]!));
  return {
    method: 'optimize',
    draws: { points: pop, logLik: popLogLik, logPost: popLogPost },
    map,
    mapLogPost,
    evaluations: ev.evaluations,
    failedEvaluations: ev.failed,
    interrupted: ev.interrupted,
    diagnostics: {
      sd: sdByName,
      covariance: curvature ? rows(curvature.cov, d) : null,
      hessianSteps: curvature ? Array.from(curvature.steps) : null,
      starts: startResults,
      startsAgreed: agreed,
      deGenerations: generation,
      deConverged,
      population: np,
      ...(profiles ? { profile: profiles } : {}),
      warnings,
    },
    warnings,
  };
}

function rows(m: Float64Array, d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from(m.subarray(i * d, i * d + d)));
}

function spread(values: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

function sdOf(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return 0;
  const m = finite.reduce((a, b) => a + b, 0) / finite.length;
  return Math.sqrt(finite.reduce((a, v) => a + (v - m) ** 2, 0) / (finite.length - 1));
}

function distinctOthers(rng: RunControl['rng'], n: number, self: number): number[] {
  const out: number[] = [];
  while (out.length < 3) {
    const k = rng.int(n);
    if (k !== self && !out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * Finite-difference Hessian of the log posterior at x (central differences, one batch per stage),
 * inverted into the covariance of the normal approximation. Parameters whose MAP sits on a bound
 * are held fixed (no sd, with a warning).
 */
async function curvatureAt(
  ev: Evaluator,
  x: Float64Array,
  f0: number,
  population: readonly Float64Array[],
  warnings: string[],
): Promise<{ sd: Float64Array; cov: Float64Array; steps: Float64Array } | null> {
  const d = x.length;
  const { lower, upper, names } = ev.target;
  const room = (j: number): number => Math.min(x[j]! - lower[j]!, upper[j]! - x[j]!);
  const steps = new Float64Array(d);
  const free: number[] = [];
  for (let j = 0; j < d; j++) {
    const scale = sdOf(population.map((p) => p[j]!)) || Math.abs(x[j]!) || 1;
    const h = Math.min(1e-3 * scale, 0.5 * room(j));
    if (h > 1e-12 * (Math.abs(x[j]!) + 1)) {
      steps[j] = h;
      free.push(j);
    } else {
      warnings.push(`the MAP of ${names[j]} is on its bound; no curvature interval for it`);
    }
  }
  const shifted = (moves: [number, number][]): Float64Array => {
    const p = Float64Array.from(x);
    for (const [j, s] of moves) p[j] = p[j]! + s * steps[j]!;
    return p;
  };
  // Stage A: diagonal curvature with small steps, to size the final steps.
  const diag = await ev.evaluate(free.flatMap((j) => [shifted([[j, 1]]), shifted([[j, -1]])]));
  if (!diag) return null;
  free.forEach((j, k) => {
    const c = (diag.logPost[2 * k]! - 2 * f0 + diag.logPost[2 * k + 1]!) / steps[j]! ** 2;
    const sd0 = c < 0 ? 1 / Math.sqrt(-c) : NaN;
    if (Number.isFinite(sd0)) steps[j] = Math.min(0.1 * sd0, 0.5 * room(j));
  });
  // Stage B: the full Hessian on the free parameters.
  const batch: Float64Array[] = [];
  for (const j of free) batch.push(shifted([[j, 1]]), shifted([[j, -1]]));
  for (let a = 0; a < free.length; a++) {
    for (let b = 0; b < a; b++) {
      const i = free[a]!;
      const j = free[b]!;
      batch.push(
        shifted([
          [i, 1],
          [j, 1],
        ]),
        shifted([
          [i, 1],
          [j, -1],
        ]),
        shifted([
          [i, -1],
          [j, 1],
        ]),
        shifted([
          [i, -1],
          [j, -1],
        ]),
      );
    }
  }
  const res = await ev.evaluate(batch);
  if (!res) return null;
  const m = free.length;
  const negH = new Float64Array(m * m);
  let k = 0;
  for (let a = 0; a < m; a++) {
    const h = steps[free[a]!]!;
    negH[a * m + a] = -(res.logPost[k]! - 2 * f0 + res.logPost[k + 1]!) / (h * h);
    k += 2;
  }
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < a; b++) {
      const [pp, pm, mp, mm] = [
        res.logPost[k]!,
        res.logPost[k + 1]!,
        res.logPost[k + 2]!,
        res.logPost[k + 3]!,
      ];
      k += 4;
      const v = -(pp - pm - mp + mm) / (4 * steps[free[a]!]! * steps[free[b]!]!);
      negH[a * m + b] = v;
      negH[b * m + a] = v;
    }
  }
  const inv = inverseSpd(negH, m);
  const sd = new Float64Array(d).fill(NaN);
  const cov = new Float64Array(d * d).fill(NaN);
  if (!inv) {
    warnings.push(
      'the log posterior is not concave at the MAP (or curvature failed): no curvature intervals',
    );
    return { sd, cov, steps };
  }
  for (let a = 0; a < m; a++) {
    sd[free[a]!] = Math.sqrt(inv[a * m + a]!);
    for (let b = 0; b < m; b++) cov[free[a]! * d + free[b]!] = inv[a * m + b]!;
  }
  return { sd, cov, steps };
}

/**
 * Profile log posterior of each parameter on a grid of +-4 curvature sd (16 points, clipped to the
 * bounds), every other parameter re-maximised by Nelder-Mead from the MAP; all profiles run in
 * lockstep. The 95% interval is where the profile is within 1.92 of the maximum, interpolated on
 * the grid in the signed root of twice the drop (exact for a normal posterior); an end that is not
 * reached is reported as open (the grid's last point).
 */
const LIMIT = 1.920729; // half the 95% quantile of chi-square(1), 3.841459 / 2
async function profileIntervals(
  ev: Evaluator,
  map: Float64Array,
  mapLogPost: number,
  sd: Float64Array,
  transforms: Transform[],
  maxEvaluations: number,
): Promise<Record<string, ProfileInterval>> {
  const d = map.length;
  const { lower, upper, names } = ev.target;
  const offsets = [-4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
  const jobs: { j: number; value: number }[] = [];
  const runs: NelderMeadRun[] = [];
  const others = (j: number): number[] => Array.from({ length: d }, (_, k) => k).filter((k) => k !== j);
  for (let j = 0; j < d; j++) {
    if (!Number.isFinite(sd[j]!)) continue;
    for (const o of offsets) {
      const value = map[j]! + o * sd[j]!;
      if (!(value > lower[j]! && value < upper[j]!)) continue;
      jobs.push({ j, value });
      const rest = others(j);
      const u0 = Float64Array.from(rest, (k) => transforms[k]!.toFree(map[k]!));
      const step = Float64Array.from(rest, (k) => {
        const t = transforms[k]!;
        const s = Math.abs(t.toFree(map[k]! + 0.5 * sd[k]!) - t.toFree(map[k]!));
        return Number.isFinite(s) && s > 0 ? s : 0.1;
      });
      runs.push(nelderMead(u0, step, { maxEvaluations }));
    }
  }
  // Each run's request is in the reduced space; expand to full points with the profiled value set.
  const wrapped = runs.map((run, r) => {
    const { j, value } = jobs[r]!;
    const rest = others(j);
    return (function* (): NelderMeadRun {
      let step = run.next(new Float64Array(0));
      while (!step.done) {
        const full = step.value.map((u) => {
          const p = Float64Array.from(map);
          p[j] = value;
          rest.forEach((k, i) => (p[k] = transforms[k]!.fromFree(u[i]!)));
          return p;
        });
        step = run.next(yield full);
      }
      return step.value;
    })();
  });
  const results = await runLockstep(wrapped, async (batch) => {
    const res = await ev.evaluate(batch);
    return res ? res.logPost.map((v) => -v) : null;
  });
  const out: Record<string, ProfileInterval> = {};
  for (let j = 0; j < d; j++) {
    const points = jobs
      .map((job, r) => ({ ...job, logPost: results[r] ? -results[r]!.f : NaN }))
      .filter((p) => p.j === j);
    if (!points.length) continue;
    const grid = [...points.map((p) => ({ value: p.value, drop: mapLogPost - p.logPost }))];
    grid.push({ value: map[j]!, drop: 0 });
    grid.sort((a, b) => a.value - b.value);
    const centre = grid.findIndex((g) => g.value === map[j]!);
    const cross = (dir: -1 | 1): { value: number; open: boolean } => {
      for (let i = centre; i + dir >= 0 && i + dir < grid.length; i += dir) {
        const a = grid[i]!;
        const b = grid[i + dir]!;
        if (b.drop >= LIMIT) {
          // Interpolate in the signed root sqrt(2 drop), which is linear in the value for a normal.
          const ra = Math.sqrt(2 * Math.max(a.drop, 0));
          const rb = Math.sqrt(2 * b.drop);
          const t = (Math.sqrt(2 * LIMIT) - ra) / (rb - ra);
          return { value: a.value + t * (b.value - a.value), open: false };
        }
      }
      return { value: grid[dir < 0 ? 0 : grid.length - 1]!.value, open: true };
    };
    const lo = cross(-1);
    const hi = cross(1);
    out[names[j]!] = {
      low95: lo.value,
      high95: hi.value,
      lowOpen: lo.open,
      highOpen: hi.open,
      grid: grid.map((g): [number, number] => [g.value, mapLogPost - g.drop]),
    };
  }
  return out;
}
