/**
 * What forecasts at a date scored against later rows look like, and their summary (Q4): plain
 * data and pure functions, so the pages and reports can use them without Node. The scoring
 * itself is in forecast.ts.
 */
export interface ScoredForecast {
  /** Quantiles 5%, 50%, 95% of the observation predictive (the data's units). */
  q05: number;
  q50: number;
  q95: number;
  /** CRPS on the stream's scale (fair ensemble form); null for censored rows. */
  crps: number | null;
  /** Log predictive density of the row (a probability for censored rows). */
  logScore: number;
  /** PIT of the reported value (point rows), randomised for ties. */
  pit: number | null;
}

export interface AnalystForecast {
  /** The estimate the analysts had published by the forecast date. */
  id: string;
  source?: string;
  value: number;
  published?: string;
  crps: number | null;
  logScore: number;
}

export interface ForecastRow {
  id: string;
  stream: string;
  source?: string;
  date?: string;
  published?: string;
  kind: string;
  /** The reported value (point rows) or the geometric middle of a range. */
  value: number;
  model: ScoredForecast;
  analyst: AnalystForecast | null;
}

/** One date's forecasts and what the calibration as of then said. */
export interface ForecastStep {
  asOf: string;
  rows: ForecastRow[];
}

export interface ForecastSummary {
  /** Rows scored (forecasts made and later reported), over all dates. */
  forecasts: number;
  /** Of those, rows where the analysts had a figure at the date (the paired comparison). */
  paired: number;
  /** Mean CRPS on the stream's scale over the paired point rows: the model and the analysts. */
  crpsModel: number;
  crpsAnalyst: number;
  /** Share of paired point rows where the model's CRPS is lower. */
  modelBetter: number;
  /** Mean log score over the paired rows, model and analysts (same observation error). */
  logModel: number;
  logAnalyst: number;
  /** Share of paired rows reported later above the analysts' figure at the date (revised up). */
  revisedUp: number;
  /** Of the rows revised up, the share where the model's median was above the analysts' figure. */
  anticipated: number;
  /** Share of paired rows where the model's median was above even the later figure (overshoot). */
  overshot: number;
  /** Share of point rows inside the model's 90% predictive band. */
  coverage90: number;
  pointRows: number;
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

/** The streams the forecasts cover, in order of first appearance. */
export function forecastStreams(steps: readonly ForecastStep[]): string[] {
  return [...new Set(steps.flatMap((s) => s.rows.map((r) => r.stream)))];
}

/** The Q4 statistics over a sequence of forecast dates, optionally for one stream only. */
export function summariseForecasts(steps: readonly ForecastStep[], stream?: string): ForecastSummary {
  const all = steps.flatMap((s) => s.rows).filter((r) => stream === undefined || r.stream === stream);
  const paired = all.filter((r) => r.analyst !== null);
  const pairedPoints = paired.filter((r) => r.model.crps !== null && r.analyst!.crps !== null);
  const points = all.filter((r) => r.kind === 'point');
  const up = paired.filter((r) => r.value > r.analyst!.value);
  return {
    forecasts: all.length,
    paired: paired.length,
    crpsModel: mean(pairedPoints.map((r) => r.model.crps!)),
    crpsAnalyst: mean(pairedPoints.map((r) => r.analyst!.crps!)),
    modelBetter: mean(pairedPoints.map((r) => (r.model.crps! < r.analyst!.crps! ? 1 : 0))),
    logModel: mean(paired.map((r) => r.model.logScore)),
    logAnalyst: mean(paired.map((r) => r.analyst!.logScore)),
    revisedUp: mean(paired.map((r) => (r.value > r.analyst!.value ? 1 : 0))),
    anticipated: mean(up.map((r) => (r.model.q50 > r.analyst!.value ? 1 : 0))),
    overshot: mean(paired.map((r) => (r.model.q50 > r.value ? 1 : 0))),
    coverage90: mean(points.map((r) => (r.value >= r.model.q05 && r.value <= r.model.q95 ? 1 : 0))),
    pointRows: points.length,
  };
}
