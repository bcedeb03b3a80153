import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { listDataset } from "../../lib/data/dataset.ts";
import { splitSamples } from "../../lib/data/split.ts";
import {
  compiledModel,
  ensureSmallRun,
  savedTrainOptions,
  trainModel,
} from "../../lib/train/train.ts";
import {
  optionDifferences,
  PRESETS,
  type TrainOptions,
  withOverrides,
} from "../../lib/train/options.ts";
import { learningRateAt, smoothLabels } from "../../lib/train/optim.ts";
import { readManifest } from "../../lib/data/dataset.ts";
import { readJson, statOrNull } from "../../lib/core/fs.ts";
import { UserError } from "../../lib/core/errors.ts";
import { computeMetrics, predict } from "../../lib/eval/evaluate.ts";
import { makeSource } from "../../lib/features/inputs.ts";
import { defaultInput } from "../../lib/model/model.ts";
import { FusedRMSPropOptimizer } from "../../lib/backend/kernels/rmsprop.ts";
import { makeDataset, tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

const OPTIONS: TrainOptions = {
  ...PRESETS.default,
  model: "compact",
  epochs: 2,
  batchSize: 8,
  input: { kind: "curve", columns: 32 },
};

async function fixtureRows(dir: string) {
  await makeDataset(join(dir, "data"), 8);
  const { samples } = await listDataset(join(dir, "data"));
  return splitSamples(samples, { seed: 1 });
}

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

Deno.test("training writes checkpoint, model, history and state; history has steps and epochs", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const val = rows.filter((r) => r.split === "test");
    const epochs: number[] = [];
    const r = await trainModel({
      train,
      val,
      options: OPTIONS,
      outDir: join(dir, "run"),
      callbacks: { onEpoch: (e) => epochs.push(e.epoch) },
    });
    assert.equal(r.stopped, false);
    assert.equal(r.step, 2 * Math.ceil(train.length / 8));
    assert.deepEqual(epochs, [1, 2]);
    assert.equal(r.history.steps.length, r.step);
    // Each epoch's loss and accuracy are the means over its steps; the last validation is the
    // final model's score on the validation split.
    const perEpoch = r.step / 2;
    for (const e of r.history.epochs) {
      const steps = r.history.steps.filter((s) => s.epoch === e.epoch - 1);
      assert.equal(steps.length, perEpoch);
      const mean = (k: "loss" | "acc") => steps.reduce((a, s) => a + s[k], 0) / steps.length;
      assert.ok(Math.abs(e.loss - mean("loss")) < 1e-12 && Math.abs(e.acc - mean("acc")) < 1e-12);
    }
    const m = computeMetrics(await predict(r.model, val, makeSource(OPTIONS.input!)));
    assert.deepEqual([r.history.epochs[1].valAcc, r.history.epochs[1].valAuc], [m.accuracy, m.auc]);
    for (const f of ["model/model.json", "checkpoint/model.json", "history.json", "state.json"]) {
      assert.ok(await statOrNull(join(dir, "run", f)), f);
    }
    const h = await readJson<{ epochs: unknown[] }>(join(dir, "run", "history.json"));
    assert.equal(h.epochs.length, 2);
  } finally {
    await cleanup();
  }
});

Deno.test("an interrupted run resumes to the same weights as an uninterrupted one", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const full = await trainModel({ train, options: OPTIONS, outDir: join(dir, "full") });
    const controller = new AbortController();
    const part = await trainModel({
      train,
      options: OPTIONS,
      outDir: join(dir, "part"),
      signal: controller.signal,
      callbacks: { onStep: (s) => s.step === 2 && controller.abort() },
    });
    assert.equal(part.stopped, true);
    assert.equal(part.step, 3);
    assert.equal(await statOrNull(join(dir, "part", "model")), null, "no final model yet");
    const resumed = await trainModel({
      train,
      options: OPTIONS,
      outDir: join(dir, "part"),
      resume: true,
    });
    assert.equal(resumed.step, full.step);
    assert.deepEqual(
      resumed.history.steps.map((s) => s.step),
      full.history.steps.map((s) => s.step),
    );
    const a = weightsOf(full.model);
    const b = weightsOf(resumed.model);
    const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(maxDiff < 1e-5, `weights differ by ${maxDiff}`);
  } finally {
    await cleanup();
  }
});

