/**
 * Training kernels for the tfjs wasm backend (convolution gradients, max-pool gradient, transposed
 * matmuls, fused RMSprop), an optional OpenBLAS GEMM and a helper thread.
 * @module
 */
export * from "./blas.ts";
export * from "./im2col.ts";
export * from "./pool.ts";
export * from "./rmsprop.ts";
export * from "./wasm.ts";
export { convOnHeap } from "./wasm_conv.ts";
export type { WasmBackend, WasmKernelTuning } from "./wasm_heap.ts";
