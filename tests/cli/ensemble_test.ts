import assert from "node:assert/strict";
import { join } from "node:path";
import { buildModel } from "../../lib/model/model.ts";
import { loadModel, saveModel } from "../../lib/model/modelio.ts";
import { readJson } from "../../lib/core/fs.ts";
import { tempDir } from "../fixtures.ts";
import { assertUserError, runCli } from "./run.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

const META = {
  model: "compact",
  input: { kind: "curve" as const, columns: 32 },
  labels: ["non_chimeric", "chimeric"],
};

Deno.test("ensemble CLI: combines run folders into one model; bad inputs are clear", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    for (const [name, seed] of [["a", 1], ["b", 2]] as const) {
      await saveModel(buildModel("compact", { columns: 32, seed }), join(dir, name, "model"), META);
    }
    const out = join(dir, "both");
    const r = await runCli("ensemble", ["--out", out, join(dir, "a"), join(dir, "b")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /combined 2 models \(\d+ parameters\)/);
    const { meta, model } = await loadModel(out);
    assert.equal(model.countParams(), 2 * buildModel("compact", { columns: 32 }).countParams());
    assert.deepEqual(meta.input, META.input);
    assert.equal((meta.ensemble as unknown[]).length, 2);
    await saveModel(
      buildModel("compact", { columns: 48 }),
      join(dir, "c"),
      { ...META, input: { kind: "curve", columns: 48 } },
    );
    assertUserError(
      await runCli("ensemble", ["--out", join(dir, "x"), join(dir, "a"), join(dir, "c")]),
      /c: input \{"kind":"curve","columns":48\} differs/,
    );
    assertUserError(await runCli("ensemble", ["--out", out, join(dir, "a")]), /at least two/);
    assertUserError(await runCli("ensemble", [join(dir, "a"), join(dir, "b")]), /missing --out/);
  } finally {
    await cleanup();
  }
});

Deno.test("ensemble CLI --cv: per-fold and mean figures of averaged out-of-fold predictions", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // Two runs over the same two folds; each alone gets one file wrong, together none.
    const runs = {
      r1: [[["x1", 1, 0.9], ["x2", 0, 0.6]], [["y1", 1, 0.8], ["y2", 0, 0.1]]],
      r2: [[["x1", 1, 0.7], ["x2", 0, 0.2]], [["y1", 1, 0.4], ["y2", 0, 0.2]]],
    };
    for (const [name, folds] of Object.entries(runs)) {
      for (const [f, preds] of folds.entries()) {
        await Deno.mkdir(join(dir, name, `fold-${f}`), { recursive: true });
        await Deno.writeTextFile(
          join(dir, name, `fold-${f}`, "fold.json"),
          JSON.stringify({ predictions: preds.map(([path, y, p]) => ({ path, y, p })) }),
        );
      }
    }
    const r = await runCli("ensemble", [
      "--cv",
      `${join(dir, "r1")},${join(dir, "r2")}`,
      "--out",
      join(dir, "e"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^fold\tn\taccuracy\tauc\tf1\n0\t2\t1\.0000\t1\.0000\t1\.0000\n/);
    assert.match(r.stdout, /ensemble of 2: accuracy 1\.0000 ± 0\.0000, AUC 1\.0000/);
    const saved = await readJson<{ members: number }>(join(dir, "e", "ensemble_cv.json"));
    assert.equal(saved.members, 2);
    assertUserError(
      await runCli("ensemble", ["--cv", join(dir, "none")]),
      /none: no finished folds/,
    );
  } finally {
    await cleanup();
  }
});
