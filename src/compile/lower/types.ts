/** The lowering's data: slots, variables, dimensions, the context of one equation, shared state. */
import type { Expr, IndexExpr } from '../../equations/ast.js';
import { canonicalName, displayName } from '../../equations/names.js';
import type { Budgets } from '../../model/budgets.js';
import type {
  Diagnostic,
  Dimension,
  Equation,
  GraphicalFunction,
  MacroDefinition,
  Model,
  SourceLocation,
  Variable,
} from '../../model/types.js';
import type { LookupTable } from '../../simulate/runtime.js';
import type { IR } from '../ir.js';
import type { BuiltinOfKind } from '../../equations/builtins.js';
import type { StartContext } from '../initial-value.js';

export type SlotRole =
  | 'stock'
  | 'flow'
  | 'aux'
  /** Internal stock of a stateful builtin. */
  | 'hstock'
  /** Internal auxiliary (inputs of stateful builtins, their outputs). */
  | 'haux'
  /** PREVIOUS holder: a source in each step, set after the step. */
  | 'prev'
  /** INIT holder and pipeline-delay initial values: computed once at the start. */
  | 'init'
  /** A per-step random draw (uniform or standard normal). */
  | 'rand';

export interface Slot {
  id: number;
  role: SlotRole;
  /** Display name of the variable (and element) it belongs to, or an internal label. */
  label: string;
  /** Index into `LoweredModel.vars` for model variables. */
  varIndex?: number;
  /** Element position in its variable (row-major). */
  element?: number;
  /** Value expression (aux, flow, haux, init) or initial value (stock, hstock, prev). */
  eq?: IR;
  /** Net rate (stock, hstock). */
  rate?: IR;
  /** Flows only: clip at zero. */
  uniflow?: boolean;
  /** Stocks only: clamped at zero after every step (see docs/engine.md on non-negative stocks). */
  nonNegative?: boolean;
  /** prev: the hidden aux whose value it takes after each step. */
  source?: number;
  /** rand: the distribution drawn and the stream it draws from. */
  draw?: { dist: 'uniform' | 'normal'; stream: number };
  /** Is the value fixed for the whole run (computed once at initialisation)? */
  constant?: boolean;
  /**
   * Vensim ACTIVE INITIAL: the value while initial values are computed (stocks' initial values
   * read it); `eq` holds from the first reported time on.
   */
  initEq?: IR;
}

export interface VarInfo {
  v: Variable;
  key: string;
  display: string;
  dims: DimInfo[];
  size: number;
  base: number;
  strides: number[];
  /** Canonical prefix its equation's names resolve under: a module instance's or a macro call's; '' at the root. */
  scope: string;
  /** A macro instance's variable: the call's arguments, and how deep the call is nested. */
  params?: MacroParams;
  depth?: number;
}

export interface DimInfo {
  name: string;
  key: string;
  elements: string[];
  elementKeys: string[];
}

export interface RandomStream {
  /** A fixed seed given in the equation; otherwise derived from the run seed and the stream index. */
  seed?: number;
  /** With a fixed seed: the element of an arrayed variable, so that elements draw distinct streams. */
  salt?: number;
}

export interface LoweredModel {
  vars: VarInfo[];
  slots: Slot[];
  tables: LookupTable[];
  streams: RandomStream[];
  /** Number of pipeline-delay history buffers. */
  histories: { source: number }[];
  diagnostics: Diagnostic[];
  /** Variable-level causal edges (for diagrams and loops). */
  edges: { from: string; to: string; kind: 'equation' | 'flow' }[];
}

export interface Ctx {
  vi: VarInfo;
  element: number;
  /** Dimension key -> bound element index for this element. */
  binding: Map<string, number>;
  eqn: Equation;
  /** Current slot (for SELF). */
  self: number;
  /** Macro parameter substitution. */
  params?: MacroParams;
  depth: number;
  /** Inside the first argument of PREVIOUS, where SELF may name the variable being defined. */
  selfAllowed?: boolean;
  /** Lowering an initial value (a stock's, INIT's): variables with an `<init_eqn>` read that instead. */
  initial?: boolean;
  /** Names resolve in this scope instead of the variable's own (a macro body). */
  scope?: string;
  /** Lowering a Vensim DELAY N / SMOOTH N, whose order is read once at the start. */
  vensimOrder?: boolean;
}

/** Dimensions an array expression spans, in row-major order (`key` is a dimension's canonical name). */
export type Shape = { key: string; n: number }[];
export interface Vec {
  xs: IR[];
  shape: Shape;
}

/** A macro's parameters: each argument with the parameters of the context it was written in. */
export type MacroParams = Map<
  string,
  { expr: Expr; outer: MacroParams | undefined; scope: string | undefined }
>;

export class LowerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export const TIME_KEYS = new Map<string, IR>([
  ['time', { k: 'time' }],
  ['dt', { k: 'dt' }],
  ['starttime', { k: 'start' }],
  ['stoptime', { k: 'stop' }],
]);

/** Position in an equation text -> file location. */
export function locate(
  eqn: Equation | undefined,
  offset: number,
  fallback?: SourceLocation,
): SourceLocation | undefined {
  const loc = eqn?.loc ?? fallback;
  if (!loc) return undefined;
  if (!eqn) return loc;
  const before = eqn.text.slice(0, Math.max(0, Math.min(offset, eqn.text.length)));
  const lines = before.split(/\r\n|\r|\n/);
  if (lines.length === 1) return { file: loc.file, line: loc.line, column: loc.column + offset };
  return { file: loc.file, line: loc.line + lines.length - 1, column: lines[lines.length - 1]!.length + 1 };
}

