/**
 * Save and load models in the TensorFlow.js Layers format (`model.json` + a weights file)
 * through Deno file IO, atomically, so the saved model also loads in tfjs in a browser or Node.
 * @module
 */
import { foldBatchNorm } from "./fold.ts";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { sha256Hex } from "../core/hash.ts";
import { statOrNull, writeFileAtomic, writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { inputFromMeta, type InputSpec } from "../features/inputs.ts";

/** What this project stores next to the weights: how to feed the model. */
export interface ModelMeta {
  /** Model name (alexnet, compact, ...). */
  model: string;
  /** Input representation, e.g. {kind: "curve", columns: 145} (lib/features/inputs.ts). */
  input: InputSpec;
  /** Class names in output order. */
  labels: string[];
  /** Anything else worth keeping (training options, date). */
  [key: string]: unknown;
}

/**
 * Save `model` to `dir/model.json` + `dir/weights-<hash>.bin` (optimizer state included when
 * `includeOptimizer`). The weights are written first and model.json last, each atomically, so
 * an interruption leaves the previous complete model in place.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  meta: ModelMeta,
  includeOptimizer = false,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = concatWeights(artifacts.weightData);
      const hash = (await sha256Hex(data)).slice(0, 12);
      const weightsName = `weights-${hash}.bin`;
      await writeFileAtomic(join(dir, weightsName), data);
      const json = {
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        trainingConfig: artifacts.trainingConfig,
        weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
        userDefinedMetadata: { chimera: meta },
      };
      await writeJsonAtomic(join(dir, "model.json"), json);
      for await (const e of Deno.readDir(dir)) {
        if (/^weights-[0-9a-f]+\.bin$/.test(e.name) && e.name !== weightsName) {
          await Deno.remove(join(dir, e.name)).catch(() => {});
        }
      }
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
    { includeOptimizer },
  );
}

function concatWeights(w: tf.io.WeightData | undefined): Uint8Array<ArrayBuffer> {
  if (!w) return new Uint8Array();
  if (Array.isArray(w)) {
    const total = w.reduce((s, b) => s + b.byteLength, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of w) (out.set(new Uint8Array(b), off), off += b.byteLength);
    return out;
  }
  return new Uint8Array(w as ArrayBuffer);
}

/** A loaded model with the metadata it was saved with. */
export interface LoadedModel {
  model: tf.LayersModel;
  meta: ModelMeta;
}

/** A run folder's model: RUN/model when it exists, else the path as given. */
export async function modelDir(path: string): Promise<string> {
  return (await statOrNull(join(path, "model", "model.json"))) ? join(path, "model") : path;
}

/** The parsed model.json of a model folder (or the file itself), with its path. */
async function readModelJson(
  dir: string,
  // deno-lint-ignore no-explicit-any
): Promise<{ jsonPath: string; json: any }> {
  const jsonPath = (await statOrNull(dir))?.isFile ? dir : join(dir, "model.json");
  let json;
  try {
    json = JSON.parse(await Deno.readTextFile(jsonPath));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`${jsonPath}: no model here (expected model.json from a training run)`);
    }
    throw new UserError(`${jsonPath}: not a valid model.json (${(err as Error).message})`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new UserError(
      `${jsonPath}: not a TensorFlow.js Layers model (no modelTopology/weightsManifest)`,
    );
  }
  return { jsonPath, json };
}

/**
 * The metadata a model was saved with by `saveModel`, read from model.json alone (no tfjs, no
 * weights: fast); null for a Layers model saved elsewhere (its input needs the model loaded).
 */
export async function readModelMeta(dir: string): Promise<ModelMeta | null> {
  const { jsonPath, json } = await readModelJson(dir);
  const meta: ModelMeta | undefined = json.userDefinedMetadata?.chimera;
  if (!meta) return null;
  return { ...meta, input: inputFromMeta(meta.input, jsonPath) };
}

/** Load a model saved by `saveModel` (or any tfjs Layers model folder). Clear errors if not. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const { jsonPath, json } = await readModelJson(dir);
  const base = jsonPath.slice(0, jsonPath.lastIndexOf("/") + 1) || "./";
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      try {
        buffers.push(await Deno.readFile(base + p));
      } catch {
        throw new UserError(`${base + p}: weights file missing or unreadable`);
      }
    }
  }
  const total = buffers.reduce((s, b) => s + b.length, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) (weightData.set(b, off), off += b.length);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: weightData.buffer,
    trainingConfig: json.trainingConfig,
  }));
  // A Layers model saved elsewhere: its input shape tells image ([n, s, s, 1]) from curve.
  const shape = model.inputs[0].shape;
  const meta: ModelMeta = json.userDefinedMetadata?.chimera ?? {
    model: model.name,
    input: shape.length === 4
      ? { kind: "image", size: shape[1], resize: "area" }
      : { kind: "curve", columns: shape[1] },
    labels: ["non_chimeric", "chimeric"],
  };
  meta.input = inputFromMeta(meta.input, jsonPath);
  return { model, meta };
}

/**
 * Load a model for predictions only: {@link loadModel}, then its batch normalisations folded
 * into the layers before them (lib/model/fold.ts; the same function to float rounding, less work).
 */
export async function loadForInference(dir: string): Promise<LoadedModel> {
  const loaded = await loadModel(dir);
  const model = await foldBatchNorm(loaded.model);
  if (model !== loaded.model) loaded.model.dispose();
  return { model, meta: loaded.meta };
}
