// Seeded pseudo-random numbers for the demo assets. Everything the demo writes must be byte-identical on
// every machine, so only 32-bit integer arithmetic and correctly rounded float operations are used (no
// Math.random, no Math.log/cos whose last bits may differ between engines).

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state generator, fast and good enough for
 * weights and sampling. Returns uniform floats in [0, 1) with 32 bits of randomness.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic generator helpers on top of mulberry32. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /**
   * `count` values, zero mean, standard deviation `std`, uniform on [-√3·std, √3·std] (a Kaiming-uniform
   * style init; uniform rather than Gaussian so no transcendental function is needed).
   */
  uniformWeights(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    const half = Math.sqrt(3) * std;
    for (let i = 0; i < count; i++) out[i] = (this.next() * 2 - 1) * half;
    return out;
  }
}