/** The value of a model slot not lowered yet (constant folding and start values skip it). */
export const PENDING: IR = { k: 'c', v: NaN };

/** What the parts of the lowering share: the model, what is built so far, and each part's functions. */
export interface LowerData {
  model: Model;
  budgets: Budgets;
  file: string | undefined;
  diagnostics: Diagnostic[];
  slots: Slot[];
  tables: LookupTable[];
  streams: RandomStream[];
  histories: { source: number }[];
  edges: LoweredModel['edges'];
  /** Set when a budget is exceeded: lowering stops there (the rest would fail the same way). */
  exhausted: boolean;
  dims: Map<string, DimInfo>;
  gfTables: Map<string, number>;
  macros: Map<string, MacroDefinition>;
  /** The model's variables (its results). */
  vars: VarInfo[];
  /** With the variables of macro instances, which are lowered the same way but are not results. */
  allVars: VarInfo[];
  byKey: Map<string, VarInfo>;
  /** Slot id -> the variable it belongs to (undefined for internal slots). */
  slotVar: (VarInfo | undefined)[];
  /** A module instance's variable -> the scope its equation's names resolve in. */
  scopeOf: Map<Variable, string>;
  /** Flows a conveyor or queue drives (its non-leakage outflows): they need no equation. */
  drivenFlows: Set<string>;
  err(
    code: string,
    message: string,
    loc?: SourceLocation,
    variable?: string,
    severity?: 'error' | 'warning',
  ): void;
  addTable(gf: GraphicalFunction): number;
  /** The variable a name refers to from an equation in `ctx` (inside an instance: its own first). */
  resolve(key: string, ctx: Ctx): VarInfo | undefined;
  resolveTable(key: string, ctx: Ctx): number | undefined;
  newSlot(role: SlotRole, label: string): Slot;
}

/** The functions of the lowering's parts, which call each other through the shared state. */
export interface LowerFns {
  // subscripts.ts
  /** Which element of target dimension `td` the context selects, if it does. */
  boundElement(td: DimInfo, ctx: Ctx): number | undefined;
  /** Slots selected by a reference to arrayed variable `vi` (scalar when exactly one). */
  selectSlots(vi: VarInfo, indices: IndexExpr[] | undefined, ctx: Ctx, at: number, vecOk: boolean): IR[];
  /** The same, with the dimensions the selection spans (row-major), for broadcasting. */
  selectShaped(vi: VarInfo, indices: IndexExpr[] | undefined, ctx: Ctx, at: number, vecOk: boolean): Vec;
  // arrays.ts
  lowerVector(e: Expr, ctx: Ctx): IR[];
  lowerShaped(e: Expr, ctx: Ctx): Vec;
  pick(v: Vec, ctx: Ctx, at: number): IR;
  // expressions.ts
  hiddenAux(ir: IR, label: string): IR;
  constFold(ir: IR): number | undefined;
  label(ctx: Ctx, fn: string): string;
  lower(e: Expr, ctx: Ctx): IR;
  // calls.ts
  lowerCall(e: Extract<Expr, { kind: 'call' }>, ctx: Ctx): IR;
  vensimLookup(fname: string, table: number, x: IR): IR;
  lowerMacro(m: MacroDefinition, e: Extract<Expr, { kind: 'call' }>, ctx: Ctx): IR;
  tableOf(vi: VarInfo, ctx: Ctx): number;
  hasGf(vi: VarInfo): boolean;
  tableAt(vi: VarInfo, e: number): number;
  // stateful.ts
  lowerStateful(name: BuiltinOfKind<'stateful'>, args: Expr[], ctx: Ctx, at: number): IR;
  startContext(): StartContext;
  staticOrder(e: Expr, ctx: Ctx, at: number): number;
  constantStartContext(): StartContext;
  lowerRandom(name: BuiltinOfKind<'random'>, args: Expr[], ctx: Ctx, at: number): IR;
  // variables.ts
  addVar(
    v: Variable,
    scope: string,
    hidden?: { label: string; params: MacroParams | undefined },
  ): VarInfo | undefined;
  parse(vi: VarInfo, eqn: Equation): Expr | undefined;
  /** Parsed equations (null: did not parse), for the variable-level edges. */
  parsedCache: Map<Equation, Expr | null>;
  elementEquation(vi: VarInfo, e: number): { eqn?: Equation; gf?: GraphicalFunction };
  elementGf(vi: VarInfo, e: number): GraphicalFunction | undefined;
  atStart(ir: IR, ctx: Ctx): IR;
  lowerValue(
    vi: VarInfo,
    e: number,
    eqn: Equation | undefined,
    gf: GraphicalFunction | undefined,
    initial?: boolean,
  ): IR;
  lowerSlotNow(sl: Slot): void;
}

export type LowerState = LowerData & LowerFns;

export function isNumbered(d: DimInfo): boolean {
  return d.elements.every((e, i) => e === String(i + 1));
}

export function dimInfo(d: Dimension): DimInfo {
  return {
    name: d.name,
    key: canonicalName(d.name),
    elements: d.elements.map((e) => displayName(e)),
    elementKeys: d.elements.map((e) => canonicalName(e)),
  };
}

export function elementLabel(vi: VarInfo, e: number): string {
  if (vi.dims.length === 0) return vi.display;
  const parts = vi.dims.map((d, i) => d.elements[Math.floor(e / vi.strides[i]!) % d.elements.length]!);
  return `${vi.display}[${parts.join(',')}]`;
}
