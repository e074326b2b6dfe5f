/**
 * The engine's scalar IR as a WebAssembly module: the step loop of a run (auxiliaries, rates,
 * Euler/RK2/RK4 stock updates, the clamp of non-negative stocks, PREVIOUS) over the same state
 * layout as the JavaScript program, in linear memory as f64. Every operation is the one the
 * JavaScript back end performs: IEEE f64 arithmetic natively, Math and runtime functions imported
 * from JavaScript, graphical functions with the generated lookup's arithmetic. What cannot be
 * done that way is named in `reason`, and the model then runs in JavaScript.
 */
import type { BinaryOp } from '../equations/ast.js';
import { findBuiltin } from '../equations/builtins.js';
import { isRunConstant, type Program } from '../compile/codegen.js';
import type { IR } from '../compile/ir.js';
import type { LoweredModel } from '../compile/lower.js';
import { runtime, type LookupTable } from '../simulate/runtime.js';
import { Code, F64, I32, ModuleBuilder, Op, Simd, V128, type ValType } from './binary.js';

/** A function the module imports from JavaScript, as plain data (rebuilt in a worker). */
export interface WasmImport {
  /** `math`: a Math function; `rt`: a runtime helper; `fn`: a catalogue builtin's emitted expression. */
  kind: 'math' | 'rt' | 'fn';
  name: string;
  arity: number;
  /** `fn` only: the run values the expression reads besides its arguments, in call order. */
  extras?: Extra[];
}

type Extra = 't' | 'dt' | 'X_start' | 'X_stop' | 'X_step';
const EXTRAS: Extra[] = ['t', 'dt', 'X_start', 'X_stop', 'X_step'];

/** Byte offsets of the module's regions in linear memory (the state first, at 0). */
export interface WasmLayout {
  nSlots: number;
  nStocks: number;
  rates: number;
  y0: number;
  k1: number;
  k2: number;
  k3: number;
  pending: number;
  /** Graphical functions' points, written once per memory (see `tableData`). */
  tables: number;
  /** Run-constant subexpressions (large models), computed at the start of each run. */
  hoisted: number;
  /** First free byte: a run's output positions and saved columns go from here. */
  end: number;
}

/** A translated model: plain, structured-clonable data. */
export interface WasmProgram {
  bytes: Uint8Array;
  imports: WasmImport[];
  layout: WasmLayout;
  /** The points of every distinct table, xs then ys, in `layout.tables` order. */
  tableData: Float64Array;
  /** Whether the module exports `run2`: two parameter sets in the lanes of f64x2 (see `pairRuns`). */
  pairs: boolean;
}

export type Translation =
  { program: WasmProgram; reason?: undefined } | { program?: undefined; reason: string };

/** Method codes of the exported `run`. */
export const METHOD = { euler: 0, rk2: 1, rk4: 2 } as const;

/**
 * Translation settings: statements per generated function in memory mode (engines compile
 * moderate functions faster than giant ones), and the largest model (in slots) run with every
 * slot a local. Tests lower them to exercise the memory mode and its chunking on small models.
 * @internal
 */
export const wasmTuning = { chunk: 1000, localsLimit: 2000 };
/** More arguments than this to one imported helper: not translated. */
const MAX_ARITY = 200;

class Unsupported extends Error {}

const importKey = (imp: WasmImport) => `${imp.kind}:${imp.name}/${imp.arity}`;

/** Native instructions for catalogue emitters that are one Math call on their arguments. */
const NATIVE_UNARY: Record<string, number> = {
  abs: Op.f64Abs,
  sqrt: Op.f64Sqrt,
  floor: Op.f64Floor,
  ceil: Op.f64Ceil,
  trunc: Op.f64Trunc,
};

const CMP: Partial<Record<BinaryOp, number>> = {
  '<': Op.f64Lt,
  '<=': Op.f64Le,
  '>': Op.f64Gt,
  '>=': Op.f64Ge,
  '=': Op.f64Eq,
  '<>': Op.f64Ne,
};
const ARITH: Partial<Record<BinaryOp, number>> = {
  '+': Op.f64Add,
  '-': Op.f64Sub,
  '*': Op.f64Mul,
  '/': Op.f64Div,
};

/** How a catalogue function is computed: natively, or by an import with the emitter's expression. */
type FnPlan =
  | { native: 'unary'; op: number }
  | { native: 'fold'; op: number; empty: number }
  | { native: 'identity' }
  | { native: 'nan' }
  | { imp: WasmImport };

