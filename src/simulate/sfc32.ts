/**
 * The one pseudo-random generator of the project: sfc32 (Chris Doty-Humphrey's Small Fast Chaotic
 * generator, 128 bits of state). The engine's random functions and the experiment samplers each seed
 * it their own way, through subclasses; the stepping and the 53-bit doubles are shared here.
 */
export class Sfc32 {
  protected a = 0;
  protected b = 0;
  protected c = 0;
  protected d = 1;

  /** Set the state and discard the first `warmup` outputs (they are still close to the seed). */
  protected seedState(a: number, b: number, c: number, warmup: number): void {
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = 1;
    for (let i = 0; i < warmup; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }
}
