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
