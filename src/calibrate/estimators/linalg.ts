/** Small dense linear algebra on row-major Float64Arrays (d x d, d up to a few dozen). */

/** Lower Cholesky factor of a symmetric positive-definite matrix, or null when it is not. */
export function cholesky(a: Float64Array, d: number): Float64Array | null {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        l[i * d + i] = Math.sqrt(s);
      } else {
        l[i * d + j] = s / l[j * d + j]!;
      }
    }
  }
  return l;
}

/** Inverse of a symmetric positive-definite matrix through its Cholesky factor, or null. */
export function inverseSpd(a: Float64Array, d: number): Float64Array | null {
  const l = cholesky(a, d);
  if (!l) return null;
  // Invert L (lower triangular), then A^-1 = L^-T L^-1.
  const li = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    li[i * d + i] = 1 / l[i * d + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * d + k]! * li[k * d + j]!;
      li[i * d + j] = s / l[i * d + i]!;
    }
  }
  const inv = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += li[k * d + i]! * li[k * d + j]!;
      inv[i * d + j] = s;
      inv[j * d + i] = s;
    }
  }
  return inv;
}

/** out = x + L z (L lower triangular), the step of a correlated normal draw. */
export function addLowerTimes(x: Float64Array, l: Float64Array, z: Float64Array, out: Float64Array): void {
  const d = x.length;
  for (let i = 0; i < d; i++) {
    let s = x[i]!;
    for (let k = 0; k <= i; k++) s += l[i * d + k]! * z[k]!;
    out[i] = s;
  }
}

/** Weighted mean and covariance (weights normalised; absent = equal) of points. */
export function meanCovariance(
  points: readonly Float64Array[],
  weights?: ArrayLike<number>,
): { mean: Float64Array; cov: Float64Array } {
  const n = points.length;
  const d = points[0]!.length;
  const mean = new Float64Array(d);
  const cov = new Float64Array(d * d);
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    sw += w;
    sw2 += w * w;
    const p = points[i]!;
    for (let j = 0; j < d; j++) mean[j] = mean[j]! + w * p[j]!;
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / sw;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    const p = points[i]!;
    for (let a = 0; a < d; a++) {
      const da = p[a]! - mean[a]!;
      for (let b = 0; b <= a; b++) cov[a * d + b] = cov[a * d + b]! + w * da * (p[b]! - mean[b]!);
    }
  }
  // Unbiased for reliability weights: divide by sw - sw2/sw (n - 1 for equal weights).
  const denom = sw - sw2 / sw;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const v = denom > 0 ? cov[a * d + b]! / denom : 0;
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}
