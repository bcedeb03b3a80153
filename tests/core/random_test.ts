import assert from "node:assert/strict";
import {
  mulberry32,
  randomSeed,
  sampleBeta,
  sampleGamma,
  sampleNormal,
  shuffleInPlace,
  withSeededMathRandom,
} from "../../lib/core/random.ts";

Deno.test("mulberry32 is deterministic per seed and stays in [0, 1)", () => {
  const a = mulberry32(42), b = mulberry32(42), c = mulberry32(43);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(Array.from({ length: 1000 }, () => b()), xs);
  assert.notDeepEqual(Array.from({ length: 1000 }, () => c()), xs);
  for (const x of xs) assert.ok(x >= 0 && x < 1, `${x} out of range`);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean} far from 0.5`);
  assert.ok(new Set(xs).size > 990, "values do not repeat");
  // Seeds are taken as unsigned 32-bit integers.
  assert.equal(mulberry32(-1)(), mulberry32(2 ** 32 - 1)());
});

Deno.test("randomSeed gives integers below 1e9", () => {
  for (let i = 0; i < 20; i++) {
    const s = randomSeed();
    assert.ok(Number.isInteger(s) && s >= 0 && s < 1_000_000_000, String(s));
  }
});

Deno.test("shuffleInPlace permutes in place, reproducibly", () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const out = shuffleInPlace(items, mulberry32(7));
  assert.equal(out, items, "returns the same array");
  assert.deepEqual([...items].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(items, Array.from({ length: 50 }, (_, i) => i));
  const again = shuffleInPlace(Array.from({ length: 50 }, (_, i) => i), mulberry32(7));
  assert.deepEqual(again, items);
  assert.deepEqual(shuffleInPlace([], mulberry32(1)), []);
  assert.deepEqual(shuffleInPlace(["x"], mulberry32(1)), ["x"]);
});

Deno.test("withSeededMathRandom seeds Math.random and restores it, even on throw", () => {
  const original = Math.random;
  const drawn = withSeededMathRandom(5, () => [Math.random(), Math.random()]);
  const ref = mulberry32(5);
  assert.deepEqual(drawn, [ref(), ref()]);
  assert.equal(Math.random, original);
  assert.throws(
    () =>
      withSeededMathRandom(5, () => {
        throw new Error("sync boom");
      }),
    /sync boom/,
  );
  assert.equal(Math.random, original);
});

/** Mean and variance of `n` draws. */
function moments(n: number, draw: () => number): { mean: number; variance: number } {
  let sum = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

Deno.test("sampleNormal, sampleGamma, sampleBeta: their means and variances, reproducibly", () => {
  const n = 40_000;
  // each mean within 5 standard errors (sd / sqrt(n)): a wrong sampler is off by far more
  const near = (got: number, want: number, sd: number, what: string) =>
    assert.ok(Math.abs(got - want) < 5 * sd / Math.sqrt(n), `${what}: ${got} vs ${want}`);
  const rng1 = mulberry32(1);
  const z = moments(n, () => sampleNormal(rng1));
  near(z.mean, 0, 1, "normal mean");
  for (const shape of [0.2, 1, 3.5]) {
    const rng = mulberry32(2);
    const g = moments(n, () => sampleGamma(shape, rng));
    near(g.mean, shape, Math.sqrt(shape), `gamma(${shape}) mean`);
    assert.ok(
      Math.abs(g.variance - shape) < 0.1 * shape + 0.02,
      `gamma(${shape}) var ${g.variance}`,
    );
  }
  for (const [a, b] of [[0.2, 0.2], [2, 5]]) {
    const rng = mulberry32(3);
    const draws: number[] = [];
    const m = moments(n, () => {
      const x = sampleBeta(a, b, rng);
      draws.push(x);
      return x;
    });
    const mean = a / (a + b), variance = a * b / ((a + b) ** 2 * (a + b + 1));
    near(m.mean, mean, Math.sqrt(variance), `beta(${a}, ${b}) mean`);
    assert.ok(draws.every((x) => x >= 0 && x <= 1));
  }
  // Beta(0.2, 0.2) puts most of its mass near 0 and 1 (mixup's usual setting)
  const r = mulberry32(4);
  const ends = Array.from({ length: 1000 }, () => sampleBeta(0.2, 0.2, r))
    .filter((x) => x < 0.1 || x > 0.9).length;
  assert.ok(ends > 600, `${ends} of 1000 near the ends`);
  assert.equal(sampleGamma(2, mulberry32(9)), sampleGamma(2, mulberry32(9)));
  assert.throws(() => sampleGamma(0, mulberry32(1)), /shape 0 is not > 0/);
});
