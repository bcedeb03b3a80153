import assert from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../lib/backend.ts";
import { CALLS_HEADER, chartClassifier, chartFeatures, formatCall } from "../lib/classify.ts";
import { main as pileogram, safeFileName } from "../lib/cli/pileogram.ts";
import { predict } from "../lib/evaluate.ts";
import { makeSource } from "../lib/inputs.ts";
import { buildModel } from "../lib/model.ts";
import { callsFromPaf, type ChartItem, type ReadCall } from "../lib/pileogram.ts";
import type { CachedSource } from "../lib/preprocess.ts";
import { tempDir, writeSynthPaf } from "./fixtures.ts";

await selectBackend({ quiet: true, threads: 1 });

Deno.test("charts drawn from a PAF give the model the same input as their PNG files", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf");
    const truth = await writeSynthPaf(paf, 2);
    const charts = join(dir, "charts");
    await pileogram(["--paf", paf, "--out", charts, "--quiet"]);
    const specs = [
      { kind: "curve", columns: 145 },
      { kind: "image", size: 64, resize: "area" },
    ] as const;
    for (const spec of specs) {
      const source = makeSource(spec);
      const fromPaf = new Map<string, Float32Array>();
      for await (
        const c of callsFromPaf(paf, { input: "grey", batchSize: 3 }, (items: ChartItem[]) => {
          const { x, ok } = chartFeatures(items, source);
          const size = x.length / items.length;
          items.forEach((it, i) => fromPaf.set(it.readId, x.slice(i * size, (i + 1) * size)));
          assert.ok(ok.every(Boolean));
          return Promise.resolve(items.map(() => 0.5));
        })
      ) {
        assert.equal(c.status === "ok", truth.has(c.readId), c.readId);
      }
      assert.deepEqual([...fromPaf.keys()].sort(), [...truth.keys()].sort());
      for (const [id, x] of fromPaf) {
        const png = join(charts, `${safeFileName(id)}.png`);
        const fromPng = await (source as CachedSource).get(png);
        assert.deepEqual(x, fromPng, `${spec.kind} features of ${id}`);
      }
    }
  } finally {
    await cleanup();
  }
});

Deno.test("chartClassifier: same P(chimeric) as predict on the PNG files", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf");
    const truth = await writeSynthPaf(paf, 2, 7);
    const charts = join(dir, "charts");
    await pileogram([
      "--paf",
      paf,
      "--out",
      charts,
      "--quiet",
      "--reads",
      [...truth.keys()].join(),
    ]);
    const model = buildModel("compact", { columns: 32, seed: 3 });
    const source = makeSource({ kind: "curve", columns: 32 });
    const calls: ReadCall[] = [];
    for await (
      const c of callsFromPaf(
        paf,
        { input: "grey", batchSize: 4, reads: truth.keys() },
        chartClassifier(model, source),
      )
    ) calls.push(c);
    assert.equal(calls.length, truth.size);
    const samples = calls.map((c) => ({
      path: join(charts, `${safeFileName(c.readId)}.png`),
      cls: "?",
      label: "non_chimeric" as const,
      readId: c.readId,
    }));
    const preds = await predict(model, samples, makeSource({ kind: "curve", columns: 32 }));
    calls.forEach((c, i) => {
      assert.ok(c.pChimeric! >= 0 && c.pChimeric! <= 1);
      assert.ok(Math.abs(c.pChimeric! - preds[i].p) < 1e-6, `${c.readId}`);
    });
    model.dispose();
  } finally {
    await cleanup();
  }
});

Deno.test("formatCall: model and rule columns; empty fields where nothing was called", () => {
  const base = { readId: "r1", readLen: 9000, nOverlaps: 12, median: 10 };
  const ok: ReadCall = { ...base, status: "ok", ruleScore: 0.75, ruleCall: true, pChimeric: 0.3 };
  assert.equal(CALLS_HEADER.length, 8);
  assert.equal(formatCall(ok, 0.5), "r1\t9000\t12\t0.3000\tnon_chimeric\t0.750\tchimeric\tok");
  assert.equal(formatCall(ok, 0.25).split("\t")[4], "chimeric");
  const few: ReadCall = {
    ...base,
    nOverlaps: 1,
    median: null,
    status: "too_few_overlaps",
    ruleScore: null,
    ruleCall: null,
  };
  assert.equal(formatCall(few, 0.5), "r1\t9000\t1\t\t\t\t\ttoo_few_overlaps");
  const noCurve = formatCall({ ...ok, pChimeric: NaN }, 0.5);
  assert.equal(noCurve, "r1\t9000\t12\t\t\t0.750\tchimeric\tno_curve");
  const ruleOnly = formatCall({ ...ok, pChimeric: undefined }, 0.5);
  assert.equal(ruleOnly, "r1\t9000\t12\t\t\t0.750\tchimeric\tok");
});
