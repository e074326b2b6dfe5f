/**
 * Seeded pseudo-random numbers. Every stream is derived from (master seed, stream ids) by hashing,
 * so a run's random draws depend only on the spec and its row number, never on which worker ran
 * it or in what order. Generator: the project's sfc32 (`simulate/sfc32.ts`), seeded through a
 * murmur3-style 32-bit finaliser so that small seeds (0, 1, 2) are fine.
 */
import { Sfc32 } from '../simulate/sfc32.js';

/** A 32-bit avalanche mix (murmur3 fmix32 constants). */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hash any number of integers (each up to 2^53) into one 32-bit seed. Order matters, so
 * hashSeed(seed, 1, 2) and hashSeed(seed, 2, 1) are different streams.
 */
export function hashSeed(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const part of parts) {
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = mix32((h ^ mix32(low + 0x9e3779b9)) + Math.imul(h, 31));
    h = mix32((h ^ mix32(high + 0x7f4a7c15)) + Math.imul(h, 37));
  }
  return h >>> 0;
}

export class Rng extends Sfc32 {
  /** A generator for the stream named by `parts` (e.g. master seed, purpose, row). */
  constructor(...parts: number[]) {
    super();
    const s = hashSeed(...parts);
    this.seedState(mix32(s ^ 0x243f6a88), mix32(s ^ 0x85a308d3), mix32(s ^ 0x13198a2e), 12);
  }

  /** Uniform on the open interval (0, 1): safe for inverse CDFs of unbounded distributions. */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (n <= 0) throw new RangeError('Rng.int: n must be positive');
    if (n <= 4294967296) {
      const limit = 4294967296 - (4294967296 % n);
      let x = this.nextUint32();
      while (x >= limit) x = this.nextUint32();
      return x % n;
    }
    return Math.floor(this.next() * n);
  }

  /** Fisher-Yates: a random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
