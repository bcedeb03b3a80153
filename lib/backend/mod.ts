/**
 * The tfjs backend: picks tfjs-node, else wasm with our training kernels (kernels/), else cpu;
 * thread count, kernel profiling. The only global state of the project is the backend chosen here.
 * @module
 */
export * from "./backend.ts";
export * from "./kernels/mod.ts";
