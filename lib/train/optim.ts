/**
 * The optimisation step's parts: the optimizer an options object asks for, the learning-rate
 * schedule (one-cycle or constant), label smoothing, decoupled weight decay, and freeing a
 * model's memory.
 * @module
 */

import * as tf from "@tensorflow/tfjs";

import { fusedRmsprop } from "../backend/kernels/rmsprop.ts";

import { type TrainOptions } from "./options.ts";

/** The optimizer an options object asks for (RMSprop with the fused wasm update). */
export function makeOptimizer(o: TrainOptions): tf.Optimizer {
  return o.optimizer === "adam" ? tf.train.adam(o.lr) : fusedRmsprop(o.lr, 0.9, 0, 1e-7);
}

/**
 * Learning rate at a global step: `lr` throughout (constant), or one-cycle as PyTorch's
 * OneCycleLR: linear from lr/25 up to lr over the first 20% of the steps, then cosine down to
 * lr/25e4 at the last step.
 */
export function learningRateAt(o: TrainOptions, step: number, totalSteps: number): number {
  if (o.schedule === "constant") return o.lr;
  const warm = 0.2 * totalSteps;
  const start = o.lr / 25;
  const end = start / 1e4;
  if (step < warm) return start + (o.lr - start) * (step / warm);
  const p = Math.min(1, (step - warm) / Math.max(1, totalSteps - 1 - warm));
  return end + (o.lr - end) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** One-hot targets smoothed in place: 1 -> 1 - s/2, 0 -> s/2 (two classes). */
export function smoothLabels(y: Float32Array, s: number): Float32Array {
  if (s > 0) { for (let i = 0; i < y.length; i++) y[i] = y[i] * (1 - s) + s / 2; }
  return y;
}

/**
 * Decoupled weight decay (as AdamW): conv and dense kernels shrink by lr * decay. Kernels are
 * found by their original name: tfjs names the variables of the second model built in a process
 * `conv1/kernel_1`, which a test of `name` missed (every model after the first trained without
 * decay until 2026-12-07).
 */
export function decayWeights(model: tf.LayersModel, lr: number, decay: number): void {
  if (decay <= 0) return;
  tf.tidy(() => {
    for (const w of model.trainableWeights) {
      if (/(^|\/)kernel$/.test(w.originalName)) w.write(w.read().mul(1 - lr * decay));
    }
  });
}

/** Free a model and its optimizer's slots (a model's dispose() leaves the optimizer's). */
export function disposeModel(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.dispose();
}
