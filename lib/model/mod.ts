/**
 * The networks: the thesis AlexNet and the compact 1-D CNN, which input each reads by default,
 * summaries, and saving/loading in the TensorFlow.js Layers format.
 * @module
 */
export * from "./model.ts";
export * from "./modelio.ts";
