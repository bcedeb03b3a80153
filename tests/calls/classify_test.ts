import assert from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../../lib/backend/backend.ts";
import {
  CALLS_HEADER,
  DEFAULT_CHART_MODEL,
  DEFAULT_MODEL,
  formatCall,
  pileClassifier,
} from "../../lib/calls/classify.ts";
import { main as pileogram, safeFileName } from "../../lib/cli/pileogram.ts";
import { predict } from "../../lib/eval/evaluate.ts";
import { makeSource } from "../../lib/features/inputs.ts";
import { buildModel } from "../../lib/model/model.ts";
import { callsFromPaf, type ReadCall } from "../../lib/calls/calls.ts";
import { PILE_CHANNEL_COUNT } from "../../lib/features/pile_features.ts";
import type { PileSource } from "../../lib/features/pile_source.ts";
import { listDataset } from "../../lib/data/dataset.ts";
import { loadModel } from "../../lib/model/modelio.ts";
import { makeDataset, tempDir, writeSynthPaf } from "../fixtures.ts";

await selectBackend({ quiet: true, threads: 1 });

Deno.test("calls from a PAF give the model the input of the PNGs drawn from it", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf");
    const truth = await writeSynthPaf(paf, 3);
    const charts = join(dir, "charts");
    await pileogram(["--paf", paf, "--out", charts, "--quiet"]);
    const fromPaf = new Map<string, Float32Array>();
    const item = 145 * PILE_CHANNEL_COUNT;
    const r = await callsFromPaf(paf, { reads: truth.keys(), batchSize: 4 }, (x, n) => {
      return Array.from({ length: n }, (_, i) => {
        const v = x.slice(i * item, (i + 1) * item);
        fromPaf.set(String(fromPaf.size), v);
        return 0.5;
      });
    });
    const called = r.calls.filter((c) => c.status === "ok");
    assert.equal(called.length, fromPaf.size);
    // the PNGs of the same reads, with D computed over the same reads
    const source = makeSource({ kind: "pile", columns: 145 }) as PileSource;
    const paths = called.map((c) => join(charts, `${safeFileName(c.readId)}.png`));
    await source.prepare(paths);
    const { images } = await source.getMany(paths);
    called.forEach((c, i) => {
      const a = fromPaf.get(String(i))!, b = images[i]!;
      // relative channels within the raster's precision (1.5 units of coverage in the top
      // and in the median, over D or the read's median), the read's extent equal
      const unit = 1.5 / 4;
      let m = Infinity; // the read's median, from a column where the line is above 0
      for (let k = 4; k < a.length; k += PILE_CHANNEL_COUNT) {
        if (a[k] > 0) m = Math.min(m, (a[k - 4] * r.depth) / a[k]);
      }
      for (let k = 0; k < a.length; k++) {
        const ch = k % PILE_CHANNEL_COUNT;
        const top = a[k - ch] * 4 * r.depth;
        let tol = unit / r.depth + 1e-6;
        if (ch === 4) tol = (unit / m) * (1 + top / m) + 1e-5;
        if (ch === 2) assert.equal(a[k], b[k], `${c.readId} valid at ${k}`);
        else if (ch !== 3 || top < 298) {
          assert.ok(Math.abs(a[k] - b[k]) <= tol, `${c.readId} channel ${ch}: ${a[k]} ${b[k]}`);
        }
      }
    });
    assert.ok(Math.abs(source.depthOf(paths[0])! - r.depth) < 0.5, `${r.depth}`);
  } finally {
    await cleanup();
  }
});

Deno.test("pileClassifier: flip-averaged P(chimeric) as predict gives for the same input", async () => {
  const model = buildModel("compact", { columns: 145, channels: PILE_CHANNEL_COUNT, seed: 3 });
  const classify = pileClassifier(model, { kind: "pile", columns: 145 }, "m");
  const x = new Float32Array(2 * 145 * 5).map((_, i) => (i % 7) / 7);
  const [p0, p1] = classify(x, 2);
  assert.notEqual(p0, p1);
  // the mirror image of a read gets the same flip-averaged probability
  const { flipSequence } = await import("../../lib/features/sequence.ts");
  const mirrored = new Float32Array(x.length);
  mirrored.set(flipSequence(x.subarray(0, 725), 145, 5));
  mirrored.set(flipSequence(x.subarray(725), 145, 5), 725);
  const [q0, q1] = classify(mirrored, 2);
  assert.ok(Math.abs(p0 - q0) < 1e-6 && Math.abs(p1 - q1) < 1e-6);
  assert.throws(
    () => pileClassifier(model, { kind: "curve", columns: 145 }, "old/model"),
    /old\/model: this model reads the curve input/,
  );
  model.dispose();
  assert.equal(typeof predict, "function");
});

