/**
 * Training kernels for the tfjs `wasm` backend. As shipped it lacks Conv2DBackpropFilter
 * and runs Conv2DBackpropInput and transposed matmuls as scalar loops. The kernels express
 * all of them through the backend's own XNNPACK convolution and fully-connected operators
 * (called directly on the wasm heap, no copies to JS):
 *
 * - forward convolutions: lib/backend/kernels/wasm_conv.ts;
 * - convolution and max-pool gradients: lib/backend/kernels/wasm_backprop.ts;
 * - BatchMatMul and _FusedMatMul with transposes: lib/backend/kernels/wasm_matmul.ts;
 * - the backend's internals, heap views and transposes: lib/backend/kernels/wasm_heap.ts.
 *
 * With a native GEMM ({@link useNativeGemm}: OpenBLAS through FFI, lib/backend/kernels/blas.ts) the
 * convolutions, their gradients and the matmuls run as im2col + GEMM (lib/backend/kernels/im2col.ts)
 * on the heap tensors instead; everything else stays on XNNPACK.
 *
 * This module registers them and owns their state (the {@link KernelContext} they are handed:
 * the native GEMM, the shipped kernels they fall back on, the tuning knobs).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Sgemm } from "./blas.ts";
import { gemmContext } from "./im2col.ts";
import { conv2DBackpropFilter, conv2DBackpropInput, maxPoolGrad } from "./wasm_backprop.ts";
import { conv2D } from "./wasm_conv.ts";
import type { KernelArgs, KernelContext, WasmKernelTuning } from "./wasm_heap.ts";
import { batchMatMul, fusedMatMul } from "./wasm_matmul.ts";

/** Tuning knobs of the kernels (tests lower them to exercise every path). */
export const WASM_KERNEL_TUNING: WasmKernelTuning = {
  im2colMaxK: 32,
  im2colMaxFloats: 16 << 20,
};

/** What the kernels read when they run: no native GEMM until {@link useNativeGemm}. */
const context: KernelContext = { native: undefined, original: {}, tuning: WASM_KERNEL_TUNING };

/**
 * Run convolutions, their gradients and matmuls through `sgemm` (a native BLAS), or through
 * XNNPACK again when `sgemm` is undefined.
 */
export function useNativeGemm(sgemm: Sgemm | undefined): void {
  context.native = sgemm
    ? Object.defineProperty(gemmContext(sgemm), "maxPatchFloats", {
      get: () => WASM_KERNEL_TUNING.im2colMaxFloats,
    })
    : undefined;
}

/** Whether the kernels run their GEMMs on a native BLAS now. */
export function nativeGemmActive(): boolean {
  return context.native !== undefined;
}

/** Kernels this module registers (or replaces) on the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = [
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "BatchMatMul",
  "_FusedMatMul",
  "MaxPoolGrad",
];

/** A kernel of this folder: what tfjs hands it, and the context it reads. */
type Kernel = (args: KernelArgs, ctx: KernelContext) => tf.TensorInfo;

const kernels: Record<string, Kernel> = {
  Conv2D: (a, ctx) => conv2D(a, ctx, false),
  FusedConv2D: (a, ctx) => conv2D(a, ctx, true),
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  MaxPoolGrad: maxPoolGrad,
};

let registered = false;

/** Register the training kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const name of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(name, "wasm");
    if (existing) {
      context.original[name] = existing.kernelFunc;
      tf.unregisterKernel(name, "wasm");
    }
    const kernel = kernels[name];
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      setupFunc: existing?.setupFunc,
      kernelFunc: ((a: KernelArgs) => kernel(a, context)) as unknown as tf.KernelFunc,
    });
  }
  registered = true;
}
