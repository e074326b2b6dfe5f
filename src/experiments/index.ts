/**
 * Exploratory analysis, browser-safe part: specs, samplers, the chunk runner and every
 * analysis over a plain experiments table. Node-only pieces (worker pool, results on disk)
 * are in ./node.ts.
 */
export { SpecError, parseSpec, parseScenarioFile } from './spec.js';
export type { ExperimentSpec, OutcomeSpec, UncertaintySpec, LeverSpec, ScenarioDefinition } from './spec.js';
export { makeDistribution, normalCdf, normalQuantile } from './distributions.js';
export type { Distribution, DistributionSpec } from './distributions.js';
export { Rng, hashSeed } from './rng.js';
export { SobolSequence } from './sobol-sequence.js';
export {
  factorialDesign,
  latinHypercubeDesign,
  monteCarloDesign,
  morrisDesign,
  saltelliDesign,
  type UnitDesign,
  type SamplingMethod,
} from './samplers.js';
export { buildPlan, type ExperimentPlan, type Policy } from './plan.js';
export { ChunkRunner, STATUS_FAILED, STATUS_OK, STATUS_PENDING, type ChunkResult } from './runner.js';
export { createSimulation, modelSourceFor, type ModelSource } from './model-source.js';
export { BUILTIN_MODELS, builtinSimulation } from './builtin.js';
export { reduceSeries } from './reducers.js';
export type { ExperimentTable } from './table.js';
export { compileExpression, ExpressionError } from './expr.js';
export { analyseSensitivity, morrisIndices, sensitivityJson, sobolIndices } from './sensitivity.js';
export type { MorrisResult, SensitivityReport, SobolResult } from './sensitivity.js';
export { prim, type PrimBox, type PrimOptions, type PrimResult } from './prim.js';
export { discover, tableResolver, type DiscoveryResult } from './discover.js';
export { analyseRobustness, percentile, type PolicyRobustness } from './robustness.js';
export { buildReport, type ReportData } from './report.js';
