import assert from "node:assert/strict";
import {
  mulberry32,
  randomSeed,
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
