/**
 * The Sobol' low-discrepancy sequence in up to 64 dimensions, 32 bits per coordinate, with
 * random access by index (Gray-code construction), so it stays exact up to 2^32 points and any
 * chunk of rows can be generated on its own. Optional scrambling (random linear matrix scramble
 * plus digital shift, as in Matousek 1998 and scipy's `qmc.Sobol(scramble=True)`) keeps the
 * net structure while making the estimators unbiased and seed-dependent.
 *
 * Direction numbers: Joe & Kuo (2008), file `new-joe-kuo-6.21201`,
 * https://web.maths.unsw.edu.au/~fkuo/sobol/ (used as published data). Each entry is
 * [s (degree), a (polynomial coefficients), m_1..m_s (initial direction numbers)] for
 * dimensions 2..64; dimension 1 is the van der Corput sequence.
 */
import { Rng } from './rng.js';

const JOE_KUO: ReadonlyArray<readonly [number, number, readonly number[]]> = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
  [6, 19, [1, 1, 1, 15, 7, 5]],
  [6, 22, [1, 3, 1, 15, 13, 25]],
  [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]],
  [7, 4, [1, 3, 7, 13, 13, 15, 69]],
  [7, 7, [1, 1, 3, 13, 7, 35, 63]],
  [7, 8, [1, 3, 5, 9, 1, 25, 53]],
  [7, 14, [1, 3, 1, 13, 9, 35, 107]],
  [7, 19, [1, 3, 1, 5, 27, 61, 31]],
  [7, 21, [1, 1, 5, 11, 19, 41, 61]],
  [7, 28, [1, 3, 5, 3, 3, 13, 69]],
  [7, 31, [1, 1, 7, 13, 1, 19, 1]],
  [7, 32, [1, 3, 7, 5, 13, 19, 59]],
  [7, 37, [1, 1, 3, 9, 25, 29, 41]],
  [7, 41, [1, 3, 5, 13, 23, 1, 55]],
  [7, 42, [1, 3, 7, 3, 13, 59, 17]],
  [7, 50, [1, 3, 1, 3, 5, 53, 69]],
  [7, 55, [1, 1, 5, 5, 23, 33, 13]],
  [7, 56, [1, 1, 7, 7, 1, 61, 123]],
  [7, 59, [1, 1, 7, 9, 13, 61, 49]],
  [7, 62, [1, 3, 3, 5, 3, 55, 33]],
  [8, 14, [1, 3, 1, 15, 31, 13, 49, 245]],
  [8, 21, [1, 3, 5, 15, 31, 59, 63, 97]],
  [8, 22, [1, 3, 1, 11, 11, 11, 77, 249]],
  [8, 38, [1, 3, 1, 11, 27, 43, 71, 9]],
  [8, 47, [1, 1, 7, 15, 21, 11, 81, 45]],
  [8, 49, [1, 3, 7, 3, 25, 31, 65, 79]],
  [8, 50, [1, 3, 1, 1, 19, 11, 3, 205]],
  [8, 52, [1, 1, 5, 9, 19, 21, 29, 157]],
  [8, 56, [1, 3, 7, 11, 1, 33, 89, 185]],
  [8, 67, [1, 3, 3, 3, 15, 9, 79, 71]],
  [8, 70, [1, 3, 7, 11, 15, 39, 119, 27]],
  [8, 84, [1, 1, 3, 1, 11, 31, 97, 225]],
  [8, 97, [1, 1, 1, 3, 23, 43, 57, 177]],
  [8, 103, [1, 3, 7, 7, 17, 17, 37, 71]],
  [8, 115, [1, 3, 1, 5, 27, 63, 123, 213]],
  [8, 122, [1, 1, 3, 5, 11, 43, 53, 133]],
  [9, 8, [1, 3, 5, 5, 29, 17, 47, 173, 479]],
  [9, 13, [1, 3, 3, 11, 3, 1, 109, 9, 69]],
  [9, 16, [1, 1, 1, 5, 17, 39, 23, 5, 343]],
  [9, 22, [1, 3, 1, 5, 25, 15, 31, 103, 499]],
  [9, 25, [1, 1, 1, 11, 11, 17, 63, 105, 183]],
  [9, 44, [1, 1, 5, 11, 9, 29, 97, 231, 363]],
  [9, 47, [1, 1, 5, 15, 19, 45, 41, 7, 383]],
  [9, 52, [1, 3, 7, 7, 31, 19, 83, 137, 221]],
  [9, 55, [1, 1, 1, 3, 23, 15, 111, 223, 83]],
  [9, 59, [1, 1, 5, 13, 31, 15, 55, 25, 161]],
  [9, 62, [1, 1, 3, 13, 25, 47, 39, 87, 257]],
];

