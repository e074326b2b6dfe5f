/** Function calls: builtins, graphical functions and lookups, macros. */
import type { Expr } from '../../equations/ast.js';
import { type BuiltinOfKind, findBuiltin } from '../../equations/builtins.js';
import { canonicalName } from '../../equations/names.js';
import { parsedEquation } from '../../equations/parser.js';
import type { MacroDefinition } from '../../model/types.js';
import { makeTable } from '../../simulate/runtime.js';
import { type IR, c, slot } from '../ir.js';
import { outerPair, sumOf, transpose } from './arrays.js';
import {
  type Ctx,
  type LowerFns,
  type LowerState,
  type MacroParams,
  type VarInfo,
  LowerError,
  PENDING,
  TIME_KEYS,
} from './types.js';

export function callLowering(
  st: LowerState,
): Pick<LowerFns, 'lowerCall' | 'vensimLookup' | 'lowerMacro' | 'tableOf' | 'hasGf' | 'tableAt'> {
  const { slots, tables, gfTables, macros, addTable, resolve, resolveTable } = st;

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
      return { k: 'lookup', table: table ?? tableOf(vi!, ctx), x: st.lower(e.args[0]!, ctx) };
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
        return st.lowerStateful(f.name as BuiltinOfKind<'stateful'>, e.args, ctx, at);
      case 'random':
        return st.lowerRandom(f.name as BuiltinOfKind<'random'>, e.args, ctx, at);
      case 'lookup': {
        const target = e.args[0]!;
        const x = e.args[1]!;
        const read = (table: number, xir: IR): IR =>
          f.name !== 'LOOKUP' ? vensimLookup(f.name, table, xir) : { k: 'lookup', table, x: xir };
        if (target.kind === 'subscript') {
          // An element's own graphical function: `LOOKUP(tables[A], x)`, Vensim `tab[a, b](x)`.
          const tv = resolve(target.key, ctx);
          if (tv && hasGf(tv)) {
            const sel = st.selectSlots(tv, target.indices, ctx, target.span.start, false)[0]!;
            if (sel.k !== 's')
              throw new LowerError(
                'the element of a graphical function must be known when the model is compiled',
                target.span.start,
                'unsupported-feature',
              );
            return read(tableAt(tv, sel.i - tv.base), st.lower(x, ctx));
          }
        }
        // An element's own table bound by the equation's subscripts (Vensim `tab(x)` in `y[a] = ...`).
        const own = target.kind === 'ref' ? resolve(target.key, ctx) : undefined;
        if (own && own.dims.length > 0 && own.v.elements?.some((d) => d.gf)) {
          const sel = st.selectSlots(own, undefined, ctx, target.span.start, false)[0]!;
          if (sel.k === 's') {
            const tkey = `${own.key}#${sel.i - own.base}`;
            let tt = gfTables.get(tkey);
            if (tt === undefined) {
              const gf = st.elementGf(own, sel.i - own.base);
              if (!gf)
                throw new LowerError(
                  `'${own.display}' has no graphical function for this element`,
                  target.span.start,
                  'unknown-function',
                );
              tt = addTable(gf);
              gfTables.set(tkey, tt);
            }
            return read(tt, st.lower(x, ctx));
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
            return { k: 'fn', name: fb.name, args: [st.lower(x, ctx)] };
          throw new LowerError(
            `'${target.name}' is not a graphical function`,
            target.span.start,
            'unknown-function',
          );
        }
        return read(t ?? tableOf(tv!, ctx), st.lower(x, ctx));
      }
      case 'array': {
        if (f.name === 'MEAN' && n > 1) {
          const xs = e.args.map((a) => st.lower(a, ctx));
          return { k: 'bin', op: '/', a: sumOf(xs), b: c(xs.length) };
        }
        if (f.name === 'TRANSPOSE') return st.pick(transpose(st.lowerShaped(e.args[0]!, ctx)), ctx, at);
        if (f.name === 'SIZE') {
          const a0 = e.args[0]!;
          // SELF is parsed as a name (`SIZE(SELF)`) or a subscripted name (`SIZE(SELF[1, *])`).
          if ((a0.kind === 'call' || a0.kind === 'ref') && a0.key === 'self') return c(ctx.vi.size);
          if (a0.kind === 'subscript' && a0.key === 'self')
            return c(st.selectSlots(ctx.vi, a0.indices, ctx, a0.span.start, true).length);
          return c(st.lowerVector(a0, ctx).length);
        }
        const xs = st.lowerVector(e.args[0]!, ctx);
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
              args: [st.lower(e.args[2]!, ctx), st.lower(e.args[1]!, ctx), ...xs],
            };
          case 'INVERT_MATRIX': {
            const size = st.constFold(st.lower(e.args[1]!, ctx));
            if (size === undefined || size < 1 || size * size !== xs.length)
              throw new LowerError(
                `INVERT MATRIX: the matrix has ${xs.length} elements, not n x n for n = ${size ?? '(not a constant)'}`,
                at,
                'dimension-mismatch',
              );
            return {
              k: 'rt',
              name: 'invert',
              args: [st.lower(e.args[2]!, ctx), st.lower(e.args[3]!, ctx), c(size), ...xs],
            };
          }
          case 'VECTOR_SELECT': {
            // Over every combination of the subscripts the two arrays range over (Vensim): a
            // selection over dim1! with values over dim2! pairs each selection with each value.
            const [sels, vals] = outerPair(
              st.lowerShaped(e.args[0]!, ctx),
              st.lowerShaped(e.args[1]!, ctx),
              at,
            );
            return {
              k: 'rt',
              name: 'vselect',
              args: [st.lower(e.args[2]!, ctx), st.lower(e.args[3]!, ctx), c(sels.length), ...sels, ...vals],
            };
          }
          case 'VECTOR_REORDER':
            return { k: 'rt', name: 'pick', args: [st.lower(e.args[1]!, ctx), ...xs] };
          case 'VECTOR_ELM_MAP': {
            const k: IR = {
              k: 'bin',
              op: '+',
              a: { k: 'bin', op: '-', a: st.lower(e.args[1]!, ctx), b: c(1) },
              b: { k: 'fn', name: 'ROUND', args: [st.lower(e.args[2]!, ctx)] },
            };
            return { k: 'rt', name: 'pick', args: [k, ...xs] };
          }
          case 'ALLOCATE_AVAILABLE':
          case 'ALLOCATE_BY_PRIORITY': {
            // xs: the requests of one row of requesters; the second argument their priorities
            // (ALLOCATE AVAILABLE: m profile values per requester, requester by requester).
            const pri = st.lowerVector(e.args[1]!, ctx);
            const m = pri.length / xs.length;
            const profiled = f.name === 'ALLOCATE_AVAILABLE';
            const first = profiled ? st.constFold(st.lower(e.args[4]!, ctx)) : 1;
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
                    st.lower(e.args[3]!, ctx),
                    c(first!),
                    c(m),
                    st.lower(e.args[2]!, ctx),
                    c(xs.length),
                    ...xs,
                    ...pri,
                  ],
                }
              : {
                  k: 'rt',
                  name: 'allocPriority',
                  args: [
                    st.lower(e.args[4]!, ctx),
                    st.lower(e.args[2]!, ctx),
                    st.lower(e.args[3]!, ctx),
                    c(xs.length),
                    ...xs,
                    ...pri,
                  ],
                };
          }
          case 'RANK': {
            const nth = st.lower(e.args[1]!, ctx);
            // The optional third array breaks ties between equal elements of the first.
            const ties = e.args[2] ? st.lowerVector(e.args[2], ctx) : [];
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
          const xs = e.args.flatMap((a) => st.lowerVector(a, ctx));
          return { k: 'fn', name: f.name, args: xs };
        }
        return { k: 'fn', name: f.name, args: e.args.map((a) => st.lower(a, ctx)) };
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
      const where = `${st.label(ctx, m.name)}#${macroCalls}`;
      for (const v of m.variables) {
        const vi = st.addVar(v, scope, { label: where, params });
        if (vi) {
          vi.depth = ctx.depth + 1;
          for (let k = 0; k < vi.size; k++) slots[vi.base + k]!.eq = PENDING;
        }
      }
      inner.scope = scope;
    }
    try {
      return st.lower(parsed.expr, inner);
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
      const xs = st.selectSlots(vi, undefined, ctx, 0, true);
      if (xs.length === 1 && xs[0]!.k === 's') e = xs[0]!.i - vi.base;
    }
    return tableAt(vi, e);
  };

  const hasGf = (vi: VarInfo): boolean => !!vi.v.gf || !!vi.v.elements?.some((d) => d.gf);

  const tableAt = (vi: VarInfo, e: number): number => {
    const key = `${vi.key}#${e}`;
    let t = gfTables.get(key);
    if (t === undefined) {
      const gf = st.elementGf(vi, e);
      if (!gf) throw new LowerError(`'${vi.display}' has no graphical function`, 0, 'unknown-function');
      t = addTable(gf);
      gfTables.set(key, t);
    }
    return t;
  };

  return { lowerCall, vensimLookup, lowerMacro, tableOf, hasGf, tableAt };
}
