/**
 * What a model reads, from an image or from a pile: decoding and resizing charts (preprocess), the
 * chart line read back from a PNG (chart_line), the pile in coverage units (pile_features,
 * pile_source), 1-D input transforms (sequence), cached feature sources, batches, and the input
 * representations stored with a model (inputs).
 * @module
 */
export * from "./batches.ts";
export * from "./chart_line.ts";
export * from "./inputs.ts";
export * from "./pile_features.ts";
export * from "./pile_source.ts";
export * from "./preprocess.ts";
export * from "./sequence.ts";
export * from "./source.ts";
