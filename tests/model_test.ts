import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, formatSummary, summarize } from "../lib/model.ts";
import { testBackend } from "./test_backend.ts";

await testBackend();

Deno.test("alexnet: the thesis layout with 62,357,114 parameters and a 2-way softmax", () => {
  const model = buildModel("alexnet");
  const s = summarize(model);
  assert.equal(s.totalParams, 62_357_114);
  assert.equal(s.trainableParams, 62_357_114);
  const byName = Object.fromEntries(s.rows.map((r) => [r.layer, r]));
  assert.deepEqual(byName.conv1.outputShape, [54, 54, 96]);
  assert.equal(byName.conv1.params, 11 * 11 * 96 + 96);
  assert.deepEqual(byName.pool5.outputShape, [6, 6, 256]);
  assert.equal(byName.fc6.params, 9216 * 4096 + 4096);
  assert.deepEqual(byName.softmax.outputShape, [2]);
  const text = formatSummary(s);
  assert.match(text, /Total params: 62,357,114/);
  assert.match(text, /conv1 \(Conv2D\)\s+\[54, 54, 96\]\s+11,712/);
  model.dispose();
});

Deno.test("compact: well under 1M parameters, 2-way softmax output summing to 1", () => {
  const model = buildModel("compact");
  const s = summarize(model);
  assert.ok(s.totalParams < 1_000_000, `${s.totalParams}`);
  const shape = model.inputs[0].shape.slice(1) as number[];
  const y = tf.tidy(() =>
    (model.predict(tf.zeros([2, ...shape])) as tf.Tensor).arraySync() as number[][]
  );
  assert.equal(y.length, 2);
  for (const row of y) assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-5);
  model.dispose();
});

Deno.test("a wrong input shape and an unknown model are clear errors", () => {
  const model = buildModel("compact");
  const shape = model.inputs[0].shape.slice(1) as number[];
  assert.throws(
    () => model.predict(tf.zeros([1, shape[0] + 3, ...shape.slice(1)])),
    /expected|shape/i,
  );
  // @ts-expect-error: checking the run-time guard
  assert.throws(() => buildModel("vgg"), /unknown model "vgg"/);
  model.dispose();
});
