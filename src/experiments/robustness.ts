/**
 * Robustness of policies across sampled futures (pure). Every policy met the same futures
 * (rows policy * designRows + sample), so outcomes can be compared future by future:
 *  - percentiles and moments of each outcome per policy;
 *  - regret (Savage; Rhodium's "regret type 2"): in each future, how far a policy falls short
 *    of the best policy in that future, for outcomes marked minimize or maximize;
 *  - satisficing (Rhodium's "satisficing type 1", a domain criterion): the share of futures
 *    in which the policy meets a criterion such as `peak_troops < 15000`.
 */
import { STATUS_OK } from './runner.js';
import type { ExperimentTable } from './table.js';

export interface OutcomeSummary {
  mean: number;
  sd: number;
  min: number;
  p10: number;
  p50: number;
  p90: number;
  max: number;
  /** Present for outcomes whose kind is minimize or maximize. */
  regret?: { mean: number; p90: number; max: number };
}

export interface PolicyRobustness {
  policy: string;
  runs: number;
  failed: number;
  outcomes: Record<string, OutcomeSummary>;
  /** Share of the policy's successful runs meeting the satisficing criterion. */
  satisficing?: number;
}

/** Linear-interpolation percentile of sorted values (numpy's default). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function summarise(values: number[]): OutcomeSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const mean = n ? sorted.reduce((a, b) => a + b, 0) / n : NaN;
  let v = 0;
  for (const x of sorted) v += (x - mean) ** 2;
  return {
    mean,
    sd: n > 1 ? Math.sqrt(v / (n - 1)) : NaN,
    min: n ? sorted[0] : NaN,
    p10: percentile(sorted, 0.1),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    max: n ? sorted[n - 1] : NaN,
  };
}

export function analyseRobustness(
  table: ExperimentTable,
  options: { satisfice?: (row: number) => number } = {},
): PolicyRobustness[] {
  const P = table.policyNames.length;
  const S = table.designRows;
  const ok = (row: number): boolean => table.status[row] === STATUS_OK;
  const result: PolicyRobustness[] = table.policyNames.map((policy, p) => {
    let runs = 0;
    let failed = 0;
    let satisfied = 0;
    for (let s = 0; s < S; s++) {
      const row = p * S + s;
      if (table.status[row] === 0) continue;
      runs++;
      if (!ok(row)) failed++;
      else if (options.satisfice?.(row)) satisfied++;
    }
    const outcomes: Record<string, OutcomeSummary> = {};
    table.outcomeNames.forEach((name, o) => {
      const values: number[] = [];
      for (let s = 0; s < S; s++) {
        const row = p * S + s;
        const v = table.outcomes[o][row];
        if (ok(row) && Number.isFinite(v)) values.push(v);
      }
      outcomes[name] = summarise(values);
    });
    return {
      policy,
      runs,
      failed,
      outcomes,
      satisficing: options.satisfice && runs - failed > 0 ? satisfied / (runs - failed) : undefined,
    };
  });

  table.outcomeNames.forEach((name, o) => {
    const kind = table.outcomeKinds[o];
    if (kind !== 'minimize' && kind !== 'maximize') return;
    const regrets: number[][] = table.policyNames.map(() => []);
    const col = table.outcomes[o];
    for (let s = 0; s < S; s++) {
      let best = kind === 'maximize' ? -Infinity : Infinity;
      let complete = true;
      for (let p = 0; p < P; p++) {
        const row = p * S + s;
        const v = col[row];
        if (!ok(row) || !Number.isFinite(v)) {
          complete = false;
          break;
        }
        best = kind === 'maximize' ? Math.max(best, v) : Math.min(best, v);
      }
      if (!complete) continue;
      for (let p = 0; p < P; p++) regrets[p].push(Math.abs(col[p * S + s] - best));
    }
    regrets.forEach((r, p) => {
      const sorted = Float64Array.from(r).sort();
      result[p].outcomes[name].regret = {
        mean: r.length ? r.reduce((a, b) => a + b, 0) / r.length : NaN,
        p90: percentile(sorted, 0.9),
        max: r.length ? sorted[r.length - 1] : NaN,
      };
    });
  });
  return result;
}
