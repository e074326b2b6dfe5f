/**
 * Case folders (a model with its question, scenarios, parameters, loops and evidence): load,
 * compare scenarios, hindcast against reported estimates and write the self-contained report.
 * Everything but `loadCase` is free of Node imports.
 */
export * from './definition.js';
export * from './compare.js';
export * from './hindcast.js';
export * from './analysis.js';
export { renderReport, dateLabel, type ReportInput } from './report.js';
export { loadCase, CASE_FILES, type LoadedCase } from './load.js';
export * from './fit.js';
