/**
 * Helpers called by generated code. Kept small and monomorphic so that V8 inlines them.
 */
import type { GraphicalFunctionType } from '../model/types.js';
import { allocateAvailable, allocateByPriority } from './allocation.js';
import { Sfc32 } from './sfc32.js';

export interface LookupTable {
  xs: Float64Array;
  ys: Float64Array;
  type: GraphicalFunctionType;
  /** 1 / spacing when the x points are evenly spaced (then the segment is found by division), else 0. */
  invStep: number;
}

/** A lookup table for the runtime; evenly spaced x points get the direct segment index. */
export function makeTable(
  xpts: readonly number[],
  ypts: readonly number[],
  type: GraphicalFunctionType,
): LookupTable {
  const xs = Float64Array.from(xpts);
  const n = xs.length;
  let invStep = 0;
  if (n > 2) {
    const step = (xs[n - 1]! - xs[0]!) / (n - 1);
    let even = step > 0;
    for (let i = 1; i < n && even; i++)
      even = Math.abs(xs[i]! - (xs[0]! + i * step)) <= 1e-12 * Math.max(1, Math.abs(xs[i]!));
    if (even) invStep = 1 / step;
  }
  return { xs, ys: Float64Array.from(ypts), type, invStep };
}

/** A number as JavaScript source that reads back as the same double. */
function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${v})` : String(v);
}

/**
 * JavaScript source of `function name(x)` computing `runtime.lookup(table, x)` for this one table,
 * specialised to its kind, size and spacing, with the end points written as literals: small enough
 * for V8 to inline, no boxing call per step. `ref` is the expression naming the table object in
 * the generated code. Every arithmetic step is the one `runtime.lookup` takes, so the results are
 * the same to the last bit (tested).
 */
export function lookupSource(name: string, table: LookupTable, ref: string): string {
  const { xs, ys, type } = table;
  const n = xs.length;
  if (n === 0) return `function ${name}(x) { return NaN; }`;
  const X = (i: number) => literal(xs[i]!);
  const Y = (i: number) => literal(ys[i]!);
  if (n === 1) return `function ${name}(x) { return x !== x ? NaN : ${Y(0)}; }`;
  const lines: string[] = [`function ${name}(x) {`];
  const extrapolate = type === 'extrapolate';
  if (extrapolate)
    lines.push(
      `if (x < ${X(0)}) return ${Y(0)} + ((${Y(1)} - ${Y(0)}) * (x - ${X(0)})) / (${X(1)} - ${X(0)});`,
    );
  lines.push(`if (x <= ${X(0)}) return ${Y(0)};`);
  if (extrapolate)
    lines.push(
      `if (x > ${X(n - 1)}) return ${Y(n - 1)} + ((${Y(n - 1)} - ${Y(n - 2)}) * (x - ${X(n - 1)})) / (${X(n - 1)} - ${X(n - 2)});`,
    );
  lines.push(`if (x >= ${X(n - 1)}) return ${Y(n - 1)};`);
  lines.push(`if (x !== x) return NaN;`, `const xs = ${ref}.xs;`, `const ys = ${ref}.ys;`);
  if (table.invStep > 0) {
    lines.push(
      `let lo = Math.floor((x - ${X(0)}) * ${literal(table.invStep)});`,
      `if (lo > ${n - 2}) lo = ${n - 2};`,
      `if (xs[lo] > x) lo--;`,
      `else if (xs[lo + 1] <= x) lo++;`,
    );
  } else {
    lines.push(
      `let lo = 0;`,
      `let hi = ${n - 1};`,
      `while (hi - lo > 1) {`,
      `const mid = (lo + hi) >> 1;`,
      `if (xs[mid] <= x) lo = mid;`,
      `else hi = mid;`,
      `}`,
    );
  }
  if (type === 'discrete') lines.push(`return ys[lo];`);
  else
    lines.push(
      `const x0 = xs[lo];`,
      `const x1 = xs[lo + 1];`,
      `if (x1 === x0) return ys[lo + 1];`,
      `return ys[lo] + ((ys[lo + 1] - ys[lo]) * (x - x0)) / (x1 - x0);`,
    );
  lines.push('}');
  return lines.join('\n');
}

/** Hash a 32-bit integer (splitmix32 finaliser) so that small, similar seeds give unrelated streams. */
export function mixSeed(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The random functions' generator: sfc32 seeded from (seed, stream), with normal draws. */
export class Rng extends Sfc32 {
  private spare = NaN;

  constructor(seed: number) {
    super();
    this.reseed(seed);
  }

  /**
   * Seed the generator for one stream. Seed and stream enter different words of the state through
   * bijections, so distinct (seed mod 2^32, stream) pairs never give the same stream.
   */
  reseed(seed: number, stream = 0): void {
    const s = Math.floor(Math.abs(seed)) % 4294967296;
    const a = mixSeed(s);
    const b = mixSeed(((a ^ 0x6a09e667) + stream) | 0);
    const c = mixSeed(b ^ 0xbb67ae85);
    this.spare = NaN;
    this.seedState(a, b, c, 15);
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare === this.spare) {
      const v = this.spare;
      this.spare = NaN;
      return v;
    }
    let u = this.uniform();
    while (u <= 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Poisson quantile of u for the given mean (inversion; exact for the means a model uses). */
export function poissonQuantile(u: number, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 500) {
    // Normal approximation with continuity correction for large means.
    const z = normalQuantile(u);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (u > cdf && k < 100000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Inverse standard normal CDF: Acklam's rational approximation (relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const bq = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((bq[0]! * r + bq[1]!) * r + bq[2]!) * r + bq[3]!) * r + bq[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

/** Tolerance for comparing computed times with event times, relative to DT. */
const TIME_EPS = 1e-9;

/** The runtime object handed to generated code as `R`. */
export const runtime = {
  mod(a: number, b: number): number {
    return a - b * Math.floor(a / b);
  },
  round(x: number): number {
    return x < 0 ? -Math.round(-x) : Math.round(x);
  },
  safediv(a: number, b: number, otherwise: number): number {
    return b === 0 ? otherwise : a / b;
  },
  pulse(t: number, dt: number, magnitude: number, first: number, interval: number): number {
    // Fires at the first step at or after each pulse time: in the step whose interval
    // (t - dt, t] holds it, so a pulse between two steps fires at the next one, never before.
    const eps = TIME_EPS * dt;
    const after = t - dt + eps;
    let at = first;
    if (interval > 0 && at <= after) at = first + (Math.floor((after - first) / interval) + 1) * interval;
    return at > after && at <= t + eps ? magnitude / dt : 0;
  },
  /** Vensim VECTOR SORT ORDER: the 0-based source index of the `pos`-th (1-based) sorted element. */
  vsortOrder(pos: number, dir: number, ...xs: number[]): number {
    const idx = xs.map((_, i) => i).sort((a, b) => (dir > 0 ? xs[a]! - xs[b]! : xs[b]! - xs[a]!) || a - b);
    return idx[Math.round(pos) - 1] ?? NaN;
  },
  /** Vensim VECTOR RANK: the 1-based rank of element `pos` (1-based). */
  vrank(pos: number, dir: number, ...xs: number[]): number {
    const idx = xs.map((_, i) => i).sort((a, b) => (dir > 0 ? xs[a]! - xs[b]! : xs[b]! - xs[a]!) || a - b);
    const r = idx.indexOf(Math.round(pos) - 1);
    return r < 0 ? NaN : r + 1;
  },
  /** Element (i, j), 1-based, of the inverse of the n x n matrix given row by row; NaN if singular. */
  invert(i: number, j: number, n: number, ...m: number[]): number {
    const a = Array.from({ length: n }, (_, r) => [
      ...m.slice(r * n, r * n + n),
      ...Array.from({ length: n }, (_, c) => (c === r ? 1 : 0)),
    ]);
    for (let col = 0; col < n; col++) {
      let best = col;
      for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[best]![col]!)) best = r;
      if (a[best]![col] === 0) return NaN;
      [a[col], a[best]] = [a[best]!, a[col]!];
      const pivot = a[col]![col]!;
      for (let c = 0; c < 2 * n; c++) a[col]![c] = a[col]![c]! / pivot;
      for (let r = 0; r < n; r++) {
        if (r === col) continue;
        const f = a[r]![col]!;
        if (f !== 0) for (let c = 0; c < 2 * n; c++) a[r]![c] = a[r]![c]! - f * a[col]![c]!;
      }
    }
    return a[Math.round(i) - 1]?.[n + Math.round(j) - 1] ?? NaN;
  },
  /** Vensim VECTOR SELECT: `n` selections, then `n` values (see the catalogue). */
  vselect(missing: number, action: number, n: number, ...sv: number[]): number {
    const act = Math.round(action);
    let acc =
      act === 1 || act === 5 || act === 7
        ? 1
        : act === 2 || act === 8
          ? Infinity
          : act === 3 || act === 9
            ? -Infinity
            : 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const sel = sv[i]!;
      if (sel === 0) continue;
      const x = sv[n + i]!;
      const y = act <= 4 ? sel * x : x;
      count++;
      if (act === 0 || act === 4 || act === 6 || act === 10) acc += y;
      else if (act === 1 || act === 7) acc *= y;
      else if (act === 2 || act === 8) acc = Math.min(acc, y);
      else if (act === 3 || act === 9) acc = Math.max(acc, y);
      else if (act === 5) acc *= Math.pow(x, sel);
      else return NaN;
    }
    if (count === 0) return missing;
    return act === 4 || act === 10 ? acc / count : acc;
  },
  /**
   * Vensim ALLOCATE AVAILABLE for the requester at `pos` (1-based): `n` requests, then each
   * requester's `m` profile values, whose type is the `first`-th (1-based), then priority,
   * width and extra.
   */
  allocAvailable(
    pos: number,
    first: number,
    m: number,
    available: number,
    n: number,
    ...rp: number[]
  ): number {
    const f = Math.round(first) - 1 + n;
    const profiles = Array.from({ length: n }, (_, i) => ({
      type: rp[f + i * m]!,
      priority: rp[f + i * m + 1]!,
      width: rp[f + i * m + 2]!,
      extra: rp[f + i * m + 3]!,
    }));
    return allocateAvailable(rp.slice(0, n), profiles, available)[Math.round(pos) - 1] ?? NaN;
  },
  /** Vensim ALLOCATE BY PRIORITY for the requester at `pos` (1-based): `n` requests, then `n` priorities. */
  allocPriority(pos: number, width: number, supply: number, n: number, ...rp: number[]): number {
    return allocateByPriority(rp.slice(0, n), rp.slice(n, 2 * n), width, supply)[Math.round(pos) - 1] ?? NaN;
  },
  /** Element k (0-based) of the arguments that follow; NaN outside. */
  pick(k: number, ...xs: number[]): number {
    return xs[Math.round(k)] ?? NaN;
  },
  quantum(x: number, q: number): number {
    return q <= 0 ? x : q * Math.trunc(x / q);
  },
  /** Vensim PULSE(start, width): 1 while start <= t < start + width (at least one step). */
  vpulse(t: number, dt: number, start: number, width: number): number {
    const mid = t + dt / 2;
    return mid > start && mid < start + Math.max(width, dt) ? 1 : 0;
  },
  /** Vensim PULSE TRAIN(start, width, interval, end). */
  pulseTrain(t: number, dt: number, start: number, width: number, interval: number, end: number): number {
    const mid = t + dt / 2;
    if (mid <= start || mid > end + dt / 2) return 0;
    const w = Math.max(width, dt);
    if (!(interval > 0)) return mid < start + w ? 1 : 0;
    if (interval < w) return 1;
    const into = (mid - start) % interval;
    return into < w ? 1 : 0;
  },
  ramp(t: number, slope: number, start: number, end: number): number {
    if (t <= start) return 0;
    return slope * (Math.min(t, end) - start);
  },
  step(t: number, dt: number, height: number, start: number): number {
    return t + TIME_EPS * dt >= start ? height : 0;
  },
  lookup(table: LookupTable, x: number): number {
    const xs = table.xs;
    const ys = table.ys;
    const n = xs.length;
    if (n === 0) return NaN;
    if (x !== x) return NaN;
    if (x <= xs[0]!) {
      if (table.type === 'extrapolate' && n > 1 && x < xs[0]!) {
        return ys[0]! + ((ys[1]! - ys[0]!) * (x - xs[0]!)) / (xs[1]! - xs[0]!);
      }
      return ys[0]!;
    }
    if (x >= xs[n - 1]!) {
      if (table.type === 'extrapolate' && n > 1 && x > xs[n - 1]!) {
        return ys[n - 1]! + ((ys[n - 1]! - ys[n - 2]!) * (x - xs[n - 1]!)) / (xs[n - 1]! - xs[n - 2]!);
      }
      return ys[n - 1]!;
    }
    let lo: number;
    let hi: number;
    if (table.invStep > 0) {
      lo = Math.floor((x - xs[0]!) * table.invStep);
      if (lo > n - 2) lo = n - 2;
      // Rounding can put x just outside the computed segment; step to the right one.
      if (xs[lo]! > x) lo--;
      else if (xs[lo + 1]! <= x) lo++;
      hi = lo + 1;
    } else {
      // Binary search for the segment xs[lo] <= x < xs[hi].
      lo = 0;
      hi = n - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (xs[mid]! <= x) lo = mid;
        else hi = mid;
      }
    }
    if (table.type === 'discrete') return ys[lo]!;
    const x0 = xs[lo]!;
    const x1 = xs[hi]!;
    if (x1 === x0) return ys[hi]!;
    return ys[lo]! + ((ys[hi]! - ys[lo]!) * (x - x0)) / (x1 - x0);
  },
  lognormal(mean: number, sd: number, z: number): number {
    if (mean <= 0) return 0;
    const s2 = Math.log(1 + (sd * sd) / (mean * mean));
    const mu = Math.log(mean) - s2 / 2;
    return Math.exp(mu + Math.sqrt(s2) * z);
  },
  exprnd(mean: number, u: number): number {
    return -mean * Math.log(1 - u);
  },
  poisson: poissonQuantile,
  /** Element `idx` (1-based) of an array slice; 0 outside (XMILE's default for invalid indices). */
  at(s: Float64Array, base: number, stride: number, size: number, idx: number): number {
    const i = Math.floor(idx);
    return i >= 1 && i <= size ? s[base + (i - 1) * stride]! : 0;
  },
  /** `s[base] + s[base + stride] + ...` over `n` slots, added left to right like the written-out sum. */
  sumRange(s: Float64Array, base: number, stride: number, n: number): number {
    let acc = s[base]!;
    for (let k = 1, x = base + stride; k < n; k++, x += stride) acc += s[x]!;
    return acc;
  },
  /** Pipeline delay: the recorded input `delay` time units before the current step. */
  delayed(history: Float64Array, step: number, dt: number, delay: number, init: number): number {
    const pos = step - delay / dt;
    if (pos < 0) return init;
    const last = step - 1;
    if (last < 0) return init;
    if (pos >= last) return history[last]!;
    const i = Math.floor(pos);
    const frac = pos - i;
    return frac === 0 ? history[i]! : history[i]! + (history[i + 1]! - history[i]!) * frac;
  },
  prod(...xs: number[]): number {
    let p = 1;
    for (const x of xs) p *= x;
    return p;
  },
  stddev(...xs: number[]): number {
    if (xs.length === 0) return 0;
    let m = 0;
    for (const x of xs) m += x;
    m /= xs.length;
    let v = 0;
    for (const x of xs) v += (x - m) * (x - m);
    return Math.sqrt(v / xs.length);
  },
  /**
   * RANK(a, n[, b]): 1-based position of the n-th smallest element. `xs` holds the `size`
   * elements of a, then (when given) the `size` elements of b that break ties; then position.
   */
  rank(nth: number, size: number, ...xs: number[]): number {
    const tie = xs.length >= 2 * size;
    const idx = Array.from({ length: size }, (_, i) => i).sort(
      (a, b) => xs[a]! - xs[b]! || (tie ? xs[size + a]! - xs[size + b]! : 0) || a - b,
    );
    const k = Math.round(nth);
    return k >= 1 && k <= size ? idx[k - 1]! + 1 : 0;
  },
};

export type Runtime = typeof runtime;
