/**
 * Special functions the observation model needs: log-gamma, the regularised incomplete beta
 * function, Student-t densities and distribution functions, and a normal log-CDF that stays
 * accurate far into the lower tail (censored likelihood terms live there when a fit is poor).
 */
import { erfc } from '../experiments/distributions.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos approximation, g = 7, n = 9 (coefficients as published by Godfrey; relative error
// about 1e-15 for positive arguments).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log |Gamma(x)| for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** log of the standard Student-t density with `df` degrees of freedom. */
export function studentTLogPdf(t: number, df: number): number {
  return (
    logGamma((df + 1) / 2) -
    logGamma(df / 2) -
    0.5 * Math.log(df * Math.PI) -
    ((df + 1) / 2) * Math.log1p((t * t) / df)
  );
}

/** Standard Student-t distribution function. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** log of the standard normal density. */
export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * log Phi(z), accurate in the lower tail: erfc keeps its relative accuracy down to where it
 * underflows; below z = -30 the asymptotic series takes over.
 */
export function normalLogCdf(z: number): number {
  if (z > -30) return Math.log(0.5 * erfc(-z / Math.SQRT2));
  // Phi(z) ~ phi(z) / |z| * (1 - 1/z^2 + 3/z^4), relative error below 1e-7 here.
  const z2 = z * z;
  return normalLogPdf(z) - Math.log(-z) + Math.log1p(-1 / z2 + 3 / (z2 * z2));
}

/** log(exp(a) - exp(b)) for a >= b, without overflow. */
export function logDiffExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a <= b) return -Infinity;
  return a + Math.log(-Math.expm1(b - a));
}
