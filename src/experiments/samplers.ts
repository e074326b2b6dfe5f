/**
 * Experimental designs on the unit hypercube. A design is a pure function row index -> point,
 * so any chunk of rows can be produced by any worker (or machine) and the result never depends
 * on scheduling. Distributions map the unit values to input values afterwards.
 */
import { Rng, hashSeed } from './rng.js';
import { SOBOL_MAX_DIMENSIONS, SOBOL_MAX_POINTS, SobolSequence } from './sobol-sequence.js';

export const SAMPLING_METHODS = ['mc', 'lhs', 'sobol', 'morris', 'factorial'] as const;
export type SamplingMethod = (typeof SAMPLING_METHODS)[number];

export interface UnitDesign {
  readonly method: SamplingMethod;
  readonly rows: number;
  readonly dims: number;
  /** Write row `index` (0 <= index < rows) into `out` (length >= dims). */
  row(index: number, out: Float64Array): void;
}

// Stream identifiers keep the random streams of different purposes apart.
const STREAM_MC = 1;
const STREAM_LHS_PERMUTATION = 2;
const STREAM_LHS_JITTER = 3;
const STREAM_MORRIS = 4;
const STREAM_SOBOL = 5;

export function monteCarloDesign(samples: number, dims: number, seed: number): UnitDesign {
  return {
    method: 'mc',
    rows: samples,
    dims,
    row(index, out) {
      const rng = new Rng(seed, STREAM_MC, index);
      for (let d = 0; d < dims; d++) out[d] = rng.nextOpen();
    },
  };
}

/** Latin hypercube: each column's N strata [k/N, (k+1)/N) receive exactly one point each. */
export function latinHypercubeDesign(samples: number, dims: number, seed: number): UnitDesign {
  const strata: Uint32Array[] = [];
  for (let d = 0; d < dims; d++) strata.push(new Rng(seed, STREAM_LHS_PERMUTATION, d).permutation(samples));
  return {
    method: 'lhs',
    rows: samples,
    dims,
    row(index, out) {
      const rng = new Rng(seed, STREAM_LHS_JITTER, index);
      for (let d = 0; d < dims; d++) out[d] = (strata[d][index] + rng.nextOpen()) / samples;
    },
  };
}

/**
 * Saltelli's scheme on a scrambled Sobol' sequence of 2D dimensions (A = first D columns,
 * B = last D), laid out per base point i as in SALib: A_i, AB_i^(1..D), [BA_i^(1..D)], B_i.
 * N (samples) base points give N(2D+2) rows with second order, N(D+2) without.
 */
export function saltelliDesign(
  samples: number,
  dims: number,
  seed: number,
  secondOrder: boolean,
): UnitDesign {
  if (2 * dims > SOBOL_MAX_DIMENSIONS) {
    throw new RangeError(
      `Sobol' sampling supports at most ${SOBOL_MAX_DIMENSIONS / 2} uncertainties (got ${dims})`,
    );
  }
  if (samples > SOBOL_MAX_POINTS) throw new RangeError(`Sobol' sampling supports at most 2^32 base samples`);
  const sequence = new SobolSequence(2 * dims, { scrambleSeed: hashSeed(seed, STREAM_SOBOL) });
  const block = secondOrder ? 2 * dims + 2 : dims + 2;
  const base = new Float64Array(2 * dims);
  let cachedBase = -1;
  return {
    method: 'sobol',
    rows: samples * block,
    dims,
    row(index, out) {
      const i = Math.floor(index / block);
      const k = index - i * block;
      if (i !== cachedBase) {
        sequence.point(i, base);
        cachedBase = i;
      }
      const fromB = (d: number): number => base[dims + d];
      if (k === 0) {
        for (let d = 0; d < dims; d++) out[d] = base[d];
      } else if (k === block - 1) {
        for (let d = 0; d < dims; d++) out[d] = fromB(d);
      } else if (k <= dims) {
        // AB_j: A with column j taken from B.
        for (let d = 0; d < dims; d++) out[d] = base[d];
        out[k - 1] = fromB(k - 1);
      } else {
        // BA_j: B with column j taken from A.
        const j = k - dims - 1;
        for (let d = 0; d < dims; d++) out[d] = fromB(d);
        out[j] = base[j];
      }
    },
  };
}

/**
 * Morris elementary-effects trajectories (Morris 1991): N trajectories of D+1 points on a
 * p-level grid, each step moving one input by Delta = p / (2(p-1)).
 */
export function morrisDesign(trajectories: number, dims: number, seed: number, levels = 4): UnitDesign {
  if (!Number.isInteger(levels) || levels < 2 || levels % 2 !== 0) {
    throw new RangeError(`Morris levels must be an even integer >= 2, got ${levels}`);
  }
  const delta = levels / (2 * (levels - 1));
  const start = new Float64Array(dims);
  const order = new Uint32Array(dims);
  const signs = new Float64Array(dims);
  let cached = -1;
  const build = (t: number): void => {
    const rng = new Rng(seed, STREAM_MORRIS, t);
    const perm = rng.permutation(dims);
    for (let d = 0; d < dims; d++) {
      // Base on the lower half of the grid so that base + Delta stays within [0, 1].
      const base = rng.int(levels / 2) / (levels - 1);
      const up = rng.nextUint32() & 1;
      signs[d] = up ? 1 : -1;
      start[d] = up ? base : base + delta;
      order[d] = perm[d];
    }
    cached = t;
  };
  return {
    method: 'morris',
    rows: trajectories * (dims + 1),
    dims,
    row(index, out) {
      const t = Math.floor(index / (dims + 1));
      const step = index - t * (dims + 1);
      if (t !== cached) build(t);
      for (let d = 0; d < dims; d++) out[d] = start[d];
      for (let s = 0; s < step; s++) {
        const d = order[s];
        out[d] = start[d] + signs[d] * delta;
      }
    },
  };
}

/**
 * Full factorial: every combination of per-input levels. A continuous input with L levels takes
 * k/(L-1) (both ends of its range); a discrete input takes the mid-point of each of its L cells so
 * that each category or integer appears once.
 */
export function factorialDesign(levels: number[], discrete: boolean[]): UnitDesign {
  const dims = levels.length;
  let rows = 1;
  for (const l of levels) rows *= l;
  return {
    method: 'factorial',
    rows,
    dims,
    row(index, out) {
      let rest = index;
      // Last input varies fastest.
      for (let d = dims - 1; d >= 0; d--) {
        const l = levels[d];
        const k = rest % l;
        rest = Math.floor(rest / l);
        out[d] = discrete[d] ? (k + 0.5) / l : l === 1 ? 0.5 : k / (l - 1);
      }
    },
  };
}
