/**
 * The in-memory model: plain typed data produced by a reader (XMILE today, Vensim later) and
 * consumed by the compiler. No I/O and no behaviour here.
 */

/** A place in a source file. Lines and columns are 1-based. */
export interface SourceLocation {
  file?: string;
  line: number;
  column: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem a user can cause, reported as a value (never thrown at the user). */
export interface Diagnostic {
  severity: Severity;
  /** A stable machine-readable code, e.g. `xml-malformed`, `unknown-variable`, `algebraic-loop`. */
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  /** The variable the problem belongs to, when there is one (display name). */
  variable?: string;
}

/**
 * Equation text together with where it starts in the file, so that an error at offset k of the
 * text can be reported at the right line and column. `loc` is the position of the first
 * character of `text` (after XML entity decoding the mapping is approximate for lines that
 * contain entities; it is exact otherwise).
 */
export interface Equation {
  text: string;
  loc?: SourceLocation;
}

export type GraphicalFunctionType = 'continuous' | 'extrapolate' | 'discrete';

export interface GraphicalFunction {
  /** Name of a standalone `<gf>`; absent for a gf embedded in a variable. */
  name?: string;
  type: GraphicalFunctionType;
  /** Always filled: from `<xpts>`, or evenly spaced from `<xscale>` over ypts.length points. */
  xpts: number[];
  ypts: number[];
  xscale?: { min: number; max: number };
  yscale?: { min: number; max: number };
  loc?: SourceLocation;
}

export type VariableKind = 'stock' | 'flow' | 'aux';

/** One element's own definition in a non-apply-to-all array. */
export interface ElementDefinition {
  /** Element names (or 1-based numbers as strings), one per dimension, as written in the file. */
  subscript: string[];
  eqn?: Equation;
  gf?: GraphicalFunction;
  loc?: SourceLocation;
}

export interface Variable {
  kind: VariableKind;
  /** The name as written in the file (XMILE files usually write `_` for spaces in references). */
  name: string;
  eqn?: Equation;
  /**
   * Auxiliaries and flows: the equation used instead of `eqn` while initial values are computed
   * (`<init_eqn>`, Stella's and Vensim's active initial).
   */
  initEqn?: Equation;
  /** A graphical function applied to the value of `eqn` (or to TIME when there is no eqn). */
  gf?: GraphicalFunction;
  /** Stocks only: names of inflows and outflows, in priority order. */
  inflows?: string[];
  outflows?: string[];
  /**
   * Stocks: cannot go below zero (outflows are limited). Flows: uniflow (cannot go negative).
   * Resolved by the reader from `<non_negative/>` and the `<behavior>` cascade.
   */
  nonNegative?: boolean;
  units?: string;
  doc?: string;
  /** Dimension names, in order, for an arrayed variable; empty or absent for a scalar. */
  dimensions?: string[];
  /**
   * One equation per element in row-major order, as some converters write an arrayed variable
   * (several `<eqn>` children); used when there are as many as elements.
   */
  elementEquations?: Equation[];
  /** Per-element definitions (non-apply-to-all arrays). */
  elements?: ElementDefinition[];
  /** Stocks: a conveyor (XMILE 1.0 sections 3.7.2, 4.2.1). */
  conveyor?: ConveyorOptions;
  /** Stocks: a first-in, first-out queue (3.7.3). */
  queue?: boolean;
  /** Flows out of a conveyor: a leakage, with its fraction (`<leak>expr</leak>`) or marked by `<leak/>` (fraction in `eqn`). */
  leak?: { fraction?: Equation; start?: number; end?: number; integers?: boolean };
  /** Flows out of a queue: an overflow (`<overflow/>`). */
  overflow?: boolean;
  /** Flow multiplier (XMILE 4.3), rarely used. */
  multiplier?: Equation;
  /** `<aux flow_concept="true">`. */
  flowConcept?: boolean;
  /** Where the variable's element starts in the file. */
  loc?: SourceLocation;
}

/** A conveyor's parameters: expressions and flags as the file gives them. */
export interface ConveyorOptions {
  /** Transit time (`<len>`), required to simulate. */
  len?: Equation;
  capacity?: Equation;
  inLimit?: Equation;
  sample?: Equation;
  arrest?: Equation;
  discrete?: boolean;
  batchIntegrity?: boolean;
  oneAtATime?: boolean;
  exponentialLeak?: boolean;
}

export interface Dimension {
  name: string;
  /** Element names; for a numbered dimension (`<dim size="3">`) these are "1".."n". */
  elements: string[];
  loc?: SourceLocation;
}

export type IntegrationMethod = 'euler' | 'rk2' | 'rk4';

export interface SimSpecs {
  start: number;
  stop: number;
  dt: number;
  /** Save interval; defaults to dt. */
  saveStep?: number;
  method: IntegrationMethod;
  /** The method string as written when it was not one we run (reported as a warning). */
  methodRequested?: string;
  /**
   * Variables that set the run's end, step and save interval as it goes (Vensim's FINAL TIME,
   * TIME STEP and SAVEPER written as equations that change during the run). `stop`, `dt` and
   * `saveStep` above hold their values at the start.
   */
  dynamic?: { stop?: string; dt?: string; saveStep?: string };
  timeUnits?: string;
}

export interface UnitDefinition {
  name: string;
  /** Defining unit expression, e.g. `1000 * people`; absent for a base unit. */
  eqn?: string;
  aliases: string[];
}

/** A macro (XMILE 3.6.1 / 4.8): a named function defined by its own small model. */
export interface MacroDefinition {
  name: string;
  parameters: string[];
  /** Default values of optional parameters (`<parm default="...">`), by parameter name. */
  parameterDefaults?: Record<string, Equation>;
  eqn?: Equation;
  variables: Variable[];
  loc?: SourceLocation;
}

/** A module instance (XMILE submodel, 3.7.4). */
export interface ModuleInstance {
  name: string;
  /** Name of the `<model>` it instantiates. */
  model: string;
  connections: { to: string; from: string }[];
  loc?: SourceLocation;
}

/** Positions from the file's own diagram, when it has one (used by the workbench). */
export interface ViewElement {
  kind: 'stock' | 'flow' | 'aux' | 'module' | 'alias';
  name: string;
  x: number;
  y: number;
  width?: number;
  height?: number;
  /** Flow pipe points. */
  points?: { x: number; y: number }[];
}

export interface ViewConnector {
  from: string;
  to: string;
  angle?: number;
}

export interface ModelView {
  elements: ViewElement[];
  connectors: ViewConnector[];
}

/** One `<model>` of the file. The root model has no name. */
export interface SubModel {
  name?: string;
  variables: Variable[];
  modules: ModuleInstance[];
  /** Standalone graphical functions of this model (for the root model see `Model`). */
  graphicalFunctions?: GraphicalFunction[];
  view?: ModelView;
}

export interface Model {
  /** The file the model was read from (as given to the reader), if any. */
  file?: string;
  /** Header name / vendor / product, informational. */
  header: { name?: string; vendor?: string; product?: string };
  simSpecs: SimSpecs;
  dimensions: Dimension[];
  /** Variables of the root model. */
  variables: Variable[];
  /** Standalone graphical functions (`<gf name="...">` in `<variables>`), callable as `name(x)`. */
  graphicalFunctions: GraphicalFunction[];
  modules: ModuleInstance[];
  /** Named sub-models (for modules). */
  subModels: SubModel[];
  macros: MacroDefinition[];
  units: UnitDefinition[];
  view?: ModelView;
}
