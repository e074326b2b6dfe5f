/**
 * A chunk's results as bytes, for the queue database: a JSON header (counts, failures, timings)
 * padded to 8 bytes, then the float64 columns and the status bytes exactly as the runner made
 * them, so the results folder gathered from the queue is byte-identical to a local run.
 */
import type { ChunkResult } from '../experiments/runner.js';

const MAGIC = 'ILCK1';

interface Header {
  magic: string;
  start: number;
  count: number;
  inputs: number;
  scalars: number;
  series: number[];
  times: number;
  failures: ChunkResult['failures'];
  modelSeconds: number;
  chunkSeconds: number;
}

const bytesOf = (a: Float64Array | Uint8Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function encodeChunk(r: ChunkResult): Buffer {
  const header: Header = {
    magic: MAGIC,
    start: r.start,
    count: r.count,
    inputs: r.inputs.length,
    scalars: r.scalars.length,
    series: r.series.map((s) => s.length),
    times: r.times.length,
    failures: r.failures,
    modelSeconds: r.modelSeconds,
    chunkSeconds: r.chunkSeconds,
  };
  let json = Buffer.from(JSON.stringify(header));
  const padded = Math.ceil((json.length + 4) / 8) * 8;
  json = Buffer.concat([json, Buffer.alloc(padded - 4 - json.length, 0x20)]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([
    length,
    json,
    bytesOf(r.inputs),
    bytesOf(r.scalars),
    ...r.series.map(bytesOf),
    bytesOf(r.times),
    bytesOf(r.status),
  ]);
}

export class ChunkDecodeError extends Error {
  override name = 'ChunkDecodeError';
}

export function decodeChunk(bytes: Uint8Array): ChunkResult {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 4) throw new ChunkDecodeError('chunk result too short');
  const headerLength = view.readUInt32LE(0);
  let header: Header;
  try {
    header = JSON.parse(view.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  } catch {
    throw new ChunkDecodeError('chunk result header is not valid JSON');
  }
  if (header.magic !== MAGIC) throw new ChunkDecodeError('not an interlock chunk result');
  const floats = header.inputs + header.scalars + header.series.reduce((a, b) => a + b, 0) + header.times;
  const expected = 4 + headerLength + floats * 8 + header.count;
  if (view.length !== expected) {
    throw new ChunkDecodeError(`chunk result has ${view.length} bytes, expected ${expected}`);
  }
  // Copy into an aligned buffer: Float64Array views need 8-byte alignment.
  let offset = 4 + headerLength;
  const take = (n: number): Float64Array => {
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(view.subarray(offset, offset + n * 8));
    offset += n * 8;
    return out;
  };
  const inputs = take(header.inputs);
  const scalars = take(header.scalars);
  const series = header.series.map(take);
  const times = take(header.times);
  const status = Uint8Array.from(view.subarray(offset, offset + header.count));
  return {
    start: header.start,
    count: header.count,
    inputs,
    scalars,
    series,
    times,
    status,
    failures: header.failures,
    modelSeconds: header.modelSeconds,
    chunkSeconds: header.chunkSeconds,
  };
}

/**
 * JSON text that keeps every number exactly: NaN, the infinities and -0 (which JSON cannot
 * write) become `{"$number": "NaN" | "Infinity" | "-Infinity" | "-0"}`. A calibration's problem
 * definition holds NaN (a censored row has no value) and travels to workers this way.
 */
export function exactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Number.isNaN(v)) return { $number: 'NaN' };
    if (v === Infinity) return { $number: 'Infinity' };
    if (v === -Infinity) return { $number: '-Infinity' };
    if (Object.is(v, -0)) return { $number: '-0' };
    return v;
  });
}

const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The inverse of `exactJson`. */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tag = (v as { $number?: unknown }).$number;
      if (keys.length === 1 && typeof tag === 'string' && tag in SPECIAL) return SPECIAL[tag];
    }
    return v;
  });
}

/** Float64 values as bytes (little-endian, as the platform stores them) and back. */
export function float64Bytes(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

export function float64FromBytes(bytes: Uint8Array): Float64Array {
  if (bytes.byteLength % 8 !== 0)
    throw new ChunkDecodeError(`${bytes.byteLength} bytes are not float64 values`);
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
