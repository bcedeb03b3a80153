import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bundleFor,
  inKernel,
  LiveDisplay,
  liveTraining,
  NOTEBOOK_DEFAULTS,
  quickMode,
  show,
  stepStatus,
  trainingHtml,
  view,
} from "../../lib/notebook/notebook.ts";
import {
  formatCell,
  showMetrics,
  showParameters,
  showSummary,
  showTable,
  summaryTable,
  tableHtml,
  tableText,
  toTableData,
} from "../../lib/notebook/tables.ts";
import { DATA_DEFAULTS, findData } from "../../lib/notebook/data.ts";
import type { ModelSummary } from "../../lib/model/model.ts";
import type { TrainCallbacks } from "../../lib/train/train.ts";
import { rocCurve } from "../../lib/viz/training.ts";
import { UserError } from "../../lib/core/errors.ts";

/** Run `fn` while collecting console.log output. */
async function logged(fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => void seen.push(a.join(" "));
  try {
    await fn();
  } finally {
    console.log = orig;
  }
  return seen;
}

const summary: ModelSummary = {
  name: "tiny",
  rows: [
    { layer: "conv", type: "Conv2D", outputShape: [8, 8, 4], params: 40 },
    { layer: "dense", type: "Dense", outputShape: [2], params: 1290 },
  ],
  totalParams: 1330,
  trainableParams: 1330,
};

Deno.test("outside a kernel: inKernel is false, quickMode follows CHIMERA_QUICK", () => {
  assert.equal(inKernel(), false);
  const before = Deno.env.get("CHIMERA_QUICK");
  try {
    Deno.env.set("CHIMERA_QUICK", "1");
    assert.equal(quickMode(), true);
    Deno.env.set("CHIMERA_QUICK", "0");
    assert.equal(quickMode(), false);
    Deno.env.delete("CHIMERA_QUICK");
    assert.equal(quickMode(), false);
  } finally {
    if (before !== undefined) Deno.env.set("CHIMERA_QUICK", before);
  }
});