Deno.test("same seed (with or without gce), same weights; resume without a run and empty data are clear errors", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const o = { ...OPTIONS, epochs: 1 };
    const a = await trainModel({ train, options: o });
    const b = await trainModel({ train, options: o });
    assert.deepEqual(weightsOf(a.model), weightsOf(b.model));
    // the generalized cross-entropy changes the targets, hence the weights, and is deterministic
    const g = await trainModel({ train, options: { ...o, gce: 0.7 } });
    const g2 = await trainModel({ train, options: { ...o, gce: 0.7 } });
    assert.notDeepEqual(weightsOf(g.model), weightsOf(a.model));
    assert.deepEqual(weightsOf(g.model), weightsOf(g2.model));
    await assert.rejects(
      trainModel({ train, options: o, outDir: join(dir, "none"), resume: true }),
      /nothing to resume/,
    );
    await assert.rejects(trainModel({ train: [], options: o }), /no training images/);
  } finally {
    await cleanup();
  }
});

Deno.test("withOverrides applies flags and grid keys, validates them, and keeps the base", () => {
  const base = PRESETS.thesis;
  const o = withOverrides(base, {
    lr: "3e-4",
    batch: "64",
    resize: "nearest",
    seed: "0",
    flip: "false",
  });
  assert.equal(o.lr, 3e-4);
  assert.equal(o.batchSize, 64);
  assert.equal(o.seed, 0);
  assert.equal(o.flip, false);
  assert.deepEqual(o.input, { kind: "image", size: 224, resize: "nearest" });
  assert.equal(withOverrides(base, { "batch-size": "8", "steps-per-epoch": "3" }).stepsPerEpoch, 3);
  assert.equal(withOverrides(base, { model: "compact" }).model, "compact");
  assert.equal(base.lr, 1e-4, "base unchanged");
  assert.throws(
    () => withOverrides(base, { lr: "abc" }),
    /invalid lr "abc": expected a positive number/,
  );
  assert.throws(
    () => withOverrides(base, { epochs: "1.5" }),
    /invalid epochs "1.5": expected a positive integer/,
  );
  assert.throws(
    () => withOverrides(base, { model: "vgg" }),
    /invalid model "vgg": expected alexnet or compact/,
  );
  assert.throws(() => withOverrides(base, { resize: "cubic" }), /invalid resize "cubic"/);
  assert.throws(() => withOverrides(base, { height: "3" }), /unknown option "height"/);
  assert.throws(
    () => withOverrides(base, { model: "compact", depth: "3" }),
    /invalid depth "3": expected dataset or read/,
  );
  assert.deepEqual(withOverrides(base, { model: "compact", depth: "read" }).input, {
    kind: "pile",
    columns: 145,
    depth: "read",
  });
  // Representation keys belong to their model's input.
  const compact = withOverrides(PRESETS.default, {
    columns: "64",
    shift: "4",
    "weight-decay": "0",
    "label-smoothing": "0.2",
    schedule: "constant",
  });
  assert.deepEqual(compact.input, { kind: "pile", columns: 64 });
  assert.equal(compact.shift, 4);
  assert.equal(compact.weightDecay, 0);
  assert.equal(compact.labelSmoothing, 0.2);
  assert.equal(compact.schedule, "constant");
  assert.equal(withOverrides(PRESETS.default, { mixup: "0.2" }).mixup, 0.2);
  assert.equal(PRESETS.default.mixup, 0);
  assert.throws(
    () => withOverrides(base, { mixup: "-1" }),
    /invalid mixup "-1": expected a number >= 0/,
  );
  assert.equal(PRESETS.default.gce, 0);
  assert.equal(withOverrides(base, { gce: "0.7" }).gce, 0.7);
  assert.throws(
    () => withOverrides(base, { gce: "1.5" }),
    /invalid gce "1.5": expected a number from 0 to 1/,
  );
  assert.equal(PRESETS.default.classes, 2);
  assert.equal(withOverrides(base, { classes: "3" }).classes, 3);
  assert.throws(
    () => withOverrides(base, { classes: "4" }),
    /invalid classes "4": expected 2 or 3/,
  );
  assert.deepEqual(
    [PRESETS.default.teacher, withOverrides(base, { teacher: "runs/ens" }).teacher],
    [null, "runs/ens"],
  );
  assert.equal(withOverrides(base, { distill: "1" }).distill, 1);
  assert.throws(
    () => withOverrides(base, { distill: "0" }),
    /invalid distill "0": expected a number above 0, up to 1/,
  );
  assert.deepEqual(
    [PRESETS.default.width, withOverrides(PRESETS.default, { width: "1.5" }).width],
    [1, 1.5],
  );
  assert.throws(
    () => withOverrides(PRESETS.default, { width: "0" }),
    /invalid width "0": expected a positive/,
  );
  assert.throws(
    () => withOverrides(base, { model: "alexnet", width: "2" }),
    /width applies to the compact model only/,
  );
  assert.deepEqual(
    [PRESETS.default.head, withOverrides(PRESETS.default, { head: "pool" }).head],
    ["flatten", "pool"],
  );
  assert.throws(
    () => withOverrides(PRESETS.default, { head: "gap" }),
    /invalid head "gap": expected flatten or pool/,
  );
  assert.throws(
    () => withOverrides(base, { model: "alexnet", head: "pool" }),
    /head applies to the compact model only/,
  );
  assert.throws(
    () => withOverrides(PRESETS.default, { size: "64" }),
    /size applies to the image model \(alexnet\) only/,
  );
  assert.throws(() => withOverrides(base, { columns: "64" }), /applies to the curve model/);
  assert.throws(
    () => withOverrides(PRESETS.default, { columns: "8" }),
    /expected an integer >= 16/,
  );
  assert.throws(
    () => withOverrides(PRESETS.default, { "label-smoothing": "1" }),
    /invalid label-smoothing "1"/,
  );
  assert.throws(() => withOverrides(PRESETS.default, { schedule: "step" }), /onecycle/);
});

