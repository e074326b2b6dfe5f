/**
 * Convergence and summary statistics for draws: split, rank-normalised R-hat and bulk/tail
 * effective sample size (Vehtari, Gelman, Simpson, Carpenter and Bürkner 2021, "Rank-normalization,
 * folding, and localization: an improved R-hat"), the effective sample size of importance weights
 * (Kish 1965), and weighted mean, sd and quantiles. Chains are arrays of draws of one scalar.
 */
import { normalQuantile } from '../../experiments/distributions.js';

type Chains = readonly ArrayLike<number>[];

// ---------------------------------------------------------------- chain preparation

/** Cut every chain to the shortest length (diagnostics need equal lengths). */
function equalLength(chains: Chains): Float64Array[] {
  if (!chains.length) return [];
  let n = Infinity;
  for (const c of chains) n = Math.min(n, c.length);
  return chains.map((c) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = c[i]!;
    return out;
  });
}

/** Each chain split into its first and second halves (the middle draw of an odd chain is dropped). */
export function splitChains(chains: Chains): Float64Array[] {
  const out: Float64Array[] = [];
  for (const c of equalLength(chains)) {
    const half = Math.floor(c.length / 2);
    out.push(c.slice(0, half), c.slice(c.length - half));
  }
  return out;
}

/**
 * Rank normalisation: pooled ranks (ties share their average rank) mapped through the normal
 * quantile at (r - 3/8) / (S + 1/4), Blom's offset, as the paper recommends.
 */
export function rankNormalise(chains: Chains, sortedPool?: Float64Array): Float64Array[] {
  const total = chains.reduce((a, c) => a + c.length, 0);
  const sorted = sortedPool ?? pool(chains).sort();
  // The average 1-based rank of v: the mean of its first and last positions in the sorted values.
  const rankOf = (v: number): number => {
    let lo = 0;
    let hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    return (first + lo - 1) / 2 + 1;
  };
  return chains.map((c) => {
    const z = new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) z[i] = normalQuantile((rankOf(c[i]!) - 0.375) / (total + 0.25));
    return z;
  });
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** 2;
  return s / (x.length - 1);
}

// ---------------------------------------------------------------- R-hat

/** The classic potential scale reduction factor (Gelman and Rubin 1992) of equal-length chains. */
export function rhatBasic(chains: Chains): number {
  const cs = equalLength(chains);
  const m = cs.length;
  const n = cs[0]?.length ?? 0;
  if (m < 2 || n < 2) return NaN;
  const means = cs.map(mean);
  const w = mean(cs.map(variance));
  const b = n * variance(means);
  if (!(w > 0)) return b > 0 ? Infinity : NaN;
  const varPlus = ((n - 1) / n) * w + b / n;
  return Math.sqrt(varPlus / w);
}

/**
 * R-hat of Vehtari et al. (2021): the larger of the bulk R-hat (split chains, rank-normalised) and
 * the tail R-hat (the same on values folded about the pooled median). Near 1 when chains agree;
 * they recommend trusting draws only below 1.01.
 */
export function rhat(chains: Chains): number {
  return chainDiagnostics(chains).rhat;
}

function pool(chains: Chains): Float64Array {
  const n = chains.reduce((a, c) => a + c.length, 0);
  const out = new Float64Array(n);
  let k = 0;
  for (const c of chains) for (let i = 0; i < c.length; i++) out[k++] = c[i]!;
  return out;
}

// ---------------------------------------------------------------- effective sample size

/** In-place iterative radix-2 FFT of (re, im), length a power of two. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

/** Autocovariance at lags 0..n-1 with the 1/n normalisation (biased, positive semi-definite). */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const m = mean(x);
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i]! - m;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t]! / n;
  return out;
}

/**
 * Autocovariance computed on demand: lag by lag directly while few lags are needed (chains that
 * mix well stop the sum early), all lags at once by FFT when the sum runs long.
 */
class LazyAutocovariance {
  private readonly centred: Float64Array;
  private readonly cache: Float64Array;
  private full = false;
  private readonly directLimit: number;

  constructor(x: ArrayLike<number>) {
    const m = mean(x);
    this.centred = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) this.centred[i] = x[i]! - m;
    this.cache = new Float64Array(x.length).fill(NaN);
    this.directLimit = 4 * Math.ceil(Math.log2(x.length + 1));
  }

  at(t: number): number {
    if (!this.full && t > this.directLimit) {
      this.cache.set(autocovariance(this.centred));
      this.full = true;
    }
    let v = this.cache[t]!;
    if (Number.isNaN(v)) {
      const x = this.centred;
      const n = x.length;
      let s = 0;
      for (let i = 0; i + t < n; i++) s += x[i]! * x[i + t]!;
      v = s / n;
      this.cache[t] = v;
    }
    return v;
  }
}

/**
 * Effective sample size of equal-length chains: the multi-chain autocorrelation of Vehtari et al.
 * (2021, eq. 10, combining within- and between-chain variance), summed over Geyer's (1992) initial
 * positive and monotone sequence of lag pairs. Capped at S log10(S) as the paper does for
 * antithetic chains. Not rank-normalised: see `essBulk` and `essTail` for the robust versions.
 */
