/** Expressions: names, operators and conditionals to IR; constant folding. */
import type { Expr } from '../../equations/ast.js';
import { applyChainOp } from '../../equations/ast.js';
import { findBuiltin } from '../../equations/builtins.js';
import { displayName } from '../../equations/names.js';
import { type IR, c, irDeps, slot } from '../ir.js';
import {
  type Ctx,
  type LowerFns,
  type LowerState,
  LowerError,
  PENDING,
  TIME_KEYS,
  elementLabel,
} from './types.js';

export function expressionLowering(
  st: LowerState,
): Pick<LowerFns, 'hiddenAux' | 'constFold' | 'label' | 'lower'> {
  const { slots, dims, resolve, newSlot } = st;

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
          const xs = st.selectSlots(vi, undefined, ctx, e.span.start, false);
          return st.atStart(xs[0]!, ctx);
        }
        const t = TIME_KEYS.get(e.key);
        if (t) return t;
        if (e.key === 'pi') return c(Math.PI);
        if (e.key === 'inf') return c(Infinity);
        const d = dims.get(e.key);
        if (d) {
          const b = st.boundElement(d, ctx);
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
            return st.lowerCall({ kind: 'call', name: e.name, key: e.key, args: [], span: e.span }, ctx);
        }
        const f = findBuiltin(e.key);
        if (f && (f.kind === 'time' || f.kind === 'constant')) {
          return st.lowerCall({ kind: 'call', name: e.name, key: e.key, args: [], span: e.span }, ctx);
        }
        throw new LowerError(`unknown variable '${displayName(e.name)}'`, e.span.start, 'unknown-variable');
      }
      case 'subscript': {
        const vi = resolve(e.key, ctx);
        if (!vi)
          throw new LowerError(`unknown variable '${displayName(e.name)}'`, e.span.start, 'unknown-variable');
        const xs = st.selectSlots(vi, e.indices, ctx, e.span.start, false);
        return st.atStart(xs[0]!, ctx);
      }
      case 'call':
        return st.lowerCall(e, ctx);
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

  return { hiddenAux, constFold, label, lower };
}
