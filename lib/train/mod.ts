/**
 * Training and what is built on it: presets, the training loop with checkpoints and resume,
 * cross-validation and grids, ensembles, distillation, the pictures a run leaves, and the demo
 * job.
 * @module
 */
export * from "./crossval.ts";
export * from "./demo.ts";
export * from "./ensemble.ts";
export * from "./optim.ts";
export * from "./options.ts";
export * from "./report.ts";
export * from "./teacher.ts";
export * from "./train.ts";
