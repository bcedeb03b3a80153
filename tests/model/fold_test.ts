import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { foldablePairs, foldBatchNorm } from "../../lib/model/fold.ts";
import type { ModelJson } from "../../lib/model/topology.ts";
import { mulberry32 } from "../../lib/core/random.ts";

/** conv(no bias) > BN > relu > conv(bias, relu) > BN > flatten > dense > BN > dense softmax. */
function model(): tf.LayersModel {
  const x = tf.input({ shape: [12, 3] });
  let h = tf.layers.conv1d({ filters: 4, kernelSize: 3, useBias: false, name: "c1" }).apply(x);
  h = tf.layers.batchNormalization({ name: "bn1" }).apply(h);
  h = tf.layers.reLU().apply(h);
  h = tf.layers.conv1d({ filters: 5, kernelSize: 3, activation: "relu", name: "c2" }).apply(h);
  h = tf.layers.batchNormalization({ name: "bn2" }).apply(h); // after a ReLU: stays
  h = tf.layers.flatten().apply(h);
  h = tf.layers.dense({ units: 6, name: "d1" }).apply(h);
  h = tf.layers.batchNormalization({ name: "bn3", center: false }).apply(h);
  const y = tf.layers.dense({ units: 2, activation: "softmax", name: "out" }).apply(h);
  const m = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
  // moving statistics and affine terms far from the identity, so a wrong fold shows
  const rng = mulberry32(3);
  for (const l of m.layers) {
    l.setWeights(
      l.getWeights().map((w, i) => {
        const isVariance = l.getClassName() === "BatchNormalization" &&
          i === l.getWeights().length - 1;
        return tf.tensor(
          Float32Array.from({ length: w.size }, () => isVariance ? 0.2 + 2 * rng() : 2 * rng() - 1),
          w.shape,
        );
      }),
    );
  }
  return m;
}

Deno.test("foldBatchNorm: same predictions, the foldable normalisations gone, the rest kept", async () => {
  const m = model();
  const pairs = foldablePairs(m.toJSON(undefined, false) as unknown as ModelJson);
  assert.deepEqual([...pairs], [["bn1", "c1"], ["bn3", "d1"]]);
  const f = await foldBatchNorm(m);
  assert.notEqual(f, m);
  const names = f.layers.map((l) => l.name);
  assert.ok(!names.includes("bn1") && !names.includes("bn3") && names.includes("bn2"));
  const rng = mulberry32(9);
  const x = tf.tensor(Float32Array.from({ length: 32 * 36 }, () => 4 * rng() - 2), [32, 12, 3]);
  const a = (m.predict(x) as tf.Tensor).dataSync(), b = (f.predict(x) as tf.Tensor).dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 1e-5, `max |difference| ${worst}`);
  // the inputs differ enough that a fold ignoring the statistics would not pass
  assert.ok(Math.max(...a) - Math.min(...a) > 0.5);
  tf.dispose([x]);
  m.dispose();
  f.dispose();
});

Deno.test("foldBatchNorm: a model with nothing to fold is returned as it is", async () => {
  const x = tf.input({ shape: [4] });
  const y = tf.layers.dense({ units: 2, activation: "softmax" }).apply(x);
  const m = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
  assert.equal(await foldBatchNorm(m), m);
  m.dispose();
});
