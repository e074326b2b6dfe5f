/**
 * A WebAssembly binary writer, from the core specification's binary format (version 1, with the
 * fixed-width SIMD opcodes): value types, LEB128 integers, little-endian floats, the sections a
 * module of the engine needs (types, imports, functions, memory, globals, exports, code) and the
 * instructions it uses. No toolchain: the bytes are what `WebAssembly.Module` reads.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F64 | typeof V128;

/** Single-byte opcodes used here (numbering of the spec's instruction index). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Store: 0x36,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  f64Eq: 0x61,
  f64Ne: 0x62,
  f64Lt: 0x63,
  f64Gt: 0x64,
  f64Le: 0x65,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32RemS: 0x6f,
  i32And: 0x71,
  i32Or: 0x72,
  f64Abs: 0x99,
  f64Neg: 0x9a,
  f64Ceil: 0x9b,
  f64Floor: 0x9c,
  f64Trunc: 0x9d,
  f64Nearest: 0x9e,
  f64Sqrt: 0x9f,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64Min: 0xa4,
  f64Max: 0xa5,
  i32TruncF64S: 0xaa,
  f64ConvertI32S: 0xb7,
} as const;

/** SIMD instructions: prefix 0xfd, then the sub-opcode as an unsigned LEB128. */
export const Simd = {
  v128Load: 0x00,
  v128Store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  f64x2Eq: 0x47,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  f64x2Le: 0x4b,
  f64x2Ge: 0x4c,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  v128AnyTrue: 0x53,
  f64x2Ceil: 0x74,
  f64x2Floor: 0x75,
  f64x2Trunc: 0x7a,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f64x2Min: 0xf4,
  f64x2Max: 0xf5,
} as const;

/** Block type of a block producing nothing. */
export const VOID = 0x40;

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(out: number[], v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`not a u32: ${v}`);
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 of an integer in the i32 range. */
export function sleb(out: number[], v: number): void {
  if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`not an i32: ${v}`);
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const signBit = (byte & 0x40) !== 0;
    if ((v === 0 && !signBit) || (v === -1 && signBit)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const f64Bytes = new DataView(new ArrayBuffer(8));

/** The 8 little-endian bytes of a double, every bit kept (NaN payloads, -0). */
export function f64le(out: number[], v: number): void {
  f64Bytes.setFloat64(0, v, true);
  for (let i = 0; i < 8; i++) out.push(f64Bytes.getUint8(i));
}

function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  for (const x of b) out.push(x);
}

/** An instruction sequence (a function body's expression), written instruction by instruction. */
export class Code {
  readonly bytes: number[] = [];
  op(...ops: number[]): this {
    for (const o of ops) this.bytes.push(o);
    return this;
  }
  simd(sub: number): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, sub);
    return this;
  }
  i32(v: number): this {
    this.bytes.push(Op.i32Const);
    sleb(this.bytes, v);
    return this;
  }
  f64(v: number): this {
    this.bytes.push(Op.f64Const);
    f64le(this.bytes, v);
    return this;
  }
  /** An instruction with one unsigned immediate (local, global, call, branch depth). */
  idx(op: number, i: number): this {
    this.bytes.push(op);
    uleb(this.bytes, i);
    return this;
  }
  get(i: number): this {
    return this.idx(Op.localGet, i);
  }
  set(i: number): this {
    return this.idx(Op.localSet, i);
  }
  tee(i: number): this {
    return this.idx(Op.localTee, i);
  }
  call(f: number): this {
    return this.idx(Op.call, f);
  }
  /** A load or store with its memory argument (alignment as a power of two, constant offset). */
  mem(op: number, align: number, offset: number): this {
    this.bytes.push(op);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }
  /** A SIMD load or store with its memory argument. */
  simdMem(sub: number, align: number, offset: number): this {
    this.simd(sub);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }
  lane(sub: number, lane: number): this {
    this.simd(sub);
    this.bytes.push(lane);
    return this;
  }
  /** Start a structured instruction (block, loop, if) with its block type. */
  begin(op: number, type: number = VOID): this {
    this.bytes.push(op, type);
    return this;
  }
  end(): this {
    this.bytes.push(Op.end);
    return this;
  }
}

interface FuncType {
  params: ValType[];
  results: ValType[];
}

interface Import {
  module: string;
  field: string;
  kind: 'func' | 'memory';
  type?: number;
  min?: number;
  max?: number;
}

interface Func {
  type: number;
  locals: ValType[];
  body: Code;
}

interface Global {
  type: ValType;
  mutable: boolean;
  init: number;
}

/**
 * A module under construction. Imported functions come before defined ones in the function
 * index space, so every import is declared before the first `func`.
 */
export class ModuleBuilder {
  private readonly types: FuncType[] = [];
  private readonly imports: Import[] = [];
  private readonly funcs: Func[] = [];
  private readonly globals: Global[] = [];
  private readonly exports: { name: string; kind: number; index: number }[] = [];
  private memory?: { min: number; max?: number };
  private nFuncImports = 0;

