import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  buildModel,
  defaultInput,
  formatSummary,
  modelInput,
  summarize,
} from "../../lib/model/model.ts";
import { makeSource } from "../../lib/features/inputs.ts";
import { PREPROCESS_DEFAULTS } from "../../lib/features/preprocess.ts";
import { LINE_DEFAULTS } from "../../lib/features/chart_line.ts";
import { testBackend } from "../test_backend.ts";

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

Deno.test("compact: the layer table, 71,442 parameters, a seeded 2-way softmax", () => {
  const model = buildModel("compact");
  const s = summarize(model);
  assert.equal(s.totalParams, 71_442);
  assert.equal(s.trainableParams, 71_090, "batch norms' moving mean and variance are not trained");
  // conv1d kernel 5 without bias: 5 * in * out; batch norm: 4 per channel; dense: in * out + out
  assert.deepEqual(s.rows.map((r) => [r.layer, r.outputShape.join("x"), r.params]), [
    ["curve", "145x5", 0],
    ["conv1", "145x16", 5 * 5 * 16],
    ["bn1", "145x16", 4 * 16],
    ["relu1", "145x16", 0],
    ["pool1", "72x16", 0],
    ["conv2", "72x32", 5 * 16 * 32],
    ["bn2", "72x32", 4 * 32],
    ["relu2", "72x32", 0],
    ["pool2", "36x32", 0],
    ["conv3", "36x64", 5 * 32 * 64],
    ["bn3", "36x64", 4 * 64],
    ["relu3", "36x64", 0],
    ["pool3", "18x64", 0],
    ["conv4", "18x64", 5 * 64 * 64],
    ["bn4", "18x64", 4 * 64],
    ["relu4", "18x64", 0],
    ["pool4", "9x64", 0],
    ["flatten", "576", 0],
    ["dropout1", "576", 0],
    ["fc", "64", 576 * 64 + 64],
    ["dropout2", "64", 0],
    ["softmax", "2", 64 * 2 + 2],
  ]);
  // The weights follow the seed: same seed, same outputs; another seed, other outputs.
  const x = tf.tidy(() => tf.linspace(0, 1, 2 * 145 * 5).reshape([2, 145, 5]));
  const out = (m: tf.LayersModel) =>
    tf.tidy(() => (m.predict(x) as tf.Tensor).arraySync() as number[][]);
  const y = out(model);
  for (const row of y) assert.ok(Math.abs(row[0] + row[1] - 1) < 1e-5);
  assert.notDeepEqual(y[0], y[1], "the output depends on the input");
  const same = buildModel("compact");
  const other = buildModel("compact", { seed: 7 });
  assert.deepEqual(out(same), y);
  assert.notDeepEqual(out(other), y);
  for (const m of [model, same, other]) m.dispose();
  x.dispose();
});

Deno.test("compact width: filters and hidden units times the width, rounded", () => {
  const wide = summarize(buildModel("compact", { width: 2 }));
  const params = Object.fromEntries(wide.rows.map((r) => [r.layer, r.params]));
  assert.deepEqual(
    [params.conv1, params.conv2, params.conv3, params.conv4, params.fc, params.softmax],
    [5 * 5 * 32, 5 * 32 * 64, 5 * 64 * 128, 5 * 128 * 128, 1152 * 128 + 128, 128 * 2 + 2],
  );
  const narrow = summarize(buildModel("compact", { width: 0.75 }));
  assert.deepEqual(
    narrow.rows.filter((r) => r.layer.startsWith("conv") || r.layer === "fc")
      .map((r) => r.outputShape.at(-1)),
    [12, 24, 48, 48, 48],
  );
});

Deno.test("compact pool head: the flatten plus each last-block feature's mean and max", async () => {
  const model = buildModel("compact", { head: "pool" });
  const rows = Object.fromEntries(summarize(model).rows.map((r) => [r.layer, r]));
  assert.deepEqual(rows.global_mean.outputShape, [64]);
  assert.deepEqual(rows.global_max.outputShape, [64]);
  assert.deepEqual(rows.head.outputShape, [576 + 64 + 64]);
  assert.equal(rows.fc.params, 704 * 64 + 64);
  // README Results: 79,699 parameters with three classes, against 71,507 with the flatten alone.
  const three = (head: "flatten" | "pool") =>
    summarize(buildModel("compact", { head, classes: 3 })).totalParams;
  assert.deepEqual([three("pool"), three("flatten")], [79_699, 71_507]);
  const plain = summarize(buildModel("compact")).rows.map((r) => r.layer);
  assert.equal(plain.includes("global_mean") || plain.includes("head"), false);
  // The head is in the saved topology: the model rebuilt from its JSON computes the same.
  const x = tf.tidy(() => tf.linspace(0, 1, 2 * 145 * 5).reshape([2, 145, 5]));
  const again = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(undefined, false),
  } as tf.io.ModelJSON);
  again.setWeights(model.getWeights());
  const out = (m: tf.LayersModel) =>
    tf.tidy(() => (m.predict(x) as tf.Tensor).arraySync() as number[][]);
  assert.deepEqual(out(again), out(model));
  // @ts-expect-error: checking the run-time guard
  assert.throws(() => buildModel("compact", { head: "attention" }), /unknown head "attention"/);
  for (const m of [model, again]) m.dispose();
  x.dispose();
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

Deno.test("defaultInput: AlexNet reads the grey image, compact the pile in coverage units", () => {
  assert.deepEqual(defaultInput("alexnet"), {
    kind: "image",
    size: PREPROCESS_DEFAULTS.size,
    resize: PREPROCESS_DEFAULTS.resize,
  });
  assert.deepEqual(defaultInput("compact"), { kind: "pile", columns: LINE_DEFAULTS.columns });
  assert.deepEqual(makeSource(defaultInput("compact")).shape, [145, 5]);
  for (const m of ["alexnet", "compact"] as const) {
    assert.equal(defaultInput(m).kind, modelInput(m).kind, `${m}: matches the model's input kind`);
  }
});
