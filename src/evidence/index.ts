/**
 * The evidence base without a database: the document format and its validation, pure queries,
 * and the scoring behind `interlock ach|estimates|forecasts|indicators`. Node-free, so the case
 * model and the browser workbench can use `evidence.json` directly.
 */
export * from './data.js';
export {
  ACH_FORMULAS,
  LEVEL_WEIGHT,
  analyzeHypothesisSet,
  cellConsensus,
  cellDisagreement,
  disputeLevel,
  roundHalfToward,
  type AchCell,
  type AchEvidenceResult,
  type AchHypothesisResult,
  type AchSetResult,
  type DisputeLevel,
} from './ach.js';
export {
  CONSENSUS_BASES,
  DEFAULT_WINDOW_DAYS,
  estimateTimeline,
  revisionFormula,
  type EstimateTimeline,
  type RevisionSummary,
  type TimelineEntry,
} from './estimates.js';
export {
  FORECAST_FORMULAS,
  ICD203_TERMS,
  icd203Term,
  type Icd203Term,
  brierScore,
  calibrationTable,
  forecastReport,
  logScore,
  scoreQuestion,
  type AnalystQuestionScore,
  type AnalystSummary,
  type CalibrationBucket,
  type ForecastReport,
} from './forecasts.js';
export {
  INDICATOR_FORMULAS,
  indicatorState,
  indicatorStates,
  type IndicatorState,
  type IndicatorStateName,
} from './indicators.js';
