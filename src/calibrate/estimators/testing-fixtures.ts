/**
 * Targets with known posteriors for the estimators' tests. Each likelihood is computed in the test
 * process, batched like the real one; `reorder` evaluates each batch in reversed order and puts the
 * results back, to show that estimators depend only on the values, not on evaluation order.
 */
import type { Rng } from '../../experiments/rng.js';
import { standardNormal } from './random.js';
import { cholesky, inverseSpd } from './linalg.js';
import type { Target } from './types.js';
import type { ParameterSummary } from './diagnostics.js';

export interface TestTarget extends Target {
  /** Count of likelihood evaluations asked for. */
  calls: { points: number; batches: number };
}

type PointLogLik = (x: Float64Array) => number;

function batched(f: PointLogLik, reorder: boolean, calls: TestTarget['calls']): Target['logLikelihood'] {
  return async (batch) => {
    calls.points += batch.length;
    calls.batches++;
    const out = new Float64Array(batch.length);
    if (reorder) {
      const done: [number, number][] = [];
      for (let i = batch.length - 1; i >= 0; i--) done.push([i, f(batch[i]!)]);
      done.sort((a, b) => a[0] - b[0]);
      done.forEach(([i, v]) => (out[i] = v));
    } else {
      batch.forEach((x, i) => (out[i] = f(x)));
    }
    return out;
  };
}

/** Uniform prior on a box (log density normalised). */
function boxTarget(
  names: string[],
  lower: number[],
  upper: number[],
  f: PointLogLik,
  reorder = false,
): TestTarget {
  const logVolume = lower.reduce((s, lo, j) => s + Math.log(upper[j]! - lo), 0);
  const calls = { points: 0, batches: 0 };
  return {
    names,
    lower,
    upper,
    logPrior: (x) => {
      for (let j = 0; j < x.length; j++) if (!(x[j]! >= lower[j]! && x[j]! <= upper[j]!)) return -Infinity;
      return -logVolume;
    },
    samplePrior: (rng: Rng, out) => {
      for (let j = 0; j < out.length; j++) out[j] = lower[j]! + rng.next() * (upper[j]! - lower[j]!);
    },
    logLikelihood: batched(f, reorder, calls),
    calls,
  };
}

/** Covariance from standard deviations and a correlation matrix (row-major). */
export function covariance(sd: number[], corr: number[][]): Float64Array {
  const d = sd.length;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] = sd[i]! * sd[j]! * corr[i]![j]!;
  return cov;
}

/**
 * A correlated Gaussian likelihood N(mean, cov) under a uniform prior 20 sd wide each way: the
 * posterior is the Gaussian itself (the truncation removes mass below 1e-80).
 */
export function gaussianTarget(
  mean: number[],
  cov: Float64Array,
  opts: { reorder?: boolean } = {},
): TestTarget {
  const d = mean.length;
  const inverse = inverseSpd(cov, d);
  if (!inverse) throw new RangeError('gaussianTarget: the covariance is not positive definite');
  const precision = inverse;
  const sd = mean.map((_, j) => Math.sqrt(cov[j * d + j]!));
  const f: PointLogLik = (x) => {
    let q = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) q += (x[i]! - mean[i]!) * precision[i * d + j]! * (x[j]! - mean[j]!);
    }
    return -0.5 * q;
  };
  return boxTarget(
    mean.map((_, j) => `x${j + 1}`),
    mean.map((m, j) => m - 20 * sd[j]!),
    mean.map((m, j) => m + 20 * sd[j]!),
    f,
    opts.reorder,
  );
}

/** Conjugate normal model: prior N(m0, s0^2) on theta, data y_i ~ N(theta, sigma^2), sigma known. */
export interface Conjugate {
  target: TestTarget;
  postMean: number;
  postSd: number;
  /** log p(y), the marginal likelihood in closed form. */
  logEvidence: number;
}

