/**
 * The observation model: how a data row's likelihood follows from the model's value at the
 * row's time. Pure and Node-free: the same code runs in worker threads and in the browser.
 *
 * For a row of stream s at time t, with the model's value m(t), the stream's multiplicative
 * bias b (1 when not estimated) and the row's error scale sigma = scale_s x rowScale:
 *   mu = b x m(t), and on the stream's scale g (identity, or log for relative errors)
 *   point:    g(y) = g(mu) + sigma e           -> log f(z) - log sigma   (- log y on the log scale)
 *   at least: y >= L                           -> log(1 - F(zL))
 *   up to:    y <= H                           -> log F(zH)
 *   range:    L <= y <= H                      -> log(F(zH) - F(zL))
 * with z = (g(y) - g(mu)) / sigma and e standard normal or Student-t. Censored rows thus enter
 * as probabilities, not as point values.
 */
import { logDiffExp, normalLogCdf, normalLogPdf, studentTCdf, studentTLogPdf } from './special.js';

/** What a data row says about the true value. */
export type RowKind = 'point' | 'at-least' | 'up-to' | 'range';

export interface ObservationRow {
  /** Index of the row's stream. */
  stream: number;
  /** Model time the row describes. */
  time: number;
  kind: RowKind;
  /** The value (point rows); NaN otherwise. */
  value: number;
  /** Lower bound (at-least, range); NaN otherwise. */
  low: number;
  /** Upper bound (up-to, range); NaN otherwise. */
  high: number;
  /** The row's own error scale (streams whose scale is "row"); NaN otherwise. */
  sd: number;
  /** Multiplier of the error scale (a source's grade); 1 for none. */
  scale: number;
  /** Vector index of the bias that multiplies the model's value for this row, or -1. */
  biasIndex: number;
  /**
   * Weight of the row's log-likelihood in the total (1 when absent): a briefing that gives figures
   * to k streams (killed and killed-and-wounded, say) counts once in all, each of its rows 1/k.
   */
  weight?: number;
  /** The briefing the row's estimate repeats, where the evidence names one. */
  briefing?: string;
  /** Where the row came from: an estimate id, or FILE:LINE. */
  id: string;
  /** The source, for evidence rows (grouping and charts). */
  source?: string;
  /** Calendar date the row describes and the date it became public, where known. */
  date?: string;
  published?: string;
}

export interface StreamError {
  dist: 'normal' | 'lognormal' | 'student-t';
  df?: number;
  log: boolean;
}

/**
 * Values at or below zero on the log scale are taken as this (in the data's units): a model that
 * predicts no troops where a report counts some is penalised heavily but finitely.
 */
export const LOG_FLOOR = 1e-6;

const toScale = (x: number, log: boolean): number => (log ? Math.log(Math.max(x, LOG_FLOOR)) : x);

function logCdf(z: number, error: StreamError): number {
  if (error.dist === 'student-t') return Math.log(studentTCdf(z, error.df ?? 4));
  return normalLogCdf(z);
}

/** log density of one row given mu (bias applied) and sigma (grade applied). */
export function rowLogLikelihood(row: ObservationRow, mu: number, sigma: number, error: StreamError): number {
  if (!Number.isFinite(mu) || !(sigma > 0)) return NaN;
  const center = toScale(mu, error.log);
  switch (row.kind) {
    case 'point': {
      const y = toScale(row.value, error.log);
      const z = (y - center) / sigma;
      const density = error.dist === 'student-t' ? studentTLogPdf(z, error.df ?? 4) : normalLogPdf(z);
      return density - Math.log(sigma) - (error.log ? y : 0);
    }
    case 'at-least':
      // 1 - F(z) = F(-z) for symmetric errors, accurate in the tail.
      return logCdf(-(toScale(row.low, error.log) - center) / sigma, error);
    case 'up-to':
      return logCdf((toScale(row.high, error.log) - center) / sigma, error);
    case 'range': {
      const zHigh = (toScale(row.high, error.log) - center) / sigma;
      const zLow = (toScale(row.low, error.log) - center) / sigma;
      // Both bounds in the upper tail: use the mirrored CDFs there, which keep their precision.
      if (zLow > 0) return logDiffExp(logCdf(-zLow, error), logCdf(-zHigh, error));
      return logDiffExp(logCdf(zHigh, error), logCdf(zLow, error));
    }
  }
}

/** A draw of the row's observable given mu and sigma (posterior predictive checks). */
export function drawObservation(
  mu: number,
  sigma: number,
  error: StreamError,
  normal: number,
  chi2: number,
): number {
  const e = error.dist === 'student-t' ? normal / Math.sqrt(chi2 / (error.df ?? 4)) : normal;
  return error.log ? Math.max(mu, LOG_FLOOR) * Math.exp(sigma * e) : mu + sigma * e;
}
