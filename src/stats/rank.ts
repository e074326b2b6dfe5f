/**
 * The one rank correlation (Spearman's rho) used by the server, the pages, the reports and the
 * CLI. Ties get the mean of the ranks they span (fractional ranking), so rho is the Pearson
 * correlation of the ranks, and it stays in [-1, 1] with ties. Pairs with a non-finite value are
 * dropped; rho is 0 when fewer than three pairs remain or either side is constant. Pure.
 */

/** Fractional ranks (0-based): tied values share the mean of their positions. */
export function fractionalRanks(values: ArrayLike<number>): number[] {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return ranks;
}

/** The pairs of x and y where both are finite. */
function finitePairs(x: ArrayLike<number>, y: ArrayLike<number>): [number[], number[]] {
  const xs: number[] = [];
  const ys: number[] = [];
  const n0 = Math.min(x.length, y.length);
  for (let i = 0; i < n0; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i]!);
      ys.push(y[i]!);
    }
  }
  return [xs, ys];
}

/** Spearman's rank correlation of x and y over the pairs where both are finite. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const [xs, ys] = finitePairs(x, y);
  const n = xs.length;
  if (n < 3) return 0;
  const rx = fractionalRanks(xs);
  const ry = fractionalRanks(ys);
  const mean = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i]! - mean) * (ry[i]! - mean);
    sxx += (rx[i]! - mean) ** 2;
    syy += (ry[i]! - mean) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
}

/**
 * The correlation ratio (eta squared) of y on x binned by rank: the share of the variance of y
 * explained by the means of y within `bins` equal-count bins of x. Unlike rho it sees a relation
 * that is not monotonic (a ridge, a peak); 0 when x tells nothing about y, 1 when y is constant
 * within every bin and differs between them. Pairs with a non-finite value are dropped; 0 when
 * fewer than two pairs per bin remain or y is constant.
 */
export function correlationRatio(x: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  const [xs, ys] = finitePairs(x, y);
  const n = xs.length;
  if (!(bins >= 1) || n < 2 * bins) return 0;
  const rx = fractionalRanks(xs);
  const sum = new Float64Array(bins);
  const count = new Float64Array(bins);
  const binOf = (i: number) => Math.min(bins - 1, Math.floor(((rx[i]! + 0.5) / n) * bins));
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const b = binOf(i);
    sum[b] += ys[i]!;
    count[b]++;
    mean += ys[i]!;
  }
  mean /= n;
  let between = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const b = binOf(i);
    between += (sum[b]! / count[b]! - mean) ** 2;
    total += (ys[i]! - mean) ** 2;
  }
  return total > 0 ? between / total : 0;
}