  type(params: ValType[], results: ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    const i = this.types.findIndex((t) => `${t.params.join(',')}>${t.results.join(',')}` === key);
    if (i >= 0) return i;
    this.types.push({ params: [...params], results: [...results] });
    return this.types.length - 1;
  }

  /** Declare an imported function; returns its function index. */
  importFunc(module: string, field: string, params: ValType[], results: ValType[]): number {
    if (this.funcs.length) throw new Error('imports must be declared before defined functions');
    this.imports.push({ module, field, kind: 'func', type: this.type(params, results) });
    return this.nFuncImports++;
  }

  /** Import the (single) memory, `min` pages of 64 KiB at least. */
  importMemory(module: string, field: string, min: number, max?: number): void {
    if (this.memory || this.imports.some((i) => i.kind === 'memory')) throw new Error('one memory only');
    this.imports.push({ module, field, kind: 'memory', min, max });
  }

  /** Define the (single) memory. */
  defineMemory(min: number, max?: number): void {
    if (this.memory || this.imports.some((i) => i.kind === 'memory')) throw new Error('one memory only');
    this.memory = { min, max };
  }

  /** A global initialised to a constant; returns its index. */
  global(type: typeof I32 | typeof F64, mutable: boolean, init: number): number {
    this.globals.push({ type, mutable, init });
    return this.globals.length - 1;
  }

  /** The index the next defined function will get. */
  get nextFunc(): number {
    return this.nFuncImports + this.funcs.length;
  }

  /** Define a function (parameters are locals 0..n-1, then `locals`); returns its index. */
  func(params: ValType[], results: ValType[], locals: ValType[], body: Code): number {
    this.funcs.push({ type: this.type(params, results), locals, body });
    return this.nFuncImports + this.funcs.length - 1;
  }

  /** Replace the body of a defined function (declared early so that others can call it). */
  setBody(index: number, locals: ValType[], body: Code): void {
    const f = this.funcs[index - this.nFuncImports];
    if (!f) throw new Error(`no defined function ${index}`);
    f.locals = locals;
    f.body = body;
  }

  exportFunc(name: string, index: number): void {
    this.exports.push({ name, kind: 0x00, index });
  }

  exportMemory(name: string): void {
    this.exports.push({ name, kind: 0x02, index: 0 });
  }

  bytes(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, write: (b: number[]) => void) => {
      const b: number[] = [];
      write(b);
      out.push(id);
      uleb(out, b.length);
      for (const x of b) out.push(x);
    };
    const limits = (b: number[], min: number, max?: number) => {
      if (max === undefined) {
        b.push(0x00);
        uleb(b, min);
      } else {
        b.push(0x01);
        uleb(b, min);
        uleb(b, max);
      }
    };
    if (this.types.length)
      section(1, (b) => {
        uleb(b, this.types.length);
        for (const t of this.types) {
          b.push(0x60);
          uleb(b, t.params.length);
          b.push(...t.params);
          uleb(b, t.results.length);
          b.push(...t.results);
        }
      });
    if (this.imports.length)
      section(2, (b) => {
        uleb(b, this.imports.length);
        for (const i of this.imports) {
          name(b, i.module);
          name(b, i.field);
          if (i.kind === 'func') {
            b.push(0x00);
            uleb(b, i.type!);
          } else {
            b.push(0x02);
            limits(b, i.min!, i.max);
          }
        }
      });
    if (this.funcs.length)
      section(3, (b) => {
        uleb(b, this.funcs.length);
        for (const f of this.funcs) uleb(b, f.type);
      });
    if (this.memory) section(5, (b) => (uleb(b, 1), limits(b, this.memory!.min, this.memory!.max)));
    if (this.globals.length)
      section(6, (b) => {
        uleb(b, this.globals.length);
        for (const g of this.globals) {
          b.push(g.type, g.mutable ? 1 : 0);
          if (g.type === F64) {
            b.push(Op.f64Const);
            f64le(b, g.init);
          } else {
            b.push(Op.i32Const);
            sleb(b, g.init);
          }
          b.push(Op.end);
        }
      });
    if (this.exports.length)
      section(7, (b) => {
        uleb(b, this.exports.length);
        for (const e of this.exports) {
          name(b, e.name);
          b.push(e.kind);
          uleb(b, e.index);
        }
      });
    if (this.funcs.length)
      section(10, (b) => {
        uleb(b, this.funcs.length);
        for (const f of this.funcs) {
          const body: number[] = [];
          // Locals as runs of one type.
          const runs: [number, ValType][] = [];
          for (const t of f.locals) {
            const last = runs[runs.length - 1];
            if (last && last[1] === t) last[0]++;
            else runs.push([1, t]);
          }
          uleb(body, runs.length);
          for (const [n, t] of runs) {
            uleb(body, n);
            body.push(t);
          }
          for (const x of f.body.bytes) body.push(x);
          body.push(Op.end);
          uleb(b, body.length);
          for (const x of body) b.push(x);
        }
      });
    return Uint8Array.from(out);
  }
}
