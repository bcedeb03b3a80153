import assert from "node:assert/strict";
import { join } from "node:path";
import { saveRunPlots, sweepRecords } from "../../lib/train/report.ts";
import { computeMetrics } from "../../lib/eval/evaluate.ts";
import type { History } from "../../lib/train/train.ts";
import type { CrossValResult, FoldResult, SweepRow } from "../../lib/train/crossval.ts";
import { PRESETS } from "../../lib/train/options.ts";
import { tempDir } from "../fixtures.ts";

const history: History = {
  steps: [1, 2, 3, 4].map((step) => ({ step, epoch: step <= 2 ? 1 : 2, loss: 1 / step, acc: 0.5 })),
  epochs: [
    { epoch: 1, loss: 0.7, acc: 0.55, valLoss: 0.68, valAcc: 0.6, valAuc: 0.65, seconds: 1 },
    { epoch: 2, loss: 0.5, acc: 0.75, valLoss: 0.55, valAcc: 0.7, valAuc: 0.8, seconds: 1 },
  ],
};

const preds = [0.9, 0.8, 0.3, 0.6, 0.2, 0.1, 0.4, 0.7].map((p, i) => ({
  path: `img${i}.png`,
  y: i < 4 ? 1 : 0,
  p,
}));

function fold(fold: number, accuracy: number): FoldResult {
  return {
    fold,
    n: 10,
    accuracy,
    auc: accuracy + 0.05,
    f1: accuracy,
    precision: 0.8,
    recall: 0.8,
    loss: 0.4,
    seconds: 1,
  };
}

function row(name: string, accs: number[]): SweepRow {
  const result: CrossValResult = {
    options: PRESETS.default,
    folds: accs.map((a, i) => fold(i + 1, a)),
    accuracy: { mean: 0, std: 0 },
    auc: { mean: 0, std: 0 },
    f1: { mean: 0, std: 0 },
  };
  return { setting: { lr: name }, name, result };
}

async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

async function assertPngs(paths: string[]): Promise<void> {
  for (const p of paths) {
    const head = (await Deno.readFile(p)).slice(0, 8);
    assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${p} is a PNG`);
    assert.match(await Deno.readTextFile(p.replace(/\.png$/, ".svg")), /<svg/);
  }
}

Deno.test("saveRunPlots: training curves, confusion matrix and ROC as SVG and PNG", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, "run", "eval");
    const written = await saveRunPlots(out, { history, metrics: computeMetrics(preds) });
    assert.deepEqual(
      written,
      ["training_curves", "confusion_matrix", "roc"].map((n) => join(out, `${n}.png`)),
    );
    assert.deepEqual(await listing(out), [
      "confusion_matrix.png",
      "confusion_matrix.svg",
      "roc.png",
      "roc.svg",
      "training_curves.png",
      "training_curves.svg",
    ], "nothing else (no temp files) is left");
    await assertPngs(written);
  } finally {
    await cleanup();
  }
});

Deno.test("saveRunPlots: skips what a run lacks (no epochs, one-class metrics)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    assert.deepEqual(await saveRunPlots(dir, {}), []);
    assert.deepEqual(await saveRunPlots(dir, { history: { steps: [], epochs: [] } }), []);
    // One class only: the AUC is undefined, so there is no ROC curve, only the matrix.
    const oneClass = computeMetrics(preds.map((p) => ({ ...p, y: 1 })));
    assert.ok(!Number.isFinite(oneClass.auc));
    const written = await saveRunPlots(dir, { metrics: oneClass });
    assert.deepEqual(written, [join(dir, "confusion_matrix.png")]);
    assert.deepEqual(await listing(dir), ["confusion_matrix.png", "confusion_matrix.svg"]);
  } finally {
    await cleanup();
  }
});

Deno.test("saveRunPlots: cross-validation accuracy and AUC spread", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const sweep = [row("1e-3", [0.8, 0.85, 0.9]), row("1e-4", [0.7, 0.75, 0.72])];
    const written = await saveRunPlots(dir, { sweep });
    assert.deepEqual(written, [join(dir, "cv_accuracy.png"), join(dir, "cv_auc.png")]);
    assert.deepEqual(await listing(dir), [
      "cv_accuracy.png",
      "cv_accuracy.svg",
      "cv_auc.png",
      "cv_auc.svg",
    ]);
    await assertPngs(written);
  } finally {
    await cleanup();
  }
});

Deno.test("sweepRecords: one record per configuration and fold", () => {
  const sweep = [row("a", [0.8, 0.9]), row("b", [0.6])];
  assert.deepEqual(sweepRecords(sweep, "accuracy"), [
    { config: "a", fold: 1, value: 0.8 },
    { config: "a", fold: 2, value: 0.9 },
    { config: "b", fold: 1, value: 0.6 },
  ]);
  assert.deepEqual(sweepRecords(sweep, "auc").map((r) => r.value), [
    0.8 + 0.05,
    0.9 + 0.05,
    0.6 + 0.05,
  ]);
  assert.deepEqual(sweepRecords([], "f1"), []);
});
