/**
 * What the server needs to know about a model's text: it reads and compiles it with the engine
 * and returns its name, diagnostics and the facts experiments are planned from (parameters,
 * outputs, run settings). Pure and Node-free: the server runs it in a worker thread, under
 * memory and time limits, so that no model can stall or kill the server.
 */
import { compileModel, readModel, type Budgets, type Diagnostic } from '../engine.js';
import type { SimSpecs } from '../model/types.js';

export interface ModelFacts {
  name?: string;
  diagnostics: Diagnostic[];
  /** Settable constants and stock initial values (array elements one by one). */
  parameters: { name: string; value: number; kind: 'constant' | 'stock-initial' }[];
  outputs: { name: string; kind: string }[];
  simSpecs?: SimSpecs;
}

export type CheckOutcome =
  ({ ok: true } & ModelFacts) | { ok: false; status: number; message: string; details?: string[] };

/** The located error lines a client sees (at most 30). */
export function errorLines(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.severity === 'error')
    .slice(0, 30)
    .map((d) => `${d.line ? `line ${d.line}: ` : ''}${d.message}${d.variable ? ` (in ${d.variable})` : ''}`);
}

export function describeModelText(text: string, file?: string, budgets?: Partial<Budgets>): CheckOutcome {
  let diagnostics: Diagnostic[];
  let facts: Omit<ModelFacts, 'diagnostics'> = { parameters: [], outputs: [] };
  try {
    const read = readModel(text, { file, budgets });
    diagnostics = [...read.diagnostics];
    if (read.model && !diagnostics.some((d) => d.severity === 'error')) {
      const compiled = compileModel(read.model, { budgets });
      diagnostics.push(...compiled.diagnostics);
      const c = compiled.compiled;
      facts = {
        name: read.model.header.name,
        parameters: c
          ? c.parameters.map((p) => ({
              name: p.name,
              value: p.value,
              kind: p.kind as 'constant' | 'stock-initial',
            }))
          : [],
        outputs: c ? c.outputs.map((o) => ({ name: o.name, kind: o.kind })) : [],
        simSpecs: read.model.simSpecs,
      };
    } else if (read.model) {
      facts.name = read.model.header.name;
    }
  } catch (err) {
    return {
      ok: false,
      status: 422,
      message: `the engine could not read this model: ${(err as Error).message}`,
    };
  }
  if (diagnostics.some((d) => d.severity === 'error')) {
    return { ok: false, status: 422, message: 'the model has errors', details: errorLines(diagnostics) };
  }
  return { ok: true, diagnostics, ...facts };
}
