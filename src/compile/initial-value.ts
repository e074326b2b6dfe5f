/**
 * The value an expression has at the start of a run, computed while lowering (for arguments that
 * Vensim reads once at initialisation, such as the order of DELAY N and SMOOTH N). Follows slots
 * to their equations (a stock to its initial value); undefined where a value is not known yet
 * (random draws, delays, cycles).
 */
import { type Builtin, findBuiltin } from '../equations/builtins.js';
import { applyChainOp, type BinaryOp } from '../equations/ast.js';
import { runtime } from '../simulate/runtime.js';
import type { IR } from './ir.js';

export interface StartContext {
  start: number;
  stop: number;
  dt: number;
  /** The equation (value or initial value) of a slot, if it has one. */
  equation(slot: number): IR | undefined;
}

const MAX_DEPTH = 200;

type PureFn = (
  R: typeof runtime,
  a: number[],
  t: number,
  dt: number,
  X: { start: number; stop: number; step: number },
) => number;
const compiledPure = new Map<string, PureFn>();

/**
 * A pure builtin (or test input) applied to numbers, through the catalogue's own emitter: the same
 * definition the generated code uses. Undefined for a builtin without an emitter. `t` is the
 * time and `dt` the step the expression is evaluated at; `start` and `stop` those of the run.
 */
export function evaluateBuiltin(
  f: Builtin,
  args: number[],
  at: { t: number; dt: number; start: number; stop: number },
): number | undefined {
  if (!f.emit) return undefined;
  const key = `${f.name}/${args.length}`;
  let fn = compiledPure.get(key);
  if (!fn) {
    const code = f.emit(args.map((_, i) => `a[${i}]`));
    fn = new Function('R', 'a', 't', 'dt', 'X', `return ${code};`) as PureFn;
    compiledPure.set(key, fn);
  }
  return fn(runtime, args, at.t, at.dt, {
    start: at.start,
    stop: at.stop,
    step: Math.round((at.t - at.start) / at.dt),
  });
}

/** The engine's binary operators on numbers (IEEE: x/0 is +-Infinity or NaN, as in generated code). */
export function evalBinary(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '^':
      return Math.pow(a, b);
    case 'mod':
      return runtime.mod(a, b);
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '=':
      return a === b ? 1 : 0;
    case '<>':
      return a !== b ? 1 : 0;
    case 'and':
      return a !== 0 && b !== 0 ? 1 : 0;
    case 'or':
      return a !== 0 || b !== 0 ? 1 : 0;
  }
}

export function valueAtStart(
  ir: IR,
  cx: StartContext,
  depth = 0,
  seen = new Set<number>(),
): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const ev = (x: IR) => valueAtStart(x, cx, depth + 1, seen);
  switch (ir.k) {
    case 'c':
      return ir.v;
    case 'time':
    case 'start':
      return cx.start;
    case 'stop':
      return cx.stop;
    case 'dt':
      return cx.dt;
    case 's': {
      if (seen.has(ir.i)) return undefined;
      const eq = cx.equation(ir.i);
      if (!eq) return undefined;
      seen.add(ir.i);
      const v = ev(eq);
      seen.delete(ir.i);
      return v;
    }
    case 'neg': {
      const a = ev(ir.a);
      return a === undefined ? undefined : -a;
    }
    case 'not': {
      const a = ev(ir.a);
      return a === undefined ? undefined : a === 0 ? 1 : 0;
    }
    case 'if': {
      const cnd = ev(ir.c);
      if (cnd === undefined) return undefined;
      return cnd !== 0 ? ev(ir.a) : ev(ir.b);
    }
    case 'bin': {
      const a = ev(ir.a);
      const b = ev(ir.b);
      if (a === undefined || b === undefined) return undefined;
      return evalBinary(ir.op, a, b);
    }
    case 'chain': {
      let acc = ev(ir.args[0]!);
      for (let i = 0; i < ir.ops.length && acc !== undefined; i++) {
        const b = ev(ir.args[i + 1]!);
        acc = b === undefined ? undefined : applyChainOp(ir.ops[i]!, acc, b);
      }
      return acc;
    }
    case 'fn': {
      const f = findBuiltin(ir.name.toLowerCase());
      if (!f?.emit) return undefined;
      const args: number[] = [];
      for (const a of ir.args) {
        const v = ev(a);
        if (v === undefined) return undefined;
        args.push(v);
      }
      return evaluateBuiltin(f, args, { t: cx.start, dt: cx.dt, start: cx.start, stop: cx.stop });
    }
    case 'rt': {
      const args: number[] = [];
      for (const a of ir.args) {
        const v = ev(a);
        if (v === undefined) return undefined;
        args.push(v);
      }
      if (ir.name === 'sum') return args.reduce((s, x) => s + x, 0);
      // A runtime helper of the engine (VECTOR SELECT, ALLOCATE...), on the values at the start.
      const h = (runtime as unknown as Record<string, (...xs: number[]) => number>)[ir.name];
      return typeof h === 'function' ? h(...args) : undefined;
    }
    default:
      return undefined;
  }
}
