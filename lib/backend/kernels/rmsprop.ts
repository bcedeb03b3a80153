/**
 * A fused RMSprop for the wasm backend. tfjs's RMSPropOptimizer runs about 15 elementwise
 * ops per weight and allocates a full-size temporary for each (AlexNet: 62M weights, i.e.
 * about 15 x 250 MB per step). This optimizer does one pass per variable on the wasm heap:
 * the slots are updated in place and one new weight tensor is made (weights are never
 * changed in place because XNNPACK caches packed weights by tensor id). Same slots, same
 * class name and same serialised config as tf.train.rmsprop, so checkpoints interchange.
 * On other backends, and for `centered`, it is exactly tfjs's RMSprop.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { WasmBackend } from "./wasm_heap.ts";

const KERNEL = "ChimeraRMSPropUpdate";

interface UpdateAttrs {
  lr: number;
  rho: number;
  momentum: number;
  eps: number;
}

/** New weights = w - mom', with ms' = rho ms + (1-rho) g^2, mom' = m mom + lr g / sqrt(ms'+eps). */
function rmspropUpdate(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const b = args.backend as WasmBackend;
  const { value, grad, ms, mom } = args.inputs as Record<string, tf.TensorInfo>;
  const { lr, rho, momentum, eps } = args.attrs as unknown as UpdateAttrs;
  const out = b.makeOutput(value.shape, "float32");
  const w = b.typedArrayFromHeap(value), g = b.typedArrayFromHeap(grad);
  const s = b.typedArrayFromHeap(ms), m = b.typedArrayFromHeap(mom);
  const o = b.typedArrayFromHeap(out);
  const r1 = 1 - rho;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const si = rho * s[i] + r1 * gi * gi;
    s[i] = si;
    const mi = momentum * m[i] + (lr * gi) / Math.sqrt(si + eps);
    m[i] = mi;
    o[i] = w[i] - mi;
  }
  return out;
}

let registered = false;

/** Register the fused update kernel on the wasm backend (idempotent). */
export function registerFusedRmsprop(): void {
  if (registered || tf.getKernel(KERNEL, "wasm")) return;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: "wasm",
    kernelFunc: rmspropUpdate as unknown as tf.KernelFunc,
  });
  registered = true;
}

type Slot = { originalName: string; variable: tf.Variable };

/** tf.RMSPropOptimizer with a one-pass update on the wasm backend. */
export class FusedRMSPropOptimizer extends tf.RMSPropOptimizer {
  /** Apply gradients: fused on wasm (non-centered), tfjs's own ops otherwise. */
  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[],
  ): void {
    if (tf.getBackend() !== "wasm" || (this.getConfig() as { centered?: boolean }).centered) {
      super.applyGradients(variableGradients);
      return;
    }
    registerFusedRmsprop();
    const self = this as unknown as {
      accumulatedMeanSquares: Slot[];
      accumulatedMoments: Slot[];
      decay: number;
      momentum: number;
      epsilon: number;
    };
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      const make = (suffix: string): Slot => ({
        originalName: `${name}/${suffix}`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      });
      self.accumulatedMeanSquares[i] ??= make("rms");
      self.accumulatedMoments[i] ??= make("momentum");
      const grad = Array.isArray(variableGradients)
        ? variableGradients[i].tensor
        : variableGradients[name];
      if (grad == null) return;
      if (value.dtype !== "float32" || grad.dtype !== "float32") {
        throw new Error(`FusedRMSPropOptimizer: ${name} is not float32`);
      }
      tf.tidy(() => {
        const next = tf.engine().runKernel(KERNEL, {
          value,
          grad,
          ms: self.accumulatedMeanSquares[i].variable,
          mom: self.accumulatedMoments[i].variable,
        }, {
          lr: this.learningRate,
          rho: self.decay,
          momentum: self.momentum,
          eps: self.epsilon,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        value.assign(next);
      });
    });
    this.incrementIterations();
  }
}

/** Like tf.train.rmsprop, with the fused update on wasm. */
export function fusedRmsprop(
  learningRate: number,
  decay = 0.9,
  momentum = 0,
  epsilon?: number,
  centered = false,
): tf.RMSPropOptimizer {
  return new FusedRMSPropOptimizer(learningRate, decay, momentum, epsilon, centered);
}
