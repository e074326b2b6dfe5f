/**
 * The scalar intermediate representation: every name resolved to a state slot, every array
 * element expanded, every stateful builtin replaced by internal slots. Code generation reads it.
 */
import type { BinaryOp, ChainOp } from '../equations/ast.js';
import { findBuiltin } from '../equations/builtins.js';

export type IR =
  | { k: 'c'; v: number }
  /** Read of state slot `i`. */
  | { k: 's'; i: number }
  | { k: 'time' }
  | { k: 'dt' }
  | { k: 'start' }
  | { k: 'stop' }
  | { k: 'neg'; a: IR }
  | { k: 'not'; a: IR }
  | { k: 'bin'; op: BinaryOp; a: IR; b: IR }
  /** `args[0] ops[0] args[1] ops[1] args[2] ...`, left to right (a flat `+`/`-` or `*`/`/` chain). */
  | { k: 'chain'; ops: ChainOp[]; args: IR[] }
  | { k: 'if'; c: IR; a: IR; b: IR }
  /** A pure catalogue function, emitted by its `emit` template. */
  | { k: 'fn'; name: string; args: IR[] }
  /** A runtime helper `R.<name>(args)` (random transforms, stddev...). */
  | { k: 'rt'; name: string; args: IR[] }
  | { k: 'lookup'; table: number; x: IR }
  /** Pipeline delay output read from history buffer `hist`. */
  | { k: 'delay'; hist: number; delay: IR; init: IR }
  /** Element `idx` (1-based, computed) of `size` slots starting at `base`, `stride` apart; 0 outside. */
  | { k: 'dyn'; base: number; stride: number; size: number; idx: IR };

export const c = (v: number): IR => ({ k: 'c', v });
export const slot = (i: number): IR => ({ k: 's', i });

/** Slots an expression reads, added to `out` (a Set, or any collector with `add`) in reading order. */
export function irDeps(ir: IR, out: { add(i: number): unknown }): void {
  switch (ir.k) {
    case 's':
      out.add(ir.i);
      return;
    case 'neg':
    case 'not':
      irDeps(ir.a, out);
      return;
    case 'bin':
      irDeps(ir.a, out);
      irDeps(ir.b, out);
      return;
    case 'if':
      irDeps(ir.c, out);
      irDeps(ir.a, out);
      irDeps(ir.b, out);
      return;
    case 'fn':
    case 'rt':
    case 'chain':
      for (const a of ir.args) irDeps(a, out);
      return;
    case 'lookup':
      irDeps(ir.x, out);
      return;
    case 'delay':
      irDeps(ir.delay, out);
      irDeps(ir.init, out);
      return;
    case 'dyn':
      for (let j = 0; j < ir.size; j++) out.add(ir.base + j * ir.stride);
      irDeps(ir.idx, out);
      return;
    default:
      return;
  }
}

/** Does every slot the expression reads satisfy `ok` (checked in reading order, stopping at the first that does not)? */
export function irEverySlot(ir: IR, ok: (i: number) => boolean): boolean {
  switch (ir.k) {
    case 's':
      return ok(ir.i);
    case 'neg':
    case 'not':
      return irEverySlot(ir.a, ok);
    case 'bin':
      return irEverySlot(ir.a, ok) && irEverySlot(ir.b, ok);
    case 'if':
      return irEverySlot(ir.c, ok) && irEverySlot(ir.a, ok) && irEverySlot(ir.b, ok);
    case 'fn':
    case 'rt':
    case 'chain':
      for (const a of ir.args) if (!irEverySlot(a, ok)) return false;
      return true;
    case 'lookup':
      return irEverySlot(ir.x, ok);
    case 'delay':
      return irEverySlot(ir.delay, ok) && irEverySlot(ir.init, ok);
    case 'dyn':
      for (let j = 0; j < ir.size; j++) if (!ok(ir.base + j * ir.stride)) return false;
      return irEverySlot(ir.idx, ok);
    default:
      return true;
  }
}

/**
 * Collects the distinct slots of many expressions, one expression at a time, without a Set per
 * expression: `of(ir)` returns its slots in first-reading order (the order a Set would keep).
 */
export class DepCollector {
  private readonly mark: Int32Array;
  private stamp = 0;
  private list: number[] = [];
  constructor(size: number) {
    this.mark = new Int32Array(size);
  }
  add(i: number): void {
    if (i >= this.mark.length) {
      if (!this.list.includes(i)) this.list.push(i);
      return;
    }
    if (this.mark[i] === this.stamp) return;
    this.mark[i] = this.stamp;
    this.list.push(i);
  }
  of(ir: IR | undefined): number[] {
    this.stamp++;
    this.list = [];
    if (ir) irDeps(ir, this);
    return this.list;
  }
}

/** Does the expression depend on time directly (TIME, test inputs, pipeline delays)? */
export function irUsesTime(ir: IR): boolean {
  switch (ir.k) {
    case 'time':
    case 'delay':
      return true;
    case 'neg':
    case 'not':
      return irUsesTime(ir.a);
    case 'bin':
      return irUsesTime(ir.a) || irUsesTime(ir.b);
    case 'if':
      return irUsesTime(ir.c) || irUsesTime(ir.a) || irUsesTime(ir.b);
    case 'fn':
      // Test inputs (PULSE, RAMP, STEP, Vensim's PULSE TRAIN...) read the clock: the catalogue says which.
      return findBuiltin(ir.name.toLowerCase())?.kind === 'test-input' || ir.args.some(irUsesTime);
    case 'rt':
    case 'chain':
      return ir.args.some(irUsesTime);
    case 'lookup':
      return irUsesTime(ir.x);
    case 'dyn':
      return irUsesTime(ir.idx);
    default:
      return false;
  }
}
