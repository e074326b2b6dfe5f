/**
 * What the workbench's Calibration page is sent for a calibration folder (src/server/
 * calibration-view.ts builds it; src/web/pages/calibration.ts draws it): one definition of the
 * shape for both. Types only.
 */
import type { DistributionSpec } from '../experiments/distributions.js';

export interface ParameterView {
  name: string;
  prior?: DistributionSpec;
  /** Bin edges (BINS + 1) shared by both. */
  edges: number[];
  /** Share of prior probability and of posterior draws in each bin. */
  priorMass?: number[];
  posteriorMass: number[];
  summary: {
    map: number | null;
    mean: number | null;
    q05: number | null;
    q50: number | null;
    q95: number | null;
  };
}

export interface StreamView {
  name: string;
  variable: string;
  coverage90: number | null;
  rows: {
    id: string;
    time: number;
    date: string | null;
    source: string | null;
    kind: string | null;
    value: number | null;
    low: number | null;
    high: number | null;
    q05: number | null;
    q50: number | null;
    q95: number | null;
  }[];
}

export interface CalibrationView {
  folder: string;
  method: string;
  asOf: string | null;
  samples: number;
  observations: number;
  coverage90: number | null;
  warnings: string[];
  specFile?: string;
  parameters: ParameterView[];
  streams: StreamView[];
  fans: { variable: string; time: number[]; quantiles: number[][] }[];
  levels: number[];
  /** With `--sequence`: every date and its folder (root-relative). */
  sequence?: { dates: string[]; folders: string[]; current: string };
}
