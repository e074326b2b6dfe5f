/**
 * Vensim's allocation functions, written from the Vensim manual's description of them
 * (fn_allocate_available, fn_allocate_by_priority and the priority-profile page). Each takes the
 * requests (and priorities) of one row of requesters and returns every requester's share; the
 * runtime picks the share of the requester being defined.
 */

/** A requester's priority profile (the four values of Vensim's `pp` vector). */
export interface Profile {
  /** 0 fixed quantity, 1 rectangular, 2 triangular, 3 normal, 4 exponential (others are not modelled). */
  type: number;
  priority: number;
  width: number;
  extra: number;
}

/** Profile types ALLOCATE AVAILABLE models. */
export const PROFILE_TYPES: Readonly<Record<number, string>> = {
  0: 'fixed quantity',
  1: 'rectangular',
  2: 'triangular',
  3: 'normal',
  4: 'exponential',
};

/**
 * The share (0 to 1) of its request a requester with this profile receives at the common
 * "price" x: 1 far below its priority, 0 far above, falling as the survival function of the
 * profile's distribution centred on the priority. Rectangular: uniform over priority +- width/2;
 * triangular: a triangle of base `width` centred on the priority; normal: standard deviation
 * `width`; exponential: the two-sided exponential 0.5 exp(-|x - priority|/width). Fixed quantity
 * (type 0): the whole request at every x (Vensim's manual: a horizontal line, the other values
 * ignored).
 */
export function profileShare(p: Profile, x: number): number {
  const d = x - p.priority;
  const w = p.width;
  switch (p.type) {
    case 0:
      return 1;
    case 1:
      return d <= -w / 2 ? 1 : d >= w / 2 ? 0 : 0.5 - d / w;
    case 2: {
      if (d <= -w / 2) return 1;
      if (d >= w / 2) return 0;
      const u = d / w + 0.5; // 0 at the left foot, 1 at the right
      return u <= 0.5 ? 1 - 2 * u * u : 2 * (1 - u) * (1 - u);
    }
    case 3:
      return normalUpperTail(d / w);
    case 4:
      return d < 0 ? 1 - 0.5 * Math.exp(d / w) : 0.5 * Math.exp(-d / w);
    default:
      return NaN;
  }
}

/**
 * 1 - CDF of the standard normal through the three-term approximation of erfc in Abramowitz and
 * Stegun 7.1.25 (erfc(x) ~ t (0.3480242 - 0.0958798 t + 0.7478556 t^2) exp(-x^2), t = 1/(1 +
 * 0.47047 x), absolute error below 2.5e-5). Vensim's normal profile matches this approximation
 * rather than the exact function: in the suite's allocate_available, shares of 4.3667e-6,
 * 2.3358e-4 and 7.8200e-4 exactly are 4.4270e-6, 2.3511e-4 and 7.8554e-4 in Vensim, which are
 * this formula's values to four digits.
 */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.47047 * x);
  const q = 0.5 * t * (0.3480242 + t * (-0.0958798 + t * 0.7478556)) * Math.exp(-x * x);
  return z >= 0 ? q : 1 - q;
}

/** How far from its priority, in widths, a profile's share is 0 or 1 to double precision. */
const REACH: Readonly<Record<number, number>> = { 0: 0, 1: 0.5, 2: 0.5, 3: 40, 4: 750 };

/**
 * ALLOCATE AVAILABLE: every requester i receives request_i x share_i(x) at the one x where the
 * shares add up to `available` (found by bisection: the total falls monotonically with x). With
 * enough available, every request is met in full; with none (or less), nothing is allocated.
 * Fixed-quantity requesters (type 0) take their whole request at every x, so the others share
 * what is left after them. When even the fixed requests exceed what is available no x balances
 * the total (Vensim's manual does not say what happens then); the fixed requesters then share
 * it in proportion to their requests and the others get nothing, the limit of the balance as the
 * rest shrinks to 0. NaN for every requester when a profile is of a type not modelled (the reader
 * refuses those it can see) or a curved profile's width is not above 0.
 */