Deno.test("compiledModel builds the head and width the options name", () => {
  const layers = (m: tf.LayersModel) => m.layers.map((l) => l.name);
  const plain = compiledModel({ ...PRESETS.default });
  const pooled = compiledModel({ ...PRESETS.default, head: "pool", width: 2 });
  assert.equal(layers(plain).includes("global_mean"), false);
  assert.deepEqual(
    ["global_mean", "global_max", "head"].map((n) => layers(pooled).includes(n)),
    [true, true, true],
  );
  assert.deepEqual(pooled.getLayer("conv1").outputShape, [null, 145, 32]);
  for (const m of [plain, pooled]) m.dispose();
});

Deno.test("one-cycle schedule: warm-up from lr/25 to lr over 20%, cosine down to ~0", () => {
  const o = { ...PRESETS.default, lr: 1 };
  assert.equal(learningRateAt(o, 0, 100), 1 / 25);
  assert.ok(Math.abs(learningRateAt(o, 20, 100) - 1) < 1e-12);
  assert.ok(learningRateAt(o, 10, 100) > 0.5 && learningRateAt(o, 10, 100) < 0.6);
  assert.ok(learningRateAt(o, 60, 100) < 1 && learningRateAt(o, 60, 100) > 0.4);
  assert.ok(Math.abs(learningRateAt(o, 99, 100) - 1 / 25e4) < 1e-12);
  for (let s = 21; s < 100; s++) {
    assert.ok(learningRateAt(o, s, 100) < learningRateAt(o, s - 1, 100), `decreasing at ${s}`);
  }
  assert.equal(learningRateAt({ ...o, schedule: "constant" }, 77, 100), 1);
});

Deno.test("label smoothing moves one-hot targets toward 1/2 and keeps their sum", () => {
  assert.deepEqual(
    [...smoothLabels(Float32Array.from([0, 1, 1, 0]), 0.1)].map((v) => +v.toFixed(6)),
    [
      0.05,
      0.95,
      0.95,
      0.05,
    ],
  );
  assert.deepEqual([...smoothLabels(Float32Array.from([0, 1]), 0)], [0, 1]);
  // over three classes each 0 gets s/3, the 1 keeps 1 - 2s/3
  assert.deepEqual(
    [...smoothLabels(Float32Array.from([0, 1, 0]), 0.3, 3)].map((v) => +v.toFixed(6)),
    [0.1, 0.8, 0.1],
  );
});

Deno.test("resume refuses options that differ from the saved run and names them", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const o = { ...OPTIONS, epochs: 1 };
    const controller = new AbortController();
    await trainModel({
      train,
      options: o,
      outDir: join(dir, "run"),
      signal: controller.signal,
      callbacks: { onStep: () => controller.abort() },
    });
    await assert.rejects(
      trainModel({
        train,
        options: { ...o, lr: 1e-4, batchSize: 4 },
        outDir: join(dir, "run"),
        resume: true,
      }),
      (err: Error) =>
        err instanceof UserError &&
        err.message.includes("batchSize 4 (saved 8), lr 0.0001 (saved 0.003)"),
    );
    assert.deepEqual(
      optionDifferences(o, { ...o, input: { kind: "curve", columns: 64 } }),
      ['input {"kind":"curve","columns":64} (saved {"kind":"curve","columns":32})'],
    );
    assert.deepEqual(optionDifferences(PRESETS.default, { ...PRESETS.default }), []);
    assert.deepEqual(
      optionDifferences(PRESETS.default, { ...PRESETS.default, input: defaultInput("compact") }),
      [],
      "the model's default input given explicitly is the same",
    );
    assert.deepEqual(
      (await savedTrainOptions(join(dir, "run"))).lr,
      o.lr,
    );
    await assert.rejects(savedTrainOptions(join(dir, "none")), /nothing to resume/);
  } finally {
    await cleanup();
  }
});

