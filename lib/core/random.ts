/**
 * Seeded pseudo-random numbers, so every shuffle, split and augmentation is reproducible.
 * @module
 */

/** A function returning uniform floats in [0, 1). */
export type Rng = () => number;

/** Mulberry32: a small, fast, seedable 32-bit generator. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh random seed (for runs that print their seed so they can be reproduced). */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % 1_000_000_000;
}

/** A standard normal draw (Box-Muller) from `rng`. */
export function sampleNormal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: the log is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Gamma(`shape`, 1) draw from `rng` (Marsaglia and Tsang; shape < 1 by the boost U^(1/shape)). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new RangeError(`sampleGamma: shape ${shape} is not > 0`);
  if (shape < 1) return sampleGamma(shape + 1, rng) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = sampleNormal(rng);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng();
    if (Math.log(u) < z * z / 2 + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(`a`, `b`) draw from `rng` (two Gamma draws). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng), y = sampleGamma(b, rng);
  return x + y > 0 ? x / (x + y) : 0.5;
}

/** Shuffle `items` in place with Fisher-Yates using `rng`; returns the same array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Run `fn` with `Math.random` drawing from a generator seeded with `seed`, then restore it.
 * tfjs draws unseeded random numbers (dropout masks) from `Math.random`; a fixed dropout seed
 * would reuse one mask forever, so training steps run inside this scope to be reproducible.
 * `fn` is synchronous on purpose: across an await, other tasks would draw from (and advance)
 * the seeded generator.
 */
export function withSeededMathRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = mulberry32(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
