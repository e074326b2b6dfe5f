import type { IntegrationMethod, Model, SimSpecs, VariableKind } from '../model/types.js';

export interface RunOptions {
  method?: IntegrationMethod;
  start?: number;
  stop?: number;
  dt?: number;
  /** Save interval (a whole multiple of dt is expected; rounded to the nearest multiple). */
  saveStep?: number;
  /**
   * Parameter overrides by name (any spelling: case, `_` or space). A constant takes the value
   * in place of its equation; a stock takes it as its initial value. Array elements as
   * `name[e1,e2]`; a bare array name sets every element.
   */
  overrides?: Record<string, number>;
  /** Seed for random builtins that are called without their own seed. Default 1. */
  seed?: number;
  /** Only these variables in the results (any spelling). Default: all. */
  vars?: string[];
}

/** Options of a reusable simulation: the run options but overrides, and how it will be used. */
export interface SimulationOptions extends Omit<RunOptions, 'overrides'> {
  /**
   * Warm the generated run up before its first run (default true), which pays off over many
   * runs. False for a simulation that runs once or a few times (the editor after a recompile),
   * where the warm-up costs more than it saves.
   */
  prime?: boolean;
  /**
   * Which back end runs the steps: 'js' (the default), 'wasm' (the WebAssembly translation of
   * the same IR, bit-identical; a model it cannot translate runs in JavaScript, with the reason
   * in `Simulation.backendNote`), or 'auto' (WebAssembly where it is supported and, timed on a
   * few runs of this simulation, faster; JavaScript otherwise, with the figures in the note).
   */
  backend?: Backend;
}

export type Backend = 'js' | 'wasm' | 'auto';

/** One output column: a scalar variable or one element of an arrayed variable. */
export interface OutputVariable {
  /** Display name: the model's name with `_` shown as a space; elements as `name[e1,e2]`. */
  name: string;
  /** The variable's display name without subscript. */
  base: string;
  subscript?: string[];
  kind: VariableKind;
  units?: string;
  doc?: string;
}

/** A constant (or stock initial value) that can be overridden per run. */
export interface Parameter {
  name: string;
  /** Value of the model's own equation. */
  value: number;
  kind: 'constant' | 'stock-initial';
  units?: string;
  doc?: string;
}

/** Simulation output as column arrays. */
export interface Results {
  /** Column names, aligned with `columns` (the time column is separate). */
  names: string[];
  time: Float64Array;
  columns: Float64Array[];
  /** A column by name, in any spelling; undefined when absent. */
  column(name: string): Float64Array | undefined;
}

/**
 * A reusable simulation with preallocated buffers, for ensembles and sliders: set parameters
 * by index, run, read series. No allocation per run.
 */
export interface Simulation {
  /** Index of a settable parameter (any spelling); throws ModelError when unknown. */
  parameterIndex(name: string): number;
  /** Set a parameter for the following runs. */
  set(index: number, value: number): void;
  /** Forget every override. */
  clearOverrides(): void;
  /**
   * Seed for the random functions called without their own seed, from the next run on (an
   * ensemble gives each future its own seed; the same seed repeats the same draws).
   */
  setSeed(seed: number): void;
  run(): void;
  /** Saved times of the last run (a view, valid until the next run). */
  readonly time: Float64Array;
  /** The saved series of an output (a view into the buffer, valid until the next run). */
  series(name: string): Float64Array;
  /** A copy of the last run's results. */
  results(): Results;
  /** The back end that runs the steps (see `SimulationOptions.backend`). */
  readonly backend?: 'js' | 'wasm';
  /** Why WebAssembly was asked for and JavaScript runs instead. */
  readonly backendNote?: string;
}

export interface CompiledModel {
  readonly model: Model;
  readonly simSpecs: SimSpecs;
  readonly outputs: readonly OutputVariable[];
  readonly parameters: readonly Parameter[];
  /** Run once and return results. Throws ModelError for bad options. */
  run(options?: RunOptions): Results;
  /** Prepare a reusable simulation (run options fixed; overrides set per run). */
  simulation(options?: SimulationOptions): Simulation;
  /** The generated JavaScript (for inspection and debugging). */
  readonly source: string;
  /** Causal structure between model variables (for diagrams and loop analysis). */
  readonly graph: ModelGraph;
}

/**
 * The model's causal graph over its own variables (arrays collapsed to one node; stateful
 * builtins' internal stocks hidden). An edge `from -> to` means `from` appears in the equation of
 * `to`, or `from` is an inflow/outflow of stock `to` (kind 'flow').
 */
export interface ModelGraph {
  nodes: { name: string; kind: VariableKind }[];
  edges: { from: string; to: string; kind: 'equation' | 'flow' }[];
}
