import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { listDataset } from "../../lib/data/dataset.ts";
import { trainModel } from "../../lib/train/train.ts";
import { PRESETS, type TrainOptions } from "../../lib/train/options.ts";
import { blendTeacher, loadTeacher } from "../../lib/train/teacher.ts";
import { loadModel } from "../../lib/model/modelio.ts";
import { predictFeatures } from "../../lib/eval/evaluate.ts";
import { makeSource } from "../../lib/features/inputs.ts";
import { THREE_CLASSES } from "../../lib/features/batches.ts";
import { UserError } from "../../lib/core/errors.ts";
import { makeDataset, tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

const OPTIONS: TrainOptions = {
  ...PRESETS.default,
  epochs: 1,
  batchSize: 8,
  input: { kind: "curve", columns: 32 },
};

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

Deno.test("three classes: a softmax over regular / chimeric / repeat; p(chimeric) is output 1", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 4);
    const { samples } = await listDataset(join(dir, "data"));
    const r = await trainModel({
      train: samples,
      options: { ...OPTIONS, classes: 3 },
      outDir: join(dir, "run"),
    });
    assert.deepEqual(r.model.outputs[0].shape, [null, 3]);
    const { meta } = await loadModel(join(dir, "run", "model"));
    assert.deepEqual(meta.labels, THREE_CLASSES);
    const source = makeSource(OPTIONS.input!);
    const { images } = await source.getMany(samples.slice(0, 2).map((s) => s.path));
    const x = new Float32Array([...images[0]!, ...images[1]!]);
    const probs = (r.model.predict(tf.tensor(x, [2, 32, source.shape[1]])) as tf.Tensor)
      .dataSync();
    assert.deepEqual(predictFeatures(r.model, x, 2, source, false), [probs[1], probs[4]]);
  } finally {
    await cleanup();
  }
});

Deno.test("distillation: targets blend in the teacher's probabilities; wrong teachers are refused", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(join(dir, "data"), 4);
    const { samples } = await listDataset(join(dir, "data"));
    await trainModel({ train: samples, options: OPTIONS, outDir: join(dir, "teacher") });
    const teacher = await loadTeacher(join(dir, "teacher"), OPTIONS.input!);
    const source = makeSource(OPTIONS.input!);
    const { images } = await source.getMany(samples.slice(0, 2).map((s) => s.path));
    const x = new Float32Array([...images[0]!, ...images[1]!]);
    const p = (teacher.model.predict(tf.tensor(x, [2, ...source.shape])) as tf.Tensor).dataSync();
    const targets = Float32Array.of(0, 1, 1, 0);
    blendTeacher(teacher, x, source.shape, 2, targets, 0.25);
    const want = [0, 1, 1, 0].map((t, i) => Math.fround(0.75 * t + 0.25 * p[i]));
    assert.deepEqual([...targets], want);
    // the student learns from the teacher: other weights than the same run without one
    const alone = await trainModel({ train: samples, options: OPTIONS });
    const taught = await trainModel({
      train: samples,
      options: { ...OPTIONS, teacher: join(dir, "teacher"), distill: 1 },
    });
    assert.notDeepEqual(weightsOf(taught.model), weightsOf(alone.model));
    // a teacher of another input, a three-class teacher, a three-class student: clear errors
    await assert.rejects(
      loadTeacher(join(dir, "teacher"), { kind: "curve", columns: 40 }),
      (e: Error) =>
        e instanceof UserError && /teacher .*teacher: reads .*same input/.test(e.message),
    );
    await trainModel({
      train: samples,
      options: { ...OPTIONS, classes: 3 },
      outDir: join(dir, "three"),
    });
    await assert.rejects(
      loadTeacher(join(dir, "three"), OPTIONS.input!),
      /has 3 outputs \(regular, chimeric, repeat\); a teacher must be a two-class model/,
    );
    await assert.rejects(
      trainModel({
        train: samples,
        options: { ...OPTIONS, classes: 3, teacher: join(dir, "teacher") },
      }),
      /distils two-class models only/,
    );
  } finally {
    await cleanup();
  }
});
