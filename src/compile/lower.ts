/**
 * Resolution and lowering: parse every equation, resolve names against variables, dimensions
 * and builtins, expand arrays element by element, and expand stateful builtins into internal
 * slots. The result is a flat list of slots, each with scalar IR for its value or rate.
 */
import type { BinaryOp, Expr, IndexExpr } from '../equations/ast.js';
import { applyChainOp, walk } from '../equations/ast.js';
import { type BuiltinOfKind, findBuiltin } from '../equations/builtins.js';
import { budgetDiagnostic, budgetMessage, DEFAULT_BUDGETS, type Budgets } from '../model/budgets.js';
import { canonicalName, displayName } from '../equations/names.js';
import { parsedEquation } from '../equations/parser.js';
import type {
  Diagnostic,
  Dimension,
  Equation,
  GraphicalFunction,
  MacroDefinition,
  Model,
  SourceLocation,
  Variable,
} from '../model/types.js';
import { makeTable, type LookupTable } from '../simulate/runtime.js';
import { expandModules } from './modules.js';
import { valueAtStart } from './initial-value.js';
import { type IR, c, irDeps, slot } from './ir.js';

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

interface Ctx {
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
type Shape = { key: string; n: number }[];
interface Vec {
  xs: IR[];
  shape: Shape;
}

/** A macro's parameters: each argument with the parameters of the context it was written in. */
type MacroParams = Map<string, { expr: Expr; outer: MacroParams | undefined; scope: string | undefined }>;

class LowerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const TIME_KEYS = new Map<string, IR>([
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

export function lowerModel(model: Model, budgets: Budgets = DEFAULT_BUDGETS): LoweredModel {
  const diagnostics: Diagnostic[] = [];
  const slots: Slot[] = [];
  const tables: LookupTable[] = [];
  const streams: RandomStream[] = [];
  const histories: { source: number }[] = [];
  const edges: LoweredModel['edges'] = [];
  const file = model.file;
  /** Set when a budget is exceeded: lowering stops there (the rest would fail the same way). */
  let exhausted = false;

  const err = (
    code: string,
    message: string,
    loc?: SourceLocation,
    variable?: string,
    severity: 'error' | 'warning' = 'error',
  ) => {
    diagnostics.push({
      severity,
      code,
      message,
      file: loc?.file ?? file,
      line: loc?.line,
      column: loc?.column,
      variable,
    });
  };

  // Dimensions.
  const dims = new Map<string, DimInfo>();
  for (const d of model.dimensions) {
    const info = dimInfo(d);
    dims.set(info.key, info);
  }
  // Element key -> dimensions holding it (for `elem` references in subscripts).
  const gfTables = new Map<string, number>();
  const addTable = (gf: GraphicalFunction): number => {
    tables.push(makeTable(gf.xpts, gf.ypts, gf.type));
    return tables.length - 1;
  };
  for (const gf of model.graphicalFunctions) {
    if (gf.name) gfTables.set(canonicalName(gf.name), addTable(gf));
  }
  const macros = new Map<string, MacroDefinition>();
  for (const m of model.macros) macros.set(canonicalName(m.name), m);

  // Modules are expanded into `instance.variable`s (see modules.ts).
  const expanded = expandModules(model);
  diagnostics.push(...expanded.diagnostics);
  for (const gf of expanded.graphicalFunctions) gfTables.set(canonicalName(gf.name!), addTable(gf));

  // Variables and their slots. `vars` are the model's (its results); `allVars` adds the
  // variables of macro instances, which are lowered the same way but are not results.
  const vars: VarInfo[] = [];
  const allVars: VarInfo[] = [];
  const byKey = new Map<string, VarInfo>();
  // Slot id -> the variable it belongs to (undefined for internal slots).
  const slotVar: (VarInfo | undefined)[] = [];
  const addVar = (
    v: Variable,
    scope: string,
    hidden?: { label: string; params: MacroParams | undefined },
  ): VarInfo | undefined => {
    const key = scope ? `${scope}.${canonicalName(v.name)}` : canonicalName(v.name);
    const vdims: DimInfo[] = [];
    for (const dn of v.dimensions ?? []) {
      const d = dims.get(canonicalName(dn));
      if (!d) {
        err(
          'unknown-dimension',
          `unknown dimension '${dn}' of variable '${displayName(v.name)}'`,
          v.loc,
          displayName(v.name),
        );
        continue;
      }
      vdims.push(d);
    }
    const size = vdims.reduce((n, d) => n * d.elements.length, 1);
    const strides = vdims.map((_, i) => vdims.slice(i + 1).reduce((n, d) => n * d.elements.length, 1));
    const vi: VarInfo = {
      v,
      key,
      display: hidden ? `${hidden.label}.${displayName(v.name)}` : displayName(v.name),
      dims: vdims,
      size,
      base: slots.length,
      strides,
      scope: hidden ? scope : (scopeOf.get(v) ?? ''),
    };
    if (hidden) vi.params = hidden.params;
    if (byKey.has(key)) return undefined; // the reader reports duplicates
    if (exhausted) return undefined;
    if (slots.length + size > budgets.elements) {
      const d = budgetDiagnostic(
        'elements',
        `the model's element count with '${vi.display}'`,
        slots.length + size,
        budgets.elements,
        v.loc,
        vi.display,
      );
      diagnostics.push({ ...d, file: d.file ?? file });
      exhausted = true;
      return undefined;
    }
    byKey.set(key, vi);
    if (!hidden) vars.push(vi);
    allVars.push(vi);
    for (let e = 0; e < size; e++) {
      const role: SlotRole = hidden
        ? v.kind === 'stock'
          ? 'hstock'
          : 'haux'
        : v.kind === 'stock'
          ? 'stock'
          : v.kind === 'flow'
            ? 'flow'
            : 'aux';
      const sl: Slot = { id: slots.length, role, label: elementLabel(vi, e), element: e };
      if (!hidden) sl.varIndex = vars.length - 1;
      slots.push(sl);
      slotVar[sl.id] = vi;
    }
    return vi;
  };
  const scopeOf = new Map<Variable, string>();
  for (const sv of expanded.variables) {
    // Instance variables keep their full name as their key; their equations resolve in their scope.
    scopeOf.set(sv.v, sv.scope);
    addVar(sv.v, '');
  }

  if (exhausted) return { vars, slots, tables, streams, histories, diagnostics, edges };

  /** The variable a name refers to from an equation in `ctx` (inside an instance: its own first). */
  const resolve = (key: string, ctx: Ctx): VarInfo | undefined => {
    const scope = ctx.scope ?? ctx.vi.scope;
    if (scope) return byKey.get(`${scope}.${key}`);
    return byKey.get(key);
  };
  const resolveTable = (key: string, ctx: Ctx): number | undefined => {
    const scope = ctx.scope ?? ctx.vi.scope;
    return gfTables.get(scope ? `${scope}.${key}` : key);
  };

  const newSlot = (role: SlotRole, label: string): Slot => {
    if (slots.length >= budgets.elements) {
      throw new LowerError(
        budgetMessage(
          'elements',
          "the model's element count with delay and smooth stages",
          slots.length + 1,
          budgets.elements,
        ),
        0,
        'budget-exceeded',
      );
    }
    const s: Slot = { id: slots.length, role, label };
    slots.push(s);
    return s;
  };

  // ---- expression lowering ----

  const elementTuple = (vi: VarInfo, e: number): number[] =>
    vi.dims.map((_, i) => Math.floor(e / vi.strides[i]!) % vi.dims[i]!.elements.length);

  const bindingFor = (vi: VarInfo, e: number): Map<string, number> => {
    const m = new Map<string, number>();
    const t = elementTuple(vi, e);
    vi.dims.forEach((d, i) => m.set(d.key, t[i]!));
    return m;
  };

  /** Which element of target dimension `td` the context selects, if it does. */
  const boundElement = (td: DimInfo, ctx: Ctx): number | undefined => {
    const direct = ctx.binding.get(td.key);
    if (direct !== undefined) return direct;
    // A bound dimension whose elements map into td by name (subranges) or by position (same size).
    for (const [dk, idx] of ctx.binding) {
      const bd = dims.get(dk);
      if (!bd) continue;
      const name = bd.elementKeys[idx]!;
      const j = td.elementKeys.indexOf(name);
      if (j >= 0) return j;
    }
    for (const [dk, idx] of ctx.binding) {
      const bd = dims.get(dk);
      if (bd && bd.elements.length === td.elements.length && isNumbered(bd) === isNumbered(td)) return idx;
    }
    return undefined;
  };

  /** One subscript position resolved: one element, several (with the dimension they span), or computed. */
  type Sel =
    | { kind: 'one'; index: number }
    | { kind: 'many'; indices: number[]; dim?: string }
    | { kind: 'dyn'; idx: IR };

  const selectIndex = (ix: IndexExpr, td: DimInfo, ctx: Ctx, vecOk: boolean): Sel => {
    if (ix.kind === 'wildcard') {
      if (!vecOk)
        throw new LowerError(
          `'*' selects many elements where one value is needed`,
          ix.span.start,
          'dimension-mismatch',
        );
      return {
        kind: 'many',
        indices: td.elements.map((_, i) => i),
        dim: ix.dim ? canonicalName(ix.dim) : td.key,
      };
    }
    if (ix.kind === 'position') {
      // `@n`: bound to the n-th dimension of the variable being defined (XMILE 3.7.1.1).
      const n = ix.n;
      if (n < 1 || n > ctx.vi.dims.length)
        throw new LowerError(
          `@${n} names no dimension of '${ctx.vi.display}' (it has ${ctx.vi.dims.length})`,
          ix.span.start,
          'dimension-mismatch',
        );
      const i = elementTuple(ctx.vi, ctx.element)[n - 1]!;
      if (i >= td.elements.length)
        throw new LowerError(
          `@${n} selects element ${i + 1}, outside dimension '${td.name}'`,
          ix.span.start,
          'dimension-mismatch',
        );
      return { kind: 'one', index: i };
    }
    if (ix.kind === 'range') {
      const lo = staticElement(ix.low, td);
      const hi = staticElement(ix.high, td);
      if (lo === undefined || hi === undefined) {
        throw new LowerError(
          `range bounds must be elements of '${td.name}'`,
          ix.span.start,
          'dimension-mismatch',
        );
      }
      if (!vecOk)
        throw new LowerError(
          `a range selects many elements where one value is needed`,
          ix.span.start,
          'dimension-mismatch',
        );
      const out: number[] = [];
      for (let i = lo; i <= hi; i++) out.push(i);
      return { kind: 'many', indices: out, dim: td.key };
    }
    if (ix.kind === 'num') {
      const i = Math.round(ix.value) - 1;
      if (i < 0 || i >= td.elements.length) {
        throw new LowerError(
          `index ${ix.value} is outside dimension '${td.name}' (1..${td.elements.length})`,
          ix.span.start,
          'dimension-mismatch',
        );
      }
      return { kind: 'one', index: i };
    }
    if (ix.kind === 'ref') {
      const key = ix.key;
      if (key === td.key) {
        const b = boundElement(td, ctx);
        if (b !== undefined) return { kind: 'one', index: b };
        if (vecOk) return { kind: 'many', indices: td.elements.map((_, i) => i), dim: td.key };
        throw new LowerError(`dimension '${td.name}' is not bound here`, ix.span.start, 'dimension-mismatch');
      }
      const el = staticElement(ix, td);
      if (el !== undefined) return { kind: 'one', index: el };
      const other = dims.get(key);
      if (other) {
        // Another dimension used as an index: map its bound element by name, or by position.
        const idx = ctx.binding.get(other.key) ?? boundElement(other, ctx);
        if (idx === undefined) {
          if (vecOk) {
            const mapped = other.elementKeys.map((ek, i) => {
              const j = td.elementKeys.indexOf(ek);
              return j >= 0 ? j : i;
            });
            return { kind: 'many', indices: mapped, dim: other.key };
          }
          throw new LowerError(
            `dimension '${other.name}' is not bound here`,
            ix.span.start,
            'dimension-mismatch',
          );
        }
        const j = td.elementKeys.indexOf(other.elementKeys[idx]!);
        if (j >= 0) return { kind: 'one', index: j };
        if (idx < td.elements.length) return { kind: 'one', index: idx };
        throw new LowerError(
          `element '${other.elements[idx]}' has no counterpart in '${td.name}'`,
          ix.span.start,
          'dimension-mismatch',
        );
      }
    }
    // A computed index (1-based).
    return { kind: 'dyn', idx: lower(ix, ctx) };
  };

  const staticElement = (e: Expr, td: DimInfo): number | undefined => {
    if (e.kind === 'num') {
      const i = Math.round(e.value) - 1;
      return i >= 0 && i < td.elements.length ? i : undefined;
    }
    if (e.kind !== 'ref') return undefined;
    let key = e.key;
    const dot = key.indexOf('.');
    if (dot > 0 && key.slice(0, dot) === td.key) key = key.slice(dot + 1);
    const i = td.elementKeys.indexOf(key);
    return i >= 0 ? i : undefined;
  };

  /** Slots selected by a reference to arrayed variable `vi` (scalar when exactly one). */
  const selectSlots = (
    vi: VarInfo,
    indices: IndexExpr[] | undefined,
    ctx: Ctx,
    at: number,
    vecOk: boolean,
  ): IR[] => selectShaped(vi, indices, ctx, at, vecOk).xs;

  /** The same, with the dimensions the selection spans (row-major), for broadcasting. */
  const selectShaped = (
    vi: VarInfo,
    indices: IndexExpr[] | undefined,
    ctx: Ctx,
    at: number,
    vecOk: boolean,
  ): Vec => {
    if (vi.dims.length === 0) {
      if (indices && indices.length > 0) {
        throw new LowerError(`'${vi.display}' is not an array but is subscripted`, at, 'dimension-mismatch');
      }
      return { xs: [slot(vi.base)], shape: [] };
    }
    if (indices && indices.length !== vi.dims.length) {
      throw new LowerError(
        `'${vi.display}' has ${vi.dims.length} dimension(s) but ${indices.length} subscript(s) are given`,
        at,
        'dimension-mismatch',
      );
    }
    const sels: Sel[] = vi.dims.map((d, i) => {
      if (indices) return selectIndex(indices[i]!, d, ctx, vecOk);
      const b = boundElement(d, ctx);
      if (b !== undefined) return { kind: 'one', index: b };
      if (vecOk) return { kind: 'many', indices: d.elements.map((_, j) => j), dim: d.key };
      throw new LowerError(
        `'${vi.display}' is arrayed over '${d.name}', which this equation does not bind; subscript it`,
        at,
        'dimension-mismatch',
      );
    });
    const dynPositions = sels.filter((s) => s.kind === 'dyn').length;
    if (dynPositions > 0) {
      if (dynPositions > 1 || sels.some((s) => s.kind === 'many')) {
        throw new LowerError(
          `only one computed subscript is supported per reference`,
          at,
          'unsupported-feature',
        );
      }
      let base = vi.base;
      let stride = 1;
      let size = 1;
      let idx: IR = c(1);
      sels.forEach((s, i) => {
        if (s.kind === 'one') base += s.index * vi.strides[i]!;
        else if (s.kind === 'dyn') {
          stride = vi.strides[i]!;
          size = vi.dims[i]!.elements.length;
          idx = s.idx;
        }
      });
      return { xs: [{ k: 'dyn', base, stride, size, idx }], shape: [] };
    }
    let offsets = [0];
    const shape: Shape = [];
    sels.forEach((s, i) => {
      const choices = s.kind === 'one' ? [s.index] : s.kind === 'many' ? s.indices : [];
      if (s.kind === 'many') shape.push({ key: s.dim ?? vi.dims[i]!.key, n: s.indices.length });
      const next: number[] = [];
      for (const o of offsets) for (const ch of choices) next.push(o + ch * vi.strides[i]!);
      offsets = next;
    });
    return { xs: offsets.map((o) => slot(vi.base + o)), shape };
  };

  const lowerVector = (e: Expr, ctx: Ctx): IR[] => lowerShaped(e, ctx).xs;

  /**
   * An expression as an array: its elements in row-major order and the dimensions they span.
   * Binary operators broadcast by dimension name (XMILE 3.7.1.1): `sales[*, *] * price[*]`
   * multiplies each row of sales by the matching element of price.
   */
  const lowerShaped = (e: Expr, ctx: Ctx): Vec => {
    switch (e.kind) {
      case 'ref': {
        const param = ctx.params?.get(e.key);
        if (param) return lowerShaped(param.expr, { ...ctx, params: param.outer, scope: param.scope });
        const vi = resolve(e.key, ctx);
        if (vi && vi.dims.length > 0) return selectShaped(vi, undefined, ctx, e.span.start, true);
        return { xs: [lower(e, ctx)], shape: [] };
      }
      case 'subscript': {
        const vi = resolve(e.key, ctx);
        if (!vi) throw new LowerError(`unknown variable '${e.name}'`, e.span.start, 'unknown-variable');
        return selectShaped(vi, e.indices, ctx, e.span.start, true);
      }
      case 'binary':
        return broadcast(lowerShaped(e.left, ctx), lowerShaped(e.right, ctx), e.span.start, (a, b) => ({
          k: 'bin',
          op: e.op,
          a,
          b,
        }));
      case 'chain': {
        const parts = e.args.map((a) => lowerShaped(a, ctx));
        if (parts.every((p) => p.xs.length === 1))
          return { xs: [{ k: 'chain', ops: e.ops, args: parts.map((p) => p.xs[0]!) }], shape: [] };
        // Arrays in the chain: combined operand by operand, each element one flat chain.
        let acc = parts[0]!;
        for (let i = 1; i < parts.length; i++) {
          const op = e.ops[i - 1]!;
          acc = broadcast(acc, parts[i]!, e.span.start, (a, b) =>
            i === 1 || a.k !== 'chain'
              ? { k: 'chain', ops: [op], args: [a, b] }
              : { k: 'chain', ops: [...a.ops, op], args: [...a.args, b] },
          );
        }
        return acc;
      }
      case 'unary': {
        const a = lowerShaped(e.arg, ctx);
        if (e.op === '+') return a;
        return {
          xs: a.xs.map((x) => (e.op === '-' ? { k: 'neg', a: x } : { k: 'not', a: x }) as IR),
          shape: a.shape,
        };
      }
      case 'call':
        if (e.key === 'transpose' && !resolve('transpose', ctx)) {
          if (e.args.length !== 1)
            throw new LowerError(`transposition takes one array`, e.span.start, 'argument-count');
          return transpose(lowerShaped(e.args[0]!, ctx));
        }
        return { xs: [lower(e, ctx)], shape: [] };
      default:
        return { xs: [lower(e, ctx)], shape: [] };
    }
  };

  /** Combine two arrays element by element, repeating a scalar, or matching dimensions by name. */
  const broadcast = (a: Vec, b: Vec, at: number, op: (x: IR, y: IR) => IR): Vec => {
    if (a.xs.length === 1 && b.xs.length === 1) return { xs: [op(a.xs[0]!, b.xs[0]!)], shape: [] };
    if (b.xs.length === 1) return { xs: a.xs.map((x) => op(x, b.xs[0]!)), shape: a.shape };
    if (a.xs.length === 1) return { xs: b.xs.map((y) => op(a.xs[0]!, y)), shape: b.shape };
    const sameShape =
      a.shape.length === b.shape.length &&
      a.shape.every((d, i) => d.key === b.shape[i]!.key && d.n === b.shape[i]!.n);
    const distinct = (sh: Shape) => new Set(sh.map((d) => d.key)).size === sh.length;
    // One operand's dimensions all among the other's: the smaller is repeated along the others.
    // (Same-sized arrays over unrelated dimensions combine by position.)
    const within = (x: Shape, y: Shape) => x.every((d) => y.some((z) => z.key === d.key));
    if (
      !sameShape &&
      distinct(a.shape) &&
      distinct(b.shape) &&
      (within(a.shape, b.shape) || within(b.shape, a.shape))
    ) {
      // The union of the dimensions, the left operand's first.
      const shape: Shape = [...a.shape];
      for (const d of b.shape) {
        const match = shape.find((x) => x.key === d.key);
        if (!match) shape.push(d);
        else if (match.n !== d.n)
          throw new LowerError(
            `dimension '${d.key}' has ${match.n} elements on one side and ${d.n} on the other`,
            at,
            'dimension-mismatch',
          );
      }
      const strideIn = (sh: Shape) => {
        const st = new Map<string, number>();
        let m = 1;
        for (let i = sh.length - 1; i >= 0; i--) {
          st.set(sh[i]!.key, m);
          m *= sh[i]!.n;
        }
        return st;
      };
      const sa = strideIn(a.shape);
      const sb = strideIn(b.shape);
      const total = shape.reduce((n, d) => n * d.n, 1);
      const xs: IR[] = [];
      for (let k = 0; k < total; k++) {
        let rest = k;
        let ia = 0;
        let ib = 0;
        for (let i = shape.length - 1; i >= 0; i--) {
          const d = shape[i]!;
          const pos = rest % d.n;
          rest = Math.floor(rest / d.n);
          ia += pos * (sa.get(d.key) ?? 0);
          ib += pos * (sb.get(d.key) ?? 0);
        }
        xs.push(op(a.xs[ia]!, b.xs[ib]!));
      }
      return { xs, shape };
    }
    if (a.xs.length !== b.xs.length) {
      throw new LowerError(
        `arrays of different sizes (${a.xs.length} and ${b.xs.length}) combined`,
        at,
        'dimension-mismatch',
      );
    }
    return { xs: a.xs.map((x, i) => op(x, b.xs[i]!)), shape: a.shape };
  };

  /**
   * Two arrays over the union of their dimensions (the first's first): element k of each result
   * is the element of that array at the k-th combination. Dimensions of one name must agree in
   * size; dimensions only one array has repeat the other along them.
   */
  const outerPair = (a: Vec, b: Vec, at: number): [IR[], IR[]] => {
    if (a.shape.length === 0 || b.shape.length === 0 || a.xs.length !== a.shape.reduce((n, d) => n * d.n, 1))
      return a.xs.length === b.xs.length
        ? [a.xs, b.xs]
        : a.xs.length === 1
          ? [b.xs.map(() => a.xs[0]!), b.xs]
          : b.xs.length === 1
            ? [a.xs, a.xs.map(() => b.xs[0]!)]
            : (() => {
                throw new LowerError(
                  `arrays of ${a.xs.length} and ${b.xs.length} elements cannot be paired`,
                  at,
                  'dimension-mismatch',
                );
              })();
    const shape: Shape = [...a.shape];
    for (const d of b.shape) {
      const match = shape.find((x) => x.key === d.key);
      if (!match) shape.push(d);
      else if (match.n !== d.n)
        throw new LowerError(
          `dimension '${d.key}' has ${match.n} elements on one side and ${d.n} on the other`,
          at,
          'dimension-mismatch',
        );
    }
    const strides = (sh: Shape) => {
      const st = new Map<string, number>();
      let m = 1;
      for (let i = sh.length - 1; i >= 0; i--) {
        st.set(sh[i]!.key, m);
        m *= sh[i]!.n;
      }
      return st;
    };
    const sa = strides(a.shape);
    const sb = strides(b.shape);
    const total = shape.reduce((n, d) => n * d.n, 1);
    const xa: IR[] = [];
    const xb: IR[] = [];
    for (let k = 0; k < total; k++) {
      let rest = k;
      let ia = 0;
      let ib = 0;
      for (let i = shape.length - 1; i >= 0; i--) {
        const d = shape[i]!;
        const pos = rest % d.n;
        rest = Math.floor(rest / d.n);
        ia += pos * (sa.get(d.key) ?? 0);
        ib += pos * (sb.get(d.key) ?? 0);
      }
      xa.push(a.xs[ia]!);
      xb.push(b.xs[ib]!);
    }
    return [xa, xb];
  };

  /** Reverse the dimensions of an array (XMILE's `'` operator). */
  const transpose = (v: Vec): Vec => {
    if (v.shape.length < 2) return { xs: v.xs, shape: [...v.shape].reverse() };
    const shape = [...v.shape].reverse();
    const n = v.shape.length;
    const strides = v.shape.map((_, i) => v.shape.slice(i + 1).reduce((m, d) => m * d.n, 1));
    const xs: IR[] = [];
    const total = v.xs.length;
    for (let k = 0; k < total; k++) {
      // k indexes the transposed array; its tuple read backwards indexes the original.
      let rest = k;
      let src = 0;
      for (let i = n - 1; i >= 0; i--) {
        const pos = rest % shape[i]!.n;
        rest = Math.floor(rest / shape[i]!.n);
        src += pos * strides[n - 1 - i]!;
      }
      xs.push(v.xs[src]!);
    }
    return { xs, shape };
  };

  /**
   * The element of an array expression that the current element of an apply-to-all equation
   * selects: dimensions matched by name, else by position.
   */
  const pick = (v: Vec, ctx: Ctx, at: number): IR => {
    if (v.xs.length === 1) return v.xs[0]!;
    const tuple = elementTuple(ctx.vi, ctx.element);
    let k = 0;
    for (let i = 0; i < v.shape.length; i++) {
      const d = v.shape[i]!;
      const di = dims.get(d.key);
      let idx = ctx.binding.get(d.key) ?? (di ? boundElement(di, ctx) : undefined);
      if (idx === undefined && v.shape.length === tuple.length) idx = tuple[i];
      if (idx === undefined || idx >= d.n)
        throw new LowerError(`an array is used where one value is needed`, at, 'dimension-mismatch');
      k = k * d.n + idx;
    }
    return v.xs[k]!;
  };

  const sumOf = (xs: IR[]): IR => (xs.length === 0 ? c(0) : { k: 'rt', name: 'sum', args: xs });

  const hiddenAux = (ir: IR, label: string): IR => {
    if (ir.k === 'c' || ir.k === 's') return ir;
    const h = newSlot('haux', label);
    h.eq = ir;
    return slot(h.id);
  };

  const constFold = (ir: IR): number | undefined => {
    switch (ir.k) {
      case 'c':
        return ir.v;
      case 's': {
        const s = slots[ir.i]!;
        if ((s.role === 'aux' || s.role === 'init') && s.eq && s.eq !== PENDING) {
          const deps = new Set<number>();
          irDeps(s.eq, deps);
          if (deps.size === 0) return constFold(s.eq);
        }
        return undefined;
      }
      case 'neg': {
        const a = constFold(ir.a);
        return a === undefined ? undefined : -a;
      }
      case 'chain': {
        let acc = constFold(ir.args[0]!);
        for (let i = 0; i < ir.ops.length && acc !== undefined; i++) {
          const b = constFold(ir.args[i + 1]!);
          acc = b === undefined ? undefined : applyChainOp(ir.ops[i]!, acc, b);
        }
        return acc;
      }
      case 'bin': {
        const a = constFold(ir.a);
        const bv = constFold(ir.b);
        if (a === undefined || bv === undefined) return undefined;
        switch (ir.op) {
          case '+':
            return a + bv;
          case '-':
            return a - bv;
          case '*':
            return a * bv;
          case '/':
            return a / bv;
          case '^':
            return Math.pow(a, bv);
          default:
            return undefined;
        }
      }
      default:
        return undefined;
    }
  };

  const label = (ctx: Ctx, fn: string) => `${elementLabel(ctx.vi, ctx.element)}·${fn}`;

  const lowerStateful = (name: BuiltinOfKind<'stateful'>, args: Expr[], ctx: Ctx, at: number): IR => {
    const L = (fn: string) => label(ctx, fn);
    switch (name) {
      case 'INIT': {
        const s = newSlot('init', L('INIT'));
        s.eq = lower(args[0]!, { ...ctx, initial: true });
        return slot(s.id);
      }
      case 'PREVIOUS': {
        const x = lower(args[0]!, { ...ctx, selfAllowed: true });
        const h = newSlot('haux', L('PREVIOUS input'));
        h.eq = x;
        const p = newSlot('prev', L('PREVIOUS'));
        p.eq = args[1] ? lower(args[1], ctx) : x;
        p.source = h.id;
        return slot(p.id);
      }
      case 'SMTH1':
      case 'SMTH3':
      case 'SMTHN': {
        const input = hiddenAux(lower(args[0]!, ctx), L(`${name} input`));
        const time = hiddenAux(lower(args[1]!, ctx), L(`${name} time`));
        let order = name === 'SMTH1' ? 1 : 3;
        let initArg = args[2];
        if (name === 'SMTHN') {
          order = staticOrder(args[2]!, ctx, at);
          initArg = args[3];
        }
        const init = initArg ? lower(initArg, ctx) : input;
        const stageTime: IR = order === 1 ? time : { k: 'bin', op: '/', a: time, b: c(order) };
        let prev = input;
        let last: IR = input;
        for (let i = 0; i < order; i++) {
          const st = newSlot('hstock', L(`${name} stage ${i + 1}`));
          st.eq = init;
          st.rate = { k: 'bin', op: '/', a: { k: 'bin', op: '-', a: prev, b: slot(st.id) }, b: stageTime };
          prev = slot(st.id);
          last = prev;
        }
        return last;
      }
      case 'DELAY1':
      case 'DELAY3':
      case 'DELAYN': {
        const input = hiddenAux(lower(args[0]!, ctx), L(`${name} input`));
        const time = hiddenAux(lower(args[1]!, ctx), L(`${name} time`));
        let order = name === 'DELAY1' ? 1 : 3;
        let initArg = args[2];
        if (name === 'DELAYN') {
          order = staticOrder(args[2]!, ctx, at);
          initArg = args[3];
        }
        const initFlow = initArg ? lower(initArg, ctx) : input;
        const stageTime: IR = order === 1 ? time : { k: 'bin', op: '/', a: time, b: c(order) };
        let inflow = input;
        for (let i = 0; i < order; i++) {
          const st = newSlot('hstock', L(`${name} stage ${i + 1}`));
          st.eq = { k: 'bin', op: '*', a: initFlow, b: stageTime };
          const out = newSlot('haux', L(`${name} outflow ${i + 1}`));
          out.eq = { k: 'bin', op: '/', a: slot(st.id), b: stageTime };
          st.rate = { k: 'bin', op: '-', a: inflow, b: slot(out.id) };
          inflow = slot(out.id);
        }
        return inflow;
      }
      case 'DELAY': {
        const input = lower(args[0]!, ctx);
        const h = newSlot('haux', L('DELAY input'));
        h.eq = input;
        const delay = hiddenAux(lower(args[1]!, ctx), L('DELAY time'));
        const init = newSlot('init', L('DELAY initial value'));
        init.eq = args[2] ? lower(args[2], ctx) : slot(h.id);
        histories.push({ source: h.id });
        return { k: 'delay', hist: histories.length - 1, delay, init: slot(init.id) };
      }
      case 'TREND':
      case 'FORCST': {
        const input = hiddenAux(lower(args[0]!, ctx), L(`${name} input`));
        const time = hiddenAux(lower(args[1]!, ctx), L(`${name} time`));
        const initTrend = (name === 'TREND' ? args[2] : args[3])
          ? lower((name === 'TREND' ? args[2] : args[3])!, ctx)
          : c(0);
        const avg = newSlot('hstock', L(`${name} average`));
        avg.eq = {
          k: 'bin',
          op: '/',
          a: input,
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: initTrend, b: time } },
        };
        avg.rate = { k: 'bin', op: '/', a: { k: 'bin', op: '-', a: input, b: slot(avg.id) }, b: time };
        const trend: IR = {
          k: 'bin',
          op: '/',
          a: { k: 'bin', op: '-', a: input, b: slot(avg.id) },
          b: { k: 'bin', op: '*', a: slot(avg.id), b: time },
        };
        if (name === 'TREND') return trend;
        const horizon = lower(args[2]!, ctx);
        return {
          k: 'bin',
          op: '*',
          a: input,
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: trend, b: horizon } },
        };
      }
      // Vensim forms (the catalogue documents each).
      case 'NPV': {
        const stream = hiddenAux(lower(args[0]!, ctx), L('NPV stream'));
        const rate = hiddenAux(lower(args[1]!, ctx), L('NPV rate'));
        const dt = TIME_KEYS.get('dt')!;
        const df = newSlot('hstock', L('NPV discount factor'));
        df.eq = c(1);
        df.rate = {
          k: 'bin',
          op: '/',
          a: { k: 'neg', a: { k: 'bin', op: '*', a: slot(df.id), b: rate } },
          b: { k: 'bin', op: '+', a: c(1), b: { k: 'bin', op: '*', a: rate, b: dt } },
        };
        const acc = newSlot('hstock', L('NPV accumulated'));
        acc.eq = lower(args[2]!, ctx);
        acc.rate = { k: 'bin', op: '*', a: stream, b: slot(df.id) };
        const thisStep: IR = {
          k: 'bin',
          op: '*',
          a: { k: 'bin', op: '*', a: stream, b: dt },
          b: slot(df.id),
        };
        return {
          k: 'bin',
          op: '*',
          a: { k: 'bin', op: '+', a: slot(acc.id), b: thisStep },
          b: lower(args[3]!, ctx),
        };
      }
      case 'DELAY_N': {
        const input = hiddenAux(lower(args[0]!, ctx), L('DELAY N input'));
        const time = hiddenAux(lower(args[1]!, ctx), L('DELAY N time'));
        let order = staticOrder(args[3]!, { ...ctx, vensimOrder: true }, at);
        // Vensim lowers the order until n x DT <= the delay time (at the start).
        const t0 = valueAtStart(time, startContext());
        if (t0 !== undefined && t0 > 0)
          order = Math.max(1, Math.min(order, Math.floor(t0 / model.simSpecs.dt + 1e-9)));
        const initFlow = lower(args[2]!, ctx);
        // Each stage drains at the delay time that was current when its contents entered: stage k
        // reads the delay time of k - 1 steps before.
        let stageDelay: IR = time;
        let inflow = input;
        for (let i = 0; i < order; i++) {
          if (i > 0 && time.k === 's') {
            const src = newSlot('haux', L(`DELAY N time ${i}`));
            src.eq = stageDelay;
            const p = newSlot('prev', L(`DELAY N time ${i + 1}`));
            p.eq = time;
            p.source = src.id;
            stageDelay = slot(p.id);
          }
          const stageTime: IR = { k: 'bin', op: '/', a: stageDelay, b: c(order) };
          const st = newSlot('hstock', L(`DELAY N stage ${i + 1}`));
          st.eq = { k: 'bin', op: '*', a: initFlow, b: { k: 'bin', op: '/', a: time, b: c(order) } };
          const out = newSlot('haux', L(`DELAY N outflow ${i + 1}`));
          out.eq = { k: 'bin', op: '/', a: slot(st.id), b: stageTime };
          st.rate = { k: 'bin', op: '-', a: inflow, b: slot(out.id) };
          inflow = slot(out.id);
        }
        return inflow;
      }
      case 'SMOOTH_N':
        return lowerStateful(
          'SMTHN',
          [args[0]!, args[1]!, args[3]!, args[2]!],
          { ...ctx, vensimOrder: true },
          at,
        );
      case 'ACTIVE_INITIAL': {
        const h = newSlot('haux', L('ACTIVE INITIAL'));
        h.eq = lower(args[0]!, ctx);
        h.initEq = lower(args[1]!, ctx);
        return slot(h.id);
      }
      case 'SAMPLE_IF_TRUE': {
        const p = newSlot('prev', L('SAMPLE IF TRUE'));
        p.eq = lower(args[2]!, ctx);
        const h = newSlot('haux', L('SAMPLE IF TRUE value'));
        h.eq = { k: 'if', c: lower(args[0]!, ctx), a: lower(args[1]!, ctx), b: slot(p.id) };
        p.source = h.id;
        return slot(h.id);
      }
      case 'DELAY_FIXED': {
        const input = lower(args[0]!, ctx);
        const h = newSlot('haux', L('DELAY FIXED input'));
        h.eq = input;
        // Whole steps, fixed at the start: n = ROUND(delay/DT), at least 1.
        const steps = newSlot('init', L('DELAY FIXED time'));
        steps.eq = {
          k: 'bin',
          op: '*',
          a: {
            k: 'fn',
            name: 'MAX',
            args: [
              c(1),
              {
                k: 'fn',
                name: 'ROUND',
                args: [{ k: 'bin', op: '/', a: lower(args[1]!, ctx), b: { k: 'dt' } }],
              },
            ],
          },
          b: { k: 'dt' },
        };
        const init = newSlot('init', L('DELAY FIXED initial value'));
        init.eq = lower(args[2]!, ctx);
        histories.push({ source: h.id });
        return { k: 'delay', hist: histories.length - 1, delay: slot(steps.id), init: slot(init.id) };
      }
      default: {
        // Every stateful builtin of the catalogue has a case above (checked by the compiler).
        const missing: never = name;
        throw new LowerError(`'${String(missing)}' is not implemented`, at, 'unsupported-feature');
      }
    }
  };

  const startContext = () => ({
    start: model.simSpecs.start,
    stop: model.simSpecs.stop,
    dt: model.simSpecs.dt,
    equation: (i: number) => {
      const sl = slots[i]!;
      // A variable not lowered yet (it comes later in the file): lower it now, once.
      if (sl.eq === PENDING && sl.varIndex !== undefined && sl.role !== 'stock' && !onDemand.has(i)) {
        onDemand.add(i);
        const vi = vars[sl.varIndex]!;
        const { eqn, gf } = elementEquation(vi, sl.element!);
        sl.eq = lowerValue(vi, sl.element!, eqn, gf);
      }
      return sl.eq === PENDING ? undefined : sl.eq;
    },
  });
  const onDemand = new Set<number>();

  /**
   * The order of DELAYN/SMTHN: like Vensim, the value its expression has at the start (an order
   * that changes later keeps its initial value, as the structure is built once).
   */
  const staticOrder = (e: Expr, ctx: Ctx, at: number): number => {
    const ir = lower(e, ctx);
    // Vensim reads the order once, at the start (`2 + STEP(1, 10)` stays 2), and truncates it.
    let v =
      constFold(ir) ??
      (ctx.vensimOrder ? valueAtStart(ir, startContext()) : valueAtStart(ir, constantStartContext()));
    if (ctx.vensimOrder && v !== undefined && v >= 1) v = Math.trunc(v);
    if (v === undefined || !Number.isFinite(v) || v < 1) {
      throw new LowerError(
        'the order of DELAYN/SMTHN must have an initial value of at least 1 that does not depend on stocks or delays',
        at,
        'invalid-argument',
      );
    }
    if (Math.round(v) > budgets.delayOrder) {
      throw new LowerError(
        budgetMessage('delayOrder', 'the order of this DELAYN/SMTHN', Math.round(v), budgets.delayOrder),
        e.span.start,
        'budget-exceeded',
      );
    }
    return Math.round(v);
  };

  /**
   * The context for values at the start that depend only on constants, time and pure functions
   * (XMILE's DELAYN/SMTHN order): stocks and internal stocks are not followed to their initial values.
   */
  const constantStartContext = () => ({
    start: model.simSpecs.start,
    stop: model.simSpecs.stop,
    dt: model.simSpecs.dt,
    equation: (i: number) => {
      const sl = slots[i]!;
      if (sl.eq === PENDING && slotVar[sl.id] !== undefined && sl.role !== 'stock' && sl.role !== 'hstock')
        lowerSlotNow(sl);
      const follow = sl.role === 'aux' || sl.role === 'flow' || sl.role === 'init' || sl.role === 'haux';
      return follow && sl.eq && sl.eq !== PENDING ? sl.eq : undefined;
    },
  });

  const lowerRandom = (name: BuiltinOfKind<'random'>, args: Expr[], ctx: Ctx, at: number): IR => {
    const spec = RANDOM_DRAWS[name];
    const arity = spec.params;
    let seed: number | undefined;
    if (args.length > arity) {
      seed = constFold(lower(args[arity]!, ctx));
      if (seed === undefined)
        throw new LowerError(`the seed of ${name} must be a constant`, at, 'invalid-argument');
    }
    // Vensim's seed 0 means: follow the run seed.
    if (seed === 0 && name.startsWith('RANDOM_')) seed = undefined;
    streams.push(seed === undefined ? {} : { seed, salt: ctx.element });
    const q = newSlot('rand', label(ctx, name));
    q.draw = { dist: spec.dist, stream: streams.length - 1 };
    return spec.value(
      args.slice(0, arity).map((x) => lower(x, ctx)),
      slot(q.id),
    );
  };

  const lowerCall = (e: Extract<Expr, { kind: 'call' }>, ctx: Ctx): IR => {
    const at = e.span.start;
    // A graphical function called like a function: standalone gf or a variable with a gf.
    const table = resolveTable(e.key, ctx);
    const vi = resolve(e.key, ctx);
    if (table !== undefined || (vi && hasGf(vi) && !findBuiltin(e.key))) {
      if (e.args.length !== 1)
        throw new LowerError(
          `graphical function '${e.name}' takes 1 argument, got ${e.args.length}`,
          at,
          'argument-count',
        );
      return { k: 'lookup', table: table ?? tableOf(vi!, ctx), x: lower(e.args[0]!, ctx) };
    }
    const macro = macros.get(e.key);
    if (macro) return lowerMacro(macro, e, ctx);
    const f = findBuiltin(e.key);
    if (!f) throw new LowerError(`unknown function '${e.name}'`, at, 'unknown-function');
    const n = e.args.length;
    if (n < f.minArgs || n > f.maxArgs) {
      const expected =
        f.minArgs === f.maxArgs
          ? `${f.minArgs}`
          : f.maxArgs > 1e6
            ? `at least ${f.minArgs}`
            : `${f.minArgs} to ${f.maxArgs}`;
      throw new LowerError(`${f.name} takes ${expected} argument(s), got ${n}`, at, 'argument-count');
    }
    switch (f.kind) {
      case 'time':
        return TIME_KEYS.get(f.name.toLowerCase())!;
      case 'constant':
        if (f.name === 'PI') return c(Math.PI);
        if (f.name === 'INF') return c(Infinity);
        if (ctx.selfAllowed) return slot(ctx.self);
        throw new LowerError(
          'SELF names the variable being defined and may be used only inside PREVIOUS and SIZE',
          at,
          'invalid-argument',
        );
      case 'stateful':
        return lowerStateful(f.name as BuiltinOfKind<'stateful'>, e.args, ctx, at);
      case 'random':
        return lowerRandom(f.name as BuiltinOfKind<'random'>, e.args, ctx, at);
      case 'lookup': {
        const target = e.args[0]!;
        const x = e.args[1]!;
        const read = (table: number, xir: IR): IR =>
          f.name !== 'LOOKUP' ? vensimLookup(f.name, table, xir) : { k: 'lookup', table, x: xir };
        if (target.kind === 'subscript') {
          // An element's own graphical function: `LOOKUP(tables[A], x)`, Vensim `tab[a, b](x)`.
          const tv = resolve(target.key, ctx);
          if (tv && hasGf(tv)) {
            const sel = selectSlots(tv, target.indices, ctx, target.span.start, false)[0]!;
            if (sel.k !== 's')
              throw new LowerError(
                'the element of a graphical function must be known when the model is compiled',
                target.span.start,
                'unsupported-feature',
              );
            return read(tableAt(tv, sel.i - tv.base), lower(x, ctx));
          }
        }
        // An element's own table bound by the equation's subscripts (Vensim `tab(x)` in `y[a] = ...`).
        const own = target.kind === 'ref' ? resolve(target.key, ctx) : undefined;
        if (own && own.dims.length > 0 && own.v.elements?.some((d) => d.gf)) {
          const sel = selectSlots(own, undefined, ctx, target.span.start, false)[0]!;
          if (sel.k === 's') {
            const tkey = `${own.key}#${sel.i - own.base}`;
            let tt = gfTables.get(tkey);
            if (tt === undefined) {
              const gf = elementGf(own, sel.i - own.base);
              if (!gf)
                throw new LowerError(
                  `'${own.display}' has no graphical function for this element`,
                  target.span.start,
                  'unknown-function',
                );
              tt = addTable(gf);
              gfTables.set(tkey, tt);
            }
            return read(tt, lower(x, ctx));
          }
        }
        if (target.kind !== 'ref')
          throw new LowerError(
            'LOOKUP expects the name of a graphical function first',
            at,
            'invalid-argument',
          );
        const t = resolveTable(target.key, ctx);
        const tv = resolve(target.key, ctx);
        if (t === undefined && !(tv && hasGf(tv))) {
          // Converters write a function of one argument this way (`LOOKUP(COSH, x)`).
          const fb = !tv ? findBuiltin(target.key) : undefined;
          if (fb && fb.kind === 'pure' && fb.minArgs <= 1 && fb.maxArgs >= 1)
            return { k: 'fn', name: fb.name, args: [lower(x, ctx)] };
          throw new LowerError(
            `'${target.name}' is not a graphical function`,
            target.span.start,
            'unknown-function',
          );
        }
        return read(t ?? tableOf(tv!, ctx), lower(x, ctx));
      }
      case 'array': {
        if (f.name === 'MEAN' && n > 1) {
          const xs = e.args.map((a) => lower(a, ctx));
          return { k: 'bin', op: '/', a: sumOf(xs), b: c(xs.length) };
        }
        if (f.name === 'TRANSPOSE') return pick(transpose(lowerShaped(e.args[0]!, ctx)), ctx, at);
        if (f.name === 'SIZE') {
          const a0 = e.args[0]!;
          // SELF is parsed as a name (`SIZE(SELF)`) or a subscripted name (`SIZE(SELF[1, *])`).
          if ((a0.kind === 'call' || a0.kind === 'ref') && a0.key === 'self') return c(ctx.vi.size);
          if (a0.kind === 'subscript' && a0.key === 'self')
            return c(selectSlots(ctx.vi, a0.indices, ctx, a0.span.start, true).length);
          return c(lowerVector(a0, ctx).length);
        }
        const xs = lowerVector(e.args[0]!, ctx);
        switch (f.name) {
          case 'SUM':
            return sumOf(xs);
          case 'MEAN':
            return { k: 'bin', op: '/', a: sumOf(xs), b: c(xs.length) };
          case 'PROD':
            return { k: 'rt', name: 'prod', args: xs };
          case 'STDDEV':
            return { k: 'rt', name: 'stddev', args: xs };
          case 'VECTOR_SORT_ORDER':
          case 'VECTOR_RANK':
            return {
              k: 'rt',
              name: f.name === 'VECTOR_RANK' ? 'vrank' : 'vsortOrder',
              args: [lower(e.args[2]!, ctx), lower(e.args[1]!, ctx), ...xs],
            };
          case 'INVERT_MATRIX': {
            const size = constFold(lower(e.args[1]!, ctx));
            if (size === undefined || size < 1 || size * size !== xs.length)
              throw new LowerError(
                `INVERT MATRIX: the matrix has ${xs.length} elements, not n x n for n = ${size ?? '(not a constant)'}`,
                at,
                'dimension-mismatch',
              );
            return {
              k: 'rt',
              name: 'invert',
              args: [lower(e.args[2]!, ctx), lower(e.args[3]!, ctx), c(size), ...xs],
            };
          }
          case 'VECTOR_SELECT': {
            // Over every combination of the subscripts the two arrays range over (Vensim): a
            // selection over dim1! with values over dim2! pairs each selection with each value.
            const [sels, vals] = outerPair(lowerShaped(e.args[0]!, ctx), lowerShaped(e.args[1]!, ctx), at);
            return {
              k: 'rt',
              name: 'vselect',
              args: [lower(e.args[2]!, ctx), lower(e.args[3]!, ctx), c(sels.length), ...sels, ...vals],
            };
          }
          case 'VECTOR_REORDER':
            return { k: 'rt', name: 'pick', args: [lower(e.args[1]!, ctx), ...xs] };
          case 'VECTOR_ELM_MAP': {
            const k: IR = {
              k: 'bin',
              op: '+',
              a: { k: 'bin', op: '-', a: lower(e.args[1]!, ctx), b: c(1) },
              b: { k: 'fn', name: 'ROUND', args: [lower(e.args[2]!, ctx)] },
            };
            return { k: 'rt', name: 'pick', args: [k, ...xs] };
          }
          case 'ALLOCATE_AVAILABLE':
          case 'ALLOCATE_BY_PRIORITY': {
            // xs: the requests of one row of requesters; the second argument their priorities
            // (ALLOCATE AVAILABLE: m profile values per requester, requester by requester).
            const pri = lowerVector(e.args[1]!, ctx);
            const m = pri.length / xs.length;
            const profiled = f.name === 'ALLOCATE_AVAILABLE';
            const first = profiled ? constFold(lower(e.args[4]!, ctx)) : 1;
            if (!Number.isInteger(m) || (profiled ? first === undefined || m < first + 3 : m !== 1))
              throw new LowerError(
                `${f.name}: ${xs.length} requests but ${pri.length} priority values` +
                  (profiled ? ' (each requester needs ptype, ppriority, pwidth and pextra)' : ''),
                at,
                'dimension-mismatch',
              );
            return profiled
              ? {
                  k: 'rt',
                  name: 'allocAvailable',
                  args: [
                    lower(e.args[3]!, ctx),
                    c(first!),
                    c(m),
                    lower(e.args[2]!, ctx),
                    c(xs.length),
                    ...xs,
                    ...pri,
                  ],
                }
              : {
                  k: 'rt',
                  name: 'allocPriority',
                  args: [
                    lower(e.args[4]!, ctx),
                    lower(e.args[2]!, ctx),
                    lower(e.args[3]!, ctx),
                    c(xs.length),
                    ...xs,
                    ...pri,
                  ],
                };
          }
          case 'RANK': {
            const nth = lower(e.args[1]!, ctx);
            // The optional third array breaks ties between equal elements of the first.
            const ties = e.args[2] ? lowerVector(e.args[2], ctx) : [];
            if (ties.length > 0 && ties.length !== xs.length)
              throw new LowerError(
                `RANK's tie-break array has ${ties.length} elements, the ranked array ${xs.length}`,
                e.args[2]!.span.start,
                'dimension-mismatch',
              );
            return { k: 'rt', name: 'rank', args: [nth, c(xs.length), ...xs, ...ties] };
          }
        }
        throw new LowerError(`'${f.name}' is not implemented`, at, 'unsupported-feature');
      }
      default: {
        if (f.name === 'MAX' || f.name === 'MIN') {
          // Over all elements of its arguments: MAX(a[*]), MAX(a[*], 0) (an array and a scalar).
          const xs = e.args.flatMap((a) => lowerVector(a, ctx));
          return { k: 'fn', name: f.name, args: xs };
        }
        return { k: 'fn', name: f.name, args: e.args.map((a) => lower(a, ctx)) };
      }
    }
  };

  let macroCalls = 0;
  /** LOOKUP_EXTRAPOLATE/FORWARD/BACKWARD: the same points read another way (a table of their own). */
  const vensimLookup = (fname: string, table: number, x: IR): IR => {
    const src = tables[table]!;
    const key = `${fname}#${table}`;
    let t = gfTables.get(key);
    const forward = fname === 'LOOKUP_FORWARD';
    if (t === undefined) {
      // FORWARD is BACKWARD on the mirrored points (-x, in reverse order) read at -x.
      const xs = forward ? Array.from(src.xs, (v) => -v).reverse() : Array.from(src.xs);
      const ys = forward ? Array.from(src.ys).reverse() : Array.from(src.ys);
      tables.push(makeTable(xs, ys, fname === 'LOOKUP_EXTRAPOLATE' ? 'extrapolate' : 'discrete'));
      t = tables.length - 1;
      gfTables.set(key, t);
    }
    return { k: 'lookup', table: t, x: forward ? { k: 'neg', a: x } : x };
  };

  const lowerMacro = (m: MacroDefinition, e: Extract<Expr, { kind: 'call' }>, ctx: Ctx): IR => {
    if (!m.eqn) {
      throw new LowerError(`macro '${m.name}' has no <eqn> giving its value`, e.span.start, 'invalid-macro');
    }
    if (e.args.length !== m.parameters.length) {
      throw new LowerError(
        `macro ${m.name} takes ${m.parameters.length} argument(s), got ${e.args.length}`,
        e.span.start,
        'argument-count',
      );
    }
    if (ctx.depth > 20)
      throw new LowerError(
        `macro '${m.name}' expands too deeply (recursion?)`,
        e.span.start,
        'unsupported-feature',
      );
    const parsed = parsedEquation(m.eqn);
    if (!parsed.expr)
      throw new LowerError(`macro '${m.name}': ${parsed.error!.message}`, e.span.start, 'syntax-error');
    const params: MacroParams = new Map();
    const callerScope = ctx.scope ?? ctx.vi.scope;
    m.parameters.forEach((p, i) =>
      params.set(canonicalName(p), { expr: e.args[i]!, outer: ctx.params, scope: callerScope }),
    );
    // Arguments are lowered in the caller's context; the body sees its parameters and, when the
    // macro has variables of its own (stocks, flows...), a fresh copy of them for this call.
    const inner: Ctx = { ...ctx, params, depth: ctx.depth + 1 };
    if (m.variables.length > 0) {
      const scope = `${callerScope ? callerScope + '.' : ''}${canonicalName(m.name)}#${++macroCalls}`;
      const where = `${label(ctx, m.name)}#${macroCalls}`;
      for (const v of m.variables) {
        const vi = addVar(v, scope, { label: where, params });
        if (vi) {
          vi.depth = ctx.depth + 1;
          for (let k = 0; k < vi.size; k++) slots[vi.base + k]!.eq = PENDING;
        }
      }
      inner.scope = scope;
    }
    try {
      return lower(parsed.expr, inner);
    } catch (x) {
      // Name each macro once: a recursive macro would otherwise repeat its name at every level.
      if (x instanceof LowerError && x.message.startsWith(`in macro ${m.name}: `))
        throw new LowerError(x.message, e.span.start, x.code);
      if (x instanceof LowerError)
        throw new LowerError(`in macro ${m.name}: ${x.message}`, e.span.start, x.code);
      throw x;
    }
  };

  const tableOf = (vi: VarInfo, ctx: Ctx): number => {
    // A variable's own table for its element; another variable's by the bound element, else its first.
    let e = 0;
    if (vi === ctx.vi) e = ctx.element;
    else if (vi.dims.length > 0) {
      const xs = selectSlots(vi, undefined, ctx, 0, true);
      if (xs.length === 1 && xs[0]!.k === 's') e = xs[0]!.i - vi.base;
    }
    return tableAt(vi, e);
  };

  const hasGf = (vi: VarInfo): boolean => !!vi.v.gf || !!vi.v.elements?.some((d) => d.gf);

  const tableAt = (vi: VarInfo, e: number): number => {
    const key = `${vi.key}#${e}`;
    let t = gfTables.get(key);
    if (t === undefined) {
      const gf = elementGf(vi, e);
      if (!gf) throw new LowerError(`'${vi.display}' has no graphical function`, 0, 'unknown-function');
      t = addTable(gf);
      gfTables.set(key, t);
    }
    return t;
  };

  const lower = (e: Expr, ctx: Ctx): IR => {
    switch (e.kind) {
      case 'num':
        return c(e.value);
      case 'ref': {
        // An argument is lowered with the parameters of the context it was written in (the
        // caller's, which is itself a macro body when macros call macros).
        const param = ctx.params?.get(e.key);
        if (param) return lower(param.expr, { ...ctx, params: param.outer, scope: param.scope });
        if (e.key === 'self' && !resolve('self', ctx)) {
          if (ctx.selfAllowed) return slot(ctx.self);
          throw new LowerError(
            'SELF names the variable being defined and may be used only inside PREVIOUS and SIZE',
            e.span.start,
            'invalid-argument',
          );
        }
        const vi = resolve(e.key, ctx);
        if (vi) {
          const xs = selectSlots(vi, undefined, ctx, e.span.start, false);
          return atStart(xs[0]!, ctx);
        }
        const t = TIME_KEYS.get(e.key);
        if (t) return t;
        if (e.key === 'pi') return c(Math.PI);
        if (e.key === 'inf') return c(Infinity);
        const d = dims.get(e.key);
        if (d) {
          const b = boundElement(d, ctx);
          if (b !== undefined) return c(b + 1);
          throw new LowerError(
            `dimension '${d.name}' used as a value where it is not bound`,
            e.span.start,
            'dimension-mismatch',
          );
        }
        const dot = e.key.indexOf('.');
        if (dot > 0) {
          const dd = dims.get(e.key.slice(0, dot));
          const el = dd?.elementKeys.indexOf(e.key.slice(dot + 1)) ?? -1;
          if (dd && el >= 0) return c(el + 1);
          const f = findBuiltin(e.key);
          if (f && f.maxArgs === 0)
            return lowerCall({ kind: 'call', name: e.name, key: e.key, args: [], span: e.span }, ctx);
        }
        const f = findBuiltin(e.key);
        if (f && (f.kind === 'time' || f.kind === 'constant')) {
          return lowerCall({ kind: 'call', name: e.name, key: e.key, args: [], span: e.span }, ctx);
        }
        throw new LowerError(`unknown variable '${displayName(e.name)}'`, e.span.start, 'unknown-variable');
      }
      case 'subscript': {
        const vi = resolve(e.key, ctx);
        if (!vi)
          throw new LowerError(`unknown variable '${displayName(e.name)}'`, e.span.start, 'unknown-variable');
        const xs = selectSlots(vi, e.indices, ctx, e.span.start, false);
        return atStart(xs[0]!, ctx);
      }
      case 'call':
        return lowerCall(e, ctx);
      case 'unary': {
        const a = lower(e.arg, ctx);
        if (e.op === '+') return a;
        return e.op === '-' ? { k: 'neg', a } : { k: 'not', a };
      }
      case 'binary':
        return { k: 'bin', op: e.op, a: lower(e.left, ctx), b: lower(e.right, ctx) };
      case 'chain':
        return { k: 'chain', ops: e.ops, args: e.args.map((a) => lower(a, ctx)) };
      case 'if':
        return { k: 'if', c: lower(e.cond, ctx), a: lower(e.then, ctx), b: lower(e.else, ctx) };
    }
  };

  // ---- per-variable lowering ----

  const PENDING: IR = { k: 'c', v: NaN };

  const parsedCache = new Map<Equation, Expr | null>();
  const parse = (vi: VarInfo, eqn: Equation): Expr | undefined => {
    if (parsedCache.has(eqn)) return parsedCache.get(eqn) ?? undefined;
    if (/^\s*\?+\s*$/.test(eqn.text)) {
      err(
        'placeholder-equation',
        `the equation of '${vi.display}' is a '${eqn.text.trim()}' placeholder (a converter could not translate it), not a definition`,
        locate(eqn, eqn.text.indexOf('?'), vi.v.loc),
        vi.display,
      );
      parsedCache.set(eqn, null);
      return undefined;
    }
    const r = parsedEquation(eqn);
    if (r.error) {
      const loc = locate(eqn, r.error.offset, vi.v.loc);
      err(
        'syntax-error',
        `syntax error in the equation of '${vi.display}': ${r.error.message}`,
        loc,
        vi.display,
      );
      parsedCache.set(eqn, null);
      return undefined;
    }
    parsedCache.set(eqn, r.expr!);
    return r.expr;
  };

  const elementEquation = (vi: VarInfo, e: number): { eqn?: Equation; gf?: GraphicalFunction } => {
    const v = vi.v;
    if (v.elementEquations && v.elementEquations.length === vi.size && vi.size > 1) {
      return { eqn: v.elementEquations[e], gf: v.gf };
    }
    // Constants of an arrayed variable written as one list, row-major: `1, 2, 3` (Stella) or
    // `1, 2; 3, 4;` (Vensim's matrix form, rows separated by semicolons).
    if (
      vi.size > 1 &&
      v.eqn &&
      !v.elements?.length &&
      /^[\s\d.eE+,;-]+$/.test(v.eqn.text) &&
      /[,;]/.test(v.eqn.text)
    ) {
      const parts = v.eqn.text
        .split(/[,;]/)
        .map((x) => x.trim())
        .filter((x) => x !== '');
      if (parts.length === vi.size && parts.every((x) => Number.isFinite(Number(x)))) {
        return { eqn: { text: parts[e]!, loc: v.eqn.loc }, gf: v.gf };
      }
    }
    if (v.elements && v.elements.length > 0 && vi.dims.length > 0) {
      const tuple = elementTuple(vi, e);
      for (const def of v.elements) {
        if (def.subscript.length !== vi.dims.length) continue;
        const match = def.subscript.every((sub, i) => {
          const d = vi.dims[i]!;
          const k = canonicalName(sub);
          const idx = d.elementKeys.indexOf(k.startsWith(d.key + '.') ? k.slice(d.key.length + 1) : k);
          return idx === tuple[i] || (idx < 0 && Number(sub) - 1 === tuple[i]);
        });
        if (match) return { eqn: def.eqn ?? v.eqn, gf: def.gf ?? v.gf };
      }
      return { eqn: v.eqn, gf: v.gf };
    }
    return { eqn: v.eqn, gf: v.gf };
  };
  const elementGf = (vi: VarInfo, e: number) => elementEquation(vi, e).gf;

  /**
   * A read of a variable's slot while computing an initial value: a variable with an
   * `<init_eqn>` (Stella's and Vensim's active initial) gives its initial equation's value then.
   */
  const initialSlots = new Map<number, IR>();
  const atStart = (ir: IR, ctx: Ctx): IR => {
    if (!ctx.initial || ir.k !== 's') return ir;
    const sl = slots[ir.i]!;
    const vi = slotVar[sl.id];
    if (!vi) return ir;
    if (!vi.v.initEqn || vi.v.kind === 'stock') return ir;
    let r = initialSlots.get(sl.id);
    if (!r) {
      const h = newSlot('init', `${sl.label}·initial`);
      h.eq = PENDING;
      r = slot(h.id);
      initialSlots.set(sl.id, r);
      h.eq = lowerValue(vi, sl.element!, vi.v.initEqn, undefined, true);
    }
    return r;
  };

  const lowerValue = (
    vi: VarInfo,
    e: number,
    eqn: Equation | undefined,
    gf: GraphicalFunction | undefined,
    initial = false,
  ): IR => {
    const ctx: Ctx = {
      vi,
      element: e,
      binding: bindingFor(vi, e),
      eqn: eqn ?? { text: '' },
      self: vi.base + e,
      depth: vi.depth ?? 0,
    };
    if (vi.params) ctx.params = vi.params;
    if (initial) ctx.initial = true;
    let ir: IR;
    if (eqn && eqn.text.trim() !== '') {
      const expr = parse(vi, eqn);
      if (!expr) return c(NaN);
      try {
        ir = lower(expr, ctx);
      } catch (x) {
        if (x instanceof LowerError) {
          if (x.code === 'budget-exceeded') exhausted = true;
          err(
            x.code,
            `${x.message} (in the equation of '${vi.display}')`,
            locate(eqn, x.offset, vi.v.loc),
            vi.display,
          );
          return c(NaN);
        }
        throw x;
      }
    } else if (gf) {
      ir = { k: 'time' };
    } else {
      // A conveyor's or queue's outflow has no equation of its own: the stock drives it.
      if (drivenFlows.has(vi.key)) return c(0);
      err('missing-equation', `'${vi.display}' has no equation`, vi.v.loc, vi.display);
      return c(NaN);
    }
    if (gf) {
      const key = `${vi.key}#${e}`;
      let t = gfTables.get(key);
      if (t === undefined) {
        t = addTable(gf);
        gfTables.set(key, t);
      }
      ir = { k: 'lookup', table: t, x: ir };
    }
    return ir;
  };

  /** Lower a model slot ahead of its turn (an order or seed that refers to it); a cycle leaves it pending. */
  const inProgress = new Set<number>();
  const lowerSlotNow = (sl: Slot): void => {
    if (inProgress.has(sl.id)) return;
    inProgress.add(sl.id);
    try {
      const vi = slotVar[sl.id]!;
      const { eqn, gf } = elementEquation(vi, sl.element!);
      sl.eq = lowerValue(vi, sl.element!, eqn, gf);
    } finally {
      inProgress.delete(sl.id);
    }
  };

  /**
   * Non-negative stocks (XMILE 1.0 sections 3.6.2 and 4.2): the logic sits in the outflows, taken
   * in priority order. An outflow that drains only this stock is limited to what the stock holds
   * plus what flows in during the step, less what the outflows before it take, so material is
   * conserved (a stock of 5 with two outflows of 4 passes 4 and 1) and the flow reports what
   * moved. What cannot be limited that way (a negative inflow; a flow that several stocks name as
   * their outflow, which the SDXorg suite uses) is held by a floor on the stock's net rate,
   * -stock/DT, so the stock stops at zero while those flows keep their values.
   */
  const limitOutflows = (entries: typeof nonNegative, drains: Map<number, number>): void => {
    const over = (a: IR, b: IR): IR => ({ k: 'bin', op: '/', a, b });
    for (const { s, vi, ins, outs } of entries) {
      const stockRate: IR = over(slot(s.id), { k: 'dt' });
      s.rate = { k: 'fn', name: 'MAX', args: [s.rate!, { k: 'neg', a: stockRate }] };
      const limited = outs.filter((o) => drains.get(o) === 1 && !limitedFlows.has(o));
      if (limited.length === 0) continue;
      const saved = limited.map((o) => ({ o, eq: slots[o]!.eq, uniflow: slots[o]!.uniflow }));
      const added: Slot[] = [];
      const positive = ins.map((g): IR => ({ k: 'fn', name: 'MAX', args: [c(0), slot(g)] }));
      let cum: IR = positive.length ? { k: 'bin', op: '+', a: stockRate, b: sumOf(positive) } : stockRate;
      for (const o of outs) {
        const fl = slots[o]!;
        const h = newSlot('haux', `${fl.label}·available`);
        h.eq = cum;
        added.push(h);
        if (limited.includes(o)) {
          const raw = newSlot('haux', `${fl.label}·unlimited`);
          raw.eq = fl.eq;
          if (fl.uniflow) raw.uniflow = true;
          added.push(raw);
          fl.eq = {
            k: 'fn',
            name: 'MIN',
            args: [slot(raw.id), { k: 'fn', name: 'MAX', args: [c(0), slot(h.id)] }],
          };
        }
        cum = { k: 'bin', op: '-', a: slot(h.id), b: slot(o) };
      }
      if (limited.some((o) => onCycle(o))) {
        // A flow the stock's availability depends on depends on one of its outflows (an inflow
        // computed from an outflow, an initial value from a flow): keep the floor only.
        for (const x of saved) {
          slots[x.o]!.eq = x.eq;
          if (x.uniflow) slots[x.o]!.uniflow = true;
        }
        for (const h of added) h.eq = c(0);
        err(
          'outflow-limiting',
          `the outflows of non-negative stock '${elementLabel(vi, s.element ?? 0)}' feed back into what it can give within one step; they are not limited, the stock is held at zero instead`,
          vi.v.loc,
          vi.display,
          'warning',
        );
        continue;
      }
      for (const o of limited) limitedFlows.add(o);
    }
  };
  const limitedFlows = new Set<number>();
  /** Does the value of slot `id` depend on itself, within a step or while initial values are computed? */
  const onCycle = (id: number): boolean => {
    for (const atStart of [false, true]) {
      const seen = new Set<number>();
      const stack = [id];
      let first = true;
      while (stack.length) {
        const x = stack.pop()!;
        if (x === id && !first) return true;
        first = false;
        if (seen.has(x)) continue;
        seen.add(x);
        const sl = slots[x]!;
        const state = sl.role === 'stock' || sl.role === 'hstock' || sl.role === 'prev';
        if ((state && !atStart) || sl.role === 'rand' || !sl.eq) continue;
        const deps = new Set<number>();
        irDeps(sl.eq, deps);
        for (const d of deps) stack.push(d);
      }
    }
    return false;
  };

  /** Flows a conveyor or queue drives (its non-leakage outflows): they need no equation. */
  const drivenFlows = new Set<string>();
  const isLeak = (fv: VarInfo | undefined): boolean => !!fv?.v.leak;
  for (const vi of allVars) {
    if (vi.v.kind !== 'stock' || !(vi.v.conveyor || vi.v.queue)) continue;
    const outs = (vi.v.outflows ?? []).map((n) => {
      const k = canonicalName(n);
      return byKey.get(vi.scope ? `${vi.scope}.${k}` : k);
    });
    const marked = outs.some(isLeak);
    outs.forEach((fv, i) => {
      if (!fv) return;
      if (vi.v.queue || (marked ? !isLeak(fv) : i === 0) || fv.v.leak?.fraction) drivenFlows.add(fv.key);
    });
  }

  const bin = (op: BinaryOp, a: IR, b: IR): IR => ({ k: 'bin', op, a, b });
  const fnMin = (...args: IR[]): IR => ({ k: 'fn', name: 'MIN', args });
  const fnMax = (...args: IR[]): IR => ({ k: 'fn', name: 'MAX', args });

  /**
   * A queue (XMILE 1.0 section 3.7.3): first in, first out. Its first outflow takes what the
   * queue holds plus what arrives in the step (a downstream conveyor may limit it); each outflow
   * marked `<overflow/>` takes what the outflows before it could not; other outflows take nothing.
   */
  const lowerQueue = ({ s, vi, ins, outs }: (typeof special)[number]): void => {
    let available: IR = bin(
      '+',
      bin('/', slot(s.id), { k: 'dt' }),
      sumOf(ins.map((g) => fnMax(c(0), slot(g)))),
    );
    outs.forEach((o, i) => {
      const fl = slots[o]!;
      const fv = slotVar[o];
      const h = newSlot('haux', `${fl.label}·queue available`);
      h.eq = available;
      if (i === 0 || fv?.v.overflow) fl.eq = fnMax(c(0), slot(h.id));
      else fl.eq = c(0);
      available = bin('-', slot(h.id), slot(o));
    });
    if (vi.v.conveyor && s.element === 0)
      err(
        'invalid-queue',
        `'${vi.display}' is both a queue and a conveyor; it runs as a queue`,
        vi.v.loc,
        vi.display,
        'warning',
      );
  };

  /**
   * A conveyor (XMILE 1.0 sections 3.7.2, 4.2.1): what enters leaves its transit time later
   * (a pipeline of the inflow; the initial contents spread evenly, as if they had entered over
   * the last transit time). Each leakage outflow takes its fraction of the inflowing amount,
   * evenly over its zone (leak_start..leak_end of the length); the normal outflow carries the rest.
   * Capacity and inflow limit hold back the inflows, in priority order.
   */
  const lowerConveyor = ({ s, vi, ins, outs }: (typeof special)[number]): void => {
    const cv = vi.v.conveyor!;
    const e = s.element ?? 0;
    const L0 = (name: string) => `${elementLabel(vi, e)}·conveyor ${name}`;
    if (!cv.len) {
      if (e === 0)
        err(
          'missing-equation',
          `conveyor '${vi.display}' has no transit time (<len>); it runs as a plain stock`,
          vi.v.loc,
          vi.display,
        );
      return;
    }
    if (e === 0) {
      const unsupported = [
        cv.sample && '<sample>',
        cv.arrest && '<arrest>',
        cv.discrete && 'discrete',
        cv.batchIntegrity && 'batch_integrity',
        cv.exponentialLeak && 'exponential_leak',
      ].filter(Boolean);
      if (unsupported.length)
        err(
          'unsupported-feature',
          `conveyor '${vi.display}': ${unsupported.join(', ')} not simulated (a continuous conveyor with linear leakage is)`,
          vi.v.loc,
          vi.display,
          'warning',
        );
    }
    const len = hiddenAux(lowerValue(vi, e, cv.len, undefined), L0('transit time'));
    // Inflows, limited by capacity and inflow limit in priority order.
    const room: IR[] = [];
    if (cv.inLimit) room.push(lowerValue(vi, e, cv.inLimit, undefined));
    if (cv.capacity) {
      const cap = lowerValue(vi, e, cv.capacity, undefined);
      room.push(
        fnMax(
          c(0),
          bin('+', bin('/', bin('-', cap, slot(s.id)), { k: 'dt' }), sumOf(outs.map((o) => slot(o)))),
        ),
      );
    }
    let allowed: IR | undefined =
      room.length === 0 ? undefined : room.length === 1 ? room[0]! : fnMin(...room);
    for (const g of ins) {
      const fl = slots[g]!;
      fl.eq = fnMax(c(0), fl.eq ?? c(0));
      if (allowed) {
        const h = newSlot('haux', `${fl.label}·conveyor room`);
        h.eq = allowed;
        fl.eq = fnMin(fl.eq, fnMax(c(0), slot(h.id)));
        allowed = bin('-', slot(h.id), slot(g));
      }
    }
    const entering = newSlot('haux', L0('entering'));
    entering.eq = sumOf(ins.map((g) => slot(g)));
    histories.push({ source: entering.id });
    const hist = histories.length - 1;
    const initRate = newSlot('init', L0('initial rate'));
    initRate.eq = bin('/', slot(s.id), len);
    const entered = (z: number): IR =>
      z <= 0
        ? slot(entering.id)
        : { k: 'delay', hist, delay: z === 1 ? len : bin('*', c(z), len), init: slot(initRate.id) };
    const fvs = outs.map((o) => slotVar[o]);
    const marked = fvs.some(isLeak);
    let leaked: IR = c(0);
    let normal: number | undefined;
    outs.forEach((o, i) => {
      const fv = fvs[i];
      const leak = marked ? isLeak(fv) : i > 0;
      if (!leak) {
        if (normal === undefined) normal = o;
        else slots[o]!.eq = c(0);
        return;
      }
      const fl = slots[o]!;
      const fe = fl.element ?? 0;
      const fraction = fv?.v.leak?.fraction
        ? lowerValue(fv, fe, fv.v.leak.fraction, undefined)
        : (fl.eq ?? c(0));
      const f = hiddenAux(fraction, `${fl.label}·leak fraction`);
      const zs = Math.min(1, Math.max(0, fv?.v.leak?.start ?? 0));
      const ze = Math.min(1, Math.max(zs, fv?.v.leak?.end ?? 1));
      if (ze <= zs) {
        fl.eq = c(0);
        return;
      }
      const zone = newSlot('hstock', `${fl.label}·leak zone`);
      zone.eq = bin('*', slot(s.id), c(ze - zs));
      zone.rate = bin('-', entered(zs), entered(ze));
      fl.eq = bin('/', bin('*', f, slot(zone.id)), bin('*', c(ze - zs), len));
      leaked = leaked.k === 'c' && leaked.v === 0 ? f : bin('+', leaked, f);
    });
    if (normal !== undefined) slots[normal]!.eq = bin('*', bin('-', c(1), leaked), entered(1));
  };

  // First give every model slot a placeholder so constant folding can see literal constants early.
  for (const vi of vars) {
    for (let e = 0; e < vi.size; e++) slots[vi.base + e]!.eq = PENDING;
  }
  // Literal constants first (cheap, and lets DELAYN orders and seeds refer to them).
  for (const vi of vars) {
    if (vi.v.kind === 'stock') continue;
    for (let e = 0; e < vi.size; e++) {
      const { eqn, gf } = elementEquation(vi, e);
      if (!gf && eqn && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(eqn.text)) {
        slots[vi.base + e]!.eq = c(Number(eqn.text));
      }
    }
  }
  // By index: macro calls add the variables of their instances to allVars as they are lowered.
  for (let vIndex = 0; vIndex < allVars.length; vIndex++) {
    const vi = allVars[vIndex]!;
    if (exhausted) break;
    for (let e = 0; e < vi.size && !exhausted; e++) {
      const s = slots[vi.base + e]!;
      const { eqn } = elementEquation(vi, e);
      if (vi.v.kind === 'stock') {
        if (!eqn || eqn.text.trim() === '') {
          err(
            'missing-equation',
            `stock '${vi.display}' has no initial value; 0 is used`,
            vi.v.loc,
            vi.display,
            'warning',
          );
          s.eq = c(0);
        } else {
          s.eq = lowerValue(vi, e, eqn, undefined, true);
        }
      } else if (s.eq === PENDING) {
        lowerSlotNow(s);
      }
      if (vi.v.kind === 'flow' && vi.v.nonNegative) s.uniflow = true;
    }
  }

  if (exhausted) return { vars, slots, tables, streams, histories, diagnostics, edges };

  // Stocks: rates from inflows and outflows, element by element.
  /** How many stocks name each flow slot as an outflow. */
  const outflowOf = new Map<number, number>();
  const nonNegative: { s: Slot; vi: VarInfo; ins: number[]; outs: number[] }[] = [];
  const special: typeof nonNegative = [];
  for (const vi of allVars) {
    if (vi.v.kind !== 'stock') continue;
    const flowSlots = (names: string[] | undefined, e: number): number[] => {
      const out: number[] = [];
      for (const n of names ?? []) {
        const fk = canonicalName(n);
        const fv = byKey.get(vi.scope ? `${vi.scope}.${fk}` : fk);
        // Report once per stock, not once per element of an arrayed stock.
        if (!fv) {
          if (e === 0)
            err(
              'unknown-flow',
              `stock '${vi.display}' names a flow '${displayName(n)}' that does not exist`,
              vi.v.loc,
              vi.display,
            );
          continue;
        }
        // Converted Vensim models use auxiliaries as flows (the suite's zeroled_decimals does): warn, use it.
        if (fv.v.kind !== 'flow' && !fv.v.flowConcept && e === 0) {
          err(
            'not-a-flow',
            `stock '${vi.display}' names '${fv.display}' as a flow, but it is ${fv.v.kind === 'stock' ? 'a stock' : 'an auxiliary'}`,
            vi.v.loc,
            vi.display,
            'warning',
          );
        }
        if (fv.size === 1) {
          out.push(fv.base);
          continue;
        }
        if (fv.size !== vi.size) {
          if (e === 0)
            err(
              'dimension-mismatch',
              `flow '${fv.display}' has ${fv.size} elements but stock '${vi.display}' has ${vi.size}`,
              vi.v.loc,
              vi.display,
            );
          continue;
        }
        out.push(fv.base + e);
      }
      return out;
    };
    for (let e = 0; e < vi.size; e++) {
      const s = slots[vi.base + e]!;
      const ins = flowSlots(vi.v.inflows, e);
      const outs = flowSlots(vi.v.outflows, e);
      const terms: IR[] = ins.map((i) => slot(i));
      let rate: IR = terms.length ? sumOf(terms) : c(0);
      if (outs.length) rate = { k: 'bin', op: '-', a: rate, b: sumOf(outs.map((o) => slot(o))) };
      s.rate = rate;
      for (const o of outs) outflowOf.set(o, (outflowOf.get(o) ?? 0) + 1);
      if (vi.v.nonNegative) nonNegative.push({ s, vi, ins, outs });
      if (vi.v.conveyor || vi.v.queue) special.push({ s, vi, ins, outs });
    }
    if (vi.params) continue; // a macro instance's stock is not a node of the model's graph
    for (const n of [...(vi.v.inflows ?? []), ...(vi.v.outflows ?? [])]) {
      const fk = canonicalName(n);
      const fv = byKey.get(vi.scope ? `${vi.scope}.${fk}` : fk);
      edges.push({ from: fv?.display ?? displayName(n), to: vi.display, kind: 'flow' });
    }
  }

  for (const x of special) if (x.vi.v.queue) lowerQueue(x);
  for (const x of special) if (x.vi.v.conveyor && !x.vi.v.queue) lowerConveyor(x);
  limitOutflows(nonNegative, outflowOf);

  // Variable-level equation edges.
  for (const vi of vars) {
    const seen = new Set<string>();
    const eqns: Equation[] = [];
    if (vi.v.eqn) eqns.push(vi.v.eqn);
    for (const d of vi.v.elements ?? []) if (d.eqn) eqns.push(d.eqn);
    for (const eqn of eqns) {
      const expr = parsedCache.get(eqn);
      if (!expr) continue;
      walk(expr, (x) => {
        if (x.kind === 'ref' || x.kind === 'subscript') {
          const t = byKey.get(vi.scope ? `${vi.scope}.${x.key}` : x.key);
          if (t && t !== vi && !seen.has(t.key)) {
            seen.add(t.key);
            edges.push({ from: t.display, to: vi.display, kind: 'equation' });
          }
        }
      });
    }
  }

  // Static numerical check: a division whose divisor folds to the constant 0 (1/0, x/(2-2),
  // x/zero where zero = 0). Reported once per variable, as a warning: the run would give Inf/NaN.
  const dividesByZero = (ir: IR): boolean => {
    switch (ir.k) {
      case 'bin':
        if (ir.op === '/' && constFold(ir.b) === 0) return true;
        return dividesByZero(ir.a) || dividesByZero(ir.b);
      case 'neg':
      case 'not':
        return dividesByZero(ir.a);
      case 'if':
        return dividesByZero(ir.c) || dividesByZero(ir.a) || dividesByZero(ir.b);
      case 'chain':
        if (ir.ops.some((op, i) => op === '/' && constFold(ir.args[i + 1]!) === 0)) return true;
        return ir.args.some(dividesByZero);
      case 'fn':
      case 'rt':
        return ir.args.some(dividesByZero);
      case 'lookup':
        return dividesByZero(ir.x);
      default:
        return false;
    }
  };
  const flagged = new Set<number>();
  for (const sl of slots) {
    if (sl.varIndex === undefined || flagged.has(sl.varIndex) || !sl.eq || sl.eq === PENDING) continue;
    if (!dividesByZero(sl.eq)) continue;
    flagged.add(sl.varIndex);
    const vi = vars[sl.varIndex]!;
    err('division-by-zero', `'${vi.display}' divides by a constant zero`, vi.v.loc, vi.display, 'warning');
  }

  return { vars, slots, tables, streams, histories, diagnostics, edges };
}

