/**
 * Turn a model reference into a reusable Simulation. Free of Node imports: the caller supplies
 * the model text, so workers need no file access and the browser can do the same.
 */
import { simulationImage } from '../compile/compile.js';
import { compileModel, readModel, type Budgets, type Simulation } from '../engine.js';
import { simulationOf, type PreparedSource } from './backend.js';
import { isBuiltinModel } from './builtin.js';
import { ModelError } from '../model/errors.js';
import { SpecError } from './spec-error.js';
import type { ExperimentSpec } from './spec.js';

export type ModelSource = PreparedSource | { kind: 'xmile'; text: string; file: string };

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
  return prepareSimulation(source, spec, budgets).simulation;
}

/**
 * The simulation for an experiment, and the source its workers should receive: for a model
 * file, the image of the simulation compiled here, so that no worker reads, lowers or generates
 * the model again.
 */
export function prepareSimulation(
  source: ModelSource,
  spec: ExperimentSpec,
  budgets?: Partial<Budgets>,
): { simulation: Simulation; forWorkers: ModelSource } {
  if (source.kind !== 'xmile') return { simulation: simulationOf(source), forWorkers: source };
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
  const options = {
    start: run.start,
    stop: run.stop,
    dt: run.dt,
    saveStep: run.saveStep,
    method: run.method,
    seed: spec.seed,
    vars: [...new Set(spec.outcomes.map((o) => o.variable))],
  };
  let simulation: Simulation;
  try {
    // The WebAssembly back end where it is supported and, timed here on a few runs, faster (the
    // same bits either way); workers get the choice made here with the image.
    simulation = compiled.compiled.simulation({ ...options, backend: 'auto' });
  } catch (err) {
    // An outcome naming a variable the model lacks is a mistake in the spec: say which one.
    if (!(err instanceof ModelError) || err.diagnostics[0]?.code !== 'unknown-variable') throw err;
    const i = Math.max(
      0,
      spec.outcomes.findIndex((o) => err.message.split(/[:,]\s*/).includes(o.variable)),
    );
    throw new SpecError(`outcomes[${i}].variable`, `${err.message} (not in ${source.file})`);
  }
  const image = simulationImage(compiled.compiled, { ...options, backend: simulation.backend ?? 'js' });
  return { simulation, forWorkers: image ? { kind: 'image', image, file: source.file } : source };
}
