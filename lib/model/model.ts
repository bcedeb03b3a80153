/**
 * Model definitions: the thesis AlexNet and our compact CNN, plus a model summary as data.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { LINE_CHANNEL_COUNT, LINE_DEFAULTS } from "../features/chart_line.ts";
import type { InputSpec } from "../features/inputs.ts";
import { PILE_FEATURE_DEFAULTS } from "../features/pile_features.ts";
import { PREPROCESS_DEFAULTS } from "../features/preprocess.ts";

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

/** Filters of the compact model's convolution blocks (kernel 5, batch norm, ReLU, pool 2). */
export const COMPACT_FILTERS: readonly number[] = [16, 32, 64, 64];

/** Units of the compact model's hidden dense layer. */
export const COMPACT_HIDDEN = 64;

/** What a model reads: the square grey image, or the coverage curve of lib/features/chart_line.ts. */
export interface ModelInput {
  /** `image`: [size, size, 1] grey pixels; `pile`: [columns, 5] (lib/features/pile_features.ts). */
  kind: "image" | "pile";
  /** Input shape without the batch dimension. */
  shape: number[];
}

/** Options of the compact model: the model options plus the input's length and channels. */
export interface CompactOptions extends ModelOptions {
  /** Input columns (column groups across the chart). */
  columns?: number;
  /** Channels per column (5 for both the pile and the curve input). */
  channels?: number;
  /** Width multiplier: filters and hidden units times this (rounded); 1 is the model below. */
  width?: number;
  /**
   * What the dense layers read: `flatten` (where along the read each feature sits) or `pool`
   * (the flatten plus the mean and the max of each last-block feature over the read).
   */
  head?: CompactHead;
}

/** The compact model's heads (see {@link CompactOptions.head}). */
export type CompactHead = "flatten" | "pool";

/** Compact model defaults: 145 columns of 5 channels, dropout 0.3, width 1, flatten head. */
export const COMPACT_DEFAULTS = {
  columns: LINE_DEFAULTS.columns,
  channels: LINE_CHANNEL_COUNT,
  dropout: 0.3,
  width: 1,
  head: "flatten" as CompactHead,
};

/** The input representation each model is trained on by default (stored with the model). */
export function defaultInput(model: ModelName): InputSpec {
  switch (model) {
    case "alexnet":
      return { kind: "image", ...PREPROCESS_DEFAULTS };
    case "compact":
      return { kind: "pile", columns: PILE_FEATURE_DEFAULTS.columns };
  }
}

/** The input a model is built for: the kind of its {@link defaultInput} and its shape. */
export function modelInput(name: ModelName, opts: CompactOptions = {}): ModelInput {
  if (defaultInput(name).kind === "pile") {
    return {
      kind: "pile",
      shape: [opts.columns ?? COMPACT_DEFAULTS.columns, opts.channels ?? COMPACT_DEFAULTS.channels],
    };
  }
  const size = opts.size ?? MODEL_DEFAULTS.size;
  return { kind: "image", shape: [size, size, 1] };
}

/**
 * Our compact model, a 1-D CNN on the coverage curve ([columns, 5] from lib/features/chart_line.ts; `size`
 * is not used). Four blocks of conv1d (kernel 5, same padding, no bias) -> batch norm
 * (momentum 0.9 as in PyTorch: the running statistics settle within a short run) -> ReLU
 * -> max-pool 2 with 16, 32, 64, 64 filters; flatten (9x64 at 145 columns), dropout (0.3),
 * dense 64 ReLU, dropout (0.3), dense softmax over `classes`. 71,442 parameters (71,090
 * trainable) at 145x5 -> 2 (tests/model/model_test.ts). `width` multiplies the filters and the
 * hidden units; `head: "pool"` concatenates the last block's global mean and max to the flatten
 * (+128 inputs to the dense layer). The head is part of the saved topology, so a model loads as
 * it was built. Cross-validated scores: README, Results
 * (`deno task cv --data ../shared/data/original_data --out runs/cv_pile`).
 */
export function buildCompact(opts: CompactOptions = {}): tf.LayersModel {
  const o = { ...MODEL_DEFAULTS, ...COMPACT_DEFAULTS, ...opts };
  let seed = o.seed;
  const init = () => tf.initializers.heNormal({ seed: seed++ });
  const input = tf.input({ shape: [o.columns, o.channels], name: "curve" });
  let x: tf.SymbolicTensor = input;
  const wide = (units: number) => Math.max(1, Math.round(units * o.width));
  COMPACT_FILTERS.forEach((filters, i) => {
    const n = i + 1;
    const layers = [
      tf.layers.conv1d({
        filters: wide(filters),
        kernelSize: 5,
        padding: "same",
        useBias: false,
        kernelInitializer: init(),
        name: `conv${n}`,
      }),
      tf.layers.batchNormalization({ momentum: 0.9, name: `bn${n}` }),
      tf.layers.reLU({ name: `relu${n}` }),
      tf.layers.maxPooling1d({ poolSize: 2, name: `pool${n}` }),
    ];
    for (const layer of layers) x = layer.apply(x) as tf.SymbolicTensor;
  });
  // Flatten (not only global pooling): where along the read a feature sits matters.
  let h = tf.layers.flatten({ name: "flatten" }).apply(x) as tf.SymbolicTensor;
  if (o.head === "pool") {
    const mean = tf.layers.globalAveragePooling1d({ name: "global_mean" }).apply(x);
    const max = tf.layers.globalMaxPooling1d({ name: "global_max" }).apply(x);
    h = tf.layers.concatenate({ name: "head" }).apply(
      [h, mean, max] as tf.SymbolicTensor[],
    ) as tf.SymbolicTensor;
  } else if (o.head !== "flatten") {
    throw new Error(`unknown head "${o.head}" (expected flatten or pool)`);
  }
  // Unseeded on purpose (as in AlexNet): a seeded tfjs dropout layer draws one mask for good.
  h = tf.layers.dropout({ rate: o.dropout, name: "dropout1" })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({
    units: wide(COMPACT_HIDDEN),
    activation: "relu",
    kernelInitializer: init(),
    name: "fc",
  }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: o.dropout, name: "dropout2" })
    .apply(h) as tf.SymbolicTensor;
  const out = tf.layers.dense({
    units: o.classes,
    activation: "softmax",
    kernelInitializer: init(),
    name: "softmax",
  }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "compact" });
}

/** Build a model by name. */
export function buildModel(name: ModelName, opts: CompactOptions = {}): tf.LayersModel {
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
