/**
 * PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999), for scenario discovery
 * (Bryant & Lempert 2010): find a box in input space where the runs of interest concentrate.
 * Peeling removes a small slice (alpha of the box's points, through ties) from one side of one
 * input at a time, choosing the slice that raises the density most per point removed (the
 * "lenient" objective); pasting then grows the box back where that raises density. Each step
 * is one point on the coverage-density trade-off curve. Pure functions over columns.
 */

export interface PrimData {
  names: string[];
  columns: ArrayLike<number>[];
  /** Categorical inputs are peeled by dropping one category at a time. */
  categorical: boolean[];
  /** 1 for runs of interest, 0 otherwise. */
  y: ArrayLike<number>;
}

export interface PrimOptions {
  peelAlpha?: number;
  pasteAlpha?: number;
  /** Smallest box mass (share of all runs) allowed. */
  massMin?: number;
  objective?: 'lenient1' | 'original';
  /** Drop restrictions of the chosen box whose quasi-p-value exceeds this (default 0.05; 1 keeps all). */
  simplifyAlpha?: number;
  /** Choose the box with the most coverage among those at least this dense; default: best coverage x density gain. */
  minDensity?: number;
}

export interface PrimBox {
  coverage: number;
  density: number;
  mass: number;
  n: number;
  k: number;
  resDim: number;
  /** Restricted real inputs: [low, high]; restricted categorical inputs: the categories kept. */
  limits: Record<string, [number, number]>;
  categories: Record<string, number[]>;
}

export interface PrimResult {
  boxes: PrimBox[];
  chosen: number;
  /** Quasi-p-values of the chosen box per restricted input (Bryant & Lempert 2010). The last box is
   * the simplified chosen box when restrictions were dropped. */
  quasiP: Record<string, number>;
  totalRuns: number;
  totalInterest: number;
}

interface Limits {
  low: Float64Array;
  high: Float64Array;
  cats: (Set<number> | null)[];
}

/**
 * The threshold that peels the lowest (or highest) `alpha` share of `sorted`, moving through
 * ties, as the mid-point between the last removed and the first kept value. Undefined when
 * nothing can be peeled (all equal). Matches EMA's get_quantile anchors, e.g. 0..9 at 0.1 -> 0.5.
 */
export function peelThreshold(
  sorted: ArrayLike<number>,
  alpha: number,
  side: 'low' | 'high',
): number | undefined {
  const n = sorted.length;
  if (n < 2) return undefined;
  const target = Math.max(1, Math.round(n * alpha));
  if (side === 'low') {
    let i = Math.min(target, n) - 1;
    while (i + 1 < n && sorted[i + 1] === sorted[i]) i++;
    return i + 1 >= n ? undefined : (sorted[i] + sorted[i + 1]) / 2;
  }
  let i = Math.max(n - target, 0);
  while (i - 1 >= 0 && sorted[i - 1] === sorted[i]) i--;
  return i - 1 < 0 ? undefined : (sorted[i] + sorted[i - 1]) / 2;
}

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X >= k) for X ~ Binomial(n, p): the one-sided binomial test. */
export function binomialSurvival(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logC = lnGamma(n + 1);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const logPmf = logC - lnGamma(i + 1) - lnGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p);
    sum += Math.exp(logPmf);
  }
  return Math.min(1, sum);
}

