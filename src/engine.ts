/**
 * The engine's public surface, free of Node imports so that the same code runs in Node, in
 * worker threads and in the browser. The CLI, experiments and the workbench use only this.
 */
import type { Diagnostic, Model } from './model/types.js';
import type { CompiledModel } from './simulate/types.js';

export type { Diagnostic, Model } from './model/types.js';
export type {
  CompiledModel,
  OutputVariable,
  Parameter,
  Results,
  RunOptions,
  Simulation,
} from './simulate/types.js';
export { ModelError } from './model/errors.js';

export interface ReadResult {
  /** Absent when the file could not be read as a model at all. */
  model?: Model;
  diagnostics: Diagnostic[];
}

export interface CompileResult {
  /** Absent when there are errors. */
  compiled?: CompiledModel;
  diagnostics: Diagnostic[];
}

/** Read an XMILE (.xmile, .stmx, .xml) document from its text. */
export function readModel(text: string, options: { file?: string } = {}): ReadResult {
  void text;
  void options;
  throw new Error('readModel: not implemented yet');
}

/** Compile a model once; run it many times. Diagnostics are values, never thrown. */
export function compileModel(model: Model): CompileResult {
  void model;
  throw new Error('compileModel: not implemented yet');
}

/** Every diagnostic of a model (errors and warnings, units included), without running it. */
export function checkModel(model: Model): Diagnostic[] {
  void model;
  throw new Error('checkModel: not implemented yet');
}
