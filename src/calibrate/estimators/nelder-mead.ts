/**
 * Nelder-Mead simplex minimisation (Nelder and Mead 1965) with the dimension-adaptive coefficients
 * of Gao and Han (2012), written as a generator: it yields the points it needs evaluated (a batch)
 * and receives their function values, so several minimisations can advance in lockstep and share
 * batches. Non-finite values are allowed (read as +Infinity, i.e. worse than any finite value).
 */

export interface NelderMeadOptions {
  /** Most function evaluations (default 200 + 200 n). */
  maxEvaluations?: number;
  /** Converged when the simplex's value range is below fTol (1 + |best|) ... (default 1e-10) */
  fTol?: number;
  /** ... and every vertex is within xTol of the best in every coordinate (default 1e-8). */
  xTol?: number;
  /** Fresh simplexes started from the best point after convergence, to escape a collapse (default 2). */
  restarts?: number;
}

export interface NelderMeadResult {
  x: Float64Array;
  f: number;
  evaluations: number;
  converged: boolean;
}

/** A minimisation in progress: each `next(values)` answers the previous batch. */
export type NelderMeadRun = Generator<Float64Array[], NelderMeadResult, Float64Array>;

export function* nelderMead(
  x0: Float64Array,
  step: ArrayLike<number>,
  options: NelderMeadOptions = {},
): NelderMeadRun {
  const n = x0.length;
  const maxEvaluations = options.maxEvaluations ?? 200 + 200 * n;
  const fTol = options.fTol ?? 1e-10;
  const xTol = options.xTol ?? 1e-8;
  const restarts = options.restarts ?? 2;
  const alpha = 1;
  const gamma = n >= 2 ? 1 + 2 / n : 2;
  const rho = n >= 2 ? 0.75 - 1 / (2 * n) : 0.5;
  const sigma = n >= 2 ? 1 - 1 / n : 0.5;
  const clean = (v: number): number => (Number.isNaN(v) || v === -Infinity ? Infinity : v);
  let evaluations = 0;
  const ask = function* (points: Float64Array[]): Generator<Float64Array[], Float64Array, Float64Array> {
    const values = yield points;
    evaluations += points.length;
    return values.map(clean);
  };

  if (n === 0) {
    const [f] = yield* ask([Float64Array.from(x0)]);
    return { x: Float64Array.from(x0), f: f!, evaluations, converged: true };
  }

  let bestX = Float64Array.from(x0);
  let bestF = Infinity;
  let converged = false;
  for (let round = 0; round <= restarts && evaluations < maxEvaluations; round++) {
    // Initial simplex around the current best.
    const simplex: Float64Array[] = [Float64Array.from(bestX)];
    for (let j = 0; j < n; j++) {
      const v = Float64Array.from(bestX);
      v[j] = v[j]! + (step[j]! || 1e-3);
      simplex.push(v);
    }
    const fs = Array.from(yield* ask(simplex));
    const before = Math.min(bestF, fs[0]!);
    converged = false;
    while (evaluations < maxEvaluations) {
      // Order vertices by value (stable: ties keep their order, so runs are reproducible).
      const order = fs.map((_, i) => i).sort((a, b) => fs[a]! - fs[b]! || a - b);
      const sx = order.map((i) => simplex[i]!);
      const sf = order.map((i) => fs[i]!);
      simplex.splice(0, simplex.length, ...sx);
      fs.splice(0, fs.length, ...sf);
      const fBest = fs[0]!;
      const fWorst = fs[n]!;
      let spread = 0;
      for (let i = 1; i <= n; i++) {
        for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(simplex[i]![j]! - simplex[0]![j]!));
      }
      if (Number.isFinite(fWorst) && fWorst - fBest <= fTol * (1 + Math.abs(fBest)) && spread <= xTol) {
        converged = true;
        break;
      }
      const centroid = new Float64Array(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) centroid[j] = centroid[j]! + simplex[i]![j]! / n;
      const along = (t: number): Float64Array => {
        const p = new Float64Array(n);
        for (let j = 0; j < n; j++) p[j] = centroid[j]! + t * (simplex[n]![j]! - centroid[j]!);
        return p;
      };
      const xr = along(-alpha);
      const [fr] = yield* ask([xr]);
      if (fr! < fs[0]!) {
        const xe = along(-alpha * gamma);
        const [fe] = yield* ask([xe]);
        if (fe! < fr!) replaceWorst(simplex, fs, xe, fe!);
        else replaceWorst(simplex, fs, xr, fr!);
        continue;
      }
      if (fr! < fs[n - 1]!) {
        replaceWorst(simplex, fs, xr, fr!);
        continue;
      }
      // Contraction: outside when the reflection beat the worst, inside otherwise.
      const outside = fr! < fWorst;
      const xc = along(outside ? -alpha * rho : rho);
      const [fc] = yield* ask([xc]);
      if (outside ? fc! <= fr! : fc! < fWorst) {
        replaceWorst(simplex, fs, xc, fc!);
        continue;
      }
      // Shrink towards the best vertex.
      const shrunk: Float64Array[] = [];
      for (let i = 1; i <= n; i++) {
        const p = new Float64Array(n);
        for (let j = 0; j < n; j++) p[j] = simplex[0]![j]! + sigma * (simplex[i]![j]! - simplex[0]![j]!);
        shrunk.push(p);
      }
      const fsh = yield* ask(shrunk);
      for (let i = 1; i <= n; i++) {
        simplex[i] = shrunk[i - 1]!;
        fs[i] = fsh[i - 1]!;
      }
    }
    let k = 0;
    for (let i = 1; i < fs.length; i++) if (fs[i]! < fs[k]!) k = i;
    if (fs[k]! < bestF) {
      bestF = fs[k]!;
      bestX = Float64Array.from(simplex[k]!);
    }
    // A restart that gains nothing measurable ends the search.
    if (round > 0 && !(before - bestF > fTol * (1 + Math.abs(bestF)))) break;
  }
  return { x: bestX, f: bestF, evaluations, converged };
}

function replaceWorst(simplex: Float64Array[], fs: number[], x: Float64Array, f: number): void {
  simplex[simplex.length - 1] = x;
  fs[fs.length - 1] = f;
}

/**
 * Drive several runs in lockstep: each round gathers every active run's requested points into one
 * batch for `evaluate` (which may return null to stop), then hands each run its share of values.
 * Returns each run's result, or null for runs stopped before finishing.
 */
export async function runLockstep(
  runs: NelderMeadRun[],
  evaluate: (batch: Float64Array[]) => Promise<Float64Array | null>,
): Promise<(NelderMeadResult | null)[]> {
  const results: (NelderMeadResult | null)[] = runs.map(() => null);
  const pending: (Float64Array[] | null)[] = runs.map((run, i) => {
    const step = run.next(new Float64Array(0));
    if (step.done) {
      results[i] = step.value;
      return null;
    }
    return step.value;
  });
  while (pending.some((p) => p)) {
    const batch: Float64Array[] = [];
    for (const p of pending) if (p) batch.push(...p);
    const values = await evaluate(batch);
    if (!values) return results;
    let offset = 0;
    pending.forEach((p, i) => {
      if (!p) return;
      const step = runs[i]!.next(values.subarray(offset, offset + p.length));
      offset += p.length;
      if (step.done) {
        results[i] = step.value;
        pending[i] = null;
      } else {
        pending[i] = step.value;
      }
    });
  }
  return results;
}