export function conjugateNormal(m0: number, s0: number, sigma: number, y: number[]): Conjugate {
  const n = y.length;
  const ybar = y.reduce((a, b) => a + b, 0) / n;
  const postPrec = 1 / (s0 * s0) + n / (sigma * sigma);
  const postMean = (m0 / (s0 * s0) + (n * ybar) / (sigma * sigma)) / postPrec;
  const ss = y.reduce((a, v) => a + (v - ybar) ** 2, 0);
  // y ~ N(m0 1, sigma^2 I + s0^2 1 1'): determinant and quadratic form by the matrix determinant lemma.
  const logEvidence =
    -0.5 * n * Math.log(2 * Math.PI * sigma * sigma) -
    0.5 * Math.log(1 + (n * s0 * s0) / (sigma * sigma)) -
    ss / (2 * sigma * sigma) -
    (n * (ybar - m0) ** 2) / (2 * (sigma * sigma + n * s0 * s0));
  const calls = { points: 0, batches: 0 };
  const logNorm = -0.5 * Math.log(2 * Math.PI);
  const target: TestTarget = {
    names: ['theta'],
    lower: [-Infinity],
    upper: [Infinity],
    logPrior: (x) => logNorm - Math.log(s0) - 0.5 * ((x[0]! - m0) / s0) ** 2,
    samplePrior: (rng, out) => {
      out[0] = m0 + s0 * standardNormal(rng);
    },
    logLikelihood: batched(
      (x) => {
        let s = 0;
        for (const v of y) s += logNorm - Math.log(sigma) - 0.5 * ((v - x[0]!) / sigma) ** 2;
        return s;
      },
      false,
      calls,
    ),
    calls,
  };
  return { target, postMean, postSd: 1 / Math.sqrt(postPrec), logEvidence };
}

/** Uniform prior on [0, 1] and k successes in n trials: the posterior is Beta(k + 1, n - k + 1). */
export function binomialTarget(k: number, n: number): { target: TestTarget; mean: number; sd: number } {
  const a = k + 1;
  const b = n - k + 1;
  const target = boxTarget(['p'], [0], [1], (x) => k * Math.log(x[0]!) + (n - k) * Math.log(1 - x[0]!));
  return { target, mean: a / (a + b), sd: Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1))) };
}

/**
 * A banana (Rosenbrock-shaped) posterior: log p = -(x - 1)^2 / 2 - 5 (y - x^2)^2 on a wide box. The
 * mode is (1, 1); x is exactly N(1, 1) (the inner integral over y does not depend on x while the box
 * covers x^2 +- 10 conditional sd), so E[y] = E[x^2] = 2.
 */
export function bananaTarget(): TestTarget {
  return boxTarget(
    ['x', 'y'],
    [-6, -5],
    [6, 45],
    (p) => -0.5 * (p[0]! - 1) ** 2 - 5 * (p[1]! - p[0]! ** 2) ** 2,
  );
}

/** Independent normal draws with a given mean and covariance (for tests of reweighting). */
export function drawGaussian(rng: Rng, mean: number[], cov: Float64Array, n: number): Float64Array[] {
  const d = mean.length;
  const l = cholesky(cov, d)!;
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const z = mean.map(() => standardNormal(rng));
    const x = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let s = mean[a]!;
      for (let b = 0; b <= a; b++) s += l[a * d + b]! * z[b]!;
      x[a] = s;
    }
    out.push(x);
  }
  return out;
}

export { boxTarget };

/** A 5-D Gaussian with mixed correlations and scales spanning a factor of 20. */
export const MEAN5 = [0, 1, 2, 3, 4];
export const SD5 = [1, 2, 0.5, 3, 10];
export const CORR5 = [
  [1, 0.8, 0.3, 0, 0],
  [0.8, 1, 0.5, 0, 0],
  [0.3, 0.5, 1, -0.4, 0],
  [0, 0, -0.4, 1, 0.6],
  [0, 0, 0, 0.6, 1],
];

/**
 * The parameters whose mean is further than `meanTol` sd from the truth or whose sd is off by more
 * than `sdTol` (relative), as readable lines: a test expects an empty list.
 */
export function momentMismatches(
  summary: Record<string, ParameterSummary>,
  mean: readonly number[],
  sd: readonly number[],
  meanTol: number,
  sdTol: number,
): string[] {
  const out: string[] = [];
  Object.entries(summary).forEach(([name, s], j) => {
    const meanOff = Math.abs(s.mean - mean[j]!) / sd[j]!;
    const sdOff = Math.abs(s.sd / sd[j]! - 1);
    if (!(meanOff < meanTol)) out.push(`${name}: mean ${s.mean} is ${meanOff.toFixed(3)} sd from ${mean[j]}`);
    if (!(sdOff < sdTol)) out.push(`${name}: sd ${s.sd} is ${(100 * sdOff).toFixed(1)}% from ${sd[j]}`);
  });
  return out;
}
