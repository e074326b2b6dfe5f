/**
 * Turn a model reference into a reusable Simulation. Free of Node imports: the caller supplies
 * the model text, so workers need no file access and the browser can do the same.
 */
import { simulationFromImage, simulationImage, type SimulationImage } from '../compile/compile.js';
import { compileModel, readModel, type Budgets, type Simulation } from '../engine.js';
import { builtinSimulation, isBuiltinModel } from './builtin.js';
import { SpecError, type ExperimentSpec } from './spec.js';

export type ModelSource =
  | { kind: 'builtin'; name: string }
  | { kind: 'xmile'; text: string; file: string }
  /** A model compiled once already: workers receive the generated program, not the text. */
  | { kind: 'image'; image: SimulationImage; file: string };

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
  if (source.kind === 'image') return { simulation: simulationFromImage(source.image), forWorkers: source };
  if (source.kind === 'builtin') return { simulation: builtinOrError(source.name), forWorkers: source };
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
  // The WebAssembly back end where it is supported and, timed here on a few runs, faster (the
  // same bits either way); workers get the choice made here with the image.
  const simulation = compiled.compiled.simulation({ ...options, backend: 'auto' });
  const image = simulationImage(compiled.compiled, { ...options, backend: simulation.backend ?? 'js' });
  return { simulation, forWorkers: image ? { kind: 'image', image, file: source.file } : source };
}

function builtinOrError(name: string): Simulation {
  try {
    return builtinSimulation(name);
  } catch (err) {
    throw new SpecError('model', (err as Error).message);
  }
}
