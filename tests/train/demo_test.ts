import assert from "node:assert/strict";
import { join } from "node:path";
import { runDemo } from "../../lib/train/demo.ts";
import { readJson, statOrNull } from "../../lib/core/fs.ts";
import type { Metrics } from "../../lib/eval/evaluate.ts";
import { tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

Deno.test("demo: synthesises, splits, trains, evaluates and plots into its run folder", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, "demo");
    const r = await runDemo({ out, perClass: 8, epochs: 2, progress: false });
    assert.equal(r.history.epochs.length, 2);
    assert.equal(r.metrics.n, 6, "a quarter of 24 charts is tested");
    // The test metrics are those of the last epoch's validation (same model, same split) and
    // agree with the confusion matrix and the list of misclassified charts.
    const last = r.history.epochs[1];
    assert.deepEqual([r.metrics.accuracy, r.metrics.auc], [last.valAcc, last.valAuc]);
    const c = r.metrics.confusion;
    assert.equal(c.tp + c.tn + c.fp + c.fn, 6);
    assert.equal(r.metrics.accuracy, (c.tp + c.tn) / 6);
    assert.equal(r.metrics.misclassified.length, c.fp + c.fn);
    for (const f of ["manifest.csv", "metrics.json", "model/model.json", "training_curves.png"]) {
      assert.ok(await statOrNull(join(out, f)), f);
    }
    const saved = await readJson<Metrics>(join(out, "metrics.json"));
    assert.deepEqual([saved.accuracy, saved.auc, saved.confusion], [
      r.metrics.accuracy,
      r.metrics.auc,
      r.metrics.confusion,
    ]);
    assert.ok(r.plots.length >= 3);
    // A second run reuses the synthetic charts already written.
    const before = (await Deno.stat(join(r.dataDir, "truth.csv"))).mtime;
    await runDemo({ out, perClass: 8, epochs: 1, progress: false });
    assert.deepEqual((await Deno.stat(join(r.dataDir, "truth.csv"))).mtime, before);
  } finally {
    await cleanup();
  }
});
