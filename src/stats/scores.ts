/**
 * Scores of forecasts of a number (proper scoring rules), the one place the case's Q4 table, the
 * calibration outputs and the reports take them from. Lower CRPS is better; a higher log score is
 * better. Pure: no Node, no DOM.
 *
 * - CRPS(F, y) = integral of (F(x) - 1{y <= x})^2 dx (Gneiting and Raftery 2007), in the units
 *   of y. Closed forms for the normal and the lognormal (Baran and Lerch 2015); for an ensemble of
 *   m draws the energy form, or Ferro's (2014) fair form, which is unbiased for the distribution
 *   the draws come from. A point forecast is an ensemble of one: its CRPS is the absolute error.
 * - PIT: the forecast CDF at the outcome; for an ensemble the randomised version, so that a
 *   calibrated forecaster's PITs are uniform.
 */
import { normalLogCdf, normalLogPdf } from '../calibrate/special.js';

const SQRT_PI = Math.sqrt(Math.PI);
const phi = (z: number): number => Math.exp(normalLogPdf(z));
const Phi = (z: number): number => (z > 0 ? 1 - Math.exp(normalLogCdf(-z)) : Math.exp(normalLogCdf(z)));

/** CRPS of a normal forecast N(mu, sigma^2) at the outcome y. */
export function crpsNormal(mu: number, sigma: number, y: number): number {
  if (!(sigma > 0)) return Math.abs(y - mu);
  const z = (y - mu) / sigma;
  return sigma * (z * (2 * Phi(z) - 1) + 2 * phi(z) - 1 / SQRT_PI);
}

/** CRPS of a lognormal forecast (log X ~ N(mu, sigma^2)) at y > 0. */
export function crpsLognormal(mu: number, sigma: number, y: number): number {
  if (!(y > 0)) throw new RangeError(`a lognormal forecast's outcome must be positive, got ${y}`);
  const w = (Math.log(y) - mu) / sigma;
  return (
    y * (2 * Phi(w) - 1) -
    2 * Math.exp(mu + (sigma * sigma) / 2) * (Phi(w - sigma) + Phi(sigma / Math.SQRT2) - 1)
  );
}

/**
 * CRPS of an ensemble (equally weighted draws) at y: energy form by default, Ferro's fair form
 * with `fair`. Non-finite members are an error: a forecast with them has no defined score.
 */
export function crpsEnsemble(draws: ArrayLike<number>, y: number, fair = false): number {
  const m = draws.length;
  if (m === 0) throw new RangeError('an ensemble forecast needs at least one member');
  const x = Float64Array.from(draws).sort();
  if (!Number.isFinite(x[0]) || !Number.isFinite(x[m - 1])) {
    throw new RangeError('an ensemble forecast has a non-finite member');
  }
  let absolute = 0;
  let pairs = 0; // sum over i, j of |x_i - x_j| = 2 sum_i (2i - m - 1) x_(i), i from 1
  for (let i = 0; i < m; i++) {
    absolute += Math.abs(x[i] - y);
    pairs += 2 * (2 * (i + 1) - m - 1) * x[i];
  }
  if (fair) return m === 1 ? absolute : absolute / m - pairs / (2 * m * (m - 1));
  return absolute / m - pairs / (2 * m * m);
}

/**
 * Randomised PIT of y under an ensemble: (#{x < y} + V (1 + #{x = y})) / (m + 1), V uniform on
 * (0, 1) given by the caller (so the result is reproducible).
 */
export function pitEnsemble(draws: ArrayLike<number>, y: number, v: number): number {
  let below = 0;
  let equal = 0;
  for (let i = 0; i < draws.length; i++) {
    if (draws[i] < y) below++;
    else if (draws[i] === y) equal++;
  }
  return (below + v * (1 + equal)) / (draws.length + 1);
}

/** log of the mean of exp(values), without overflow: a mixture's log density from its terms. */
export function logMeanExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum / values.length);
}