export function allocateAvailable(requests: number[], profiles: Profile[], available: number): number[] {
  const n = requests.length;
  for (const p of profiles)
    if (!(p.type in REACH) || (p.type !== 0 && (!(p.width > 0) || !Number.isFinite(p.priority))))
      return requests.map(() => NaN);
  const req = requests.map((r) => Math.max(0, r));
  const want = req.reduce((s, r) => s + r, 0);
  if (!(available > 0)) return req.map(() => 0);
  if (available >= want) return req;
  let fixed = 0;
  for (let i = 0; i < n; i++) if (profiles[i]!.type === 0) fixed += req[i]!;
  if (fixed > 0 && available <= fixed)
    return req.map((r, i) => (profiles[i]!.type === 0 ? (r * available) / fixed : 0));
  const total = (x: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) if (req[i]! > 0) s += req[i]! * profileShare(profiles[i]!, x);
    return s;
  };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = profiles[i]!;
    if (p.type === 0) continue;
    const r = REACH[p.type]! * p.width;
    lo = Math.min(lo, p.priority - r);
    hi = Math.max(hi, p.priority + r);
  }
  // total(lo) = want > available >= total(hi) = fixed: halve until the two ends meet.
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (total(mid) > available) lo = mid;
    else hi = mid;
  }
  const x = 0.5 * (lo + hi);
  return req.map((r, i) => (r > 0 ? r * profileShare(profiles[i]!, x) : 0));
}

/**
 * ALLOCATE BY PRIORITY: with supply short of the total request, requesters are served from the
 * highest priority down. The next requester starts receiving once the one before it holds
 * min(1, (its priority - the next one's) / width) of its request; the requesters receiving at a
 * time share each further unit in proportion to their requests, and one whose request is met
 * stops. So with a wide width all share pro rata, and with a narrow one each is served in turn.
 * Equal priorities start together. Requests below 0 count as 0; NaN when width is not above 0.
 */
export function allocateByPriority(
  requests: number[],
  priorities: number[],
  width: number,
  supply: number,
): number[] {
  const n = requests.length;
  const req = requests.map((r) => Math.max(0, r));
  if (!(width > 0)) return req.map(() => NaN);
  const want = req.reduce((s, r) => s + r, 0);
  if (!(supply > 0)) return req.map(() => 0);
  if (supply >= want) return req;
  const order = req
    .map((_, i) => i)
    .filter((i) => req[i]! > 0)
    .sort((a, b) => priorities[b]! - priorities[a]! || a - b);
  const out = new Array<number>(n).fill(0);
  // The amount requester order[k] must hold before order[k + 1] starts.
  const gate = order.map((i, k) =>
    k + 1 < order.length
      ? Math.min(1, (priorities[i]! - priorities[order[k + 1]!]!) / width) * req[i]!
      : Infinity,
  );
  let started = 1;
  let left = supply;
  const eps = 1e-12 * want;
  // Each pass starts a requester or fills one (or spends the rest): at most 2n + 1 passes.
  for (let pass = 0; pass <= 2 * order.length + 1 && left > eps; pass++) {
    // Start everyone whose predecessor already holds its gate.
    while (started < order.length && out[order[started - 1]!]! >= gate[started - 1]! - eps) started++;
    let share = 0;
    for (let k = 0; k < started; k++) {
      const i = order[k]!;
      if (out[i]! < req[i]! - eps) share += req[i]!;
    }
    if (share === 0) break;
    // Supply until the next change: a requester is full, or the last started one reaches its gate.
    let step = left;
    for (let k = 0; k < started; k++) {
      const i = order[k]!;
      if (out[i]! < req[i]! - eps) step = Math.min(step, ((req[i]! - out[i]!) * share) / req[i]!);
    }
    const last = order[started - 1]!;
    if (started < order.length && out[last]! < req[last]! - eps)
      step = Math.min(step, ((gate[started - 1]! - out[last]!) * share) / req[last]!);
    step = Math.max(step, 0);
    for (let k = 0; k < started; k++) {
      const i = order[k]!;
      if (out[i]! < req[i]! - eps) out[i] = Math.min(req[i]!, out[i]! + (step * req[i]!) / share);
    }
    left -= step;
  }
  return out;
}
