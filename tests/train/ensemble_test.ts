import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { averagePredictions, combineModels } from "../../lib/train/ensemble.ts";
import { buildModel } from "../../lib/model/model.ts";
import { loadModel, saveModel } from "../../lib/model/modelio.ts";
import { tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

/** A compact model whose weights (batch-norm statistics included) differ by seed. */
function member(seed: number): tf.LayersModel {
  const m = buildModel("compact", { columns: 32, seed });
  for (const layer of m.layers.filter((l) => l.name.startsWith("bn"))) {
    const [gamma, beta, mean, variance] = layer.getWeights();
    layer.setWeights([gamma, beta, tf.fill(mean.shape, seed / 10), tf.fill(variance.shape, 2)]);
  }
  return m;
}

Deno.test("combineModels averages its members' probabilities and survives save/load", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const members = [member(1), member(2), member(3)];
    const both = await combineModels(members);
    assert.equal(both.countParams(), members.reduce((s, m) => s + m.countParams(), 0));
    const x = tf.randomUniform([4, 32, 5], 0, 1, "float32", 5);
    const each = members.map((m) => (m.predict(x) as tf.Tensor).arraySync() as number[][]);
    const mean = each[0].map((row, i) =>
      row.map((_, j) => (each[0][i][j] + each[1][i][j] + each[2][i][j]) / 3)
    );
    const got = (both.predict(x) as tf.Tensor).arraySync() as number[][];
    got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - mean[i][j]) < 1e-5)));
    await saveModel(both, join(dir, "e"), {
      model: "compact",
      input: { kind: "curve", columns: 32 },
      labels: ["non_chimeric", "chimeric"],
    });
    const loaded = (await loadModel(join(dir, "e"))).model;
    assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), got);
    // Members are left as they were.
    assert.deepEqual((members[0].predict(x) as tf.Tensor).arraySync(), each[0]);
  } finally {
    await cleanup();
  }
});

Deno.test("combineModels refuses one model and models of different input shapes", async () => {
  await assert.rejects(combineModels([member(1)]), /at least two models/);
  const other = buildModel("compact", { columns: 48 });
  await assert.rejects(
    combineModels([member(1), other]),
    /model 2: input shape \[null,48,5\] differs/,
  );
});

Deno.test("averagePredictions: the mean probability per file; mismatches are clear errors", () => {
  const a = [{ path: "x", y: 1, p: 0.2 }, { path: "y", y: 0, p: 0.6 }];
  const b = [{ path: "y", y: 0, p: 0.2 }, { path: "x", y: 1, p: 0.8 }];
  assert.deepEqual(averagePredictions([a, b]).map((p) => [p.path, p.y, +p.p.toFixed(6)]), [
    ["x", 1, 0.5],
    ["y", 0, 0.4],
  ]);
  assert.throws(() => averagePredictions([a, [b[0]]]), /x: missing from predictions 2/);
  assert.throws(() => averagePredictions([a, [{ ...b[1], y: 0 }, b[0]]]), /x: labels differ/);
  assert.deepEqual(averagePredictions([]), []);
});
