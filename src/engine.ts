/**
 * The engine's public surface, free of Node imports so that the same code runs in Node, in
 * worker threads and in the browser. The CLI, experiments and the workbench use only this.
 */
import { compile } from './compile/compile.js';
import { resolveBudgets, type Budgets } from './model/budgets.js';
import type { Diagnostic, Model } from './model/types.js';
import type { CompiledModel } from './simulate/types.js';
import { checkUnits } from './units/check.js';
import type { DataSource } from './vensim/external.js';
import { looksLikeVensim, readVensim } from './vensim/reader.js';
import { readXmile } from './xmile/reader.js';

export type { Diagnostic, Model } from './model/types.js';
export type {
  CompiledModel,
  OutputVariable,
  Parameter,
  Results,
  RunOptions,
  SimulationOptions,
  Simulation,
} from './simulate/types.js';
export { ModelError } from './model/errors.js';
export { BudgetError, DEFAULT_BUDGETS, resolveBudgets, type Budgets } from './model/budgets.js';

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

export { writeXmile } from './xmile/writer.js';

/**
 * Read a model from its text: Vensim (.mdl, by extension or, without one, by content) or XMILE
 * (.xmile, .stmx, .xml). Never throws.
 */
export function readModel(
  text: string,
  options: { file?: string; data?: DataSource; budgets?: Partial<Budgets> } = {},
): ReadResult {
  const ext = /\.([A-Za-z0-9]+)$/.exec(options.file ?? '')?.[1]?.toLowerCase();
  if (ext === 'mdl' || (ext !== 'xmile' && ext !== 'stmx' && ext !== 'xml' && looksLikeVensim(text)))
    return readVensim(text, options.file, options.data);
  return readXmile(text, options.file, resolveBudgets(options.budgets));
}

/** Compile a model once; run it many times. Diagnostics are values, never thrown. */
export function compileModel(model: Model, options: { budgets?: Partial<Budgets> } = {}): CompileResult {
  try {
    return compile(model, options);
  } catch (err) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'internal',
          message: `internal compiler error: ${(err as Error).message}`,
          file: model.file,
        },
      ],
    };
  }
}

/** Every diagnostic of a model (errors and warnings, units included), without running it. */
export function checkModel(model: Model, options: { budgets?: Partial<Budgets> } = {}): Diagnostic[] {
  const diagnostics = compileModel(model, options).diagnostics;
  try {
    diagnostics.push(...checkUnits(model));
  } catch (err) {
    diagnostics.push({
      severity: 'warning',
      code: 'internal',
      message: `units could not be checked: ${(err as Error).message}`,
      file: model.file,
    });
  }
  return diagnostics;
}
