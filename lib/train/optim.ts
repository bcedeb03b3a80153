/**
 * The optimisation step's parts: the optimizer an options object asks for, the learning-rate
 * schedule (one-cycle or constant), label smoothing, mixup, the generalized cross-entropy's
 * targets, decoupled weight decay, and freeing a model's memory.
 * @module
 */

import { type Rng, sampleBeta, shuffleInPlace } from "../core/random.ts";
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

/** One-hot targets over `classes` smoothed in place: 1 -> 1 - s + s/classes, 0 -> s/classes. */
export function smoothLabels(y: Float32Array, s: number, classes = 2): Float32Array {
  if (s > 0) { for (let i = 0; i < y.length; i++) y[i] = y[i] * (1 - s) + s / classes; }
  return y;
}

/**
 * Mixup (Zhang et al., 2018) in place: with lam ~ Beta(alpha, alpha), taken as max(lam, 1 - lam)
 * so that each sample stays the larger part, every sample of the batch (`n` inputs in `x`, their
 * two-class targets in `y`) becomes lam x itself + (1 - lam) x another sample of the batch (a
 * random permutation), targets alike. alpha 0 leaves the batch as it is.
 */
export function mixupBatch(
  x: Float32Array,
  y: Float32Array,
  n: number,
  alpha: number,
  rng: Rng,
): void {
  if (!(alpha > 0) || n < 2) return;
  const beta = sampleBeta(alpha, alpha, rng);
  const lam = Math.max(beta, 1 - beta);
  const partner = shuffleInPlace(Array.from({ length: n }, (_, i) => i), rng);
  const item = x.length / n, classes = y.length / n;
  const x0 = x.slice(), y0 = y.slice();
  for (let i = 0; i < n; i++) {
    const j = partner[i];
    for (let k = 0; k < item; k++) {
      x[i * item + k] = lam * x0[i * item + k] + (1 - lam) * x0[j * item + k];
    }
    for (let k = 0; k < classes; k++) {
      y[i * classes + k] = lam * y0[i * classes + k] + (1 - lam) * y0[j * classes + k];
    }
  }
}

/**
 * Generalized cross-entropy (Zhang & Sabuncu, 2018) through the targets, in place: with the
 * model's probabilities `p` on the batch, each sample's `targets` t become w x t + (1 - w) x p,
 * w = (t . p)^q. Under softmax cross-entropy the gradient on the logits, p - t, becomes
 * w x (p - t): the gradient of the loss (1 - (t . p)^q) / q, which gives little weight to the
 * samples the model confidently contradicts (likely wrong labels). q 0 leaves the targets.
 */
export function gceTargets(
  targets: Float32Array,
  p: ArrayLike<number>,
  q: number,
  classes = 2,
): void {
  if (!(q > 0)) return;
  if (p.length !== targets.length) {
    throw new Error(`gceTargets: ${p.length} probabilities for ${targets.length} targets`);
  }
  for (let i = 0; i < targets.length; i += classes) {
    let agree = 0;
    for (let k = 0; k < classes; k++) agree += targets[i + k] * p[i + k];
    const w = Math.pow(agree, q);
    for (let k = 0; k < classes; k++) targets[i + k] = w * targets[i + k] + (1 - w) * p[i + k];
  }
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