/**
 * Each random builtin of the catalogue: how many parameters come before its optional seed, the
 * draw it reads (uniform on [0, 1) or standard normal) and its value from that draw `u`. Keyed
 * by every random builtin, so one without a definition here does not compile.
 */
const RANDOM_DRAWS: Record<
  BuiltinOfKind<'random'>,
  { params: number; dist: 'uniform' | 'normal'; value: (a: IR[], u: IR) => IR }
> = {
  RANDOM: { params: 2, dist: 'uniform', value: (a, u) => uniformIn(a[0]!, a[1]!, u) },
  RANDOM_UNIFORM: { params: 2, dist: 'uniform', value: (a, u) => uniformIn(a[0]!, a[1]!, u) },
  NORMAL: {
    params: 2,
    dist: 'normal',
    value: (a, u) => ({ k: 'bin', op: '+', a: a[0]!, b: { k: 'bin', op: '*', a: a[1]!, b: u } }),
  },
  RANDOM_NORMAL: {
    params: 4,
    dist: 'normal',
    value: (a, u) => {
      const draw: IR = { k: 'bin', op: '+', a: a[2]!, b: { k: 'bin', op: '*', a: a[3]!, b: u } };
      return { k: 'fn', name: 'MIN', args: [a[1]!, { k: 'fn', name: 'MAX', args: [a[0]!, draw] }] };
    },
  },
  LOGNORMAL: {
    params: 2,
    dist: 'normal',
    value: (a, u) => ({ k: 'rt', name: 'lognormal', args: [a[0]!, a[1]!, u] }),
  },
  EXPRND: { params: 1, dist: 'uniform', value: (a, u) => ({ k: 'rt', name: 'exprnd', args: [a[0]!, u] }) },
  POISSON: { params: 1, dist: 'uniform', value: (a, u) => ({ k: 'rt', name: 'poisson', args: [u, a[0]!] }) },
};

function uniformIn(lo: IR, hi: IR, u: IR): IR {
  return { k: 'bin', op: '+', a: lo, b: { k: 'bin', op: '*', a: { k: 'bin', op: '-', a: hi, b: lo }, b: u } };
}

function isNumbered(d: DimInfo): boolean {
  return d.elements.every((e, i) => e === String(i + 1));
}

function dimInfo(d: Dimension): DimInfo {
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
