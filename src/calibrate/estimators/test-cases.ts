/** Shared known-answer cases and assertions for the estimators' tests. */
import { expect } from 'vitest';
import type { ParameterSummary } from './diagnostics.js';

/** A 5-D Gaussian with mixed correlations and scales spanning a factor of 20. */
export const MEAN5 = [0, 1, 2, 3, 4];
export const SD5 = [1, 2, 0.5, 3, 10];
export const CORR5 = [
  [1, 0.8, 0.3, 0, 0],
  [0.8, 1, 0.5, 0, 0],
  [0.3, 0.5, 1, -0.4, 0],
  [0, 0, -0.4, 1, 0.6],
  [0, 0, 0, 0.6, 1],
];

/** Each parameter's mean within `meanTol` sd of the truth and its sd within `sdTol` (relative). */
export function expectMoments(
  summary: Record<string, ParameterSummary>,
  mean: number[],
  sd: number[],
  meanTol: number,
  sdTol: number,
): void {
  Object.values(summary).forEach((s, j) => {
    const where = `parameter ${j}: mean ${s.mean} sd ${s.sd}, expected ${mean[j]} and ${sd[j]}`;
    expect(Math.abs(s.mean - mean[j]!) / sd[j]!, where).toBeLessThan(meanTol);
    expect(Math.abs(s.sd / sd[j]! - 1), where).toBeLessThan(sdTol);
  });
}
