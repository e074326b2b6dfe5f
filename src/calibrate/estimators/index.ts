/** The calibration estimators: MAP search, MCMC, tempered SMC and importance reweighting. */
export type { Draws, EstimatorResult, RunControl, Target } from './types.js';
export { optimize, type OptimizeOptions, type StartResult } from './optimize.js';
export { mcmc, type McmcOptions } from './mcmc.js';
export { smc, type SmcOptions } from './smc.js';
export { importanceReweight, type ImportanceInput, type ImportanceOptions } from './importance.js';
export {
  autocovariance,
  ess,
  essBulk,
  essTail,
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
  type ParameterSummary,
} from './diagnostics.js';
export { nelderMead, runLockstep, type NelderMeadOptions, type NelderMeadResult } from './nelder-mead.js';
