/**
 * Compact analysis used by the workbench's own experiments: quantiles, rank correlation and a
 * PRIM peeling trajectory. Pure functions over plain arrays.
 */
import { latinHypercubeDesign } from '../experiments/samplers.js';

/** A seeded Latin hypercube over the given ranges, from the experiments module's sampler. */
export function latinHypercube(n: number, ranges: [number, number][], seed: number): number[][] {
  const design = latinHypercubeDesign(n, ranges.length, seed);
  const unit = new Float64Array(ranges.length);
  return Array.from({ length: n }, (_, i) => {
    design.row(i, unit);
    return ranges.map(([lo, hi], k) => lo + unit[k]! * (hi - lo));
  });
}

/** Quantiles of the finite values (linear interpolation); NaN when there are none. */
export function quantiles(values: ArrayLike<number>, probs: number[]): number[] {
  const v = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (!v.length) return probs.map(() => NaN);
  return probs.map((p) => {
    const x = p * (v.length - 1);
    const lo = Math.floor(x);
    const hi = Math.min(lo + 1, v.length - 1);
    return v[lo]! + (v[hi]! - v[lo]!) * (x - lo);
  });
}

function ranks(v: number[]): number[] {
  const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    for (let k = i; k <= j; k++) r[idx[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

/** Spearman rank correlation over pairs where both values are finite (0 when undefined). */
export function spearman(x: number[], y: number[]): number {
  const pairs = x
    .map((xi, i) => [xi, y[i]!] as const)
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (pairs.length < 3) return 0;
  const rx = ranks(pairs.map((p) => p[0]));
  const ry = ranks(pairs.map((p) => p[1]));
  const n = pairs.length;
  const mx = rx.reduce((a, b) => a + b, 0) / n;
  const my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
}

export interface PrimStep {
  coverage: number;
  density: number;
  mass: number;
  box: [number, number][];
}

/**
 * PRIM peeling (Friedman and Fisher): repeatedly cut the alpha share of points off the one box
 * edge whose removal raises the density of interesting points most, until the box holds fewer
 * than minMass of the points. Returns the trajectory and the step chosen (highest density with
 * coverage at least 0.5, else the first step).
 */
export function primPeel(
  x: number[][],
  interest: boolean[],
  ranges: [number, number][],
  alpha = 0.05,
  minMass = 0.05,
): { trajectory: PrimStep[]; chosen: number } {
  const n = x.length;
  const totalInterest = interest.filter(Boolean).length;
  let inside = Array.from({ length: n }, (_, i) => i);
  const box: [number, number][] = ranges.map(([lo, hi]) => [lo, hi]);
  const stats = (idx: number[]) => {
    const hits = idx.filter((i) => interest[i]).length;
    return {
      coverage: totalInterest ? hits / totalInterest : 0,
      density: idx.length ? hits / idx.length : 0,
    };
  };
  const trajectory: PrimStep[] = [
    { ...stats(inside), mass: 1, box: box.map((b) => [...b] as [number, number]) },
  ];
  while (inside.length / n > minMass && totalInterest > 0) {
    let best: { idx: number[]; dim: number; side: 0 | 1; cut: number; density: number } | undefined;
    for (let d = 0; d < box.length; d++) {
      const vals = inside.map((i) => x[i]![d]!).sort((a, b) => a - b);
      const k = Math.max(1, Math.floor(alpha * vals.length));
      // Peel at least the alpha share, and every point tied with the last one peeled, so that
      // repeated values (discrete designs) cannot stall the search.
      const lowEdge = vals[k - 1]!;
      const highEdge = vals[vals.length - k]!;
      for (const side of [0, 1] as const) {
        const idx = inside.filter((i) => (side === 0 ? x[i]![d]! > lowEdge : x[i]![d]! < highEdge));
        if (idx.length === inside.length || !idx.length) continue;
        const { density } = stats(idx);
        if (!best || density > best.density) {
          const kept = idx.map((i) => x[i]![d]!);
          best = { idx, dim: d, side, cut: side === 0 ? Math.min(...kept) : Math.max(...kept), density };
        }
      }
    }
    if (!best) break;
    inside = best.idx;
    box[best.dim]![best.side] = best.cut;
    trajectory.push({
      ...stats(inside),
      mass: inside.length / n,
      box: box.map((b) => [...b] as [number, number]),
    });
  }
  let chosen = 0;
  trajectory.forEach((s, i) => {
    if (s.coverage >= 0.5 && s.density > trajectory[chosen]!.density) chosen = i;
  });
  return { trajectory, chosen };
}
