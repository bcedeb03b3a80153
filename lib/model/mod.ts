/**
 * The networks: the thesis AlexNet and the compact 1-D CNN, which input each reads by default,
 * summaries, saving/loading in the TensorFlow.js Layers format, and inference copies with batch
 * normalisation folded away.
 * @module
 */
export * from "./model.ts";
export * from "./modelio.ts";
export * from "./fold.ts";
export * from "./topology.ts";
