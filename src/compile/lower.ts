/**
 * Resolution and lowering: parse every equation, resolve names against variables, dimensions
 * and builtins, expand arrays element by element, and expand stateful builtins into internal
 * slots. The result is a flat list of slots, each with scalar IR for its value or rate.
 *
 * The parts live in lower/: subscripts, arrays, expressions, calls (builtins, lookups, macros),
 * stateful builtins and random draws, variables (slots and per-element equations), stocks and
 * flows. They share one `LowerState`; this file builds it and runs the passes in order.
 */
import { walk } from '../equations/ast.js';
import { canonicalName } from '../equations/names.js';
import { budgetMessage, DEFAULT_BUDGETS, type Budgets } from '../model/budgets.js';
import type { Diagnostic, Equation, GraphicalFunction, MacroDefinition, Model } from '../model/types.js';
import { makeTable } from '../simulate/runtime.js';
import { expandModules } from './modules.js';
import { type IR, c } from './ir.js';
import { arrayLowering } from './lower/arrays.js';
import { callLowering } from './lower/calls.js';
import { expressionLowering } from './lower/expressions.js';
import { statefulLowering } from './lower/stateful.js';
import { lowerStocks, markDrivenFlows } from './lower/stocks.js';
import { subscriptLowering } from './lower/subscripts.js';
import {
  type Ctx,
  type DimInfo,
  type LowerData,
  type LoweredModel,
  type LowerState,
  type Slot,
  type VarInfo,
  LowerError,
  PENDING,
  dimInfo,
} from './lower/types.js';
import { variableLowering } from './lower/variables.js';

export type { DimInfo, LoweredModel, RandomStream, Slot, SlotRole, VarInfo } from './lower/types.js';
export { elementLabel, locate } from './lower/types.js';

export function lowerModel(model: Model, budgets: Budgets = DEFAULT_BUDGETS): LoweredModel {
  const diagnostics: Diagnostic[] = [];
  const file = model.file;
  const err: LowerData['err'] = (code, message, loc, variable, severity = 'error') => {
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
  const tables: LoweredModel['tables'] = [];
  const gfTables = new Map<string, number>();
  // One table per graphical function: the elements of an apply-to-all one share its table.
  const tableOfGf = new Map<GraphicalFunction, number>();
  const addTable = (gf: GraphicalFunction): number => {
    let t = tableOfGf.get(gf);
    if (t === undefined) {
      tables.push(makeTable(gf.xpts, gf.ypts, gf.type));
      t = tables.length - 1;
      tableOfGf.set(gf, t);
    }
    return t;
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

  const slots: Slot[] = [];
  const byKey = new Map<string, VarInfo>();
  const data: LowerData = {
    model,
    budgets,
    file,
    diagnostics,
    slots,
    tables,
    streams: [],
    histories: [],
    edges: [],
    exhausted: false,
    dims,
    gfTables,
    macros,
    vars: [],
    allVars: [],
    byKey,
    slotVar: [],
    scopeOf: new Map(),
    drivenFlows: new Set(),
    err,
    addTable,
    resolve: (key: string, ctx: Ctx): VarInfo | undefined => {
      const scope = ctx.scope ?? ctx.vi.scope;
      if (scope) return byKey.get(`${scope}.${key}`);
      return byKey.get(key);
    },
    resolveTable: (key: string, ctx: Ctx): number | undefined => {
      const scope = ctx.scope ?? ctx.vi.scope;
      return gfTables.get(scope ? `${scope}.${key}` : key);
    },
    newSlot: (role, label) => {
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
    },
  };
  // Each part's functions reach the others' through `st` (they call each other recursively).
  const st = data as LowerState;
  Object.assign(
    st,
    subscriptLowering(st),
    arrayLowering(st),
    expressionLowering(st),
    callLowering(st),
    statefulLowering(st),
    variableLowering(st),
  );
  const { vars, allVars, streams, histories, edges, scopeOf } = st;

  // Variables and their slots.
  for (const sv of expanded.variables) {
    // Instance variables keep their full name as their key; their equations resolve in their scope.
    scopeOf.set(sv.v, sv.scope);
    st.addVar(sv.v, '');
  }

  if (st.exhausted) return { vars, slots, tables, streams, histories, diagnostics, edges };

  markDrivenFlows(st);

  // First give every model slot a placeholder so constant folding can see literal constants early.
  for (const vi of vars) {
    for (let e = 0; e < vi.size; e++) slots[vi.base + e]!.eq = PENDING;
  }
  // Literal constants first (cheap, and lets DELAYN orders and seeds refer to them).
  for (const vi of vars) {
    if (vi.v.kind === 'stock') continue;
    for (let e = 0; e < vi.size; e++) {
      const { eqn, gf } = st.elementEquation(vi, e);
      if (!gf && eqn && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(eqn.text)) {
        slots[vi.base + e]!.eq = c(Number(eqn.text));
      }
    }
  }
  // By index: macro calls add the variables of their instances to allVars as they are lowered.
  for (let vIndex = 0; vIndex < allVars.length; vIndex++) {
    const vi = allVars[vIndex]!;
    if (st.exhausted) break;
    for (let e = 0; e < vi.size && !st.exhausted; e++) {
      const s = slots[vi.base + e]!;
      const { eqn } = st.elementEquation(vi, e);
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
          s.eq = st.lowerValue(vi, e, eqn, undefined, true);
        }
      } else if (s.eq === PENDING) {
        st.lowerSlotNow(s);
      }
      if (vi.v.kind === 'flow' && vi.v.nonNegative) s.uniflow = true;
    }
  }

  if (st.exhausted) return { vars, slots, tables, streams, histories, diagnostics, edges };

  lowerStocks(st);

  // Variable-level equation edges.
  for (const vi of vars) {
    const seen = new Set<string>();
    const eqns: Equation[] = [];
    if (vi.v.eqn) eqns.push(vi.v.eqn);
    for (const d of vi.v.elements ?? []) if (d.eqn) eqns.push(d.eqn);
    for (const eqn of eqns) {
      const expr = st.parsedCache.get(eqn);
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
        if (ir.op === '/' && st.constFold(ir.b) === 0) return true;
        return dividesByZero(ir.a) || dividesByZero(ir.b);
      case 'neg':
      case 'not':
        return dividesByZero(ir.a);
      case 'if':
        return dividesByZero(ir.c) || dividesByZero(ir.a) || dividesByZero(ir.b);
      case 'chain':
        if (ir.ops.some((op, i) => op === '/' && st.constFold(ir.args[i + 1]!) === 0)) return true;
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
