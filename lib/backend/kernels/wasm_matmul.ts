/**
 * Matrix products on the wasm heap. The shipped BatchMatMul runs as a scalar loop whenever a
 * transpose flag is set (i.e. in every dense-layer gradient): here small operands are
 * transposed on the heap so that the product runs on XNNPACK's GEMM, or the whole product runs
 * on the native GEMM when there is one; _FusedMatMul adds bias and activation after it.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Activation, biasActivation, type GemmContext } from "./im2col.ts";
import {
  ACTIVATIONS,
  bytes,
  fns,
  heap,
  heapTransposeN,
  idOf,
  type KernelArgs,
  type KernelContext,
  size,
  type WasmBackend,
} from "./wasm_heap.ts";

type TensorInfo = tf.TensorInfo;

/**
 * BatchMatMul that keeps transposed products on XNNPACK: with batch 1 it transposes the
 * cheaper operand (or computes the transposed product and transposes the result) so that
 * the shipped kernel's fast path (no transpose flags) applies.
 */
export function batchMatMul(args: KernelArgs, ctx: KernelContext): TensorInfo {
  const native = ctx.native;
  const b = args.backend as WasmBackend;
  const { a, b: bb } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  const ra = a.shape.length, rb = bb.shape.length;
  const batchA = size(a.shape.slice(0, -2)), batchB = size(bb.shape.slice(0, -2));
  if (native && a.dtype === "float32" && bb.dtype === "float32") {
    const out = nativeMatMul(native, b, a, bb, transposeA, transposeB);
    if (out) return out;
  }
  if (
    (!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 ||
    a.dtype !== "float32" || bb.dtype !== "float32"
  ) {
    return ctx.original.BatchMatMul!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const nn = transposeB ? bb.shape[rb - 2] : bb.shape[rb - 1];
  const outShape = [...(ra >= rb ? a.shape : bb.shape).slice(0, -2), m, nn];
  const a2: TensorInfo = { ...a, shape: transposeA ? [k, m] : [m, k] };
  const b2: TensorInfo = { ...bb, shape: transposeB ? [nn, k] : [k, nn] };
  // Cost in elements moved: transposes plus packing of the right operand by XNNPACK.
  // Plan "direct": out = op(A) op(B); plan "swapped": out^T = op(B)^T op(A)^T.
  const direct = (transposeA ? m * k : 0) + (transposeB ? nn * k : 0) + k * nn;
  const swapped = (transposeB ? 0 : nn * k) + (transposeA ? 0 : m * k) + k * m + m * nn;
  const temps: TensorInfo[] = [];
  const t2 = (x: TensorInfo) => {
    const t = heapTransposeN(b, x, [1, 0]);
    temps.push(t);
    return t;
  };
  let left: TensorInfo, right: TensorInfo, swap: boolean;
  if (direct <= swapped) {
    left = transposeA ? t2(a2) : a2;
    right = transposeB ? t2(b2) : b2;
    swap = false;
  } else {
    left = transposeB ? b2 : t2(b2); // B^T as [nn, k]
    right = transposeA ? a2 : t2(a2); // A^T as [k, m]
    swap = true;
  }
  const lm = left.shape[0], rn = right.shape[1];
  const prod = b.makeOutput([lm, rn], "float32");
  fns(b).batchMatMul(
    idOf(b, left),
    bytes([1, lm, k]),
    3,
    idOf(b, right),
    bytes([1, k, rn]),
    3,
    false,
    false,
    idOf(b, prod),
  );
  for (const t of temps) b.disposeData(t.dataId);
  if (!swap) return { ...prod, shape: outShape };
  const out = heapTransposeN(b, prod, [1, 0]);
  b.disposeData(prod.dataId);
  return { ...out, shape: outShape };
}

/**
 * op(a) op(b) on the native GEMM, batch by batch (batch dimensions equal, or one of them 1
 * and broadcast); undefined for shapes it does not cover.
 */
function nativeMatMul(
  native: GemmContext,
  b: WasmBackend,
  a: TensorInfo,
  bb: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | undefined {
  const ra = a.shape.length, rb = bb.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const outerA = a.shape.slice(0, -2), outerB = bb.shape.slice(0, -2);
  const batchA = size(outerA), batchB = size(outerB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return undefined;
  }
  if (size(outer) !== Math.max(batchA, batchB)) return undefined;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const k2 = transposeB ? bb.shape[rb - 1] : bb.shape[rb - 2];
  const n = transposeB ? bb.shape[rb - 2] : bb.shape[rb - 1];
  if (k !== k2) return undefined;
  const out = b.makeOutput([...outer, m, n], "float32");
  const av = heap(b, a), bv = heap(b, bb), ov = heap(b, out);
  const batch = Math.max(batchA, batchB);
  if (k === 0) {
    ov.fill(0);
    return out;
  }
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? 0 : i, bi = batchB === 1 ? 0 : i;
    native.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      av.subarray(ai * m * k, (ai + 1) * m * k),
      transposeA ? m : k,
      bv.subarray(bi * k * n, (bi + 1) * k * n),
      transposeB ? k : n,
      ov.subarray(i * m * n, (i + 1) * m * n),
      n,
      0,
    );
  }
  return out;
}

/** _FusedMatMul (bias, relu) on the native GEMM; the shipped kernel for anything else. */
export function fusedMatMul(args: KernelArgs, ctx: KernelContext): TensorInfo {
  const native = ctx.native;
  const b = args.backend as WasmBackend;
  const { a, b: bb, bias, preluActivationWeights } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  const attrs = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
    activation?: string;
  };
  const act = ACTIVATIONS[attrs.activation ?? "linear"];
  const n = attrs.transposeB ? bb!.shape.at(-2)! : bb!.shape.at(-1)!;
  const simple = act !== undefined && !preluActivationWeights && a!.dtype === "float32" &&
    bb!.dtype === "float32" && (!bias || (bias.dtype === "float32" && size(bias.shape) === n));
  // The shipped kernel gets transposed products wrong (e.g. transposeA with a bias): those
  // run as our BatchMatMul plus bias and activation.
  const transposed = attrs.transposeA || attrs.transposeB;
  if (simple && (native || transposed)) {
    const out = native
      ? nativeMatMul(native, b, a!, bb!, attrs.transposeA, attrs.transposeB)
      : batchMatMul({ ...args, inputs: { a: a!, b: bb! } }, ctx);
    if (out) {
      const bs = bias ? heap(b, bias) : undefined;
      biasActivation(heap(b, out), n, bs, act as Activation);
      return out;
    }
  }
  return ctx.original._FusedMatMul!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}