export function ess(chains: Chains): number {
  const cs = equalLength(chains);
  const m = cs.length;
  const n = cs[0]?.length ?? 0;
  if (m < 1 || n < 4) return NaN;
  const acovs = cs.map((c) => new LazyAutocovariance(c));
  const chainVar = acovs.map((a) => (a.at(0) * n) / (n - 1));
  const w = mean(chainVar);
  const between = m > 1 ? variance(cs.map(mean)) : 0;
  const varPlus = ((n - 1) / n) * w + between;
  if (!(varPlus > 0)) return NaN;
  const rho = (t: number): number => {
    let s = 0;
    for (const a of acovs) s += a.at(t);
    return 1 - (w - s / m) / varPlus;
  };
  // Sum pairs P_k = rho(2k) + rho(2k+1) while positive, each no larger than the one before.
  let sum = 0;
  let prev = Infinity;
  for (let k = 0; 2 * k + 1 < n; k++) {
    let p = (k === 0 ? 1 : rho(2 * k)) + rho(2 * k + 1);
    if (!(p > 0)) break;
    if (p > prev) p = prev;
    sum += p;
    prev = p;
  }
  const total = m * n;
  const tau = Math.max(-1 + 2 * sum, 1 / Math.log10(total));
  return total / tau;
}

/** Bulk effective sample size: `ess` of the rank-normalised split chains (Vehtari et al. 2021). */
export function essBulk(chains: Chains): number {
  return chainDiagnostics(chains).essBulk;
}

/**
 * Tail effective sample size: the smaller ESS of the indicators of being below the pooled 5% and
 * 95% quantiles, on split chains (Vehtari et al. 2021): how well the 90% interval's ends are known.
 */
export function essTail(chains: Chains): number {
  return chainDiagnostics(chains).essTail;
}

export interface ChainDiagnostics {
  rhat: number;
  essBulk: number;
  essTail: number;
}

/**
 * R-hat, bulk ESS and tail ESS of one quantity's chains together, sharing the split chains, the
 * sorted pool and the rank normalisation (what `rhat`, `essBulk` and `essTail` each compute).
 */
export function chainDiagnostics(chains: Chains): ChainDiagnostics {
  const split = splitChains(chains);
  if (split.length < 2 || split[0]!.length < 2) return { rhat: NaN, essBulk: NaN, essTail: NaN };
  const sorted = pool(split).sort();
  const z = rankNormalise(split, sorted);
  const med = hazen(sorted, 0.5);
  const folded = split.map((c) => c.map((v) => Math.abs(v - med)));
  const rhatValue = Math.max(rhatBasic(z), rhatBasic(rankNormalise(folded)));
  let tail = Infinity;
  for (const p of [0.05, 0.95]) {
    const q = hazen(sorted, p);
    tail = Math.min(tail, ess(split.map((c) => c.map((v) => (v <= q ? 1 : 0)))));
  }
  return { rhat: rhatValue, essBulk: ess(z), essTail: tail };
}

/** Kish's effective sample size of weights: (sum w)^2 / sum w^2. */
export function weightsEss(weights: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i]!;
    s2 += weights[i]! * weights[i]!;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}

// ---------------------------------------------------------------- weighted summaries

/** Weighted mean (weights need not be normalised; absent = equal). */
export function weightedMean(values: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    s += w * values[i]!;
    sw += w;
  }
  return sw > 0 ? s / sw : NaN;
}

/**
 * Weighted standard deviation with the reliability-weights correction (sum w - sum w^2 / sum w in
 * the denominator), which reduces to the usual n - 1 for equal weights.
 */
export function weightedSd(values: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const m = weightedMean(values, weights);
  let s = 0;
  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i]! : 1;
    if (w === 0) continue;
    s += w * (values[i]! - m) ** 2;
    sw += w;
    sw2 += w * w;
  }
  const denom = sw - sw2 / sw;
  return denom > 0 ? Math.sqrt(s / denom) : NaN;
}

/**
 * Weighted quantiles: each sorted value stands at the midpoint of its weight's share of the
 * cumulative distribution, and quantiles interpolate linearly between those points (with equal
 * weights this is Hazen's rule, (i - 1/2) / n); below the first or above the last point the
 * extreme value is returned.
 */
