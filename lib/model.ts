/**
 * Model definitions: the thesis AlexNet and our compact CNN, plus a model summary as data.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Names of the models this project builds. */
export type ModelName = "alexnet" | "compact";

/** Options for building a model. */
export interface ModelOptions {
  /** Input image side in pixels (square, one grey channel). */
  size?: number;
  /** Number of output classes (softmax). */
  classes?: number;
  /** Dropout rate of the dense layers. */
  dropout?: number;
  /** Seed for the weight initialisers (reproducible runs). */
  seed?: number;
}

/** Default model options (the thesis setting: 224x224x1 in, 2 classes out). */
export const MODEL_DEFAULTS: Required<ModelOptions> = {
  size: 224,
  classes: 2,
  dropout: 0.4,
  seed: 42,
};

/**
 * The thesis AlexNet (trimmed, 1 grey input channel): conv 96/11/4 valid, pool 2/2,
 * conv 256/5 same, pool 2/2, conv 384/3, 384/3, 256/3 same, pool 2/2 -> 6x6x256,
 * dense 4096-4096-1000 with dropout, softmax over `classes`. 62,357,114 parameters at 224x224.
 */
export function buildAlexNet(opts: ModelOptions = {}): tf.LayersModel {
  const o = { ...MODEL_DEFAULTS, ...opts };
  let seed = o.seed;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const conv = (
    name: string,
    filters: number,
    kernelSize: number,
    strides: number,
    padding: "valid" | "same",
  ) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding,
      activation: "relu",
      kernelInitializer: init(),
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, strides: 2 });
  const dense = (name: string, units: number, activation: "relu" | "softmax") =>
    tf.layers.dense({ name, units, activation, kernelInitializer: init() });
  // Unseeded on purpose: a seeded tfjs dropout layer draws the same mask at every step.
  const drop = (name: string) => tf.layers.dropout({ name, rate: o.dropout });
  const model = tf.sequential({ name: "alexnet" });
  model.add(tf.layers.inputLayer({ name: "image", inputShape: [o.size, o.size, 1] }));
  for (
    const layer of [
      conv("conv1", 96, 11, 4, "valid"),
      pool("pool1"),
      conv("conv2", 256, 5, 1, "same"),
      pool("pool2"),
      conv("conv3", 384, 3, 1, "same"),
      conv("conv4", 384, 3, 1, "same"),
      conv("conv5", 256, 3, 1, "same"),
      pool("pool5"),
      tf.layers.flatten({ name: "flatten" }),
      dense("fc6", 4096, "relu"),
      drop("drop6"),
      dense("fc7", 4096, "relu"),
      drop("drop7"),
      dense("fc8", 1000, "relu"),
      drop("drop8"),
      dense("softmax", o.classes, "softmax"),
    ]
  ) model.add(layer);
  return model;
}

/** Our compact CNN (provisional layout; see the model card for the chosen one). */
export function buildCompact(opts: ModelOptions = {}): tf.LayersModel {
  const o = { ...MODEL_DEFAULTS, ...opts };
  let seed = o.seed;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const model = tf.sequential({ name: "compact" });
  model.add(tf.layers.inputLayer({ inputShape: [o.size, o.size, 1] }));
  for (const filters of [16, 32, 64, 64]) {
    model.add(tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
      kernelInitializer: init(),
    }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dropout({ rate: o.dropout }));
  model.add(
    tf.layers.dense({ units: o.classes, activation: "softmax", kernelInitializer: init() }),
  );
  return model;
}

/** Build a model by name. */
export function buildModel(name: ModelName, opts: ModelOptions = {}): tf.LayersModel {
  if (name === "alexnet") return buildAlexNet(opts);
  if (name === "compact") return buildCompact(opts);
  throw new Error(`unknown model "${name}" (expected alexnet or compact)`);
}

/** One row of a model summary. */
export interface SummaryRow {
  /** Layer name. */
  layer: string;
  /** Layer class, e.g. Conv2D. */
  type: string;
  /** Output shape without the batch dimension. */
  outputShape: number[];
  /** Number of parameters (trainable and not). */
  params: number;
}

/** A model summary as data, like Keras `model.summary()`. */
export interface ModelSummary {
  /** Model name. */
  name: string;
  /** One row per layer. */
  rows: SummaryRow[];
  /** Total parameters. */
  totalParams: number;
  /** Trainable parameters. */
  trainableParams: number;
}

/** Summarise a model's layers, output shapes and parameter counts. */
export function summarize(model: tf.LayersModel): ModelSummary {
  const rows = model.layers.map((l) => {
    const shape = l.outputShape as (number | null)[];
    return {
      layer: l.name,
      type: l.getClassName(),
      outputShape: shape.slice(1).map((d) => d ?? -1),
      params: l.countParams(),
    };
  });
  const trainableParams = model.trainableWeights.reduce(
    (s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    0,
  );
  return {
    name: model.name,
    rows,
    totalParams: rows.reduce((s, r) => s + r.params, 0),
    trainableParams,
  };
}

/** Format a summary as a plain-text table like Keras prints it. */
export function formatSummary(summary: ModelSummary): string {
  const head = ["Layer (type)", "Output shape", "Params"];
  const body = summary.rows.map((r) => [
    `${r.layer} (${r.type})`,
    `[${r.outputShape.join(", ")}]`,
    r.params.toLocaleString("en-US"),
  ]);
  const w = [0, 1, 2].map((i) => Math.max(head[i].length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) =>
    c.map((s, i) => (i === 2 ? s.padStart(w[i]) : s.padEnd(w[i]))).join("  ");
  const rule = "-".repeat(w[0] + w[1] + w[2] + 4);
  return [
    `Model: ${summary.name}`,
    rule,
    line(head),
    rule,
    ...body.map(line),
    rule,
    `Total params: ${summary.totalParams.toLocaleString("en-US")}`,
    `Trainable params: ${summary.trainableParams.toLocaleString("en-US")}`,
  ].join("\n");
}
