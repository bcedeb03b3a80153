import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import {
  curvePlot,
  cvResults,
  cvSummary,
  dataUrl,
  imageGrid,
  scoreBars,
} from "../../lib/viz/plots.ts";
import { type HistoryLike, type HistoryLike as History } from "../../lib/viz/options.ts";
import { escapeXml } from "../../lib/viz/panel.ts";
import {
  classBalance,
  confusionMatrix,
  rocCurve,
  toClassCounts,
  toLabeledMatrix,
  trainingCurves,
} from "../../lib/viz/training.ts";
import { savePlot, svgToPng } from "../../lib/viz/save.ts";
import { roc as evalRoc } from "../../lib/eval/evaluate.ts";
import { LINE_CHANNELS } from "../../lib/features/chart_line.ts";

const history: HistoryLike = {
  epochs: [1, 2, 3].map((epoch) => ({
    epoch,
    loss: 1 / epoch,
    acc: 0.5 + epoch / 10,
    valLoss: 1.1 / epoch,
    valAcc: 0.45 + epoch / 10,
  })),
  steps: Array.from({ length: 30 }, (_, i) => ({ step: i + 1, loss: 1 / (i + 1), acc: 0.6 })),
};

/** Run `fn` while collecting console.warn calls (Observable Plot warns through it). */
function warnings(fn: () => void): string[] {
  const seen: string[] = [];
  const orig = console.warn;
  console.warn = (...a: unknown[]) => void seen.push(a.join(" "));
  try {
    fn();
  } finally {
    console.warn = orig;
  }
  return seen;
}

/** Every plot must be a standalone SVG document with a size. */
function assertStandalone(svg: string): void {
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
  assert.ok(svg.endsWith("</svg>"));
  assert.ok(!svg.includes("<figure"), "no HTML figure wrapper");
}

Deno.test("trainingCurves: epoch panels, train vs validation legend, per-step row", () => {
  const svg = trainingCurves(history);
  assertStandalone(svg);
  assert.ok(svg.includes("Training: epoch 3, loss 0.333, acc 0.800, val acc 0.750"));
  for (const s of ["train", "validation", "loss per step", "accuracy per step", "epoch"]) {
    assert.ok(svg.includes(s), s);
  }
  const noSteps = trainingCurves({ epochs: history.epochs });
  assert.ok(!noSteps.includes("per step"));
  const noVal = trainingCurves({ epochs: [{ epoch: 1, loss: 0.5, acc: 0.7 }] });
  assert.ok(!noVal.includes(">validation<"));
});

Deno.test("trainingCurves: live states (no epoch yet, nothing yet) draw without warnings", () => {
  const w = warnings(() => {
    for (let n = 0; n <= 5; n++) {
      const svg = trainingCurves({
        epochs: history.epochs.slice(0, n > 2 ? 1 : 0),
        steps: history.steps!.slice(0, n),
      });
      assertStandalone(svg);
    }
  });
  assert.deepEqual(w, []);
  assert.ok(trainingCurves({ epochs: [] }).includes("no training records yet"));
  assert.ok(trainingCurves({ epochs: [], steps: [{ step: 4, loss: 1 }] }).includes("step 4"));
});

Deno.test("trainingCurves: lib/train/train.ts histories of any length draw without warnings", () => {
  const full = (epochs: number, stepsPerEpoch: number, val: boolean): History => ({
    epochs: Array.from({ length: epochs }, (_, i) => ({
      epoch: i + 1,
      loss: 1 / (i + 1),
      acc: 0.6,
      seconds: 2,
      ...(val ? { valLoss: 0.9 / (i + 1), valAcc: 0.55, valAuc: 0.6 } : {}),
    })),
    steps: Array.from({ length: epochs * stepsPerEpoch }, (_, i) => ({
      step: i,
      epoch: Math.floor(i / stepsPerEpoch),
      loss: 1 / (i + 1),
      acc: (i % 3) / 2,
    })),
  });
  const w = warnings(() => {
    for (const [e, s] of [[1, 1], [1, 3], [2, 1], [3, 2], [30, 5]]) {
      for (const val of [true, false]) assertStandalone(trainingCurves(full(e, s, val)));
    }
  });
  assert.deepEqual(w, []);
});

