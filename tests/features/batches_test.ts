import assert from "node:assert/strict";
import { listDataset } from "../../lib/data/dataset.ts";
import { batches, targetIndex, THREE_CLASSES } from "../../lib/features/batches.ts";
import { ImageCache } from "../../lib/features/preprocess.ts";
import { makeDataset, tempDir } from "../fixtures.ts";

Deno.test("targetIndex: the binary label with 2 classes; regular / chimeric / repeat with 3", () => {
  const s = (cls: string, label: "chimeric" | "non_chimeric") => ({ cls, label });
  assert.deepEqual(THREE_CLASSES, ["regular", "chimeric", "repeat"]);
  assert.equal(targetIndex(s("chimeric", "chimeric"), 2), 1);
  assert.equal(targetIndex(s("repeat", "non_chimeric"), 2), 0);
  assert.equal(targetIndex(s("chimeric", "chimeric"), 3), 1);
  assert.equal(targetIndex(s("regular", "non_chimeric"), 3), 0);
  assert.equal(targetIndex(s("repeat", "non_chimeric"), 3), 2);
  // another non-chimeric class goes with the regular reads; a positive class of another name
  // (--positive) is chimeric
  assert.equal(targetIndex(s("good", "non_chimeric"), 3), 0);
  assert.equal(targetIndex(s("split", "chimeric"), 3), 1);
});

Deno.test("batches with 3 classes: one-hot over regular / chimeric / repeat by class folder", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(dir, 3);
    const { samples } = await listDataset(dir);
    const cache = new ImageCache({ size: 8 });
    const byPath = new Map(samples.map((s) => [s.path, s.cls]));
    let seen = 0;
    for await (const b of batches(samples, cache, { batchSize: 4, classes: 3, seed: 2 })) {
      assert.equal(b.y.length, b.n * 3);
      b.paths.forEach((p, i) => {
        const want = [0, 0, 0];
        want[THREE_CLASSES.indexOf(byPath.get(p)!)] = 1;
        assert.deepEqual([...b.y.subarray(3 * i, 3 * i + 3)], want, p);
      });
      seen += b.n;
    }
    assert.equal(seen, 9);
  } finally {
    await cleanup();
  }
});