export function prim(data: PrimData, options: PrimOptions = {}): PrimResult {
  const peelAlpha = options.peelAlpha ?? 0.05;
  const pasteAlpha = options.pasteAlpha ?? 0.05;
  const massMin = options.massMin ?? 0.05;
  const objective = options.objective ?? 'lenient1';
  const { columns, categorical, y, names } = data;
  const D = columns.length;
  const N = y.length;
  let K = 0;
  for (let i = 0; i < N; i++) K += y[i] ? 1 : 0;

  const initial: Limits = { low: new Float64Array(D), high: new Float64Array(D), cats: [] };
  for (let d = 0; d < D; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    const set = new Set<number>();
    for (let i = 0; i < N; i++) {
      const v = columns[d][i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (categorical[d]) set.add(v);
    }
    initial.low[d] = lo;
    initial.high[d] = hi;
    initial.cats.push(categorical[d] ? set : null);
  }
  const copy = (l: Limits): Limits => ({
    low: Float64Array.from(l.low),
    high: Float64Array.from(l.high),
    cats: l.cats.map((c) => (c ? new Set(c) : null)),
  });
  const isRestricted = (l: Limits, d: number): boolean =>
    categorical[d]
      ? (l.cats[d]?.size ?? 0) < (initial.cats[d]?.size ?? 0)
      : l.low[d] > initial.low[d] || l.high[d] < initial.high[d];
  const restrictedCount = (l: Limits): number => {
    let r = 0;
    for (let d = 0; d < D; d++) if (isRestricted(l, d)) r++;
    return r;
  };
  const inside = (l: Limits, i: number, skip = -1): boolean => {
    for (let d = 0; d < D; d++) {
      if (d === skip) continue;
      const v = columns[d][i];
      if (categorical[d]) {
        if (!l.cats[d]?.has(v)) return false;
      } else if (v < l.low[d] || v > l.high[d]) return false;
    }
    return true;
  };
  const count = (l: Limits, skip = -1): { n: number; k: number } => {
    let n = 0;
    let k = 0;
    for (let i = 0; i < N; i++) {
      if (inside(l, i, skip)) {
        n++;
        if (y[i]) k++;
      }
    }
    return { n, k };
  };
  const score = (nOld: number, kOld: number, nNew: number, kNew: number): number => {
    const meanOld = kOld / nOld;
    const meanNew = nNew ? kNew / nNew : 0;
    if (objective === 'original') return meanNew;
    return nOld === nNew ? 0 : (meanNew - meanOld) / Math.abs(nOld - nNew);
  };

  const boxes: PrimBox[] = [];
  const limitsHistory: Limits[] = [];
  const record = (l: Limits, n: number, k: number): void => {
    const limits: Record<string, [number, number]> = {};
    const cats: Record<string, number[]> = {};
    for (let d = 0; d < D; d++) {
      if (!isRestricted(l, d)) continue;
      if (categorical[d]) cats[names[d]] = [...(l.cats[d] ?? [])].sort((a, b) => a - b);
      else limits[names[d]] = [l.low[d], l.high[d]];
    }
    boxes.push({
      coverage: K ? k / K : 0,
      density: n ? k / n : 0,
      mass: n / N,
      n,
      k,
      resDim: restrictedCount(l),
      limits,
      categories: cats,
    });
    limitsHistory.push(copy(l));
  };

  let box = copy(initial);
  let rows: Uint32Array = Uint32Array.from({ length: N }, (_, i) => i);
  let boxK = K;
  record(box, N, K);

  // Peeling.
  while (true) {
    let best: { limits: Limits; rows: Uint32Array; k: number; obj: number; res: number } | undefined;
    const consider = (limits: Limits, keep: (i: number) => boolean): void => {
      const kept: number[] = [];
      let k = 0;
      for (const i of rows) {
        if (keep(i)) {
          kept.push(i);
          if (y[i]) k++;
        }
      }
      if (kept.length >= rows.length || kept.length / N < massMin) return;
      const obj = score(rows.length, boxK, kept.length, k);
      if (!(obj > 0)) return;
      const res = restrictedCount(limits);
      if (!best || obj > best.obj || (obj === best.obj && res < best.res)) {
        best = { limits, rows: Uint32Array.from(kept), k, obj, res };
      }
    };
    for (let d = 0; d < D; d++) {
      const col = columns[d];
      if (categorical[d]) {
        const cats = box.cats[d];
        if (!cats || cats.size < 2) continue;
        for (const c of cats) {
          const l = copy(box);
          l.cats[d]?.delete(c);
          consider(l, (i) => col[i] !== c);
        }
        continue;
      }
      const values = Float64Array.from(rows, (i) => col[i]).sort();
      const lowCut = peelThreshold(values, peelAlpha, 'low');
      if (lowCut !== undefined) {
        const l = copy(box);
        l.low[d] = lowCut;
        consider(l, (i) => col[i] >= lowCut);
      }
      const highCut = peelThreshold(values, peelAlpha, 'high');
      if (highCut !== undefined) {
        const l = copy(box);
        l.high[d] = highCut;
        consider(l, (i) => col[i] <= highCut);
      }
    }
    if (!best) break;
    box = best.limits;
    rows = best.rows;
    boxK = best.k;
    record(box, rows.length, boxK);
  }

  // Pasting: grow restricted sides back while density rises.
  let { n: boxN, k: pasteK } = { n: rows.length, k: boxK };
  while (true) {
    let best: { limits: Limits; n: number; k: number; density: number } | undefined;
    const density = pasteK / boxN;
    for (let d = 0; d < D; d++) {
      if (!isRestricted(box, d) || categorical[d]) continue;
      const col = columns[d];
      // Points that would be in the box but for this input, below and above it.
      const below: number[] = [];
      const above: number[] = [];
      for (let i = 0; i < N; i++) {
        if (!inside(box, i, d)) continue;
        const v = col[i];
        if (v < box.low[d]) below.push(v);
        else if (v > box.high[d]) above.push(v);
      }
      const step = Math.max(1, Math.round(pasteAlpha * boxN));
      const tryBound = (candidates: number[], side: 'low' | 'high'): void => {
        if (!candidates.length) return;
        candidates.sort((a, b) => (side === 'low' ? b - a : a - b));
        let j = Math.min(step, candidates.length) - 1;
        while (j + 1 < candidates.length && candidates[j + 1] === candidates[j]) j++;
        const l = copy(box);
        if (side === 'low') l.low[d] = candidates[j];
        else l.high[d] = candidates[j];
        const { n, k } = count(l);
        const dNew = k / n;
        if (dNew > density && (!best || dNew > best.density)) best = { limits: l, n, k, density: dNew };
      };
      tryBound(below, 'low');
      tryBound(above, 'high');
    }
    if (!best) break;
    box = best.limits;
    boxN = best.n;
    pasteK = best.k;
    record(box, boxN, pasteK);
  }

  // Choose a box on the trade-off curve.
  let chosen = 0;
  if (options.minDensity !== undefined) {
    let bestCoverage = -1;
    boxes.forEach((b, i) => {
      if (b.density >= options.minDensity! && b.coverage > bestCoverage) {
        bestCoverage = b.coverage;
        chosen = i;
      }
    });
    if (bestCoverage < 0) chosen = boxes.reduce((bi, b, i) => (b.density > boxes[bi].density ? i : bi), 0);
  } else {
    // Coverage times the share of the possible density gain achieved: zero for the whole data
    // set, equal to coverage for a pure box. Unlike F1 it does not favour big boxes when the
    // runs of interest are common.
    const base = N ? K / N : 0;
    let bestScore = -Infinity;
    boxes.forEach((b, i) => {
      const gain = base < 1 ? (b.density - base) / (1 - base) : 0;
      const score = b.coverage * gain;
      if (score > bestScore + 1e-12) {
        bestScore = score;
        chosen = i;
      }
    });
  }

  // Quasi-p-values: is each restriction of a box significant, given the others?
  const quasiPValues = (l: Limits, n: number, k: number): Record<string, number> => {
    const out: Record<string, number> = {};
    for (let d = 0; d < D; d++) {
      if (!isRestricted(l, d)) continue;
      const without = count(l, d);
      out[names[d]] = binomialSurvival(k, n, without.n ? without.k / without.n : 0);
    }
    return out;
  };
  let quasiP = quasiPValues(limitsHistory[chosen], boxes[chosen].n, boxes[chosen].k);

  // With many inputs, peeling also restricts inputs by chance. Drop the least significant
  // restriction while its quasi-p-value exceeds the threshold; the simpler box joins the
  // trajectory and becomes the chosen one.
  const simplifyAlpha = options.simplifyAlpha ?? 0.05;
  if (simplifyAlpha < 1) {
    const l = copy(limitsHistory[chosen]);
    let dropped = false;
    while (true) {
      const entries = Object.entries(quasiP);
      if (entries.length <= 1) break;
      const [worst, p] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
      if (!(p > simplifyAlpha)) break;
      const d = names.indexOf(worst);
      l.low[d] = initial.low[d];
      l.high[d] = initial.high[d];
      l.cats[d] = initial.cats[d] ? new Set(initial.cats[d]) : null;
      dropped = true;
      const { n, k } = count(l);
      quasiP = quasiPValues(l, n, k);
    }
    if (dropped) {
      const { n, k } = count(l);
      record(l, n, k);
      chosen = boxes.length - 1;
    }
  }
  return { boxes, chosen, quasiP, totalRuns: N, totalInterest: K };
}