Deno.test("confusionMatrix: binary counts, row shares and accuracy in the title", () => {
  const svg = confusionMatrix({ tp: 880, fp: 120, tn: 1900, fn: 150 });
  assertStandalone(svg);
  assert.ok(svg.includes("n = 3,050, accuracy 0.911"));
  for (const s of ["1,900", "94.1%", "880", "85.4%", "non_chimeric", "chimeric", "true class"]) {
    assert.ok(svg.includes(s), s);
  }
  assert.deepEqual(toLabeledMatrix({ tp: 1, fp: 2, tn: 3, fn: 4 }).matrix, [[3, 2], [4, 1]]);
  const three = confusionMatrix({
    labels: ["a", "b", "c"],
    matrix: [[1, 0, 0], [0, 2, 0], [0, 0, 3]],
  });
  assert.ok(three.includes("accuracy 1.000"));
  assert.deepEqual(warnings(() => confusionMatrix({ tp: 0, fp: 0, tn: 0, fn: 0 })), []);
});

Deno.test("rocCurve: AUC in the title; several curves get a legend and the mean AUC", () => {
  const roc = { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], auc: 0.85 };
  assert.ok(rocCurve(roc).includes("ROC curve (AUC = 0.850)"));
  const multi = rocCurve([{ name: "fold 1", roc }, { name: "fold 2", roc: { ...roc, auc: 0.75 } }]);
  assertStandalone(multi);
  assert.ok(multi.includes("mean AUC = 0.800"));
  assert.ok(multi.includes("fold 2 (AUC 0.750)"));
  // lib/eval/evaluate.ts curves plot as they are; degenerate curves (one point each) draw quietly.
  assert.ok(rocCurve(evalRoc([1, 0, 1, 0], [0.9, 0.2, 0.4, 0.6])).includes("AUC = 0.750"));
  const dots = [1, 2, 3].map((k) => ({ name: `fold ${k}`, roc: { fpr: [0], tpr: [0], auc: 0.5 } }));
  assert.deepEqual(warnings(() => assertStandalone(rocCurve(dots))), []);
});

Deno.test("classBalance: counts and shares per split, from records or nested objects", () => {
  const nested = {
    train: { chimeric: 30, non_chimeric: 60 },
    test: { chimeric: 10, non_chimeric: 20 },
  };
  const rows = toClassCounts(nested);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[0], { split: "train", label: "chimeric", count: 30 });
  const svg = classBalance(nested);
  assertStandalone(svg);
  for (const s of ["train", "test", "chimeric", "non_chimeric", "67%", "33%"]) {
    assert.ok(svg.includes(s), s);
  }
  assert.deepEqual(warnings(() => classBalance([{ split: "all", label: "x", count: 1 }])), []);
});

Deno.test("cvSummary / cvResults: mean ± sample std per configuration", () => {
  const recs = [0.8, 0.9, 1.0].map((value, i) => ({ config: "a", fold: i + 1, value }))
    .concat([{ config: "b", fold: 1, value: 0.5 }]);
  const s = cvSummary(recs);
  assert.equal(s.length, 2);
  assert.equal(s[0].config, "a");
  assert.ok(Math.abs(s[0].mean - 0.9) < 1e-12);
  assert.ok(Math.abs(s[0].std - 0.1) < 1e-12);
  assert.deepEqual([s[1].std, s[1].n], [0, 1]);
  const svg = cvResults(recs, { metric: "AUC" });
  assertStandalone(svg);
  assert.ok(svg.includes("0.900 ± 0.100"));
  assert.ok(svg.includes("Cross-validation AUC (mean ± std over 3 folds)"));
});