Deno.test("bundleFor: SVG, HTML, text, PNG/JPEG bytes and raw bundles", () => {
  const svg = rocCurve({ fpr: [0, 1], tpr: [0, 1], auc: 0.5 });
  const b = bundleFor(svg);
  assert.equal(b["image/svg+xml"], svg);
  assert.equal(b["text/plain"], "[figure: ROC curve (AUC = 0.500)]");
  assert.ok(bundleFor(`<?xml version="1.0"?>\n<svg></svg>`)["image/svg+xml"]);
  const html = bundleFor({ html: "<table><tr><td>a &amp; b</td></tr></table>" });
  assert.equal(html["text/html"], "<table><tr><td>a &amp; b</td></tr></table>");
  assert.equal(html["text/plain"], "a & b");
  assert.deepEqual(bundleFor("plain"), { "text/plain": "plain" });
  const png = bundleFor(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  assert.equal(png["image/png"], btoa("\x89PNG"));
  assert.ok(bundleFor(new Uint8Array([0xff, 0xd8]))["image/jpeg"]);
  assert.deepEqual(bundleFor({ bundle: { "text/markdown": "# x" } }), { "text/markdown": "# x" });
});

Deno.test("view: the kernel's display symbol returns the bundle", () => {
  const v = view("<svg></svg>");
  const fn = v[Symbol.for("Jupyter.display")];
  assert.deepEqual(fn(), { "image/svg+xml": "<svg></svg>", "text/plain": "[figure]" });
});

Deno.test("show/showTable outside a kernel: text prints, pictures stay silent", async () => {
  const out = await logged(async () => {
    await show("hello");
    await show(rocCurve({ fpr: [0, 1], tpr: [0, 1], auc: 0.5 }));
    await show(new Uint8Array([0x89, 0x50]));
    await showTable([{ a: 1, b: "x" }], { caption: "T" });
    await showMetrics({ accuracy: 0.5, nested: { no: 1 } });
    await showSummary(summary);
    await showParameters({ QUICK: true, STEPS: null, N: 1200 });
  });
  assert.equal(out[0], "hello");
  assert.equal(out[1], "T\na  b\n1  x");
  assert.ok(out[2].includes("accuracy  0.5000"));
  assert.ok(!out[2].includes("nested"));
  assert.ok(out[3].startsWith("Model: tiny\nlayer"));
  assert.equal(
    out[4],
    "Parameters\nparameter  value\nQUICK      true\nSTEPS      null\nN          1,200",
  );
  assert.equal(out.length, 5);
  const prev = NOTEBOOK_DEFAULTS.fallback;
  NOTEBOOK_DEFAULTS.fallback = "silent";
  try {
    assert.deepEqual(await logged(() => show("quiet")), []);
  } finally {
    NOTEBOOK_DEFAULTS.fallback = prev;
  }
});

Deno.test("live displays outside a kernel: updates are no-ops, done prints its status", async () => {
  const h = { epochs: [{ epoch: 1, loss: 0.5, acc: 0.7 }] };
  const out = await logged(async () => {
    const d = new LiveDisplay();
    assert.ok(d.id.startsWith("chimera-"));
    await d.update("x");
    const live = liveTraining();
    await live.update(h, "step 1");
    await live.done(h, "finished");
  });
  assert.deepEqual(out, ["finished"]);
  const html = trainingHtml(h, "epoch <1>").html;
  assert.ok(
    html.startsWith('<div style="font-family:monospace;margin:4px 0">epoch &lt;1&gt;</div>'),
  );
  assert.ok(html.includes("<svg"));
});

Deno.test("tables: HTML escapes and right-aligns numbers, text aligns columns", () => {
  const rows = [{ name: "<b>", n: 12345, x: 0.123456 }, { name: "y", n: 2 }];
  const t = toTableData(rows);
  assert.deepEqual(t.columns, ["name", "n", "x"]);
  assert.deepEqual(t.rows[1], ["y", 2, undefined]);
  const html = tableHtml(rows, { caption: "C", digits: 2, footer: [["total", 12347, ""]] });
  assert.ok(html.includes("&lt;b&gt;"));
  assert.ok(html.includes('text-align:right;">12,345</td>'));
  assert.ok(html.includes(">0.12</td>"));
  assert.ok(html.includes('font-weight:bold;">12,347</td>'));
  assert.ok(html.includes("<caption"));
  assert.equal(tableText(rows, 2), "name  n       x\n<b>   12,345  0.12\ny     2");
  assert.equal(formatCell([1, 2.5], 1), "[1, 2.5]");
  assert.equal(formatCell(null), "");
  assert.equal(formatCell(NaN), "NaN");
});

Deno.test("summaryTable: layers, shapes, params and a totals footer", () => {
  const t = summaryTable(summary);
  assert.deepEqual(t.columns, ["layer", "type", "output shape", "params"]);
  assert.deepEqual(t.rows[0], ["conv", "Conv2D", "[8, 8, 4]", 40]);
  assert.deepEqual(t.footer[0], ["total", "", "", 1330]);
});

Deno.test("liveTraining callbacks fit lib/train/train.ts and collect the history", () => {
  const live = liveTraining({ epochs: 2 });
  const cb: TrainCallbacks = live.callbacks;
  cb.onStep!({ step: 1, epoch: 1, loss: 0.5, acc: 0.75 });
  cb.onStep!({ step: 2, epoch: 1, loss: 0.4, acc: 0.8 });
  const e = { epoch: 1, loss: 0.45, acc: 0.78, valAcc: 0.7, seconds: 1 };
  cb.onEpoch!(e, { epochs: [e], steps: [] });
  assert.equal(live.history.steps!.length, 2);
  assert.deepEqual(live.history.epochs, [e]);
  assert.equal(
    stepStatus({ step: 2, epoch: 1, loss: 0.4, acc: 0.8 }, 2),
    "epoch 1/2 · step 2 · loss 0.4000 · acc 0.800",
  );
  assert.equal(stepStatus({ step: 3, loss: 1 }), "step 3 · loss 1.0000");
});

Deno.test("findData: given folder, real set, data/<first folder>, else a cached synthetic set", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "finddata-" });
  try {
    const root = join(tmp, "repo");
    await Deno.mkdir(join(root, "data"), { recursive: true });
    await Deno.writeTextFile(join(root, "data/README.md"), "not a data set");
    // Nothing around: a synthetic set, generated once and then reused.
    const synth = await findData({ root, synthPerClass: 2 });
    assert.deepEqual(synth, {
      dir: join(root, DATA_DEFAULTS.synthDir, "synthetic-2"),
      source: "synthetic",
    });
    for (const cls of ["chimeric", "regular", "repeat"]) {
      assert.equal([...Deno.readDirSync(join(synth.dir, cls))].length, 2, cls);
    }
    const made = Deno.statSync(join(synth.dir, "truth.csv")).mtime;
    assert.deepEqual(await findData({ root, synthPerClass: 2 }), synth);
    assert.deepEqual(Deno.statSync(join(synth.dir, "truth.csv")).mtime, made, "reused");
    // A set in data/: the first folder by name.
    for (const name of ["b_set", "a_set"]) {
      await Deno.mkdir(join(root, "data", name, "chimeric"), { recursive: true });
    }
    assert.deepEqual(await findData({ root }), {
      dir: join(root, "data/a_set"),
      source: "data folder",
    });
    // The real set beside the checkout wins.
    const real = join(tmp, "shared/data/original_data");
    await Deno.mkdir(real, { recursive: true });
    assert.deepEqual(await findData({ root, data: "" }), { dir: real, source: "real set" });
    // Asked for: a folder (relative to the working directory) or the synthetic set.
    assert.deepEqual(await findData({ root, data: join(root, "data/b_set") }), {
      dir: join(root, "data/b_set"),
      source: "given folder",
    });
    assert.equal((await findData({ root, data: "synthetic", synthPerClass: 2 })).dir, synth.dir);
    await assert.rejects(
      findData({ root, data: join(tmp, "nope") }),
      (e) =>
        e instanceof UserError && e.message === `${join(tmp, "nope")}: data folder does not exist`,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

const REAL = new URL("../../../shared/data/original_data", import.meta.url).pathname;
Deno.test({
  name: "findData: by default the real set beside the checkout",
  ignore: !(await Deno.stat(REAL).then(() => true, () => false)),
  async fn() {
    assert.deepEqual(await findData(), { dir: REAL, source: "real set" });
  },
});
