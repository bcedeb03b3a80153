import assert from "node:assert/strict";
import { computeMetrics, confusion, formatMetrics, roc } from "../lib/evaluate.ts";

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
