import assert from "node:assert/strict";
import type { Sample } from "../../lib/data/dataset.ts";
import { foldSplit, kFoldIndices, splitSamples } from "../../lib/data/split.ts";
import { listDataset } from "../../lib/data/dataset.ts";
import { HAS_REAL_DATA, REAL_DATA } from "../fixtures.ts";

/** Synthetic samples: `n` per class, plus `shared` read ids present in two classes. */
function samples(n: number, shared = 0): Sample[] {
  const out: Sample[] = [];
  for (const cls of ["chimeric", "regular", "repeat"]) {
    for (let i = 0; i < n; i++) {
      const readId = `r${cls}${i}`;
      out.push({
        path: `/d/${cls}/${readId}.png`,
        cls,
        label: cls === "chimeric" ? "chimeric" : "non_chimeric",
        readId,
      });
    }
  }
  for (let i = 0; i < shared; i++) {
    for (const cls of ["chimeric", "repeat"]) {
      out.push({
        path: `/d/${cls}/s${i}.png`,
        cls,
        label: cls === "chimeric" ? "chimeric" : "non_chimeric",
        readId: `s${i}`,
      });
    }
  }
  return out;
}

Deno.test("split is stratified: 25% of each label in test", () => {
  const rows = splitSamples(samples(400), { seed: 3 });
  const test = rows.filter((r) => r.split === "test");
  assert.equal(test.filter((r) => r.label === "chimeric").length, 100);
  assert.equal(test.filter((r) => r.label === "non_chimeric").length, 200);
  assert.equal(rows.length, 1200);
});

Deno.test("split is grouped: a read id never lands in both train and test", () => {
  const rows = splitSamples(samples(50, 30), { seed: 5 });
  const sides = new Map<string, Set<string>>();
  for (const r of rows) sides.set(r.readId, (sides.get(r.readId) ?? new Set()).add(r.split));
  for (const [, s] of sides) assert.equal(s.size, 1);
});

Deno.test("split is deterministic per seed and differs across seeds", () => {
  const a = splitSamples(samples(100), { seed: 1 });
  assert.deepEqual(splitSamples(samples(100), { seed: 1 }), a);
  assert.notDeepEqual(splitSamples(samples(100), { seed: 2 }), a);
  assert.throws(() => splitSamples(samples(10), { testFraction: 1.5 }), /testFraction/);
});

Deno.test("k-fold: every sample in one fold, folds balanced per label, read ids grouped", () => {
  const s = samples(100, 20);
  const folds = kFoldIndices(s, 5, 9);
  assert.equal(folds.length, s.length);
  for (let f = 0; f < 5; f++) {
    const inFold = s.filter((_, i) => folds[i] === f);
    const ch = inFold.filter((x) => x.label === "chimeric").length;
    assert.ok(Math.abs(ch - 24) <= 2, `fold ${f} has ${ch} chimeric`);
    const rows = foldSplit(s, folds, f);
    const trainIds = new Set(rows.filter((r) => r.split === "train").map((r) => r.readId));
    for (const r of rows.filter((r) => r.split === "test")) assert.ok(!trainIds.has(r.readId));
  }
  assert.deepEqual(kFoldIndices(s, 5, 9), folds);
  assert.throws(() => kFoldIndices(s, 1), /k must be/);
});

Deno.test({
  name: "real data: 75/25 split has 1050 chimeric and 2100 non_chimeric test rows (within 1%)",
  ignore: !HAS_REAL_DATA,
  fn: async () => {
    const { samples } = await listDataset(REAL_DATA);
    const rows = splitSamples(samples, { seed: 42 });
    const test = rows.filter((r) => r.split === "test");
    const ch = test.filter((r) => r.label === "chimeric").length;
    assert.ok(Math.abs(ch - 1050) <= 10.5, `${ch}`);
    assert.ok(Math.abs(test.length - ch - 2100) <= 21, `${test.length - ch}`);
  },
});
