/**
 * What the workbench's Explore page is sent for an experiment results folder (src/server/
 * results-view.ts builds it; src/web/pages/explore.ts draws it): one definition of the shape for
 * both. Types only.
 */
import type { PolicyRobustness } from './robustness.js';

export interface ViewOptions {
  /** Runs of interest for PRIM, e.g. `troops_m24 > troops_m12`. Default: none (no PRIM). */
  where?: string;
  /** PRIM within one policy (its name); default every policy pooled. */
  policy?: string;
  /** Satisficing criterion; default the spec's `satisfice`. */
  satisfice?: string;
  /** Outcome whose regret is shown (lower is better unless the spec says maximize). */
  regret?: string;
  /** Significance level of a PRIM restriction (default 0.05). */
  alpha?: number;
}

export interface Restriction {
  name: string;
  /** Kept range of a real input, or the categories kept (labels) of a categorical one. */
  low?: number;
  high?: number;
  categories?: string[];
  full?: [number, number];
  /** Quasi-p-value (Bryant and Lempert 2010): chance of this density gain with the restriction lifted. */
  p: number;
  significant: boolean;
}

export interface ExploreView {
  source: {
    specFile?: string;
    method: string;
    seed: number;
    samples: number;
    rows: number;
    completed: number;
    failed: number;
    state: string;
  };
  policies: string[];
  uncertainties: string[];
  outcomes: { name: string; variable: string; reduce: string; series: boolean }[];
  times: number[];
  fanLevels: readonly number[];
  fanLabels: readonly string[];
  /** Per series outcome, per policy: one [q05..q95] per time in `times`. */
  fans: { outcome: string; variable: string; policies: number[][][] }[];
  robustness: { satisfice?: string; regret?: string; policies: PolicyRobustness[] };
  prim?:
    | {
        where: string;
        policy?: string;
        runs: number;
        interest: number;
        baseRate: number;
        alpha: number;
        coverage: number;
        density: number;
        mass: number;
        restrictions: Restriction[];
        /** False when no restriction is significant: the page shows a warning, not a box. */
        significant: boolean;
        trajectory: { coverage: number; density: number }[];
      }
    | { where: string; error: string };
  /** Spearman's rho of each uncertainty with the regret outcome, pooled over policies. */
  sensitivity?: { outcome: string; rows: { name: string; rho: number }[] };
}

/** One box of a PRIM trajectory over a plain model's constants: its limits on every parameter. */
export interface PrimStep {
  coverage: number;
  density: number;
  mass: number;
  box: [number, number][];
}

/**
 * A plain model's experiment (a Latin hypercube over its constants, one output) as the Explore
 * page draws it (src/server/experiments.ts `summarise`).
 */
export interface ExperimentResult {
  output: string;
  parameters: string[];
  ranges: [number, number][];
  samples: number[][];
  finals: number[];
  time: number[];
  fan: number[][];
  sensitivity: { parameter: string; rho: number }[];
  prim: {
    threshold: number;
    below: boolean;
    trajectory: PrimStep[];
    chosen: number;
    quasiP?: Record<string, number>;
  };
}
