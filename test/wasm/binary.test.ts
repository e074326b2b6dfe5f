/**
 * The binary writer on small hand-built modules: LEB128 against the specification's worked
 * values, then modules that the engine must accept and whose functions compute known answers.
 */
import { describe, expect, it } from 'vitest';
import { Code, F64, f64le, I32, ModuleBuilder, Op, Simd, sleb, uleb, V128 } from '../../src/wasm/binary.js';

const enc = (f: (out: number[], v: number) => void, v: number) => {
  const out: number[] = [];
  f(out, v);
  return out;
};

function instance(mb: ModuleBuilder, imports: WebAssembly.Imports = {}): WebAssembly.Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(mb.bytes() as Uint8Array<ArrayBuffer>), imports)
    .exports;
}

describe('LEB128 and floats', () => {
  it('writes unsigned LEB128 as the specification shows', () => {
    expect(enc(uleb, 0)).toEqual([0]);
    expect(enc(uleb, 127)).toEqual([0x7f]);
    expect(enc(uleb, 128)).toEqual([0x80, 0x01]);
    expect(enc(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(uleb, 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => enc(uleb, -1)).toThrow(/u32/);
  });

  it('writes signed LEB128 as the specification shows', () => {
    expect(enc(sleb, 0)).toEqual([0]);
    expect(enc(sleb, -1)).toEqual([0x7f]);
    expect(enc(sleb, 63)).toEqual([0x3f]);
    expect(enc(sleb, 64)).toEqual([0xc0, 0x00]);
    expect(enc(sleb, -64)).toEqual([0x40]);
    expect(enc(sleb, -65)).toEqual([0xbf, 0x7f]);
    expect(enc(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc(sleb, -0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('writes doubles little-endian with every bit', () => {
    expect(enc(f64le, 1)).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(enc(f64le, -0)).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
  });

  it('an empty module is the magic number and the version', () => {
    const b = new ModuleBuilder().bytes();
    expect([...b]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    expect(WebAssembly.validate(b as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});

describe('hand-built modules', () => {
  it('f64 arithmetic, constants and parameters', () => {
    const mb = new ModuleBuilder();
    // (a, b) => (a + b) * 0.1 - a / b
    const f = mb.func(
      [F64, F64],
      [F64],
      [],
      new Code().get(0).get(1).op(Op.f64Add).f64(0.1).op(Op.f64Mul).get(0).get(1).op(Op.f64Div, Op.f64Sub),
    );
    mb.exportFunc('f', f);
    const g = instance(mb).f as (a: number, b: number) => number;
    for (const [a, b] of [
      [1, 2],
      [3.7, -0.3],
      [1e300, 1e-300],
    ])
      expect(Object.is(g(a!, b!), (a! + b!) * 0.1 - a! / b!)).toBe(true);
  });

  it('imports, memory, globals, loops and branches', () => {
    const mb = new ModuleBuilder();
    const pow = mb.importFunc('env', 'pow', [F64, F64], [F64]);
    mb.importMemory('env', 'memory', 1);
    const g = mb.global(F64, true, 2.5);
    // sum over i < n of pow(mem[i], g), stored at mem[n]; returns n (i32).
    const c = new Code();
    c.f64(0).set(2);
    c.i32(0).set(1);
    c.begin(Op.block).begin(Op.loop);
    c.get(1).get(0).op(Op.i32GeS).idx(Op.brIf, 1);
    c.get(2);
    c.get(1).i32(8).op(Op.i32Mul).mem(Op.f64Load, 3, 0);
    c.idx(Op.globalGet, g).call(pow).op(Op.f64Add).set(2);
    c.get(1).i32(1).op(Op.i32Add).set(1);
    c.idx(Op.br, 0);
    c.end().end();
    c.get(0).i32(8).op(Op.i32Mul).get(2).mem(Op.f64Store, 3, 0);
    c.get(0);
    mb.exportFunc('run', mb.func([I32], [I32], [I32, F64], c));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const ex = instance(mb, { env: { pow: Math.pow, memory } });
    const m = new Float64Array(memory.buffer);
    m.set([1.5, 2, 0.25, 9]);
    expect((ex.run as (n: number) => number)(4)).toBe(4);
    let want = 0;
    for (const x of [1.5, 2, 0.25, 9]) want += Math.pow(x, 2.5);
    expect(Object.is(m[4], want)).toBe(true);
  });

  it('if/else with a result, comparisons as 0/1, min, max, floor, sqrt', () => {
    const mb = new ModuleBuilder();
    // x => (x > 1 ? sqrt(x) : floor(x)) + min(x, 0) + max(x, 0) + (x <= 2)
    const c = new Code();
    c.get(0)
      .f64(1)
      .op(Op.f64Gt)
      .begin(Op.if, F64)
      .get(0)
      .op(Op.f64Sqrt)
      .op(Op.else)
      .get(0)
      .op(Op.f64Floor)
      .end();
    c.get(0).f64(0).op(Op.f64Min, Op.f64Add).get(0).f64(0).op(Op.f64Max, Op.f64Add);
    c.get(0).f64(2).op(Op.f64Le, Op.f64ConvertI32S, Op.f64Add);
    mb.exportFunc('f', mb.func([F64], [F64], [], c));
    const f = instance(mb).f as (x: number) => number;
    const js = (x: number) =>
      (x > 1 ? Math.sqrt(x) : Math.floor(x)) + Math.min(x, 0) + Math.max(x, 0) + (x <= 2 ? 1 : 0);
    for (const x of [-2.5, -0, 0, 0.5, 1, 1.5, 2, 7, 1e10]) expect(Object.is(f(x), js(x))).toBe(true);
    expect(f(NaN)).toBeNaN();
  });

  it('f64x2 SIMD lanes add and multiply independently', () => {
    const mb = new ModuleBuilder();
    mb.importMemory('env', 'memory', 1);
    // mem[4..5] = mem[0..1] * mem[2..3] + splat(0.5)
    const c = new Code();
    c.i32(32).i32(0).simdMem(Simd.v128Load, 4, 0).i32(0).simdMem(Simd.v128Load, 4, 16).simd(Simd.f64x2Mul);
    c.f64(0.5).simd(Simd.f64x2Splat).simd(Simd.f64x2Add).simdMem(Simd.v128Store, 4, 0);
    mb.exportFunc('f', mb.func([], [], [V128], c));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const ex = instance(mb, { env: { memory } });
    const m = new Float64Array(memory.buffer);
    m.set([1.1, -3, 2.2, 0.7]);
    (ex.f as () => void)();
    expect(Object.is(m[4], 1.1 * 2.2 + 0.5)).toBe(true);
    expect(Object.is(m[5], -3 * 0.7 + 0.5)).toBe(true);
  });

  it('refuses an import declared after a function', () => {
    const mb = new ModuleBuilder();
    mb.func([], [], [], new Code());
    expect(() => mb.importFunc('env', 'x', [], [])).toThrow(/before/);
  });
});