Deno.test("a resumed RMSprop run keeps the fused optimizer and its slots", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const o: TrainOptions = { ...OPTIONS, optimizer: "rmsprop", lr: 1e-3, schedule: "constant" };
    const full = await trainModel({ train, options: o });
    // tfjs optimizers answer instanceof for any optimizer-like object: compare classes.
    assert.equal(full.model.optimizer.constructor, FusedRMSPropOptimizer);
    const controller = new AbortController();
    await trainModel({
      train,
      options: o,
      outDir: join(dir, "part"),
      signal: controller.signal,
      callbacks: { onStep: (s) => s.step === 2 && controller.abort() },
    });
    const resumed = await trainModel({
      train,
      options: o,
      outDir: join(dir, "part"),
      resume: true,
    });
    assert.equal(resumed.model.optimizer.constructor.name, FusedRMSPropOptimizer.name);
    const a = weightsOf(full.model);
    const b = weightsOf(resumed.model);
    const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    assert.ok(maxDiff < 1e-5, `weights differ by ${maxDiff}`);
  } finally {
    await cleanup();
  }
});

Deno.test("a training step never leaves the seeded Math.random visible to other async work", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows = await fixtureRows(dir);
    const train = rows.filter((r) => r.split === "train");
    const original = Math.random;
    let seen = 0;
    // After each step, a task that checks Math.random on every microtask turn while the next
    // step runs (the second epoch's batches come from memory: microtasks only, no IO).
    const watchers: Promise<void>[] = [];
    const watch = async () => {
      for (let i = 0; i < 500; i++) {
        await null;
        if (Math.random !== original) seen++;
      }
    };
    await trainModel({
      train,
      options: { ...OPTIONS, epochs: 2 },
      callbacks: { onStep: () => void watchers.push(watch()) },
    });
    await Promise.all(watchers);
    assert.ok(watchers.length > 2);
    assert.equal(seen, 0, "other tasks saw the seeded Math.random");
    assert.equal(Math.random, original);
  } finally {
    await cleanup();
  }
});

Deno.test("the compact model learns generated charts far above chance", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 16, 5);
    const { samples } = await listDataset(join(dir, "data"));
    const rows = splitSamples(samples, { seed: 1 });
    const train = rows.filter((r) => r.split === "train");
    const val = rows.filter((r) => r.split === "test");
    const source = makeSource({ kind: "curve", columns: 32 });
    const before = computeMetrics(
      await predict(
        (await trainModel({ train, options: { ...OPTIONS, epochs: 1 }, source })).model,
        val,
        source,
      ),
    );
    const r = await trainModel({ train, options: { ...OPTIONS, epochs: 12 }, source });
    const m = computeMetrics(await predict(r.model, val, source));
    // Chance: 1/3 of the charts are chimeric, so always "non_chimeric" scores 0.67, AUC 0.5.
    assert.equal(m.n, 12);
    assert.ok(m.accuracy >= 11 / 12 && m.auc >= 0.95, JSON.stringify([m.accuracy, m.auc]));
    assert.ok(m.loss < before.loss / 2, `loss ${before.loss} -> ${m.loss}`);
    assert.ok(before.accuracy < m.accuracy, "one epoch is not enough");
  } finally {
    await cleanup();
  }
});

Deno.test("ensureSmallRun trains on a subsample once, then reuses the run", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 8);
    const { samples } = await listDataset(join(dir, "data"));
    const run = {
      out: join(dir, "run"),
      samples,
      maxImages: 12,
      options: { ...OPTIONS, epochs: 1 },
    };
    assert.equal(await ensureSmallRun(run), run.out);
    const rows = await readManifest(join(run.out, "manifest.csv"));
    assert.deepEqual(
      rows.map((r) => r.path),
      samples.filter((_, i) => i % 2 === 0).map((s) => s.path).sort(),
    );
    assert.deepEqual(
      rows.map((r) => r.split),
      splitSamples(samples.filter((_, i) => i % 2 === 0), { seed: 42 }).sort((a, b) =>
        a.path < b.path ? -1 : 1
      ).map((r) => r.split),
    );
    const model = join(run.out, "model", "model.json");
    const before = (await Deno.stat(model)).mtime;
    assert.equal(await ensureSmallRun({ ...run, maxImages: 3 }), run.out);
    assert.deepEqual((await Deno.stat(model)).mtime, before, "not trained again");
  } finally {
    await cleanup();
  }
});
