/** Array expressions: elements in row-major order, broadcasting by dimension name. */
import type { Expr } from '../../equations/ast.js';
import { type IR, c } from '../ir.js';
import { elementTuple } from './subscripts.js';
import { type Ctx, type LowerFns, type LowerState, type Shape, type Vec, LowerError } from './types.js';

/**
 * The union of two arrays' dimensions (the first's first) and, for each combination in row-major
 * order, the positions of the matching element of each array: a dimension only one array has
 * repeats the other along it. Dimensions of one name must agree in size.
 */
const unionPositions = (a: Vec, b: Vec, at: number): { shape: Shape; ia: number[]; ib: number[] } => {
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
  const ia: number[] = [];
  const ib: number[] = [];
  for (let k = 0; k < total; k++) {
    let rest = k;
    let pa = 0;
    let pb = 0;
    for (let i = shape.length - 1; i >= 0; i--) {
      const d = shape[i]!;
      const pos = rest % d.n;
      rest = Math.floor(rest / d.n);
      pa += pos * (sa.get(d.key) ?? 0);
      pb += pos * (sb.get(d.key) ?? 0);
    }
    ia.push(pa);
    ib.push(pb);
  }
  return { shape, ia, ib };
};

/** Combine two arrays element by element, repeating a scalar, or matching dimensions by name. */
export const broadcast = (a: Vec, b: Vec, at: number, op: (x: IR, y: IR) => IR): Vec => {
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
    const { shape, ia, ib } = unionPositions(a, b, at);
    return { xs: ia.map((pa, k) => op(a.xs[pa]!, b.xs[ib[k]!]!)), shape };
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
export const outerPair = (a: Vec, b: Vec, at: number): [IR[], IR[]] => {
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
  const { ia, ib } = unionPositions(a, b, at);
  return [ia.map((p) => a.xs[p]!), ib.map((p) => b.xs[p]!)];
};

/** Reverse the dimensions of an array (XMILE's `'` operator). */
export const transpose = (v: Vec): Vec => {
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

export const sumOf = (xs: IR[]): IR => (xs.length === 0 ? c(0) : { k: 'rt', name: 'sum', args: xs });

export function arrayLowering(st: LowerState): Pick<LowerFns, 'lowerVector' | 'lowerShaped' | 'pick'> {
  const { dims, resolve } = st;

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
        if (vi && vi.dims.length > 0) return st.selectShaped(vi, undefined, ctx, e.span.start, true);
        return { xs: [st.lower(e, ctx)], shape: [] };
      }
      case 'subscript': {
        const vi = resolve(e.key, ctx);
        if (!vi) throw new LowerError(`unknown variable '${e.name}'`, e.span.start, 'unknown-variable');
        return st.selectShaped(vi, e.indices, ctx, e.span.start, true);
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
        return { xs: [st.lower(e, ctx)], shape: [] };
      default:
        return { xs: [st.lower(e, ctx)], shape: [] };
    }
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
      let idx = ctx.binding.get(d.key) ?? (di ? st.boundElement(di, ctx) : undefined);
      if (idx === undefined && v.shape.length === tuple.length) idx = tuple[i];
      if (idx === undefined || idx >= d.n)
        throw new LowerError(`an array is used where one value is needed`, at, 'dimension-mismatch');
      k = k * d.n + idx;
    }
    return v.xs[k]!;
  };

  return { lowerVector, lowerShaped, pick };
}
