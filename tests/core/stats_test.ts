import assert from "node:assert/strict";
import { median, medianInPlace, selectKth } from "../../lib/core/stats.ts";
import { mulberry32 } from "../../lib/core/random.ts";

Deno.test("selectKth gives what a sort gives, for every k, with ties and sorted input", () => {
  const rng = mulberry32(5);
  const cases: number[][] = [
    [3],
    [2, 1],
    [5, 5, 5, 5],
    Array.from({ length: 50 }, (_, i) => i),
    Array.from({ length: 50 }, (_, i) => 50 - i),
    Array.from({ length: 101 }, () => Math.floor(rng() * 7)),
    Array.from({ length: 300 }, () => rng() * 1000 - 500),
  ];
  for (const c of cases) {
    const sorted = Float64Array.from(c).sort();
    for (let k = 0; k < c.length; k++) {
      const v = Float64Array.from(c);
      assert.equal(selectKth(v, k), sorted[k], `k ${k} of [${c.slice(0, 8)}...]`);
      for (let i = 0; i < k; i++) assert.ok(v[i] <= v[k]);
      for (let i = k + 1; i < c.length; i++) assert.ok(v[i] >= v[k]);
    }
  }
  assert.throws(() => selectKth(new Float64Array(3), 3), RangeError);
});

Deno.test("medianInPlace: middle value, mean of the two middle ones, 0 when empty, prefix n", () => {
  assert.equal(medianInPlace(Float64Array.from([9, 1, 5])), 5);
  assert.equal(medianInPlace(Float64Array.from([9, 1, 5, 2])), 3.5);
  assert.equal(medianInPlace(Float64Array.from([4, 4, 1, 4])), 4);
  assert.equal(medianInPlace(new Float64Array(0)), 0);
  assert.equal(medianInPlace(Float64Array.from([7, 3, 100, 100]), 2), 5);
});

Deno.test("median of odd and even lists, input untouched", () => {
  const xs = [5, 1, 3];
  assert.equal(median(xs), 3);
  assert.deepEqual(xs, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});
