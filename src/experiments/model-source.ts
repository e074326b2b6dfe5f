/**
 * Turn a model reference into a reusable Simulation. Free of Node imports: the caller supplies
 * the model text, so workers need no file access and the browser can do the same.
 */
import { compileModel, readModel, type Budgets, type Simulation } from '../engine.js';
import { builtinSimulation, isBuiltinModel } from './builtin.js';
import { SpecError, type ExperimentSpec } from './spec.js';

export type ModelSource = { kind: 'builtin'; name: string } | { kind: 'xmile'; text: string; file: string };

export function modelSourceFor(spec: ExperimentSpec, text?: string, file?: string): ModelSource {
  if (isBuiltinModel(spec.model)) return { kind: 'builtin', name: spec.model };
  if (text === undefined) throw new SpecError('model', 'the model file was not read');
  return { kind: 'xmile', text, file: file ?? spec.model };
}

export function createSimulation(
  source: ModelSource,
  spec: ExperimentSpec,
  budgets?: Partial<Budgets>,
): Simulation {
  if (source.kind === 'builtin') {
    try {
      return builtinSimulation(source.name);
    } catch (err) {
      throw new SpecError('model', (err as Error).message);
    }
  }
  const read = readModel(source.text, { file: source.file, budgets });
  const readErrors = read.diagnostics.filter((d) => d.severity === 'error');
  if (!read.model || readErrors.length) {
    throw new SpecError(
      'model',
      `cannot read ${source.file}: ${readErrors.map((d) => d.message).join('; ')}`,
    );
  }
  const compiled = compileModel(read.model, { budgets });
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (!compiled.compiled || compileErrors.length) {
    throw new SpecError(
      'model',
      `cannot compile ${source.file}: ${compileErrors.map((d) => d.message).join('; ')}`,
    );
  }
  const run = spec.run;
  return compiled.compiled.simulation({
    start: run.start,
    stop: run.stop,
    dt: run.dt,
    saveStep: run.saveStep,
    method: run.method,
    seed: spec.seed,
    vars: [...new Set(spec.outcomes.map((o) => o.variable))],
  });
}
