/** Variables: their slots, equations (per element), and the lowering of one slot's value. */
import type { Expr } from '../../equations/ast.js';
import { budgetDiagnostic } from '../../model/budgets.js';
import { canonicalName, displayName } from '../../equations/names.js';
import { parsedEquation } from '../../equations/parser.js';
import type { Equation, GraphicalFunction, Variable } from '../../model/types.js';
import { type IR, c, slot } from '../ir.js';
import { bindingFor, elementTuple } from './subscripts.js';
import {
  type Ctx,
  type DimInfo,
  type LowerFns,
  type LowerState,
  type MacroParams,
  type Slot,
  type SlotRole,
  type VarInfo,
  LowerError,
  PENDING,
  elementLabel,
  locate,
} from './types.js';

export function variableLowering(
  st: LowerState,
): Pick<
  LowerFns,
  | 'addVar'
  | 'parse'
  | 'parsedCache'
  | 'elementEquation'
  | 'elementGf'
  | 'atStart'
  | 'lowerValue'
  | 'lowerSlotNow'
> {
  const {
    slots,
    dims,
    diagnostics,
    gfTables,
    vars,
    allVars,
    byKey,
    slotVar,
    scopeOf,
    drivenFlows,
    budgets,
    file,
    err,
    addTable,
    newSlot,
  } = st;

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
    if (st.exhausted) return undefined;
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
      st.exhausted = true;
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

  /**
   * Constants of an arrayed variable written as one list, row-major: `1, 2, 3` (Stella) or
   * `1, 2; 3, 4;` (Vensim's matrix form, rows separated by semicolons); one equation per element,
   * made once per variable (undefined when its equation is not such a list).
   */
  const lists = new Map<VarInfo, Equation[] | undefined>();
  const constantList = (vi: VarInfo): Equation[] | undefined => {
    const v = vi.v;
    if (vi.size <= 1 || !v.eqn || v.elements?.length) return undefined;
    if (lists.has(vi)) return lists.get(vi);
    let out: Equation[] | undefined;
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
      if (parts.length === vi.size && parts.every((x) => Number.isFinite(Number(x))))
        out = parts.map((text) => ({ text, loc: v.eqn!.loc }));
    }
    lists.set(vi, out);
    return out;
  };
  const elementEquation = (vi: VarInfo, e: number): { eqn?: Equation; gf?: GraphicalFunction } => {
    const v = vi.v;
    if (v.elementEquations && v.elementEquations.length === vi.size && vi.size > 1) {
      return { eqn: v.elementEquations[e], gf: v.gf };
    }
    const list = constantList(vi);
    if (list) return { eqn: list[e], gf: v.gf };
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
        ir = st.lower(expr, ctx);
      } catch (x) {
        if (x instanceof LowerError) {
          if (x.code === 'budget-exceeded') st.exhausted = true;
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

  return { addVar, parse, parsedCache, elementEquation, elementGf, atStart, lowerValue, lowerSlotNow };
}
