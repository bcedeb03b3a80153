/**
 * Inference copies of a model with its batch normalisations folded away. At inference a
 * BatchNormalization is a fixed per-channel affine map, y = (x - mean) * gamma / sqrt(var + eps)
 * + beta; after a convolution or dense layer with a linear activation it folds into that layer's
 * kernel and bias. The copy computes the same function (equal to float rounding) and skips a
 * pass over every activation: on the wasm backend batch normalisation costs about as much as the
 * convolutions of the compact model.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LayerJson, ModelJson } from "./topology.ts";
import { renameInbound } from "./topology.ts";

/** Layers a following batch normalisation folds into (their kernel's last axis is the channel). */
const FOLDABLE = new Set(["Conv1D", "Conv2D", "Dense"]);

/** The layer names inbound node entries point at. */
function inboundNames(l: LayerJson): string[] {
  return (l.inbound_nodes as unknown[][][]).flatMap((node) => node.map((e) => e[0] as string));
}

/**
 * For each BatchNormalization that can fold, the layer it folds into: its only input is a
 * foldable layer with a linear activation, called once, read by nothing else, and it normalises
 * the last axis.
 */
export function foldablePairs(top: ModelJson): Map<string, string> {
  const layers = top.config.layers;
  const byName = new Map(layers.map((l) => [l.name, l]));
  const readers = new Map<string, number>();
  for (const l of layers) {
    for (const n of inboundNames(l)) readers.set(n, (readers.get(n) ?? 0) + 1);
  }
  for (const [n] of top.config.output_layers) readers.set(n, (readers.get(n) ?? 0) + 1);
  const pairs = new Map<string, string>();
  for (const bn of layers) {
    if (bn.class_name !== "BatchNormalization" || bn.inbound_nodes.length !== 1) continue;
    const ins = inboundNames(bn);
    const src = ins.length === 1 ? byName.get(ins[0]) : undefined;
    const axis = bn.config.axis;
    const lastAxis = axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1);
    if (
      src && FOLDABLE.has(src.class_name) && src.inbound_nodes.length === 1 &&
      (src.config.activation ?? "linear") === "linear" && readers.get(src.name) === 1 && lastAxis
    ) pairs.set(bn.name, src.name);
  }
  return pairs;
}

/**
 * Per-channel scale gamma / sqrt(var + eps) and shift beta - mean * scale of a
 * BatchNormalization.
 */
function affine(bn: tf.layers.Layer): { scale: Float64Array; shift: Float64Array } {
  const c = bn.getConfig() as { center?: boolean; scale?: boolean; epsilon?: number };
  const w = bn.getWeights().map((t) => t.dataSync());
  let k = 0;
  const gamma = c.scale !== false ? w[k++] : undefined;
  const beta = c.center !== false ? w[k++] : undefined;
  const mean = w[k++], variance = w[k++];
  const eps = c.epsilon ?? 1e-3;
  const scale = new Float64Array(mean.length), shift = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
    shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
  }
  return { scale, shift };
}

/**
 * An inference copy of `model` with every foldable BatchNormalization ({@link foldablePairs})
 * folded into the layer before it (which gains a bias if it had none); other layers and their
 * weights are copied as they are. `model` is left as it is; a model with nothing to fold is
 * returned itself. For inference only: the copy is not for further training.
 */
export async function foldBatchNorm(model: tf.LayersModel): Promise<tf.LayersModel> {
  const top = model.toJSON(undefined, false) as unknown as ModelJson;
  if (top.class_name !== "Model" && top.class_name !== "Functional") return model;
  const pairs = foldablePairs(top);
  if (pairs.size === 0) return model;
  const into = new Set(pairs.values());
  const layers = top.config.layers.filter((l) => !pairs.has(l.name)).map((l) => ({
    ...l,
    config: into.has(l.name) ? { ...l.config, use_bias: true } : l.config,
    inbound_nodes: renameInbound(l.inbound_nodes, (n) => pairs.get(n) ?? n),
  }));
  const output_layers = top.config.output_layers.map(([n, a, b]) =>
    [pairs.get(n) ?? n, a, b] as [string, number, number]
  );
  const folded = await tf.models.modelFromJSON({
    modelTopology: {
      ...top,
      config: { ...top.config, layers, output_layers },
    } as unknown as tf.io.ModelJSON["modelTopology"],
  } as tf.io.ModelJSON);
  const bnOf = new Map([...pairs].map(([bn, src]) => [src, bn]));
  for (const layer of folded.layers) {
    const original = model.getLayer(layer.name);
    if (original.weights.length === 0) continue;
    const bn = bnOf.get(layer.name);
    if (!bn) {
      layer.setWeights(original.getWeights());
      continue;
    }
    const { scale, shift } = affine(model.getLayer(bn));
    const [kernel, bias] = original.getWeights();
    const kv = kernel.dataSync(), out = scale.length;
    const k2 = new Float32Array(kv.length);
    for (let i = 0; i < kv.length; i++) k2[i] = kv[i] * scale[i % out];
    const bv = bias?.dataSync();
    const b2 = new Float32Array(out);
    for (let j = 0; j < out; j++) b2[j] = (bv ? bv[j] : 0) * scale[j] + shift[j];
    const k2t = tf.tensor(k2, kernel.shape), b2t = tf.tensor(b2, [out]);
    layer.setWeights([k2t, b2t]);
    tf.dispose([k2t, b2t]);
  }
  return folded;
}