Deno.test("curvePlot: one panel per curve, channel legend, no warnings", () => {
  const columns = 12;
  const curve = (v: number) =>
    Float32Array.from({ length: columns * LINE_CHANNELS.length }, (_, j) => (j % 5 === 2 ? 1 : v));
  const w = warnings(() => {
    const svg = curvePlot([{ label: "chimeric · a<b", values: curve(0.3) }, {
      label: "flipped",
      values: curve(0.6),
      color: "#c62828",
    }]);
    assertStandalone(svg);
    assert.ok(svg.includes("Coverage curves: 12 positions × 5 channels"));
    for (
      const s of [...LINE_CHANNELS, "chimeric · a&lt;b", "flipped", "position along the read"]
    ) {
      assert.ok(svg.includes(s), s);
    }
    assertStandalone(curvePlot([]));
    const two = curvePlot([{ label: "x", values: [0, 1, 0.5, 0.5] }], { channels: ["a", "b"] });
    assert.ok(two.includes("2 positions × 2 channels"));
  });
  assert.deepEqual(w, []);
});

Deno.test("imageGrid: one <image> per picture with data URLs and escaped captions", async () => {
  const png = await sharp({
    create: { width: 30, height: 20, channels: 3, background: { r: 0, g: 0, b: 255 } },
  }).png().toBuffer();
  const bytes = new Uint8Array(png);
  assert.ok(dataUrl(bytes).startsWith("data:image/png;base64,iVBOR"));
  assert.ok(dataUrl(new Uint8Array([0xff, 0xd8, 0xff])).startsWith("data:image/jpeg"));
  const svg = imageGrid(
    [{ src: bytes, caption: "a<b" }, { src: dataUrl(bytes), caption: "x", color: "red" }, {
      src: bytes,
    }],
    { title: "Grid", columns: 2 },
  );
  assertStandalone(svg);
  assert.equal(svg.match(/<image /g)?.length, 3);
  assert.ok(svg.includes("a&lt;b"));
  assert.ok(svg.includes('fill="red"'));
  assert.ok(imageGrid([]).includes("no images"));
});

Deno.test("escapeXml escapes markup and quotes", () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
});

Deno.test("savePlot writes SVG and a 2x PNG in which text and lines are drawn", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const svg = rocCurve({ fpr: [0, 0.2, 1], tpr: [0, 0.9, 1], auc: 0.91 });
    const out = await savePlot(svg, join(dir, "sub", "roc"));
    assert.equal(await Deno.readTextFile(out.svg), svg);
    const meta = await sharp(out.png).metadata();
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    assert.equal(meta.width, 2 * w);
    // The title band must contain dark (text) pixels: fonts render.
    const title = await sharp(out.png).extract({ left: 0, top: 0, width: meta.width!, height: 60 })
      .greyscale().raw().toBuffer();
    const dark = title.filter((v) => v < 100).length;
    assert.ok(dark > 200, `title text should render (dark pixels: ${dark})`);
    const stats = await sharp(out.png).stats();
    assert.ok(stats.channels[0].min < 50 && stats.channels[0].max > 240);
    const names = [...Deno.readDirSync(join(dir, "sub"))].map((e) => e.name).sort();
    assert.deepEqual(names, ["roc.png", "roc.svg"], "no temp files left");
    const small = await svgToPng(svg, 72);
    assert.equal((await sharp(small).metadata()).width, w);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scoreBars: one bar per caller and metric, values written", () => {
  const svg = scoreBars([
    { caller: "call", metric: "precision", value: 0.995 },
    { caller: "rule", metric: "precision", value: 0.9 },
    { caller: "call", metric: "recall", value: 0.25 },
    { caller: "rule", metric: "recall", value: 0.5 },
  ], { title: "bench" });
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/<rect[^>]*fill="#4e79a7"/g) ?? []).length >= 2, true);
  for (const v of ["0.99", "0.90", "0.25", "0.50", "bench", "call", "rule"]) {
    assert.ok(svg.includes(`>${v}<`), v);
  }
});
