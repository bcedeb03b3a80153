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
