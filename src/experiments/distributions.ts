import { normalQuantile } from '../simulate/runtime.js';
import { erfc } from '../simulate/special.js';
/**
 * Marginal distributions of uncertain inputs, as inverse CDFs (quantile functions) over the unit
 * interval: every sampler produces a design on the unit hypercube and each column is mapped
 * through its distribution's quantile function, so any sampler works with any distribution.
 */

export type { DistributionSpec } from './spec-schema.js';
import type { DistributionSpec } from './spec-schema.js';

/** The draw a unit coordinate selects among n equally weighted draws (LHS strata map to draws). */
export const drawIndex = (u: number, n: number): number => Math.min(n - 1, Math.max(0, Math.floor(u * n)));

/** The complementary error function, shared with the engine (src/simulate/special.ts). */
export { erfc };

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Standard normal quantile (Acklam's approximation), shared with the engine's random functions. */
export { normalQuantile };

/** A distribution ready for use: its quantile function and its CDF (the CDF serves the KS tests). */
export interface Distribution {
  readonly spec: DistributionSpec;
  quantile(u: number): number;
  cdf(x: number): number;
  /**
   * Log density at x (log probability mass for the discrete ones), normalised, truncation
   * included; -Infinity outside the support. Calibration priors use it.
   */
  logDensity(x: number): number;
  /** The support's bounds (may be infinite). */
  readonly support: readonly [number, number];
  /** True for integer and categorical inputs (PRIM and reports treat them as discrete). */
  readonly discrete: boolean;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

// Unbounded distributions never see exactly 0 or 1 (Morris and factorial grids include both ends).
const EDGE = 1e-12;
const clampUnit = (u: number): number => Math.min(1 - EDGE, Math.max(EDGE, u));

function truncated(
  cdf: (x: number) => number,
  quantile: (u: number) => number,
  logDensity: (x: number) => number,
  natural: readonly [number, number],
  low: number | undefined,
  high: number | undefined,
): Omit<Distribution, 'spec' | 'discrete'> {
  const support = [Math.max(natural[0], low ?? -Infinity), Math.min(natural[1], high ?? Infinity)] as const;
  if (low === undefined && high === undefined) {
    return { cdf, quantile: (u) => quantile(clampUnit(u)), logDensity, support };
  }
  const fLow = low === undefined ? 0 : cdf(low);
  const fHigh = high === undefined ? 1 : cdf(high);
  const span = fHigh - fLow;
  const logSpan = Math.log(span);
  return {
    support,
    logDensity: (x) => (x < support[0] || x > support[1] ? -Infinity : logDensity(x) - logSpan),
    quantile: (u) => {
      const x = quantile(clampUnit(fLow + clampUnit(u) * span));
      return Math.min(high ?? Infinity, Math.max(low ?? -Infinity, x));
    },
    cdf: (x) => {
      if (low !== undefined && x < low) return 0;
      if (high !== undefined && x > high) return 1;
      return (cdf(x) - fLow) / span;
    },
  };
}

export function makeDistribution(spec: DistributionSpec): Distribution {
  switch (spec.dist) {
    case 'uniform': {
      const { low, high } = spec;
      return {
        spec,
        discrete: false,
        quantile: (u) => low + u * (high - low),
        cdf: (x) => (x <= low ? 0 : x >= high ? 1 : (x - low) / (high - low)),
        logDensity: (x) => (x < low || x > high ? -Infinity : -Math.log(high - low)),
        support: [low, high],
      };
    }
    case 'triangular': {
      const { low, mode, high } = spec;
      const width = high - low;
      const split = width > 0 ? (mode - low) / width : 0.5;
      return {
        spec,
        discrete: false,
        quantile: (u) =>
          u < split
            ? low + Math.sqrt(u * width * (mode - low))
            : high - Math.sqrt((1 - u) * width * (high - mode)),
        cdf: (x) => {
          if (x <= low) return 0;
          if (x >= high) return 1;
          if (x <= mode) return ((x - low) * (x - low)) / (width * (mode - low));
          return 1 - ((high - x) * (high - x)) / (width * (high - mode));
        },
        logDensity: (x) => {
          if (x < low || x > high) return -Infinity;
          const side = x < mode ? (x - low) / (mode - low) : x > mode ? (high - x) / (high - mode) : 1;
          return Math.log((2 / width) * side);
        },
        support: [low, high],
      };
    }
    case 'normal': {
      const { mean, sd } = spec;
      const t = truncated(
        (x) => normalCdf((x - mean) / sd),
        (u) => mean + sd * normalQuantile(u),
        (x) => -0.5 * ((x - mean) / sd) ** 2 - Math.log(sd) - LOG_SQRT_2PI,
        [-Infinity, Infinity],
        spec.low,
        spec.high,
      );
      return { spec, discrete: false, ...t };
    }
    case 'lognormal': {
      const { mu, sigma } = spec;
      const t = truncated(
        (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
        (u) => Math.exp(mu + sigma * normalQuantile(u)),
        (x) =>
          x <= 0 ? -Infinity : -0.5 * ((Math.log(x) - mu) / sigma) ** 2 - Math.log(sigma * x) - LOG_SQRT_2PI,
        [0, Infinity],
        spec.low,
        spec.high,
      );
      return { spec, discrete: false, ...t };
    }
    case 'integer': {
      const low = Math.ceil(spec.low);
      const count = Math.floor(spec.high) - low + 1;
      return {
        spec,
        discrete: true,
        quantile: (u) => low + Math.min(count - 1, Math.floor(u * count)),
        cdf: (x) => (x < low ? 0 : Math.min(1, (Math.floor(x) - low + 1) / count)),
        logDensity: (x) =>
          Number.isInteger(x) && x >= low && x < low + count ? -Math.log(count) : -Infinity,
        support: [low, low + count - 1],
      };
    }
    case 'categorical': {
      const values = spec.values;
      const weights = spec.weights ?? values.map(() => 1);
      const total = weights.reduce((s, w) => s + w, 0);
      const cumulative: number[] = [];
      let run = 0;
      for (const w of weights) {
        run += w / total;
        cumulative.push(run);
      }
      return {
        spec,
        discrete: true,
        quantile: (u) => {
          for (let i = 0; i < cumulative.length - 1; i++) if (u < cumulative[i]) return values[i];
          return values[values.length - 1];
        },
        cdf: (x) => {
          let p = 0;
          for (let i = 0; i < values.length; i++) if (values[i] <= x) p += weights[i] / total;
          return Math.min(1, p);
        },
        logDensity: (x) => {
          let p = 0;
          for (let i = 0; i < values.length; i++) if (values[i] === x) p += weights[i] / total;
          return Math.log(p);
        },
        support: [values[0], values[values.length - 1]],
      };
    }
    case 'draws': {
      const values = spec.values;
      const n = values.length;
      const sorted = [...values].sort((a, b) => a - b);
      const count = (x: number): number => {
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (sorted[mid] <= x) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      return {
        spec,
        discrete: false,
        // Not monotone in u: u picks a draw, and the draw's row holds the values of the group.
        quantile: (u) => values[drawIndex(u, n)],
        cdf: (x) => count(x) / n,
        logDensity: (x) => {
          let k = 0;
          for (const v of values) if (v === x) k++;
          return Math.log(k / n);
        },
        support: [sorted[0], sorted[n - 1]],
      };
    }
  }
}
