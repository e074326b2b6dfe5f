/**
 * Fit statistics for behaviour reproduction (Sterman, Business Dynamics ch. 21; Sterman 1984,
 * "Appropriate summary statistics for evaluating the historical fit of system dynamics models"):
 * mean square error and its Theil inequality decomposition into bias (U^M), unequal variation
 * (U^S) and unequal covariation (U^C), which sum to 1. Pure.
 */

export interface FitStatistics {
  /** Number of (simulated, observed) pairs. */
  n: number;
  /** Mean square error. */
  mse: number;
  /** Root mean square percent error, as a fraction of the observed values. */
  rmspe: number;
  /** Mean absolute percent error, as a fraction. */
  mape: number;
  /** Squared correlation of simulated and observed. */
  r2: number;
  /** Share of the MSE due to bias: (mean S - mean A)^2 / MSE. */
  um: number;
  /** Share due to unequal variation: (sd S - sd A)^2 / MSE. */
  us: number;
  /** Share due to unequal covariation: 2 (1 - r) sd S sd A / MSE. */
  uc: number;
}

/**
 * Theil statistics of simulated values against observed ones (paired, same length, at least two
 * pairs). Standard deviations are population ones, so that U^M + U^S + U^C = 1 exactly.
 */
export function theilStatistics(simulated: readonly number[], observed: readonly number[]): FitStatistics {
  if (simulated.length !== observed.length) {
    throw new RangeError(
      `fit needs paired values: ${simulated.length} simulated, ${observed.length} observed`,
    );
  }
  const n = simulated.length;
  if (n < 2) throw new RangeError('fit needs at least two pairs');
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const ms = mean(simulated);
  const ma = mean(observed);
  let mse = 0;
  let vs = 0;
  let va = 0;
  let cov = 0;
  let spe = 0;
  let ape = 0;
  for (let i = 0; i < n; i++) {
    const s = simulated[i]!;
    const a = observed[i]!;
    mse += (s - a) ** 2;
    vs += (s - ms) ** 2;
    va += (a - ma) ** 2;
    cov += (s - ms) * (a - ma);
    spe += ((s - a) / a) ** 2;
    ape += Math.abs((s - a) / a);
  }
  mse /= n;
  const sds = Math.sqrt(vs / n);
  const sda = Math.sqrt(va / n);
  const r = sds > 0 && sda > 0 ? cov / n / (sds * sda) : 0;
  const share = (x: number) => (mse > 0 ? x / mse : 0);
  return {
    n,
    mse,
    rmspe: Math.sqrt(spe / n),
    mape: ape / n,
    r2: r * r,
    um: share((ms - ma) ** 2),
    us: share((sds - sda) ** 2),
    uc: share(2 * (1 - r) * sds * sda),
  };
}
