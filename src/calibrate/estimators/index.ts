/** The calibration estimators: MAP search, MCMC, tempered SMC and importance reweighting. */
export type { Draws, EstimatorResult, RunControl, Target } from './types.js';
export {
  optimize,
  type OptimizeDiagnostics,
  type OptimizeOptions,
  type OptimizeResult,
  type ProfileInterval,
  type StartResult,
} from './optimize.js';
export { mcmc, type McmcDiagnostics, type McmcOptions, type McmcResult } from './mcmc.js';
export { smc, type SmcDiagnostics, type SmcOptions, type SmcResult, type SmcStage } from './smc.js';
export {
  importanceReweight,
  type ImportanceDiagnostics,
  type ImportanceInput,
  type ImportanceOptions,
  type ImportanceResult,
} from './importance.js';
export {
  autocovariance,
  chainDiagnostics,
  ess,
  essBulk,
  essTail,
  paretoK,
  paretoKThreshold,
  quantile,
  rankNormalise,
  rhat,
  rhatBasic,
  splitChains,
  summariseDraws,
  weightedMean,
  weightedQuantiles,
  weightedSd,
  weightsEss,
  type ChainDiagnostics,
  type ParameterSummary,
} from './diagnostics.js';
export { nelderMead, runLockstep, type NelderMeadOptions, type NelderMeadResult } from './nelder-mead.js';
