/** Exploratory analysis for Node: everything in ./index.ts plus the worker pool and results on disk. */
export * from './index.js';
export {
  explore,
  loadSpecFile,
  type ExploreOptions,
  type ExploreResult,
  type LoadedSpec,
} from './explore.js';
export { runPool, defaultJobs } from './pool.js';
export { ResultsWriter, loadTable, readMetadata, readSeries, type ResultsMetadata } from './store.js';
