/**
 * The tfjs wasm backend as the training kernels see it: its internals, the raw entry points of
 * its wasm module (bound once per backend instance), tensor ids and float32 views of the heap,
 * transposes on the heap, and what every kernel is handed (its arguments and the
 * {@link KernelContext}: the native GEMM, the shipped kernels, the tuning knobs).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { GemmContext } from "./im2col.ts";

type TensorInfo = tf.TensorInfo;

/** A 4-D shape (NHWC tensors, HWIO filters). */
export type Shape4 = [number, number, number, number];

/** Attributes every convolution kernel receives. */
export interface ConvAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** What tfjs hands a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Tuning knobs of the kernels (tests lower them to exercise every path). */
export interface WasmKernelTuning {
  /** Filter gradients with at most this many rows (KH*KW*CI) use im2col + GEMM. */
  im2colMaxK: number;
  /**
   * Largest im2col buffer (floats), here and in the native GEMM path; bigger batches are
   * processed in chunks of images.
   */
  im2colMaxFloats: number;
}

/** What the kernels read when they run, owned by lib/backend/kernels/wasm.ts. */
export interface KernelContext {
  /** The native GEMM, or undefined for XNNPACK only. */
  native: GemmContext | undefined;
  /** The shipped kernels, to fall back on for cases the fast paths do not cover. */
  original: Record<string, tf.KernelFunc | undefined>;
  /** Tuning knobs. */
  tuning: WasmKernelTuning;
}

/** Activation codes of the fused kernels (XNNPACK's, and im2col.ts `Activation`). */
export const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

/** The internals of the tfjs wasm backend that these kernels use. */
export interface WasmBackend {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): (...a: unknown[]) => void;
    HEAPU8: Uint8Array;
  };
  dataIdMap: { get(dataId: unknown): { id: number } };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  disposeData(dataId: unknown, force?: boolean): boolean;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/** Raw entry points of the wasm module, bound once per backend instance. */
export interface WasmFns {
  conv2d: (...a: unknown[]) => void;
  transpose: (...a: unknown[]) => void;
  batchMatMul: (...a: unknown[]) => void;
}

const fnCache = new WeakMap<object, WasmFns>();

/** The entry points of `backend`'s wasm module (bound on first use). */
export function fns(backend: WasmBackend): WasmFns {
  let f = fnCache.get(backend);
  if (!f) {
    const n = "number";
    const w = backend.wasm;
    f = {
      conv2d: w.cwrap("FusedConv2D", null, Array(23).fill(n)),
      transpose: w.cwrap("Transpose", null, [n, "array", n, n, n, "array", n]),
      batchMatMul: w.cwrap("BatchMatMul", null, [n, "array", n, n, "array", n, n, n, n]),
    };
    fnCache.set(backend, f);
  }
  return f;
}

/** The heap id of a tensor. */
export function idOf(b: WasmBackend, t: TensorInfo): number {
  return b.dataIdMap.get(t.dataId).id;
}

/** Integers as the bytes of an Int32Array (shapes and permutations for the wasm calls). */
export function bytes(a: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(a).buffer);
}

/** Number of elements of a shape. */
export function size(s: number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

/** A fresh float32 view of a heap tensor (take it after the last makeOutput: the heap may grow). */
export function heap(b: WasmBackend, t: TensorInfo): Float32Array {
  return b.typedArrayFromHeap(t);
}

/** Transpose a float32 heap tensor into a new heap tensor (the caller disposes it). */
export function heapTranspose(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]);
  const out = b.makeOutput(outShape, "float32");
  fns(b).transpose(idOf(b, x), bytes(x.shape), x.shape.length, 0, idOf(b, out), bytes(perm), 4);
  return out;
}

/** {@link heapTranspose} of a tensor of any rank (the permutation's length). */
export function heapTransposeN(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]);
  const out = b.makeOutput(outShape, "float32");
  fns(b).transpose(
    idOf(b, x),
    bytes(x.shape),
    x.shape.length,
    0,
    idOf(b, out),
    bytes(perm),
    perm.length,
  );
  return out;
}