export const SOBOL_MAX_DIMENSIONS = JOE_KUO.length + 1;
/** The sequence is exact for indices below 2^32 (32 bits per coordinate). */
export const SOBOL_MAX_POINTS = 4294967296;
const BITS = 32;

/** Direction numbers v_1..v_32 of one dimension as 32-bit fractions (v[0] is the most significant). */
function directionNumbers(dimension: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dimension === 0) {
    for (let i = 0; i < BITS; i++) v[i] = 2 ** (31 - i);
    return v;
  }
  const [s, a, m] = JOE_KUO[dimension - 1];
  for (let i = 0; i < s && i < BITS; i++) v[i] = (m[i] * 2 ** (31 - i)) >>> 0;
  for (let i = s; i < BITS; i++) {
    let value = v[i - s] ^ (v[i - s] >>> s);
    for (let k = 1; k < s; k++) if ((a >>> (s - 1 - k)) & 1) value ^= v[i - k];
    v[i] = value >>> 0;
  }
  return v;
}

function parity32(x: number): number {
  let y = x >>> 0;
  y ^= y >>> 16;
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}

export interface SobolOptions {
  /** Scramble with this seed (linear matrix scramble + digital shift); unscrambled when absent. */
  scrambleSeed?: number;
}

export class SobolSequence {
  readonly dimensions: number;
  /** Direction numbers, dimension-major: v[d * 32 + bit]. */
  private readonly v: Uint32Array;
  private readonly shift: Uint32Array;
  private readonly scrambled: boolean;
  private readonly scratch: Uint32Array;

  constructor(dimensions: number, options: SobolOptions = {}) {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > SOBOL_MAX_DIMENSIONS) {
      throw new RangeError(
        `Sobol' sequence supports 1 to ${SOBOL_MAX_DIMENSIONS} dimensions, got ${dimensions}`,
      );
    }
    this.dimensions = dimensions;
    this.v = new Uint32Array(dimensions * BITS);
    this.shift = new Uint32Array(dimensions);
    this.scrambled = options.scrambleSeed !== undefined;
    this.scratch = new Uint32Array(dimensions);
    const rng = options.scrambleSeed === undefined ? undefined : new Rng(options.scrambleSeed, 0x50b01);
    for (let d = 0; d < dimensions; d++) {
      let v = directionNumbers(d);
      if (rng) {
        // Lower-triangular binary matrix with unit diagonal (most significant digit first):
        // output digit p depends on input digits 0..p. Applying it to every direction number
        // scrambles the whole dimension linearly, which preserves the (t,m,s)-net property.
        const rows = new Uint32Array(BITS);
        for (let p = 0; p < BITS; p++) {
          const above = p === 0 ? 0 : (rng.nextUint32() >>> (BITS - p)) << (BITS - p);
          rows[p] = (above | (2 ** (31 - p))) >>> 0;
        }
        const scrambled = new Uint32Array(BITS);
        for (let j = 0; j < BITS; j++) {
          let out = 0;
          for (let p = 0; p < BITS; p++) if (parity32(rows[p] & v[j])) out |= 2 ** (31 - p);
          scrambled[j] = out >>> 0;
        }
        v = scrambled;
        this.shift[d] = rng.nextUint32();
      }
      this.v.set(v, d * BITS);
    }
  }

  /** The integer (32-bit) coordinates of point `index` (0 <= index < 2^32). */
  integerPoint(index: number, out: Uint32Array): void {
    if (!Number.isInteger(index) || index < 0 || index >= SOBOL_MAX_POINTS) {
      throw new RangeError(`Sobol' index must be an integer in [0, 2^32), got ${index}`);
    }
    const gray = (index ^ (index >>> 1)) >>> 0;
    for (let d = 0; d < this.dimensions; d++) {
      let x = this.shift[d];
      const base = d * BITS;
      let g = gray;
      for (let bit = 0; g !== 0; bit++, g >>>= 1) if (g & 1) x ^= this.v[base + bit];
      out[d] = x >>> 0;
    }
  }

  /**
   * Point `index` in [0,1)^d. Unscrambled points are the exact dyadic fractions of the
   * published sequence; scrambled ones are centred in their 2^-32 cell so they never hit 0.
   */
  point(index: number, out: Float64Array): void {
    const ints = this.scratch;
    this.integerPoint(index, ints);
    const offset = this.scrambled ? 0.5 : 0;
    for (let d = 0; d < this.dimensions; d++) out[d] = (ints[d] + offset) / 4294967296;
  }
}