Deno.test("formatCall: median, model, rule and primary call; empty fields where not called", () => {
  const base = { readId: "r1", readLen: 9000, nOverlaps: 12, median: 10 };
  const ok: ReadCall = {
    ...base,
    status: "ok",
    ruleScore: 0.75,
    ruleCall: true,
    pChimeric: 0.3,
    pCall: 0.91,
    call: true,
  };
  assert.equal(CALLS_HEADER.length, 11);
  assert.equal(
    formatCall(ok, 0.5),
    "r1\t9000\t12\t10.0\t0.3000\tnon_chimeric\t0.750\tchimeric\t0.9100\tchimeric\tok",
  );
  assert.equal(formatCall(ok, 0.25).split("\t")[5], "chimeric");
  const few: ReadCall = {
    ...base,
    nOverlaps: 1,
    median: null,
    status: "too_few_overlaps",
    ruleScore: null,
    ruleCall: null,
  };
  assert.equal(formatCall(few, 0.5), "r1\t9000\t1\t\t\t\t\t\t\t\ttoo_few_overlaps");
  assert.equal(
    formatCall({ ...few, status: "invalid" }, 0.5),
    "r1\t9000\t1\t\t\t\t\t\t\t\tinvalid",
  );
  const ruleOnly = formatCall(
    { ...ok, pChimeric: undefined, pCall: undefined, call: undefined },
    0.5,
  );
  assert.equal(ruleOnly, "r1\t9000\t12\t10.0\t\t\t0.750\tchimeric\t\t\tok");
});

/** The shipped model (models/compact) with its input, as `deno task classify` loads it. */
async function shipped() {
  return await loadModel(DEFAULT_MODEL);
}

/**
 * Asserts a model's P(chimeric) on the generated charts (two per class folder) against `want`:
 * [folder/file, label, P(chimeric)], P to 5e-6. Returns the model's metadata.
 */
async function assertPinnedCharts(modelFolder: string, want: [string, number, number][]) {
  const { dir, cleanup } = await tempDir();
  const { model, meta } = await loadModel(modelFolder);
  try {
    await makeDataset(join(dir, "data"), 2);
    const { samples } = await listDataset(join(dir, "data"));
    // the path of `deno task classify PATH...`: predict over the model's own input
    const preds = await predict(model, samples, makeSource(meta.input));
    const got = preds.map((p) => [p.path.split("/").slice(-2).join("/"), p.y, p.p]);
    assert.deepEqual(got.map((g) => g.slice(0, 2)), want.map((w) => w.slice(0, 2)));
    got.forEach((g, i) => {
      assert.ok(Math.abs((g[2] as number) - want[i][2]) < 5e-6, `${g[0]}: ${g[2]}`);
    });
    return meta;
  } finally {
    model.dispose();
    await cleanup();
  }
}

Deno.test("the shipped overlaps model's P(chimeric) on generated charts is pinned", async () => {
  await assertPinnedCharts(DEFAULT_MODEL, [
    ["chimeric/sp_1000.png", 1, 0.9144],
    ["chimeric/sp_1001.png", 1, 0.944736],
    ["regular/sp_1002.png", 0, 0.044753],
    ["regular/sp_1003.png", 0, 0.056132],
    ["repeat/sp_1004.png", 0, 0.221293],
    ["repeat/sp_1005.png", 0, 0.361483],
  ]);
});

Deno.test("the shipped chart model (three classes) P(chimeric) on generated charts is pinned", async () => {
  const meta = await assertPinnedCharts(DEFAULT_CHART_MODEL, [
    ["chimeric/sp_1000.png", 1, 0.836048],
    ["chimeric/sp_1001.png", 1, 0.852986],
    ["regular/sp_1002.png", 0, 0.041749],
    ["regular/sp_1003.png", 0, 0.064039],
    ["repeat/sp_1004.png", 0, 0.070328],
    ["repeat/sp_1005.png", 0, 0.164136],
  ]);
  assert.deepEqual(meta.labels, ["regular", "chimeric", "repeat"]);
});

Deno.test("classify --paf values: the shipped model's calls on simulated overlaps are pinned", async () => {
  const { dir, cleanup } = await tempDir();
  const { model, meta } = await shipped();
  try {
    const paf = join(dir, "ovl.paf");
    const truth = await writeSynthPaf(paf, 2);
    const r = await callsFromPaf(
      paf,
      { reads: truth.keys() },
      pileClassifier(model, meta.input, DEFAULT_MODEL),
    );
    assert.equal(r.depth, 22.5);
    // read, length, overlaps, median, P(chimeric), label, rule score, rule call, (no call), status
    assert.deepEqual(r.calls.map((c) => formatCall(c, 0.5)), [
      "s0_1\t14844\t128\t24.0\t0.1712\tnon_chimeric\t0.250\tnon_chimeric\t\t\tok",
      "s0_1000001\t5497\t48\t28.1\t0.0583\tnon_chimeric\t0.071\tnon_chimeric\t\t\tok",
      "s0_1000002\t3781\t32\t17.5\t0.3659\tnon_chimeric\t0.111\tnon_chimeric\t\t\tok",
      "s0_2\t7028\t74\t21.0\t0.8350\tchimeric\t0.571\tnon_chimeric\t\t\tok",
      "s0_2000001\t4430\t55\t21.0\t0.0801\tnon_chimeric\t0.000\tnon_chimeric\t\t\tok",
      "s0_2000002\t8176\t115\t39.2\t0.0634\tnon_chimeric\t0.051\tnon_chimeric\t\t\tok",
    ]);
  } finally {
    model.dispose();
    await cleanup();
  }
});
