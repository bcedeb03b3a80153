import assert from "node:assert/strict";
import { join } from "node:path";
import { listDataset } from "../../lib/data/dataset.ts";
import {
  bestSetting,
  configFolder,
  crossValidate,
  type CrossValKey,
  crossValKey,
  type CrossValResult,
  formatSweepCsv,
  gridCombinations,
  parseGrid,
  settingName,
  spread,
  sweepGrid,
  type SweepRow,
} from "../../lib/train/crossval.ts";
import type { Prediction } from "../../lib/eval/evaluate.ts";
import { PRESETS, type TrainOptions } from "../../lib/train/options.ts";
import { readJson, statOrNull } from "../../lib/core/fs.ts";
import { UserError } from "../../lib/core/errors.ts";
import { kFoldIndices } from "../../lib/data/split.ts";
import { makeDataset, tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

const OPTIONS: TrainOptions = {
  ...PRESETS.default,
  model: "compact",
  epochs: 1,
  batchSize: 8,
  input: { kind: "curve", columns: 32 },
};

Deno.test("spread is the mean and sample standard deviation", () => {
  assert.deepEqual(spread([1, 1, 1]), { mean: 1, std: 0 });
  const s = spread([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
});

Deno.test("grid parsing, combinations, settings and bad grids", () => {
  const g = parseGrid("lr=1e-4,3e-4 batch=32,64 model=compact");
  assert.deepEqual(g, { lr: ["1e-4", "3e-4"], batch: ["32", "64"], model: ["compact"] });
  const combos = gridCombinations(g);
  assert.equal(combos.length, 4);
  assert.deepEqual(combos[0], { lr: "1e-4", batch: "32", model: "compact" });
  assert.equal(settingName({ lr: "1e-4", batch: "32" }), "lr=1e-4_batch=32");
  assert.deepEqual(gridCombinations({}), [{}]);
  assert.throws(() => parseGrid("foo=1"), /unknown key "foo"/);
  assert.throws(() => parseGrid("lr"), /not key=v1,v2/);
});

Deno.test("cross-validation: per-fold results, out-of-fold predictions, resumes finished folds", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 6);
    const { samples } = await listDataset(join(dir, "data"));
    const out = join(dir, "cv");
    const folds: number[] = [];
    const r = await crossValidate({
      samples,
      options: OPTIONS,
      cv: { k: 3 },
      outDir: out,
      onFold: (f) => folds.push(f.fold),
    });
    assert.ok(r);
    assert.equal(r.folds.length, 3);
    assert.deepEqual(folds, [0, 1, 2]);
    assert.equal(r.folds.reduce((s, f) => s + f.n, 0), samples.length);
    // Each fold's accuracy is the share of its out-of-fold predictions on the right side of 0.5.
    for (const f of r.folds) {
      const { predictions } = await readJson<{ predictions: Prediction[] }>(
        join(out, `fold-${f.fold}`, "fold.json"),
      );
      assert.equal(predictions.length, f.n);
      const right = predictions.filter((p) => (p.p >= 0.5 ? 1 : 0) === p.y).length;
      assert.equal(f.accuracy, right / f.n);
    }
    const oof = (await Deno.readTextFile(join(out, "oof.csv"))).trim().split("\n");
    assert.equal(oof[0], "path,label,p_chimeric,fold");
    assert.equal(oof.length, samples.length + 1);
    // A second run reads every finished fold back instead of retraining.
    const mtime = (await Deno.stat(join(out, "fold-0", "fold.json"))).mtime;
    const again = await crossValidate({ samples, options: OPTIONS, cv: { k: 3 }, outDir: out });
    assert.deepEqual(again, r);
    assert.deepEqual((await Deno.stat(join(out, "fold-0", "fold.json"))).mtime, mtime);
    assert.ok(await statOrNull(join(out, "result.json")));
    const saved = await readJson<{ folds: unknown[] }>(join(out, "result.json"));
    assert.equal(saved.folds.length, 3);
    const rows: SweepRow[] = [{ setting: { lr: "0.001" }, name: "lr=0.001", result: r }];
    assert.match(
      formatSweepCsv(rows),
      /^lr,acc_mean,acc_std,auc_mean,auc_std,f1_mean,f1_std,folds\n0\.001,/,
    );
    assert.equal(bestSetting(rows)?.name, "lr=0.001");
  } finally {
    await cleanup();
  }
});

