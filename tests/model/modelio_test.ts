import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { loadModel, type ModelMeta, readModelMeta, saveModel } from "../../lib/model/modelio.ts";
import { buildModel } from "../../lib/model/model.ts";
import { tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

const META: ModelMeta = {
  model: "compact",
  input: { kind: "curve", columns: 32 },
  labels: ["non_chimeric", "chimeric"],
};

Deno.test("save/load round trip: same predictions, metadata kept, standard Layers files", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const model = buildModel("compact", { columns: 32 });
    await saveModel(model, dir, META);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "model.json")));
    assert.equal(json.format, "layers-model");
    const weightFile = json.weightsManifest[0].paths[0];
    assert.match(weightFile, /^weights-[0-9a-f]+\.bin$/);
    const { model: loaded, meta } = await loadModel(dir);
    assert.deepEqual(meta, META);
    const x = tf.randomUniform([3, 32, 5], 0, 1, "float32", 7);
    const a = (model.predict(x) as tf.Tensor).arraySync();
    const b = (loaded.predict(x) as tf.Tensor).arraySync();
    assert.deepEqual(b, a);
    // Also loads through tfjs' own loader (as in a browser or Node).
    const viaTf = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: (await Deno.readFile(join(dir, weightFile))).buffer,
    }));
    assert.deepEqual((viaTf.predict(x) as tf.Tensor).arraySync(), a);
    // Saving again replaces the weights file and leaves exactly one.
    await saveModel(buildModel("compact", { columns: 32, seed: 9 }), dir, META);
    const bins = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".bin"));
    assert.equal(bins.length, 1);
  } finally {
    await cleanup();
  }
});

Deno.test("loading a missing or broken model names the file", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(loadModel(join(dir, "nope")), /nope\/model\.json: no model here/);
    await Deno.writeTextFile(join(dir, "model.json"), "{not json");
    await assert.rejects(loadModel(dir), /model\.json: not a valid model\.json/);
    await Deno.writeTextFile(join(dir, "model.json"), "{}");
    await assert.rejects(loadModel(dir), /not a TensorFlow\.js Layers model/);
    await saveModel(buildModel("compact", { columns: 32 }), join(dir, "m"), META);
    for (const e of Deno.readDirSync(join(dir, "m"))) {
      if (e.name.endsWith(".bin")) await Deno.remove(join(dir, "m", e.name));
    }
    await assert.rejects(loadModel(join(dir, "m")), /weights file missing/);
    // Damaged metadata: a clear error instead of a shape error later.
    const bad = { ...META, input: { kind: "curve", columns: -1 } } as unknown as ModelMeta;
    await saveModel(buildModel("compact", { columns: 32 }), join(dir, "b"), bad);
    await assert.rejects(loadModel(join(dir, "b")), /b\/model\.json: the model's metadata/);
    // A Layers model saved without our metadata: the input shape tells the representation.
    const plain = join(dir, "plain");
    await buildModel("compact", { columns: 32 }).save(tf.io.withSaveHandler(async (art) => {
      await Deno.mkdir(plain);
      const { weightData, weightSpecs, ...rest } = art;
      await Deno.writeFile(join(plain, "w.bin"), new Uint8Array(weightData as ArrayBuffer));
      await Deno.writeTextFile(
        join(plain, "model.json"),
        JSON.stringify({ ...rest, weightsManifest: [{ paths: ["w.bin"], weights: weightSpecs }] }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }));
    assert.deepEqual((await loadModel(plain)).meta.input, { kind: "curve", columns: 32 });
    // model.json alone: our metadata as loadModel gives it, none for a model saved elsewhere
    await saveModel(buildModel("compact", { columns: 32 }), join(dir, "ok"), META);
    const read = await readModelMeta(join(dir, "ok"));
    const { meta: loaded } = await loadModel(join(dir, "ok"));
    assert.deepEqual(read, loaded);
    assert.equal(await readModelMeta(plain), null);
    await assert.rejects(readModelMeta(join(dir, "b")), /b\/model\.json: the model's metadata/);
    await assert.rejects(readModelMeta(join(dir, "nope")), /nope\/model\.json: no model here/);
  } finally {
    await cleanup();
  }
});
