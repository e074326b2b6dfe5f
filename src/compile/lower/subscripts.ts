/** Subscripts: which elements of an arrayed variable a reference selects. */
import type { Expr, IndexExpr } from '../../equations/ast.js';
import { canonicalName } from '../../equations/names.js';
import { type IR, c, slot } from '../ir.js';
import {
  type Ctx,
  type DimInfo,
  type LowerFns,
  type LowerState,
  type Shape,
  type VarInfo,
  type Vec,
  LowerError,
  isNumbered,
} from './types.js';

export const elementTuple = (vi: VarInfo, e: number): number[] =>
  vi.dims.map((_, i) => Math.floor(e / vi.strides[i]!) % vi.dims[i]!.elements.length);

export const bindingFor = (vi: VarInfo, e: number): Map<string, number> => {
  const m = new Map<string, number>();
  const t = elementTuple(vi, e);
  vi.dims.forEach((d, i) => m.set(d.key, t[i]!));
  return m;
};

/** One subscript position resolved: one element, several (with the dimension they span), or computed. */
type Sel =
  | { kind: 'one'; index: number }
  | { kind: 'many'; indices: number[]; dim?: string }
  | { kind: 'dyn'; idx: IR };

export const staticElement = (e: Expr, td: DimInfo): number | undefined => {
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

export function subscriptLowering(
  st: LowerState,
): Pick<LowerFns, 'boundElement' | 'selectSlots' | 'selectShaped'> {
  const { dims } = st;

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
    return { kind: 'dyn', idx: st.lower(ix, ctx) };
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
    if (!indices) {
      // The common case of an apply-to-all equation: every dimension bound by the equation's own
      // (what `boundElement` gives first), one slot.
      let offset = 0;
      let i = 0;
      for (; i < vi.dims.length; i++) {
        const b = ctx.binding.get(vi.dims[i]!.key);
        if (b === undefined) break;
        offset += b * vi.strides[i]!;
      }
      if (i === vi.dims.length) return { xs: [slot(vi.base + offset)], shape: [] };
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

  return { boundElement, selectSlots, selectShaped };
}
