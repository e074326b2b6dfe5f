/**
 * The one place an experiment's Simulation is made from a model prepared for running: the
 * image of a model compiled once (generated code, no model text) or a builtin model. Worker
 * threads load only this and the compiled-code runtime, not the model readers; a choice of
 * back end (JavaScript, WebAssembly) belongs here.
 */
import { simulationFromImage, type SimulationImage } from '../compile/compile.js';
import type { Simulation } from '../engine.js';
import { builtinSimulation } from './builtin.js';
import { SpecError } from './spec-error.js';

export type PreparedSource =
  | { kind: 'builtin'; name: string }
  /** A model compiled once already: workers receive the generated program, not the text. */
  | { kind: 'image'; image: SimulationImage; file: string };

export function simulationOf(source: PreparedSource): Simulation {
  if (source.kind === 'image') return simulationFromImage(source.image);
  try {
    return builtinSimulation(source.name);
  } catch (err) {
    throw new SpecError('model', (err as Error).message);
  }
}