export function weightedQuantiles(
  values: ArrayLike<number>,
  probs: readonly number[],
  weights?: ArrayLike<number>,
): number[] {
  if (!weights) {
    const v = Float64Array.from(values)
      .filter((x) => !Number.isNaN(x))
      .sort();
    return probs.map((p) => hazen(v, p));
  }
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if ((weights ? weights[i]! : 1) > 0 && !Number.isNaN(values[i]!)) idx.push(i);
  }
  if (!idx.length) return probs.map(() => NaN);
  idx.sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const i of idx) total += weights ? weights[i]! : 1;
  const at = new Float64Array(idx.length);
  let cum = 0;
  for (let k = 0; k < idx.length; k++) {
    const w = (weights ? weights[idx[k]!]! : 1) / total;
    at[k] = cum + w / 2;
    cum += w;
  }
  return probs.map((p) => {
    if (p <= at[0]!) return values[idx[0]!]!;
    if (p >= at[idx.length - 1]!) return values[idx[idx.length - 1]!]!;
    let lo = 0;
    let hi = idx.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! <= p) lo = mid;
      else hi = mid;
    }
    const f = (p - at[lo]!) / (at[hi]! - at[lo]!);
    return values[idx[lo]!]! + f * (values[idx[hi]!]! - values[idx[lo]!]!);
  });
}

/** Hazen's rule on sorted values: value i (0-based) stands at (i + 1/2) / n. */
function hazen(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (!n) return NaN;
  const h = p * n - 0.5;
  if (h <= 0) return sorted[0]!;
  if (h >= n - 1) return sorted[n - 1]!;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * (sorted[lo + 1]! - sorted[lo]!);
}

/** Unweighted quantile (the weighted rule with equal weights). */
export function quantile(values: ArrayLike<number>, p: number): number {
  return weightedQuantiles(values, [p])[0]!;
}

export interface ParameterSummary {
  mean: number;
  sd: number;
  q05: number;
  q50: number;
  q95: number;
}

/** Mean, sd and the 5/50/95% quantiles of each parameter of a (possibly weighted) set of draws. */
export function summariseDraws(
  names: readonly string[],
  points: readonly Float64Array[],
  weights?: ArrayLike<number>,
): Record<string, ParameterSummary> {
  const out: Record<string, ParameterSummary> = {};
  names.forEach((name, j) => {
    const column = Float64Array.from(points, (p) => p[j]!);
    const [q05, q50, q95] = weightedQuantiles(column, [0.05, 0.5, 0.95], weights);
    out[name] = {
      mean: weightedMean(column, weights),
      sd: weightedSd(column, weights),
      q05: q05!,
      q50: q50!,
      q95: q95!,
    };
  });
  return out;
}

// ---------------------------------------------------------------- importance-weight tail

/**
 * Pareto k-hat of importance weights (Vehtari, Simpson, Gelman, Yao and Gabry 2024, "Pareto smoothed
 * importance sampling"): the shape of a generalised Pareto distribution fitted to the largest
 * weights, by the profile-likelihood estimator of Zhang and Stephens (2009), shrunk slightly towards
 * 0.5 as the paper does. Above about 0.7 the weights' variance is effectively infinite and the
 * reweighted estimates cannot be trusted, whatever the ESS says. NaN when the tail is too short.
 */
export function paretoK(logWeights: ArrayLike<number>): number {
  const finite: number[] = [];
  for (let i = 0; i < logWeights.length; i++) if (logWeights[i]! > -Infinity) finite.push(logWeights[i]!);
  const s = finite.length;
  const tailLength = Math.ceil(Math.min(0.2 * s, 3 * Math.sqrt(s)));
  if (tailLength < 5 || s <= tailLength) return NaN;
  const sorted = Float64Array.from(finite).sort();
  const max = sorted[s - 1]!;
  const threshold = Math.exp(sorted[s - tailLength - 1]! - max);
  const x = new Float64Array(tailLength);
  for (let i = 0; i < tailLength; i++) x[i] = Math.exp(sorted[s - tailLength + i]! - max) - threshold;
  if (!(x[tailLength - 1]! > 0)) return NaN;
  const n = tailLength;
  // Zhang and Stephens: a grid of theta = -k / sigma values, weighted by their profile likelihood.
  const m = 30 + Math.floor(Math.sqrt(n));
  const quartile = x[Math.max(0, Math.floor(n / 4 + 0.5) - 1)]! || x[n - 1]! / 4;
  const thetas = new Float64Array(m);
  const profile = new Float64Array(m);
  const kAt = (theta: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.log1p(-theta * x[i]!);
    return sum / n;
  };
  for (let j = 0; j < m; j++) {
    const theta = 1 / x[n - 1]! + (1 - Math.sqrt(m / (j + 0.5))) / (3 * quartile);
    const k = kAt(theta);
    thetas[j] = theta;
    profile[j] = theta === 0 || k === 0 ? -Infinity : n * (Math.log(-theta / k) - k - 1);
  }
  let thetaHat = 0;
  for (let j = 0; j < m; j++) {
    let denom = 0;
    for (let i = 0; i < m; i++) denom += Math.exp(profile[i]! - profile[j]!);
    if (denom > 0 && Number.isFinite(denom)) thetaHat += thetas[j]! / denom;
  }
  const k = kAt(thetaHat);
  return (n * k + 10 * 0.5) / (n + 10);
}

/** The k-hat above which importance weights are unreliable for a sample of size s (the paper's rule). */
export function paretoKThreshold(s: number): number {
  return Math.min(1 - 1 / Math.log10(s), 0.7);
}
