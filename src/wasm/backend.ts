/**
 * Running a translated model (translate.ts): one compiled `WebAssembly.Module` per program, one
 * instance and memory per simulation. The JavaScript program computes the initial state (with
 * the run's overrides); the module takes it from there and saves the rows the run asks for.
 */
import { importFunction, METHOD, type WasmProgram } from './translate.js';

const modules = new WeakMap<WasmProgram, WebAssembly.Module>();
const importFns = new WeakMap<WasmProgram, ((...a: number[]) => number)[]>();

/** The compiled module of a program (compiled once; throws when the engine rejects it). */
export function wasmModule(program: WasmProgram): WebAssembly.Module {
  let m = modules.get(program);
  if (!m) {
    m = new WebAssembly.Module(program.bytes as Uint8Array<ArrayBuffer>);
    modules.set(program, m);
  }
  return m;
}

function importsOf(program: WasmProgram): ((...a: number[]) => number)[] {
  let fns = importFns.get(program);
  if (!fns) {
    fns = program.imports.map(importFunction);
    importFns.set(program, fns);
  }
  return fns;
}

/** Can this JavaScript engine compile the program (WebAssembly present, module accepted)? */
export function wasmAvailable(program: WasmProgram): string | undefined {
  if (typeof WebAssembly === 'undefined') return 'this JavaScript engine has no WebAssembly';
  try {
    wasmModule(program);
    importsOf(program);
    return undefined;
  } catch (err) {
    return `the WebAssembly module could not be compiled here: ${(err as Error).message}`;
  }
}

export interface WasmRunPlan {
  start: number;
  stop: number;
  dt: number;
  steps: number;
  saveEvery: number;
  rows: number;
  method: 'euler' | 'rk2' | 'rk4';
}

/** One simulation's instance: its memory holds the state, the scratch arrays and the saved rows. */
export class WasmRunner {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly posAt: number;
  private readonly outAt: number;
  private readonly run: (...a: number[]) => void;
  private readonly nSlots: number;

  constructor(
    program: WasmProgram,
    positions: readonly number[],
    private readonly rows: number,
  ) {
    const L = program.layout;
    this.nSlots = L.nSlots;
    this.posAt = L.end;
    this.outAt = L.end + 8 * Math.ceil(positions.length / 2);
    // A second state and its saved rows, for two runs at once (`runPair`).
    this.stateB = this.outAt + 8 * rows * positions.length;
    this.outB = this.stateB + 8 * L.nSlots;
    const bytes = program.pairs ? this.outB + 8 * rows * positions.length : this.stateB;
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
    const env: Record<string, unknown> = { memory };
    importsOf(program).forEach((f, i) => (env[`i${i}`] = f));
    const instance = new WebAssembly.Instance(wasmModule(program), { env } as WebAssembly.Imports);
    this.run = instance.exports.run as (...a: number[]) => void;
    this.run2 = instance.exports.run2 as ((...a: number[]) => void) | undefined;
    this.f64 = new Float64Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.f64.set(program.tableData, L.tables / 8);
    this.i32.set(positions, this.posAt / 4);
    this.nOut = positions.length;
  }

  private readonly nOut: number;
  private readonly stateB: number;
  private readonly outB: number;
  private readonly run2?: (...a: number[]) => void;

  /** Whether `runPair` is available (small models: the module has the f64x2 loop). */
  get pairs(): boolean {
    return this.run2 !== undefined;
  }

  /**
   * Two runs from initial states `a` and `b` at once, in the two lanes of f64x2 (each left holding
   * its final state); fills `colsA` and `colsB`. Each gives the bits of its own `runFrom`.
   */
  runPair(
    a: Float64Array,
    b: Float64Array,
    plan: WasmRunPlan,
    colsA: Float64Array[],
    colsB: Float64Array[],
  ): void {
    if (!this.run2) throw new Error('this model has no paired WebAssembly run');
    const f = this.f64;
    const n = this.nSlots;
    f.set(a.subarray(0, n), 0);
    f.set(b.subarray(0, n), this.stateB / 8);
    this.run2(
      plan.start,
      plan.stop,
      plan.dt,
      plan.steps,
      plan.saveEvery,
      METHOD[plan.method],
      this.nOut,
      this.posAt,
      this.outAt,
      this.rows,
      this.stateB,
      this.outB,
    );
    this.copyColumns(this.outAt, colsA);
    this.copyColumns(this.outB, colsB);
    a.set(f.subarray(0, n));
    b.set(f.subarray(this.stateB / 8, this.stateB / 8 + n));
  }

  /** Run from the initial state `s` (left holding the final state); fills `cols` with the saved rows. */
  runFrom(s: Float64Array, plan: WasmRunPlan, cols: Float64Array[]): void {
    const f = this.f64;
    f.set(s.subarray(0, this.nSlots), 0);
    this.run(
      plan.start,
      plan.stop,
      plan.dt,
      plan.steps,
      plan.saveEvery,
      METHOD[plan.method],
      this.nOut,
      this.posAt,
      this.outAt,
      this.rows,
    );
    this.copyColumns(this.outAt, cols);
    s.set(f.subarray(0, this.nSlots));
  }

  /** The saved rows at byte offset `at` of linear memory, one column per output, into `cols`. */
  private copyColumns(at: number, cols: Float64Array[]): void {
    const f = this.f64;
    const rows = this.rows;
    const base = at / 8;
    for (let j = 0; j < cols.length; j++) cols[j]!.set(f.subarray(base + j * rows, base + (j + 1) * rows));
  }
}
