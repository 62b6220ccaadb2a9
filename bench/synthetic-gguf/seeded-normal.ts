/**
 * @module bench/synthetic-gguf/seeded-normal
 * A small, fast, seeded source of normal deviates: sfc32 (a 128-bit-state
 * generator that passes PractRand) seeded through splitmix32, then
 * Box–Muller. Each tensor gets its own stream, derived from the seed and the
 * tensor's name, so its values do not depend on what was generated before it.
 */

/** Normal deviates, reproducible from (seed, stream). */
export class SeededNormal {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = "") {
    let state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ hashString(stream)) >>> 0;
    const next = () => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let warmUp = 0; warmUp < 12; warmUp += 1) this.nextUint32();
  }

  /** The next 32 random bits (sfc32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Fills `target` with normal deviates of mean 0 and standard deviation `deviation`. */
  fill(target: Float32Array, deviation: number): void {
    const length = target.length;
    for (let index = 0; index < length; index += 2) {
      // u1 in (0, 1] keeps the log finite; u2 in [0, 1).
      const u1 = (this.nextUint32() + 1) / 4294967296;
      const u2 = this.nextUint32() / 4294967296;
      const radius = deviation * Math.sqrt(-2 * Math.log(u1));
      const angle = 2 * Math.PI * u2;
      target[index] = radius * Math.cos(angle);
      if (index + 1 < length) target[index + 1] = radius * Math.sin(angle);
    }
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}
