import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  areaUnder,
  callAt,
  computeMetrics,
  confusion,
  errorsByGroup,
  formatGroupErrors,
  formatMetrics,
  perClassMetrics,
  predictFeatures,
  roc,
} from "../../lib/eval/evaluate.ts";
import { buildModel } from "../../lib/model/model.ts";
import { flipSequence } from "../../lib/features/sequence.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

Deno.test("confusion matrix and derived metrics match a hand-computed example", () => {
  // y:  1    1    1    0    0    0    0    0
  // p: .9   .6   .35  .7   .2   .1   .4   .05  -> tp 2, fn 1, fp 1, tn 4
  const y = [1, 1, 1, 0, 0, 0, 0, 0];
  const p = [0.9, 0.6, 0.35, 0.7, 0.2, 0.1, 0.4, 0.05];
  assert.deepEqual(confusion(y, p), { tp: 2, fp: 1, tn: 4, fn: 1 });
  const m = computeMetrics(y.map((t, i) => ({ path: `f${i}`, y: t, p: p[i] })));
  assert.equal(m.accuracy, 6 / 8);
  assert.equal(m.precision, 2 / 3);
  assert.equal(m.recall, 2 / 3);
  assert.ok(Math.abs(m.f1 - 2 / 3) < 1e-12);
  // AUC: pairs (pos, neg) ranked correctly: .9 beats all 5; .6 beats 4 (not .7); .35 beats 3.
  assert.ok(Math.abs(m.auc - 12 / 15) < 1e-12);
  assert.deepEqual(m.misclassified.map((x) => x.path), ["f3", "f2"]);
  assert.match(formatMetrics(m), /accuracy\s+0\.7500/);
});

Deno.test("ROC: perfect, inverted and tied scores", () => {
  assert.equal(roc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]).auc, 1);
  assert.equal(roc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]).auc, 0);
  const tied = roc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]);
  assert.equal(tied.auc, 0.5);
  assert.deepEqual(tied.fpr, [0, 1]);
  assert.ok(Number.isNaN(roc([1, 1], [0.2, 0.3]).auc), "AUC undefined with one class");
});

Deno.test("loss is the mean cross-entropy; an empty set gives zeros and NaN, not a crash", () => {
  const m = computeMetrics([{ path: "a", y: 1, p: 0.5 }, { path: "b", y: 0, p: 0.5 }]);
  assert.ok(Math.abs(m.loss - Math.log(2)) < 1e-9);
  const e = computeMetrics([]);
  assert.equal(e.n, 0);
  assert.equal(e.accuracy, 0);
  assert.ok(Number.isNaN(e.loss));
});

Deno.test("predictFeatures: flip averaging is the mean of the sample's and its mirror's", () => {
  const model = buildModel("compact", { columns: 32, seed: 3 });
  const source = { shape: [32, 5], flip: (x: Float32Array) => flipSequence(x, 32, 5) };
  const n = 3;
  const x = Float32Array.from({ length: n * 160 }, (_, i) => (i * 37 % 101) / 101);
  const mirrored = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    mirrored.set(flipSequence(x.subarray(i * 160, (i + 1) * 160), 32, 5), i * 160);
  }
  const plain = predictFeatures(model, x, n, source, false);
  const flipped = predictFeatures(model, mirrored, n, source, false);
  const both = predictFeatures(model, x, n, source);
  assert.notDeepEqual(plain, flipped, "the untrained model is not symmetric");
  both.forEach((p, i) => assert.ok(Math.abs(p - (plain[i] + flipped[i]) / 2) < 1e-6));
  assert.deepEqual(predictFeatures(model, new Float32Array(0), 0, source), []);
  assert.equal(tf.memory().numTensors, model.weights.length, "no tensors left behind");
  model.dispose();
});

Deno.test("per-class metrics: each class in turn the positive one; empty classes give 0", () => {
  const round = (m: object) =>
    Object.values(m).map((v) => (typeof v === "number" ? +v.toFixed(12) : v));
  assert.deepEqual(perClassMetrics({ tp: 3, fp: 1, fn: 2, tn: 4 }).map(round), [
    ["chimeric", 0.75, 0.6, +(2 / 3).toFixed(12), 5],
    ["non_chimeric", +(4 / 6).toFixed(12), 0.8, +(8 / 11).toFixed(12), 5],
  ]);
  assert.deepEqual(perClassMetrics({ tp: 0, fp: 0, fn: 0, tn: 2 }).map((m) => m.f1), [0, 1]);
});

Deno.test("areaUnder: trapezoids, as the ROC AUC uses it", () => {
  assert.equal(areaUnder([0, 1], [0, 1]), 0.5);
  assert.equal(areaUnder([0, 0.5, 1], [0, 1, 1]), 0.75);
  assert.equal(areaUnder([0], [0]), 0);
  const r = roc([1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1]);
  assert.equal(areaUnder(r.fpr, r.tpr), r.auc);
  assert.equal(r.auc, 0.75);
});

Deno.test("errorsByGroup counts the wrong calls of each group at the threshold, largest first", () => {
  const preds = [
    { path: "d/chimeric/cn_1.png", y: 1, p: 0.9 },
    { path: "d/chimeric/cn_2.png", y: 1, p: 0.2 }, // missed
    { path: "d/repeat/cn_3.png", y: 0, p: 0.6 }, // called chimeric
    { path: "d/repeat/sc_4.png", y: 0, p: 0.1 },
    { path: "d/regular/sc_5.png", y: 0, p: 0.5 }, // p at the threshold counts as chimeric
  ];
  const species = (p: string) => p.split("/")[2].split("_")[0];
  assert.deepEqual(errorsByGroup(preds, species), [
    { group: "cn", n: 3, wrong: 2, errorRate: 2 / 3 },
    { group: "sc", n: 2, wrong: 1, errorRate: 0.5 },
  ]);
  const folder = (p: string) => p.split("/")[1];
  assert.deepEqual(errorsByGroup(preds, folder, 0.55).map((g) => [g.group, g.n, g.wrong]), [
    ["chimeric", 2, 1],
    ["repeat", 2, 1],
    ["regular", 1, 0],
  ]);
  assert.deepEqual(errorsByGroup([], folder), []);
  assert.deepEqual([callAt(0.5, 0.5), callAt(0.4999, 0.5), callAt(0.9, 0.95)], [1, 0, 0]);
  assert.equal(
    formatGroupErrors("by species:", errorsByGroup(preds, species)),
    [
      "by species:",
      "  group       n   wrong  error",
      "  cn          3       2  66.7 %",
      "  sc          2       1  50.0 %",
    ].join("\n"),
  );
});