function planFn(name: string, arity: number): FnPlan {
  const f = findBuiltin(name.toLowerCase());
  if (!f?.emit) return { native: 'nan' };
  const args = Array.from({ length: arity }, (_, i) => `a${i}`);
  const text = f.emit(args);
  const list = args.join(', ');
  const call = /^Math\.(\w+)\((.*)\)$/.exec(text);
  if (call && call[2] === list) {
    const op = NATIVE_UNARY[call[1]!];
    if (op !== undefined && arity === 1) return { native: 'unary', op };
    if (call[1] === 'min') return { native: 'fold', op: Op.f64Min, empty: Infinity };
    if (call[1] === 'max') return { native: 'fold', op: Op.f64Max, empty: -Infinity };
  }
  if (arity === 1 && text === '(a0)') return { native: 'identity' };
  // Any other Math function on the arguments in order is imported as itself (no wrapper between).
  if (
    call &&
    call[2] === list &&
    typeof (Math as unknown as Record<string, unknown>)[call[1]!] === 'function'
  )
    return { imp: { kind: 'math', name: call[1]!, arity } };
  const body = text.replace(/\bX\.(start|stop|step)\b/g, 'X_$1');
  if (/\bX\b|\bs\[/.test(body))
    throw new Unsupported(`${f.name} reads run state the WebAssembly back end does not hold`);
  const extras = EXTRAS.filter((e) => new RegExp(`\\b${e}\\b`).test(body));
  return { imp: { kind: 'fn', name: f.name, arity, extras } };
}

/** The JavaScript function behind an import (the same expression the JavaScript back end runs). */
export function importFunction(imp: WasmImport): (...a: number[]) => number {
  const args = Array.from({ length: imp.arity }, (_, i) => `a${i}`);
  if (imp.kind === 'math') {
    const m = (Math as unknown as Record<string, unknown>)[imp.name];
    if (typeof m !== 'function') throw new Error(`no Math.${imp.name}`);
    return m as (...a: number[]) => number;
  }
  let expr: string;
  if (imp.kind === 'rt') {
    if (typeof (runtime as Record<string, unknown>)[imp.name] !== 'function')
      throw new Error(`no runtime helper ${imp.name}`);
    expr = `R.${imp.name}(${args.join(', ')})`;
  } else {
    const f = findBuiltin(imp.name.toLowerCase());
    if (!f?.emit) throw new Error(`no builtin ${imp.name}`);
    expr = f.emit(args).replace(/\bX\.(start|stop|step)\b/g, 'X_$1');
  }
  const params = [...args, ...(imp.extras ?? [])].join(', ');
  return new Function('R', `"use strict"; return function (${params}) { return ${expr}; };`)(runtime) as (
    ...a: number[]
  ) => number;
}

/** Why a model cannot run as WebAssembly, or undefined when it can. */
function structuralReason(lm: LoweredModel): string | undefined {
  if (lm.slots.some((s) => s.role === 'rand')) return 'the model draws random numbers (kept in JavaScript)';
  if (lm.histories.length > 0) return 'the model has pipeline delays (DELAY FIXED and the like)';
  return undefined;
}

/** Translate a lowered model and its JavaScript program's layout into a module. */
export function translate(lm: LoweredModel, program: Program): Translation {
  const why = structuralReason(lm);
  if (why) return { reason: why };
  try {
    return { program: new Translator(lm, program).build() };
  } catch (err) {
    if (err instanceof Unsupported) return { reason: err.message };
    throw err;
  }
}

/** How an expression reads its inputs: slots, time, dt, hoisted run constants, a scratch local. */
interface Ctx {
  read(c: Code, position: number): void;
  time(c: Code): void;
  dt(c: Code): void;
  /** Run-constant subexpressions computed once per run (undefined inside their own computation). */
  hoisted?(c: Code, k: number): void;
  /** An f64 local free for a computed index. */
  scratch: number;
}

class Translator {
  private readonly P: Int32Array;
  private readonly imports: WasmImport[] = [];
  private readonly importIndex = new Map<string, number>();
  private readonly fnPlans = new Map<string, FnPlan>();
  /** Table index -> distinct table, and each distinct table's function index once declared. */
  private readonly canonical: number[];
  private readonly distinct: LookupTable[] = [];
  private tableFuncs: number[] = [];
  private layout: WasmLayout;
  private gStart = 0;
  private gStop = 1;
  private gStep = 2;
  /** Run-constant subexpressions of the step, each computed once per run. */
  private readonly hoists: IR[] = [];
  private readonly hoistOf = new Map<IR, number>();
  /** Chains with a run-constant head: the number of head arguments and the head's hoist. */
  private readonly chainHead = new Map<IR, { head: number; k: number }>();
  private readonly fixedMemo = new Map<IR, boolean>();
  private hasDyn = false;

  constructor(
    private readonly lm: LoweredModel,
    private readonly prog: Program,
  ) {
    this.P = prog.position;
    const key = new Map<string, number>();
    this.canonical = lm.tables.map((t) => {
      const k = `${t.type}|${t.xs.join(',')}|${t.ys.join(',')}`;
      let u = key.get(k);
      if (u === undefined) {
        u = this.distinct.length;
        key.set(k, u);
        this.distinct.push(t);
      }
      return u;
    });
    const m = prog.nStocks * 8;
    const rates = prog.nSlots * 8;
    const pending = rates + 5 * m;
    const tables = pending + prog.nPrev * 8;
    let points = 0;
    for (const t of this.distinct) points += 2 * t.xs.length;
    const hoisted = tables + points * 8;
    this.layout = {
      nSlots: prog.nSlots,
      nStocks: prog.nStocks,
      rates,
      y0: rates + m,
      k1: rates + 2 * m,
      k2: rates + 3 * m,
      k3: rates + 4 * m,
      pending,
      tables,
      hoisted,
      end: hoisted,
    };
  }

  private importOf(imp: WasmImport): number {
    const key = importKey(imp);
    let i = this.importIndex.get(key);
    if (i === undefined) {
      i = this.imports.length;
      this.imports.push(imp);
      this.importIndex.set(key, i);
    }
    return i;
  }

  private fnPlan(name: string, arity: number): FnPlan {
    const key = `${name}/${arity}`;
    let p = this.fnPlans.get(key);
    if (!p) {
      p = planFn(name, arity);
      this.fnPlans.set(key, p);
    }
    return p;
  }

  /** Is the expression fixed for a run (by the JavaScript back end's own rule)? */
  private fixed(ir: IR): boolean {
    let f = this.fixedMemo.get(ir);
    if (f === undefined) {
      f = isRunConstant(ir, (id) => this.prog.constant[this.P[id]!] === 1);
      this.fixedMemo.set(ir, f);
    }
    return f;
  }

  private hoist(ir: IR): number {
    let k = this.hoistOf.get(ir);
    if (k === undefined) {
      k = this.hoists.length;
      this.hoists.push(ir);
      this.hoistOf.set(ir, k);
    }
    return k;
  }

  /**
   * First pass: every import an expression needs, whether it can be translated at all, and (with
   * `hoisting`) its largest run-constant subexpressions, which are then computed once per run.
   */
  private scan(ir: IR, hoisting: boolean): void {
    if (hoisting && !TRIVIAL.has(ir.k) && this.fixed(ir)) {
      this.hoist(ir);
      hoisting = false;
    }
    const sc = (x: IR) => this.scan(x, hoisting);
    switch (ir.k) {
      case 'neg':
      case 'not':
        return sc(ir.a);
      case 'bin':
        if (ir.op === '^') this.importOf({ kind: 'math', name: 'pow', arity: 2 });
        if (ir.op === 'mod') this.importOf({ kind: 'rt', name: 'mod', arity: 2 });
        sc(ir.a);
        sc(ir.b);
        return;
      case 'if':
        sc(ir.c);
        sc(ir.a);
        sc(ir.b);
        return;
      case 'chain': {
        // A run-constant head (`a * b` of `a * b * x`) is one value, as the chain computes it.
        let head = 1;
        if (hoisting)
          while (head < ir.args.length - 1 && this.fixed(ir.args[head]!) && this.fixed(ir.args[0]!)) head++;
        if (head > 1) {
          const k = this.hoist({ k: 'chain', ops: ir.ops.slice(0, head - 1), args: ir.args.slice(0, head) });
          this.chainHead.set(ir, { head, k });
          for (let i = 0; i < head; i++) this.scan(ir.args[i]!, false);
          for (let i = head; i < ir.args.length; i++) sc(ir.args[i]!);
          return;
        }
        for (const a of ir.args) sc(a);
        return;
      }
      case 'fn': {
        const p = this.fnPlan(ir.name, ir.args.length);
        if ('imp' in p) this.importOf(p.imp);
        for (const a of ir.args) sc(a);
        return;
      }
      case 'rt':
        if (ir.name !== 'sum') {
          if (typeof (runtime as Record<string, unknown>)[ir.name] !== 'function')
            throw new Unsupported(`runtime helper '${ir.name}' is not known to the WebAssembly back end`);
          if (ir.args.length > MAX_ARITY)
            throw new Unsupported(
              `'${ir.name}' over ${ir.args.length} values (at most ${MAX_ARITY} per call)`,
            );
          this.importOf({ kind: 'rt', name: ir.name, arity: ir.args.length });
        }
        for (const a of ir.args) sc(a);
        return;
      case 'lookup':
        return sc(ir.x);
      case 'delay':
        throw new Unsupported('the model has pipeline delays (DELAY FIXED and the like)');
      case 'dyn':
        this.hasDyn = true;
        return sc(ir.idx);
      default:
        return;
    }
  }

  build(): WasmProgram {
    const { lm, P } = this;
    const slots = lm.slots;
    const auxIds = [...this.prog.stepOrder];
    const stocks = slots.filter((s) => s.role === 'stock' || s.role === 'hstock');
    for (const id of auxIds) this.scan(slots[id]!.eq!, true);
    for (const st of stocks) if (st.rate) this.scan(st.rate, true);
    const locals = !this.hasDyn && this.prog.nSlots <= wasmTuning.localsLimit;
    this.layout = { ...this.layout, end: this.layout.hoisted + 8 * (locals ? 0 : this.hoists.length) };

    const mb = new ModuleBuilder();
    const fns = this.imports.map((imp, i) =>
      mb.importFunc(
        'env',
        `i${i}`,
        [...Array<ValType>(imp.arity + (imp.extras?.length ?? 0)).fill(F64)],
        [F64],
      ),
    );
    const { layout } = this;
    mb.importMemory('env', 'memory', Math.max(1, Math.ceil(layout.end / 65536)));
    this.gStart = mb.global(F64, true, 0);
    this.gStop = mb.global(F64, true, 0);
    this.gStep = mb.global(F64, true, 0);

    // Graphical functions: one function per distinct table, points in memory.
    const tableData: number[] = [];
    this.tableFuncs = this.distinct.map((t) => {
      const xsAt = layout.tables + tableData.length * 8;
      for (const x of t.xs) tableData.push(x);
      const ysAt = layout.tables + tableData.length * 8;
      for (const y of t.ys) tableData.push(y);
      return mb.func([F64], [F64], [I32, I32, I32, F64, F64], lookupBody(t, xsAt, ysAt));
    });

    const prevSlots = slots.filter((s) => s.role === 'prev');
    const parts: StepParts = {
      layout,
      gStart: this.gStart,
      gStop: this.gStop,
      gStep: this.gStep,
      post: prevSlots.map((s) => [P[s.source!]!, P[s.id]!]),
      clamp: stocks.filter((s) => s.nonNegative).map((s) => P[s.id]!),
    };
    const auxStatement = (c: Code, id: number, x: Ctx, store: () => void) => {
      const s = slots[id]!;
      if (s.uniflow) c.f64(0);
      this.expr(s.eq!, c, x, fns);
      if (s.uniflow) c.op(Op.f64Max);
      store();
    };
    const rateValue = (c: Code, k: number, x: Ctx) => {
      const st = stocks[k]!;
      if (st.rate) this.expr(st.rate, c, x, fns);
      else c.f64(0);
    };

    let runF: number;
    let run2F: number | undefined;
    if (locals) {
      runF = this.localRuns(mb, parts, auxIds, stocks.length, auxStatement, rateValue, fns);
      run2F = this.pairRuns(mb, parts, auxIds, stocks, fns);
    } else {
      // Chunks take (t, dt, the rates' target offset) and have one scratch local.
      const hoistedAt = (c: Code, k: number) => c.i32(0).mem(Op.f64Load, 3, layout.hoisted + 8 * k);
      const inChunk: Ctx = {
        read: (c, p) => c.i32(0).mem(Op.f64Load, 3, 8 * p),
        time: (c) => c.get(0),
        dt: (c) => c.get(1),
        hoisted: hoistedAt,
        scratch: 3,
      };
      const chunked = (n: number, write: (c: Code, k: number) => void): number[] => {
        const out: number[] = [];
        const chunk = wasmTuning.chunk;
        for (let i = 0; i < n; i += chunk) {
          const c = new Code();
          for (let k = i; k < Math.min(n, i + chunk); k++) write(c, k);
          out.push(mb.func([F64, F64, I32], [], [F64], c));
        }
        return out;
      };
      const auxChunks = chunked(auxIds.length, (c, k) => {
        c.i32(0);
        auxStatement(c, auxIds[k]!, inChunk, () => c.mem(Op.f64Store, 3, 8 * P[auxIds[k]!]!));
      });
      const rateChunks = chunked(stocks.length, (c, k) => {
        c.get(2);
        rateValue(c, k, inChunk);
        c.mem(Op.f64Store, 3, 8 * P[stocks[k]!.id]!);
      });
      const hoistChunks = chunked(this.hoists.length, (c, k) => {
        c.i32(0);
        this.expr(this.hoists[k]!, c, { ...inChunk, hoisted: undefined }, fns);
        c.mem(Op.f64Store, 3, layout.hoisted + 8 * k);
      });
      const caller = (chunks: number[], params: ValType[]) => {
        const c = new Code();
        for (const f of chunks) c.get(0).get(1).get(2).call(f);
        return mb.func(params, [], [], c);
      };
      runF = mb.func(
        RUN_PARAMS,
        [],
        RUN_LOCALS,
        runBody({
          ...parts,
          auxF: caller(auxChunks, [F64, F64, I32]),
          ratesF: caller(rateChunks, [F64, F64, I32]),
          hoistF: caller(hoistChunks, [F64, F64, I32]),
        }),
      );
    }
    mb.exportFunc('run', runF);
    if (run2F !== undefined) mb.exportFunc('run2', run2F);
    return {
      bytes: mb.bytes(),
      imports: this.imports,
      layout,
      tableData: Float64Array.from(tableData),
      pairs: run2F !== undefined,
    };
  }

  /**
   * The run of a small model with every slot a local (loaded from memory at the start, written
   * back on saved rows and at the end), run constants computed once before the loop, and each
   * method its own loop with the stages' statements inline: what `localRuns` does in JavaScript.
   */
  private localRuns(
    mb: ModuleBuilder,
    r: StepParts,
    auxIds: readonly number[],
    m: number,
    auxStatement: (c: Code, id: number, x: Ctx, store: () => void) => void,
    rateValue: (c: Code, k: number, x: Ctx) => void,
    fns: number[],
  ): number {
    const L = r.layout;
    const n = L.nSlots;
    // Parameters as RUN_PARAMS less `method`: start, stop, dt, steps, saveEvery, nOut, posAt, outAt, rows.
    const [start, stop, dt, steps, saveEvery, nOut, posAt, outAt, rows] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const [k, row, p] = [9, 10, 11];
    const [t, h, ts, scratch] = [12, 13, 14, 15];
    const S = 16;
    const Y = S + n;
    const K1 = Y + m;
    const K2 = K1 + m;
    const K3 = K2 + m;
    const R = K3 + m;
    const PEND = R + m;
    const HOIST = PEND + r.post.length;
    const localTypes: ValType[] = [I32, I32, I32, F64, F64, F64, F64];
    for (let i = S; i < HOIST + this.hoists.length; i++) localTypes.push(F64);
    const x: Ctx = {
      read: (c, pos) => c.get(S + pos),
      time: (c) => c.get(ts),
      dt: (c) => c.get(dt),
      hoisted: (c, i) => c.get(HOIST + i),
      scratch,
    };
    const params: ValType[] = [F64, F64, F64, I32, I32, I32, I32, I32, I32];
    const method = (which: 'euler' | 'rk2' | 'rk4'): number => {
      const c = new Code();
      c.get(start).idx(Op.globalSet, r.gStart);
      c.get(stop).idx(Op.globalSet, r.gStop);
      c.get(dt).f64(2).op(Op.f64Div).set(h);
      for (let q = 0; q < n; q++)
        c.i32(0)
          .mem(Op.f64Load, 3, 8 * q)
          .set(S + q);
      this.hoists.forEach((ir, i) => {
        this.expr(ir, c, { ...x, hoisted: undefined }, fns);
        c.set(HOIST + i);
      });
      const aux = () => {
        for (const id of auxIds) auxStatement(c, id, x, () => c.set(S + this.P[id]!));
      };
      const rates = (into: number) => {
        for (let j = 0; j < m; j++) {
          rateValue(c, j, x);
          c.set(into + j);
        }
      };
      const stage = (time: () => void, into: number) => {
        time();
        c.set(ts);
        aux();
        rates(into);
      };
      const combine = (f: (j: number) => void) => {
        for (let j = 0; j < m; j++) {
          f(j);
          c.set(S + j);
        }
      };
      c.begin(Op.block).begin(Op.loop);
      c.get(start).get(k).op(Op.f64ConvertI32S).get(dt).op(Op.f64Mul, Op.f64Add).tee(t).set(ts);
      c.get(k).op(Op.f64ConvertI32S).idx(Op.globalSet, r.gStep);
      c.get(k).i32(0).op(Op.i32GtS).begin(Op.if);
      aux();
      c.end();
      // Saved rows (and the end): the state back in memory, then the row.
      c.get(k).get(saveEvery).op(Op.i32RemS, Op.i32Eqz).get(k).get(steps).op(Op.i32Eq, Op.i32Or).begin(Op.if);
      for (let q = 0; q < n; q++)
        c.i32(0)
          .get(S + q)
          .mem(Op.f64Store, 3, 8 * q);
      c.get(k).get(saveEvery).op(Op.i32RemS, Op.i32Eqz).begin(Op.if);
      saveRow(c, { nOut, posAt, outAt, rows, row, p });
      c.end();
      c.end();
      c.get(k).get(steps).op(Op.i32Eq).idx(Op.brIf, 1);
      r.post.forEach(([src], i) => c.get(S + src).set(PEND + i));
      if (which === 'euler') {
        rates(R);
        combine((j) =>
          c
            .get(S + j)
            .get(dt)
            .get(R + j)
            .op(Op.f64Mul, Op.f64Add),
        );
      } else if (which === 'rk2') {
        rates(K1);
        for (let j = 0; j < m; j++) c.get(S + j).set(Y + j);
        combine((j) =>
          c
            .get(Y + j)
            .get(dt)
            .get(K1 + j)
            .op(Op.f64Mul, Op.f64Add),
        );
        stage(() => c.get(t).get(dt).op(Op.f64Add), R);
        combine((j) =>
          c
            .get(Y + j)
            .get(dt)
            .f64(2)
            .op(Op.f64Div)
            .get(K1 + j)
            .get(R + j)
            .op(Op.f64Add, Op.f64Mul, Op.f64Add),
        );
      } else {
        rates(K1);
        for (let j = 0; j < m; j++) c.get(S + j).set(Y + j);
        combine((j) =>
          c
            .get(Y + j)
            .get(h)
            .get(K1 + j)
            .op(Op.f64Mul, Op.f64Add),
        );
        stage(() => c.get(t).get(h).op(Op.f64Add), K2);
        combine((j) =>
          c
            .get(Y + j)
            .get(h)
            .get(K2 + j)
            .op(Op.f64Mul, Op.f64Add),
        );
        stage(() => c.get(t).get(h).op(Op.f64Add), K3);
        combine((j) =>
          c
            .get(Y + j)
            .get(dt)
            .get(K3 + j)
            .op(Op.f64Mul, Op.f64Add),
        );
        stage(() => c.get(t).get(dt).op(Op.f64Add), R);
        combine((j) => {
          c.get(Y + j)
            .get(dt)
            .f64(6)
            .op(Op.f64Div);
          c.get(K1 + j)
            .f64(2)
            .get(K2 + j)
            .op(Op.f64Mul, Op.f64Add);
          c.f64(2)
            .get(K3 + j)
            .op(Op.f64Mul, Op.f64Add);
          c.get(R + j).op(Op.f64Add, Op.f64Mul, Op.f64Add);
        });
      }
      for (const q of r.clamp) {
        c.get(S + q)
          .f64(0)
          .op(Op.f64Lt)
          .begin(Op.if);
        c.f64(0).set(S + q);
        c.end();
      }
      r.post.forEach(([, dst], i) => c.get(PEND + i).set(S + dst));
      c.get(k).i32(1).op(Op.i32Add).set(k);
      c.idx(Op.br, 0);
      c.end().end();
      return mb.func(params, [], localTypes, c);
    };
    const fs = [method('euler'), method('rk2'), method('rk4')];
    // run(..., method, ...): the method's own loop.
    const c = new Code();
    fs.forEach((f, i) => {
      c.get(5).i32(i).op(Op.i32Eq).begin(Op.if);
      for (const q of [0, 1, 2, 3, 4, 6, 7, 8, 9]) c.get(q);
      c.call(f).op(Op.return);
      c.end();
    });
    return mb.func(RUN_PARAMS, [], [], c);
  }

  /**
   * Two runs of the same model with different parameters at once, each value an f64x2 whose lanes
   * are the two runs (run2; small models only). Every lane-wise instruction is the scalar one per
   * lane, so each lane gives the bits of its own scalar run; imports and lookups are called per
   * lane; IF computes both branches (they are pure) and selects per lane.
   */
  private pairRuns(
    mb: ModuleBuilder,
    r: StepParts,
    auxIds: readonly number[],
    stocks: readonly { id: number; rate?: IR; uniflow?: boolean }[],
    fns: number[],
  ): number {
    const L = r.layout;
    const n = L.nSlots;
    const m = stocks.length;
    // run2(start, stop, dt, steps, saveEvery, method, nOut, posAt, outAt, rows, stateB, outB)
    const [start, stop, dt, steps, saveEvery, method, nOut, posAt, outAt, rows, stateB, outB] = [
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ];
    const params: ValType[] = [...RUN_PARAMS, I32, I32];
    const fsOf = (which: 'euler' | 'rk2' | 'rk4'): number => {
      const [k, row, p] = [12, 13, 14];
      const [t, h] = [15, 16];
      const [ts, dtV, zero, one] = [17, 18, 19, 20];
      const S = 21;
      const Y = S + n;
      const K1 = Y + m;
      const K2 = K1 + m;
      const K3 = K2 + m;
      const R = K3 + m;
      const PEND = R + m;
      const HOIST = PEND + r.post.length;
      let next = HOIST + this.hoists.length;
      const free: number[] = [];
      const temp = () => free.pop() ?? next++;
      const c = new Code();
      const v: VCtx = {
        read: (q) => c.get(S + q),
        time: () => c.get(ts),
        dt: () => c.get(dtV),
        hoisted: (i) => c.get(HOIST + i),
        temp,
        release: (i) => free.push(i),
        one,
        zero,
        scalarTime: () => c.get(ts).lane(Simd.f64x2ExtractLane, 0),
        scalarDt: () => c.get(dt),
      };
      const splat = () => c.simd(Simd.f64x2Splat);
      c.get(start).idx(Op.globalSet, r.gStart);
      c.get(stop).idx(Op.globalSet, r.gStop);
      c.get(dt).f64(2).op(Op.f64Div).set(h);
      c.get(dt);
      splat();
      c.set(dtV);
      c.f64(0);
      splat();
      c.set(zero);
      c.f64(1);
      splat();
      c.set(one);
      for (let q = 0; q < n; q++) {
        c.i32(0).mem(Op.f64Load, 3, 8 * q);
        splat();
        c.get(stateB)
          .mem(Op.f64Load, 3, 8 * q)
          .lane(Simd.f64x2ReplaceLane, 1)
          .set(S + q);
      }
      this.hoists.forEach((ir, i) => {
        this.vexpr(ir, c, { ...v, hoisted: undefined }, fns);
        c.set(HOIST + i);
      });
      const slots = this.lm.slots;
      const aux = () => {
        for (const id of auxIds) {
          const sl = slots[id]!;
          if (sl.uniflow) c.get(zero);
          this.vexpr(sl.eq!, c, v, fns);
          if (sl.uniflow) c.simd(Simd.f64x2Max);
          c.set(S + this.P[id]!);
        }
      };
      const rates = (into: number) => {
        stocks.forEach((st, j) => {
          if (st.rate) this.vexpr(st.rate, c, v, fns);
          else c.get(zero);
          c.set(into + j);
        });
      };
      const setTime = (time: () => void) => {
        time();
        splat();
        c.set(ts);
      };
      const stage = (time: () => void, into: number) => {
        setTime(time);
        aux();
        rates(into);
      };
      const combine = (f: (j: number) => void) => {
        for (let j = 0; j < m; j++) {
          f(j);
          c.set(S + j);
        }
      };
      const scalar = (f: () => void) => {
        f();
        splat();
      };
      const add = () => c.simd(Simd.f64x2Add);
      const mul = () => c.simd(Simd.f64x2Mul);
      c.begin(Op.block).begin(Op.loop);
      c.get(start).get(k).op(Op.f64ConvertI32S).get(dt).op(Op.f64Mul, Op.f64Add).set(t);
      setTime(() => c.get(t));
      c.get(k).op(Op.f64ConvertI32S).idx(Op.globalSet, r.gStep);
      c.get(k).i32(0).op(Op.i32GtS).begin(Op.if);
      aux();
      c.end();
      c.get(k).get(saveEvery).op(Op.i32RemS, Op.i32Eqz).get(k).get(steps).op(Op.i32Eq, Op.i32Or).begin(Op.if);
      for (let q = 0; q < n; q++) {
        c.i32(0)
          .get(S + q)
          .lane(Simd.f64x2ExtractLane, 0)
          .mem(Op.f64Store, 3, 8 * q);
        c.get(stateB)
          .get(S + q)
          .lane(Simd.f64x2ExtractLane, 1)
          .mem(Op.f64Store, 3, 8 * q);
      }
      c.get(k).get(saveEvery).op(Op.i32RemS, Op.i32Eqz).begin(Op.if);
      saveRow(c, { nOut, posAt, outAt, rows, row, p });
      c.get(row).i32(1).op(Op.i32Sub).set(row);
      saveRow(c, { nOut, posAt, outAt: outB, rows, row, p, base: stateB });
      c.end();
      c.end();
      c.get(k).get(steps).op(Op.i32Eq).idx(Op.brIf, 1);
      r.post.forEach(([src], i) => c.get(S + src).set(PEND + i));
      if (which === 'euler') {
        rates(R);
        combine((j) => {
          c.get(S + j)
            .get(dtV)
            .get(R + j);
          mul();
          add();
        });
      } else if (which === 'rk2') {
        rates(K1);
        for (let j = 0; j < m; j++) c.get(S + j).set(Y + j);
        combine((j) => {
          c.get(Y + j)
            .get(dtV)
            .get(K1 + j);
          mul();
          add();
        });
        stage(() => c.get(t).get(dt).op(Op.f64Add), R);
        combine((j) => {
          c.get(Y + j);
          scalar(() => c.get(dt).f64(2).op(Op.f64Div));
          c.get(K1 + j).get(R + j);
          add();
          mul();
          add();
        });
      } else {
        const hV = () => scalar(() => c.get(h));
        rates(K1);
        for (let j = 0; j < m; j++) c.get(S + j).set(Y + j);
        combine((j) => {
          c.get(Y + j);
          hV();
          c.get(K1 + j);
          mul();
          add();
        });
        stage(() => c.get(t).get(h).op(Op.f64Add), K2);
        combine((j) => {
          c.get(Y + j);
          hV();
          c.get(K2 + j);
          mul();
          add();
        });
        stage(() => c.get(t).get(h).op(Op.f64Add), K3);
        combine((j) => {
          c.get(Y + j)
            .get(dtV)
            .get(K3 + j);
          mul();
          add();
        });
        stage(() => c.get(t).get(dt).op(Op.f64Add), R);
        combine((j) => {
          c.get(Y + j);
          scalar(() => c.get(dt).f64(6).op(Op.f64Div));
          c.get(K1 + j);
          scalar(() => c.f64(2));
          c.get(K2 + j);
          mul();
          add();
          scalar(() => c.f64(2));
          c.get(K3 + j);
          mul();
          add();
          c.get(R + j);
          add();
          mul();
          add();
        });
      }
      for (const q of r.clamp) {
        // s < 0 ? 0 : s, per lane (NaN stays).
        c.get(zero)
          .get(S + q)
          .get(S + q)
          .get(zero)
          .simd(Simd.f64x2Lt)
          .simd(Simd.v128Bitselect)
          .set(S + q);
      }
      r.post.forEach(([, dst], i) => c.get(PEND + i).set(S + dst));
      c.get(k).i32(1).op(Op.i32Add).set(k);
      c.idx(Op.br, 0);
      c.end().end();
      const localTypes: ValType[] = [I32, I32, I32, F64, F64];
      for (let i = 17; i < next; i++) localTypes.push(V128);
      return mb.func(params, [], localTypes, c);
    };
    const fs = [fsOf('euler'), fsOf('rk2'), fsOf('rk4')];
    const c = new Code();
    fs.forEach((f, i) => {
      c.get(method).i32(i).op(Op.i32Eq).begin(Op.if);
      for (let q = 0; q < params.length; q++) c.get(q);
      c.call(f).op(Op.return);
      c.end();
    });
    return mb.func(params, [], [], c);
  }

  /** An expression as f64x2 over the two runs (see `pairRuns`). */
  private vexpr(ir: IR, c: Code, x: VCtx, fns: number[]): void {
    if (x.hoisted) {
      const k = this.hoistOf.get(ir);
      if (k !== undefined) {
        x.hoisted(k);
        return;
      }
    }
    const e = (y: IR) => this.vexpr(y, c, x, fns);
    const splat = () => c.simd(Simd.f64x2Splat);
    const bool = () => c.get(x.one).simd(Simd.v128And);
    /** Evaluate the arguments, then call `call` once per lane on their scalar lanes. */
    const perLane = (args: readonly IR[], call: (lane: number, arg: (i: number) => void) => void) => {
      const tmp = args.map((a) => {
        e(a);
        const l = x.temp();
        c.set(l);
        return l;
      });
      for (const lane of [0, 1]) {
        call(lane, (i) => c.get(tmp[i]!).lane(Simd.f64x2ExtractLane, lane));
        if (lane === 0) splat();
        else c.lane(Simd.f64x2ReplaceLane, 1);
      }
      for (const l of tmp) x.release(l);
    };
    const imported = (args: readonly IR[], f: number, extras: readonly Extra[] = []) =>
      perLane(args, (_, arg) => {
        args.forEach((_a, i) => arg(i));
        for (const ex of extras) {
          if (ex === 't') x.scalarTime();
          else if (ex === 'dt') x.scalarDt();
          else
            c.idx(Op.globalGet, ex === 'X_start' ? this.gStart : ex === 'X_stop' ? this.gStop : this.gStep);
        }
        c.call(f);
      });
    switch (ir.k) {
      case 'c':
        c.f64(ir.v);
        splat();
        return;
      case 's':
        x.read(this.P[ir.i]!);
        return;
      case 'time':
        x.time();
        return;
      case 'dt':
        x.dt();
        return;
      case 'start':
      case 'stop':
        c.idx(Op.globalGet, ir.k === 'start' ? this.gStart : this.gStop);
        splat();
        return;
      case 'neg':
        e(ir.a);
        c.simd(Simd.f64x2Neg);
        return;
      case 'not':
        e(ir.a);
        c.get(x.zero).simd(Simd.f64x2Eq);
        bool();
        return;
      case 'bin': {
        const arith = V_ARITH[ir.op];
        const cmp = V_CMP[ir.op];
        if (arith !== undefined || cmp !== undefined) {
          e(ir.a);
          e(ir.b);
          if (arith !== undefined) c.simd(arith);
          else {
            c.simd(cmp!);
            bool();
          }
          return;
        }
        switch (ir.op) {
          case '^':
            return imported([ir.a, ir.b], fns[this.importIndex.get('math:pow/2')!]!);
          case 'mod':
            return imported([ir.a, ir.b], fns[this.importIndex.get('rt:mod/2')!]!);
          case 'and':
          case 'or':
            e(ir.a);
            c.get(x.zero).simd(Simd.f64x2Ne);
            e(ir.b);
            c.get(x.zero)
              .simd(Simd.f64x2Ne)
              .simd(ir.op === 'and' ? Simd.v128And : Simd.v128Or);
            bool();
            return;
          default:
            c.f64(NaN);
            splat();
            return;
        }
      }
      case 'chain': {
        const head = x.hoisted ? this.chainHead.get(ir) : undefined;
        let from = 1;
        if (head) {
          x.hoisted!(head.k);
          from = head.head;
        } else e(ir.args[0]!);
        for (let i = from - 1; i < ir.ops.length; i++) {
          e(ir.args[i + 1]!);
          c.simd(V_ARITH[ir.ops[i]!]!);
        }
        return;
      }
      case 'if':
        // Both branches (pure), then per lane the one the condition picks.
        e(ir.a);
        e(ir.b);
        e(ir.c);
        c.get(x.zero).simd(Simd.f64x2Ne).simd(Simd.v128Bitselect);
        return;
      case 'fn': {
        const p = this.fnPlan(ir.name, ir.args.length);
        if ('imp' in p) return imported(ir.args, fns[this.importIndex.get(importKey(p.imp))!]!, p.imp.extras);
        switch (p.native) {
          case 'nan':
            c.f64(NaN);
            splat();
            return;
          case 'identity':
            e(ir.args[0]!);
            return;
          case 'unary':
            e(ir.args[0]!);
            c.simd(V_UNARY[p.op]!);
            return;
          case 'fold':
            if (ir.args.length === 0) {
              c.f64(p.empty);
              splat();
              return;
            }
            e(ir.args[0]!);
            for (let i = 1; i < ir.args.length; i++) {
              e(ir.args[i]!);
              c.simd(p.op === Op.f64Min ? Simd.f64x2Min : Simd.f64x2Max);
            }
            return;
        }
        return;
      }
      case 'rt':
        if (ir.name === 'sum') {
          e(ir.args[0]!);
          for (let i = 1; i < ir.args.length; i++) {
            e(ir.args[i]!);
            c.simd(Simd.f64x2Add);
          }
          return;
        }
        return imported(ir.args, fns[this.importIndex.get(`rt:${ir.name}/${ir.args.length}`)!]!);
      case 'lookup':
        return imported([ir.x], this.tableFuncs[this.canonical[ir.table]!]!);
      case 'dyn':
      case 'delay':
        throw new Unsupported(`'${ir.k}' has no pair translation`);
    }
  }

  private expr(ir: IR, c: Code, x: Ctx, fns: number[]): void {
    if (x.hoisted) {
      const k = this.hoistOf.get(ir);
      if (k !== undefined) {
        x.hoisted(c, k);
        return;
      }
    }
    const e = (y: IR) => this.expr(y, c, x, fns);
    switch (ir.k) {
      case 'c':
        c.f64(ir.v);
        return;
      case 's':
        x.read(c, this.P[ir.i]!);
        return;
      case 'time':
        x.time(c);
        return;
      case 'dt':
        x.dt(c);
        return;
      case 'start':
        c.idx(Op.globalGet, this.gStart);
        return;
      case 'stop':
        c.idx(Op.globalGet, this.gStop);
        return;
      case 'neg':
        e(ir.a);
        c.op(Op.f64Neg);
        return;
      case 'not':
        e(ir.a);
        c.f64(0).op(Op.f64Eq, Op.f64ConvertI32S);
        return;
      case 'bin': {
        const arith = ARITH[ir.op];
        const cmp = CMP[ir.op];
        if (arith !== undefined || cmp !== undefined) {
          e(ir.a);
          e(ir.b);
          if (arith !== undefined) c.op(arith);
          else c.op(cmp!, Op.f64ConvertI32S);
          return;
        }
        switch (ir.op) {
          case '^':
            e(ir.a);
            e(ir.b);
            c.call(fns[this.importIndex.get('math:pow/2')!]!);
            return;
          case 'mod':
            e(ir.a);
            e(ir.b);
            c.call(fns[this.importIndex.get('rt:mod/2')!]!);
            return;
          case 'and':
          case 'or':
            e(ir.a);
            c.f64(0).op(Op.f64Ne);
            e(ir.b);
            c.f64(0).op(Op.f64Ne, ir.op === 'and' ? Op.i32And : Op.i32Or, Op.f64ConvertI32S);
            return;
          default:
            c.f64(NaN);
            return;
        }
      }
      case 'chain': {
        const head = x.hoisted ? this.chainHead.get(ir) : undefined;
        let from = 1;
        if (head) {
          x.hoisted!(c, head.k);
          from = head.head;
        } else e(ir.args[0]!);
        for (let i = from - 1; i < ir.ops.length; i++) {
          e(ir.args[i + 1]!);
          c.op(ARITH[ir.ops[i]!]!);
        }
        return;
      }
      case 'if':
        e(ir.c);
        c.f64(0).op(Op.f64Ne).begin(Op.if, F64);
        e(ir.a);
        c.op(Op.else);
        e(ir.b);
        c.end();
        return;
      case 'fn': {
        const p = this.fnPlan(ir.name, ir.args.length);
        if ('imp' in p) {
          for (const a of ir.args) e(a);
          for (const extra of p.imp.extras ?? []) this.extra(extra, c, x);
          c.call(fns[this.importIndex.get(importKey(p.imp))!]!);
          return;
        }
        switch (p.native) {
          case 'nan':
            c.f64(NaN);
            return;
          case 'identity':
            e(ir.args[0]!);
            return;
          case 'unary':
            e(ir.args[0]!);
            c.op(p.op);
            return;
          case 'fold':
            if (ir.args.length === 0) {
              c.f64(p.empty);
              return;
            }
            e(ir.args[0]!);
            for (let i = 1; i < ir.args.length; i++) {
              e(ir.args[i]!);
              c.op(p.op);
            }
            return;
        }
        return;
      }
      case 'rt':
        if (ir.name === 'sum') {
          // `(a + b + c)`, left to right, as the JavaScript back end writes it and `R.sumRange` loops.
          e(ir.args[0]!);
          for (let i = 1; i < ir.args.length; i++) {
            e(ir.args[i]!);
            c.op(Op.f64Add);
          }
          return;
        }
        for (const a of ir.args) e(a);
        c.call(fns[this.importIndex.get(`rt:${ir.name}/${ir.args.length}`)!]!);
        return;
      case 'lookup':
        e(ir.x);
        c.call(this.tableFuncs[this.canonical[ir.table]!]!);
        return;
      case 'dyn': {
        // R.at: element floor(idx) (1-based) when within 1..size, else 0 (memory mode only).
        const base = this.P[ir.base]!;
        e(ir.idx);
        c.op(Op.f64Floor);
        c.set(x.scratch);
        c.get(x.scratch).f64(1).op(Op.f64Ge);
        c.get(x.scratch).f64(ir.size).op(Op.f64Le, Op.i32And);
        c.begin(Op.if, F64);
        c.get(x.scratch)
          .op(Op.i32TruncF64S)
          .i32(1)
          .op(Op.i32Sub)
          .i32(ir.stride * 8)
          .op(Op.i32Mul);
        c.mem(Op.f64Load, 3, 8 * base);
        c.op(Op.else).f64(0).end();
        return;
      }
      case 'delay':
        throw new Unsupported('the model has pipeline delays (DELAY FIXED and the like)');
    }
  }

  private extra(e: Extra, c: Code, x: Ctx): void {
    if (e === 't') x.time(c);
    else if (e === 'dt') x.dt(c);
    else c.idx(Op.globalGet, e === 'X_start' ? this.gStart : e === 'X_stop' ? this.gStop : this.gStep);
  }
}

/** How a pair expression reads its inputs (all values f64x2; see `pairRuns`). */
interface VCtx {
  read(position: number): void;
  time(): void;
  dt(): void;
  hoisted?(k: number): void;
  /** A free v128 local, and giving it back. */
  temp(): number;
  release(local: number): void;
  /** Locals holding f64x2 splats of 1 and 0. */
  one: number;
  zero: number;
  /** The stage time and dt as scalars (for imported functions' extras). */
  scalarTime(): void;
  scalarDt(): void;
}

const V_ARITH: Partial<Record<BinaryOp, number>> = {
  '+': Simd.f64x2Add,
  '-': Simd.f64x2Sub,
  '*': Simd.f64x2Mul,
  '/': Simd.f64x2Div,
};
const V_CMP: Partial<Record<BinaryOp, number>> = {
  '<': Simd.f64x2Lt,
  '<=': Simd.f64x2Le,
  '>': Simd.f64x2Gt,
  '>=': Simd.f64x2Ge,
  '=': Simd.f64x2Eq,
  '<>': Simd.f64x2Ne,
};
const V_UNARY: Record<number, number> = {
  [Op.f64Abs]: Simd.f64x2Abs,
  [Op.f64Sqrt]: Simd.f64x2Sqrt,
  [Op.f64Floor]: Simd.f64x2Floor,
  [Op.f64Ceil]: Simd.f64x2Ceil,
  [Op.f64Trunc]: Simd.f64x2Trunc,
};

/** Nodes never hoisted: reading them is as cheap as reading a hoisted value. */
const TRIVIAL = new Set<IR['k']>(['c', 's', 'dt', 'start', 'stop']);

/** out[j * rows + row] = s[pos[j]] for every output j, then row++ (the state in memory). */
function saveRow(
  c: Code,
  l: { nOut: number; posAt: number; outAt: number; rows: number; row: number; p: number; base?: number },
): void {
  c.get(l.nOut).i32(0).op(Op.i32GtS).begin(Op.if);
  c.i32(0).set(l.p);
  c.begin(Op.loop);
  c.get(l.outAt).get(l.p).get(l.rows).op(Op.i32Mul).get(l.row).op(Op.i32Add).i32(8).op(Op.i32Mul, Op.i32Add);
  c.get(l.posAt).get(l.p).i32(4).op(Op.i32Mul, Op.i32Add).mem(Op.i32Load, 2, 0).i32(8).op(Op.i32Mul);
  if (l.base !== undefined) c.get(l.base).op(Op.i32Add);
  c.mem(Op.f64Load, 3, 0).mem(Op.f64Store, 3, 0);
  c.get(l.p).i32(1).op(Op.i32Add).tee(l.p).get(l.nOut).op(Op.i32LtS).idx(Op.brIf, 0);
  c.end();
  c.end();
  c.get(l.row).i32(1).op(Op.i32Add).set(l.row);
}

/** run(start, stop, dt, steps, saveEvery, method, nOut, posAt, outAt, rows) */
const RUN_PARAMS: ValType[] = [F64, F64, F64, I32, I32, I32, I32, I32, I32, I32];
/** k, row, j, p (i32); t, h (f64) */
const RUN_LOCALS: ValType[] = [I32, I32, I32, I32, F64, F64];

interface StepParts {
  layout: WasmLayout;
  gStart: number;
  gStop: number;
  gStep: number;
  /** PREVIOUS: [source position, previous-value position]. */
  post: [number, number][];
  clamp: number[];
}

interface RunParts extends StepParts {
  auxF: number;
  ratesF: number;
  /** Computes the hoisted run constants into memory. */
  hoistF: number;
}

/**
 * The step loop of `SimulationImpl.run` (compile/compile.ts) for a fixed step: the same stages,
 * the same combinations of the rates, in the same order.
 */
function runBody(r: RunParts): Code {
  const [start, stop, dt, steps, saveEvery, method, nOut, posAt, outAt, rows] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const [k, row, j, p, t, h] = [10, 11, 12, 13, 14, 15];
  const L = r.layout;
  const m = L.nStocks;
  const c = new Code();
  c.get(start).idx(Op.globalSet, r.gStart);
  c.get(stop).idx(Op.globalSet, r.gStop);
  c.get(dt).f64(2).op(Op.f64Div).set(h);
  c.f64(0).get(dt).i32(0).call(r.hoistF);
  /** for (j = 0; j < m; j++) { body }, j counting bytes. */
  const stockLoop = (body: () => void) => {
    if (m === 0) return;
    c.i32(0).set(j);
    c.begin(Op.loop);
    body();
    c.get(j)
      .i32(8)
      .op(Op.i32Add)
      .tee(j)
      .i32(8 * m)
      .op(Op.i32LtS)
      .idx(Op.brIf, 0);
    c.end();
  };
  const at = (base: number) => c.get(j).mem(Op.f64Load, 3, base);
  const stage = (time: () => void, into: number) => {
    time();
    c.get(dt).i32(0).call(r.auxF);
    time();
    c.get(dt).i32(into).call(r.ratesF);
  };
  c.begin(Op.block).begin(Op.loop);
  // t = start + k * dt; X.step = k
  c.get(start).get(k).op(Op.f64ConvertI32S).get(dt).op(Op.f64Mul, Op.f64Add).set(t);
  c.get(k).op(Op.f64ConvertI32S).idx(Op.globalSet, r.gStep);
  c.get(k).i32(0).op(Op.i32GtS).begin(Op.if);
  c.get(t).get(dt).i32(0).call(r.auxF);
  c.end();
  c.get(k).get(saveEvery).op(Op.i32RemS, Op.i32Eqz).begin(Op.if);
  saveRow(c, { nOut, posAt, outAt, rows, row, p });
  c.end();
  c.get(k).get(steps).op(Op.i32Eq).idx(Op.brIf, 1);
  // post: remember PREVIOUS's sources.
  r.post.forEach(([src], i) =>
    c
      .i32(0)
      .i32(0)
      .mem(Op.f64Load, 3, 8 * src)
      .mem(Op.f64Store, 3, L.pending + 8 * i),
  );
  const ratesAt = (time: () => void, into: number) => {
    time();
    c.get(dt).i32(into).call(r.ratesF);
  };
  const tk = () => c.get(t);
  const tPlus = (x: number) => () => c.get(t).get(x).op(Op.f64Add);
  // Euler
  c.get(method).i32(0).op(Op.i32Eq).begin(Op.if);
  ratesAt(tk, L.rates);
  stockLoop(() => {
    c.get(j);
    at(0);
    c.get(dt);
    at(L.rates);
    c.op(Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  c.op(Op.else);
  c.get(method).i32(1).op(Op.i32Eq).begin(Op.if);
  // RK2: k1 at t; y0 = s; s = y0 + dt * k1; r at t + dt; s = y0 + (dt / 2) * (k1 + r).
  ratesAt(tk, L.k1);
  stockLoop(() => {
    c.get(j);
    at(0);
    c.mem(Op.f64Store, 3, L.y0);
    c.get(j);
    at(L.y0);
    c.get(dt);
    at(L.k1);
    c.op(Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  stage(tPlus(dt), L.rates);
  stockLoop(() => {
    c.get(j);
    at(L.y0);
    c.get(dt).f64(2).op(Op.f64Div);
    at(L.k1);
    at(L.rates);
    c.op(Op.f64Add, Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  c.op(Op.else);
  // RK4 with h = dt / 2.
  ratesAt(tk, L.k1);
  stockLoop(() => {
    c.get(j);
    at(0);
    c.mem(Op.f64Store, 3, L.y0);
    c.get(j);
    at(L.y0);
    c.get(h);
    at(L.k1);
    c.op(Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  stage(tPlus(h), L.k2);
  stockLoop(() => {
    c.get(j);
    at(L.y0);
    c.get(h);
    at(L.k2);
    c.op(Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  stage(tPlus(h), L.k3);
  stockLoop(() => {
    c.get(j);
    at(L.y0);
    c.get(dt);
    at(L.k3);
    c.op(Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  stage(tPlus(dt), L.rates);
  // s = y0 + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + r)
  stockLoop(() => {
    c.get(j);
    at(L.y0);
    c.get(dt).f64(6).op(Op.f64Div);
    at(L.k1);
    c.f64(2);
    at(L.k2);
    c.op(Op.f64Mul, Op.f64Add).f64(2);
    at(L.k3);
    c.op(Op.f64Mul, Op.f64Add);
    at(L.rates);
    c.op(Op.f64Add, Op.f64Mul, Op.f64Add).mem(Op.f64Store, 3, 0);
  });
  c.end(); // rk2 / rk4
  c.end(); // euler / else
  // clamp: if (s[p] < 0) s[p] = 0
  for (const q of r.clamp) {
    c.i32(0)
      .mem(Op.f64Load, 3, 8 * q)
      .f64(0)
      .op(Op.f64Lt)
      .begin(Op.if);
    c.i32(0)
      .f64(0)
      .mem(Op.f64Store, 3, 8 * q);
    c.end();
  }
  // applyPrevious
  r.post.forEach(([, dst], i) =>
    c
      .i32(0)
      .i32(0)
      .mem(Op.f64Load, 3, L.pending + 8 * i)
      .mem(Op.f64Store, 3, 8 * dst),
  );
  c.get(k).i32(1).op(Op.i32Add).set(k);
  c.idx(Op.br, 0);
  c.end().end();
  return c;
}

/** The generated lookup of `lookupSource` (simulate/runtime.ts) for one table, over points at xsAt/ysAt. */
function lookupBody(t: LookupTable, xsAt: number, ysAt: number): Code {
  const c = new Code();
  const n = t.xs.length;
  const [x, lo, hi, mid, x0, x1] = [0, 1, 2, 3, 4, 5];
  const X = (i: number) => t.xs[i]!;
  const Y = (i: number) => t.ys[i]!;
  const ret = () => c.op(Op.return);
  if (n === 0) return c.f64(NaN);
  if (n === 1) {
    c.get(x).get(x).op(Op.f64Ne).begin(Op.if, F64).f64(NaN).op(Op.else).f64(Y(0)).end();
    return c;
  }
  const extrapolate = t.type === 'extrapolate';
  // base + ((ya - yb) * (x - xRef)) / (xa - xb), written like the generated source.
  const line = (base: number, ya: number, yb: number, xRef: number, xa: number, xb: number) => {
    c.f64(base).f64(ya).f64(yb).op(Op.f64Sub).get(x).f64(xRef).op(Op.f64Sub, Op.f64Mul);
    c.f64(xa).f64(xb).op(Op.f64Sub, Op.f64Div, Op.f64Add);
  };
  if (extrapolate) {
    c.get(x).f64(X(0)).op(Op.f64Lt).begin(Op.if);
    line(Y(0), Y(1), Y(0), X(0), X(1), X(0));
    ret();
    c.end();
  }
  c.get(x).f64(X(0)).op(Op.f64Le).begin(Op.if).f64(Y(0));
  ret();
  c.end();
  if (extrapolate) {
    c.get(x)
      .f64(X(n - 1))
      .op(Op.f64Gt)
      .begin(Op.if);
    line(Y(n - 1), Y(n - 1), Y(n - 2), X(n - 1), X(n - 1), X(n - 2));
    ret();
    c.end();
  }
  c.get(x)
    .f64(X(n - 1))
    .op(Op.f64Ge)
    .begin(Op.if)
    .f64(Y(n - 1));
  ret();
  c.end();
  c.get(x).get(x).op(Op.f64Ne).begin(Op.if).f64(NaN);
  ret();
  c.end();
  const xsI = (idx: () => void) => {
    idx();
    c.i32(8).op(Op.i32Mul).mem(Op.f64Load, 3, xsAt);
  };
  const ysI = (idx: () => void) => {
    idx();
    c.i32(8).op(Op.i32Mul).mem(Op.f64Load, 3, ysAt);
  };
  if (t.invStep > 0) {
    // lo = floor((x - X0) * invStep), at most n - 2, then one step left or right.
    c.get(x).f64(X(0)).op(Op.f64Sub).f64(t.invStep).op(Op.f64Mul, Op.f64Floor);
    c.f64(n - 2)
      .op(Op.f64Min, Op.i32TruncF64S)
      .set(lo);
    xsI(() => c.get(lo));
    c.get(x).op(Op.f64Gt).begin(Op.if);
    c.get(lo).i32(1).op(Op.i32Sub).set(lo);
    c.op(Op.else);
    xsI(() => c.get(lo).i32(1).op(Op.i32Add));
    c.get(x).op(Op.f64Le).begin(Op.if);
    c.get(lo).i32(1).op(Op.i32Add).set(lo);
    c.end();
    c.end();
  } else {
    c.i32(0)
      .set(lo)
      .i32(n - 1)
      .set(hi);
    c.begin(Op.block).begin(Op.loop);
    c.get(hi).get(lo).op(Op.i32Sub).i32(1).op(Op.i32GtS, Op.i32Eqz).idx(Op.brIf, 1);
    c.get(lo).get(hi).op(Op.i32Add).i32(1).op(0x75 /* i32.shr_s */).set(mid);
    xsI(() => c.get(mid));
    c.get(x).op(Op.f64Le).begin(Op.if).get(mid).set(lo).op(Op.else).get(mid).set(hi).end();
    c.idx(Op.br, 0);
    c.end().end();
  }
  if (t.type === 'discrete') {
    ysI(() => c.get(lo));
    return c;
  }
  xsI(() => c.get(lo));
  c.set(x0);
  xsI(() => c.get(lo).i32(1).op(Op.i32Add));
  c.set(x1);
  c.get(x1).get(x0).op(Op.f64Eq).begin(Op.if);
  ysI(() => c.get(lo).i32(1).op(Op.i32Add));
  ret();
  c.end();
  // ys[lo] + ((ys[lo + 1] - ys[lo]) * (x - x0)) / (x1 - x0)
  ysI(() => c.get(lo));
  ysI(() => c.get(lo).i32(1).op(Op.i32Add));
  ysI(() => c.get(lo));
  c.op(Op.f64Sub).get(x).get(x0).op(Op.f64Sub, Op.f64Mul).get(x1).get(x0).op(Op.f64Sub, Op.f64Div, Op.f64Add);
  return c;
}