Deno.test("a cross-validation folder refuses other options, data or folds than it was made with", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 4);
    const { samples } = await listDataset(join(dir, "data"));
    const out = join(dir, "cv");
    const o = { ...OPTIONS, stepsPerEpoch: 1 };
    const r = await crossValidate({ samples, options: o, cv: { k: 2 }, outDir: out });
    assert.ok(r);
    const key = await readJson<CrossValKey>(join(out, "cv_key.json"));
    assert.deepEqual(key, await crossValKey(samples, o, { k: 2, seed: 1 }));
    // options added after keys were kept are in the key only when on: older folders stay valid
    for (const k of ["mixup", "gce", "classes", "teacher", "distill", "width", "head"]) {
      assert.equal(k in key.options, false, k);
    }
    const three = await crossValKey(samples, { ...o, classes: 3 }, { k: 2, seed: 1 });
    assert.equal(three.options.classes, 3);
    const withMixup = await crossValKey(samples, { ...o, mixup: 0.2 }, { k: 2, seed: 1 });
    assert.equal(withMixup.options.mixup, 0.2);
    const refused = (what: string) => (err: Error) =>
      err instanceof UserError && err.message.startsWith(`${out}: made with `) &&
      err.message.includes(what);
    await assert.rejects(
      crossValidate({ samples, options: { ...o, lr: 1e-4 }, cv: { k: 2 }, outDir: out }),
      refused("lr 0.0001 (saved 0.003)"),
    );
    await assert.rejects(
      crossValidate({ samples, options: { ...o, mixup: 0.2 }, cv: { k: 2 }, outDir: out }),
      refused("mixup 0.2 (saved 0)"),
    );
    await assert.rejects(
      crossValidate({ samples, options: o, cv: { k: 3 }, outDir: out }),
      refused("k 3 (saved 2)"),
    );
    await assert.rejects(
      crossValidate({ samples, options: o, cv: { k: 2, seed: 2 }, outDir: out }),
      refused("seed 2 (saved 1)"),
    );
    await assert.rejects(
      crossValidate({ samples: samples.slice(1), options: o, cv: { k: 2 }, outDir: out }),
      refused(`images ${samples.length - 1} (saved ${samples.length})`),
    );
    const relabelled = samples.map((s, i) =>
      i === 0 ? { ...s, label: s.label === "chimeric" ? "non_chimeric" : "chimeric" } : s
    ) as typeof samples;
    await assert.rejects(
      crossValidate({ samples: relabelled, options: o, cv: { k: 2 }, outDir: out }),
      refused("other images or labels"),
    );
    // A folder from before the key: its folds are reused, with a warning, and the key written.
    await Deno.remove(join(out, "cv_key.json"));
    assert.deepEqual(await crossValidate({ samples, options: o, cv: { k: 2 }, outDir: out }), r);
    assert.deepEqual(await readJson<CrossValKey>(join(out, "cv_key.json")), key);
  } finally {
    await cleanup();
  }
});

Deno.test("trainOn: the other images stay out of every fold's training but are scored, in the same folds", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 4);
    const { samples } = await listDataset(join(dir, "data"));
    const o = { ...OPTIONS, batchSize: 1 }; // one step per training image
    const out = join(dir, "cv");
    const kept = samples.filter((_, i) => i % 3 !== 0);
    const trainOn = new Set(kept.map((s) => s.path));
    const r = await crossValidate({ samples, options: o, cv: { k: 2 }, outDir: out, trainOn });
    assert.ok(r);
    const folds = kFoldIndices(samples, 2, 1);
    for (const f of [0, 1]) {
      const state = await readJson<{ step: number }>(join(out, `fold-${f}`, "state.json"));
      const trained = samples.filter((s, i) => folds[i] !== f && trainOn.has(s.path)).length;
      assert.equal(state.step, trained, `fold ${f} trains on the kept images of the other fold`);
      assert.equal(r.folds[f].n, folds.filter((x) => x === f).length, "every image is scored");
    }
    const key = await readJson<CrossValKey>(join(out, "cv_key.json"));
    assert.deepEqual(key, await crossValKey(samples, o, { k: 2, seed: 1 }, trainOn));
    assert.equal("trainOn" in (await crossValKey(samples, o, { k: 2, seed: 1 })), false);
    await assert.rejects(
      crossValidate({ samples, options: o, cv: { k: 2 }, outDir: out }),
      (err: Error) =>
        err instanceof UserError && err.message.includes("other rows to train on (--train-on)"),
    );
  } finally {
    await cleanup();
  }
});

Deno.test("sweepGrid: one run per setting in its folder, the base's result reused", async () => {
  const fake = (lr: number): CrossValResult => ({
    options: { ...OPTIONS, lr },
    folds: [],
    accuracy: { mean: lr, std: 0 },
    auc: { mean: lr, std: 0 },
    f1: { mean: lr, std: 0 },
  });
  const runs: string[] = [];
  const rows = await sweepGrid(
    OPTIONS,
    [{ lr: "0.001" }, { lr: "0.003" }, { lr: "0.01" }],
    "out",
    (o, dir, name) => (runs.push(`${dir} ${name} ${o.lr}`), Promise.resolve(fake(o.lr))),
    { options: { ...OPTIONS, lr: 0.003 }, result: fake(-1) },
  );
  assert.deepEqual(runs, ["out/lr=0.001 lr=0.001 0.001", "out/lr=0.01 lr=0.01 0.01"]);
  assert.deepEqual(rows!.map((r) => [r.name, r.result.auc.mean]), [
    ["lr=0.001", 0.001],
    ["lr=0.003", -1],
    ["lr=0.01", 0.01],
  ]);
  assert.equal(
    await sweepGrid(OPTIONS, [{ lr: "0.1" }], "out", () => Promise.resolve(null)),
    null,
    "stopped",
  );
  await assert.rejects(
    sweepGrid(OPTIONS, [{ lr: "x" }], "out", () => Promise.resolve(null)),
    /invalid lr "x"/,
  );
});

Deno.test("configFolder: named by model, folds, images and the hash of the key", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 2);
    const { samples } = await listDataset(join(dir, "data"));
    const a = await configFolder("root", samples, OPTIONS, { k: 2 });
    assert.match(a, /^root\/compact-k2-n6-[0-9a-f]{8}$/);
    assert.equal(await configFolder("root", samples, { ...OPTIONS }, { k: 2, seed: 1 }), a);
    const others = await Promise.all([
      configFolder("root", samples, { ...OPTIONS, lr: 1e-4 }, { k: 2 }),
      configFolder("root", samples, OPTIONS, { k: 2, seed: 2 }),
      configFolder("root", samples.slice().reverse(), OPTIONS, { k: 2 }),
    ]);
    assert.equal(new Set([a, ...others]).size, 4);
  } finally {
    await cleanup();
  }
});
