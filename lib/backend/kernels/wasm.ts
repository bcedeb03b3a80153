/**
 * Training kernels for the tfjs `wasm` backend. As shipped it lacks Conv2DBackpropFilter
 * and runs Conv2DBackpropInput and transposed matmuls as scalar loops. The kernels here
 * express all of them through the backend's own XNNPACK convolution and fully-connected
 * operators (called directly on the wasm heap, no copies to JS):
 *
 * - Conv2DBackpropFilter: dW is a convolution of the transposed input ([CI,H,W,N]) with the
 *   transposed output gradient ([OH,OW,N,CO]) as filter, dilation = stride, stride =
 *   dilation.
 * - Conv2DBackpropInput: dx is a stride-1 convolution of the (zero-upsampled when stride >
 *   1) output gradient with the rotated, transposed filter.
 * - BatchMatMul with transposes: small operands are transposed on the heap so that the
 *   matmul runs on XNNPACK's GEMM instead of the scalar loop (which the shipped kernel
 *   uses whenever a transpose flag is set, i.e. in every dense-layer gradient).
 *
 * With a native GEMM ({@link useNativeGemm}: OpenBLAS through FFI, lib/backend/kernels/blas.ts) the
 * convolutions, their gradients and the matmuls run as im2col + GEMM (lib/backend/kernels/im2col.ts)
 * on the heap tensors instead; everything else stays on XNNPACK.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ConvCall, convOut, helperShare, reportHeadTime, submitConv } from "./pool.ts";
import type { Sgemm } from "./blas.ts";
import {
  type Activation,
  biasActivation,
  convFilterGrad,
  convForward,
  type ConvGeom,
  convInputGrad,
  type GemmContext,
  gemmContext,
} from "./im2col.ts";

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];

/** Attributes every convolution kernel receives. */
interface ConvAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

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
interface WasmFns {
  conv2d: (...a: unknown[]) => void;
  transpose: (...a: unknown[]) => void;
  batchMatMul: (...a: unknown[]) => void;
}

const fnCache = new WeakMap<object, WasmFns>();

function fns(backend: WasmBackend): WasmFns {
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

const idOf = (b: WasmBackend, t: TensorInfo): number => b.dataIdMap.get(t.dataId).id;
const bytes = (a: number[]): Uint8Array => new Uint8Array(new Int32Array(a).buffer);
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

/** The native GEMM the kernels use, or undefined for XNNPACK only. */
let native: GemmContext | undefined;

/**
 * Run convolutions, their gradients and matmuls through `sgemm` (a native BLAS), or through
 * XNNPACK again when `sgemm` is undefined.
 */
export function useNativeGemm(sgemm: Sgemm | undefined): void {
  native = sgemm
    ? Object.defineProperty(gemmContext(sgemm), "maxPatchFloats", {
      get: () => WASM_KERNEL_TUNING.im2colMaxFloats,
    })
    : undefined;
}

/** Whether the kernels run their GEMMs on a native BLAS now. */
export function nativeGemmActive(): boolean {
  return native !== undefined;
}

/** im2col geometry of a tfjs convolution. */
function geomOf(ci: tf.backend_util.Conv2DInfo): ConvGeom {
  return {
    n: ci.batchSize,
    h: ci.inHeight,
    w: ci.inWidth,
    ci: ci.inChannels,
    oh: ci.outHeight,
    ow: ci.outWidth,
    co: ci.outChannels,
    kh: ci.filterHeight,
    kw: ci.filterWidth,
    sh: ci.strideHeight,
    sw: ci.strideWidth,
    dh: ci.dilationHeight,
    dw: ci.dilationWidth,
    pt: ci.padInfo.top,
    pl: ci.padInfo.left,
  };
}

/** Transpose a float32 heap tensor into a new heap tensor (the caller disposes it). */
function heapTranspose(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  const outShape = perm.map((p) => x.shape[p]);
  const out = b.makeOutput(outShape, "float32");
  fns(b).transpose(idOf(b, x), bytes(x.shape), x.shape.length, 0, idOf(b, out), bytes(perm), 4);
  return out;
}

function heapTransposeN(b: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
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

/** Run the backend's XNNPACK Conv2D on heap tensors, on this thread; returns NHWC. */
export function convOnHeap(
  b: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  c: ConvCall,
  bias?: TensorInfo,
): TensorInfo {
  const oh = convOut(c.inH, c.padT, c.padB, c.fh, c.strideH, c.dilH);
  const ow = convOut(c.inW, c.padL, c.padR, c.fw, c.strideW, c.dilW);
  const out = b.makeOutput([c.batch, oh, ow, c.outC], "float32");
  convInto(b, x, filter, out, c, bias);
  return out;
}

/** Run XNNPACK Conv2D for the first `c.batch` images of `x` into the head of `out`. */
function convInto(
  b: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  out: TensorInfo,
  c: ConvCall,
  bias?: TensorInfo,
): void {
  fns(b).conv2d(
    idOf(b, x),
    c.batch,
    c.inH,
    c.inW,
    idOf(b, filter),
    c.fh,
    c.fw,
    bias ? idOf(b, bias) : 0,
    c.padT,
    c.padR,
    c.padB,
    c.padL,
    0,
    c.dilH,
    c.dilW,
    c.strideH,
    c.strideW,
    c.inC,
    c.outC,
    c.act ?? 0,
    0,
    0,
    idOf(b, out),
  );
}

/**
 * XNNPACK Conv2D on heap tensors, split over the batch with the helper thread when one
 * runs (lib/backend/kernels/pool.ts) and the convolution is big enough; returns a new NHWC tensor.
 */
function xnnConv(
  b: WasmBackend,
  x: TensorInfo,
  filter: TensorInfo,
  c: ConvCall,
  bias?: TensorInfo,
): TensorInfo {
  const tail = helperShare(c);
  if (tail === 0) return convOnHeap(b, x, filter, c, bias);
  const head = c.batch - tail;
  const oh = convOut(c.inH, c.padT, c.padB, c.fh, c.strideH, c.dilH);
  const ow = convOut(c.inW, c.padL, c.padR, c.fw, c.strideW, c.dilW);
  const out = b.makeOutput([c.batch, oh, ow, c.outC], "float32");
  const xs = b.typedArrayFromHeap(x);
  const inImg = c.inH * c.inW * c.inC, outImg = oh * ow * c.outC;
  const collect = submitConv(
    { ...c, batch: tail },
    xs.subarray(head * inImg, c.batch * inImg),
    b.typedArrayFromHeap(filter),
    bias ? b.typedArrayFromHeap(bias) : undefined,
  );
  const t0 = performance.now();
  convInto(b, x, filter, out, { ...c, batch: head }, bias);
  const headMs = performance.now() - t0;
  collect(b.typedArrayFromHeap(out).subarray(head * outImg));
  reportHeadTime(head, tail, headMs);
  return out;
}

function convInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: {
    strides: number | [number, number];
    pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
    dataFormat?: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
    dilations?: number | [number, number];
  },
): tf.backend_util.Conv2DInfo {
  const fmt = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? "NHWC");
  if (fmt !== "channelsLast") throw new Error("wasm training kernels support NHWC only");
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    fmt,
  );
}

/**
 * dW = conv(x^T, dy^T): out[ci, kh, kw, co] = sum_{oh,ow,n} X'[ci, kh*d + oh*s - pt, ...]
 * F'[oh, ow, n, co], with X' = x as [CI,H,W,N] and F' = dy as [OH,OW,N,CO].
 */
function conv2DBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const b = args.backend as WasmBackend;
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: Shape4 };
  const ci = convInfo(x.shape as Shape4, attrs.filterShape, attrs);
  if (native) {
    const out = b.makeOutput(attrs.filterShape, "float32");
    const g = geomOf(ci);
    convFilterGrad(native, g, b.typedArrayFromHeap(x), b.typedArrayFromHeap(dy), heap(b, out));
    return out;
  }
  const [n, h, w, cIn] = x.shape as Shape4;
  if (ci.filterHeight * ci.filterWidth * cIn <= WASM_KERNEL_TUNING.im2colMaxK) {
    return im2colFilterGrad(b, x, dy, ci);
  }
  const { outHeight: oh, outWidth: ow, outChannels: cOut, filterHeight: kh, filterWidth: kw } = ci;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  // Last input row/col that any output touches (unpadded coordinates); pad up to it.
  const lastRow = sh * (oh - 1) + dh * (kh - 1) - pt;
  const lastCol = sw * (ow - 1) + dw * (kw - 1) - pl;
  const padB = Math.max(0, lastRow + 1 - h);
  const padR = Math.max(0, lastCol + 1 - w);
  const xT = heapTranspose(b, x, [3, 1, 2, 0]); // [CI, H, W, N]
  const dyT = heapTranspose(b, dy, [1, 2, 0, 3]); // [OH, OW, N, CO]
  const raw = xnnConv(b, xT, dyT, {
    batch: cIn,
    inH: h,
    inW: w,
    inC: n,
    outC: cOut,
    fh: oh,
    fw: ow,
    padT: pt,
    padR,
    padB,
    padL: pl,
    dilH: sh,
    dilW: sw,
    strideH: dh,
    strideW: dw,
  }); // [CI, KH', KW', CO] with KH' >= KH
  b.disposeData(xT.dataId);
  b.disposeData(dyT.dataId);
  const [, rh, rw] = raw.shape;
  const out = b.makeOutput([kh, kw, cIn, cOut], "float32");
  if (rh === kh && rw === kw) {
    // [CI, KH, KW, CO] -> [KH, KW, CI, CO]
    const t = heapTranspose(b, raw, [1, 2, 0, 3]);
    b.disposeData(out.dataId);
    b.disposeData(raw.dataId);
    return t;
  }
  const src = b.typedArrayFromHeap(raw);
  const dst = b.typedArrayFromHeap(out);
  for (let c = 0; c < cIn; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s0 = ((c * rh + i) * rw + j) * cOut;
        const d0 = ((i * kw + j) * cIn + c) * cOut;
        dst.set(src.subarray(s0, s0 + cOut), d0);
      }
    }
  }
  b.disposeData(raw.dataId);
  return out;
}

/** Tuning knobs of the kernels (tests lower them to exercise every path). */
export const WASM_KERNEL_TUNING = {
  /** Filter gradients with at most this many rows (KH*KW*CI) use im2col + GEMM. */
  im2colMaxK: 32,
  /**
   * Largest im2col buffer (floats), here and in the native GEMM path; bigger batches are
   * processed in chunks of images.
   */
  im2colMaxFloats: 16 << 20,
};

/**
 * dW = P^T dy with P the im2col patches, for filters with few rows (e.g. a first layer with
 * one input channel, where the convolution form has almost no output pixels): P^T [K, M]
 * is built in JS, the product runs on XNNPACK, images in chunks.
 */
function im2colFilterGrad(
  b: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  ci: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const [n, h, w, cIn] = x.shape;
  const { outHeight: oh, outWidth: ow, outChannels: cOut, filterHeight: kh, filterWidth: kw } = ci;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  const k = kh * kw * cIn, mi = oh * ow;
  const per = Math.max(1, Math.min(n, Math.floor(WASM_KERNEL_TUNING.im2colMaxFloats / (k * mi))));
  const acc = new Float32Array(k * cOut);
  for (let n0 = 0; n0 < n; n0 += per) {
    const cnt = Math.min(per, n - n0), m = cnt * mi;
    const pT = b.makeOutput([k, m], "float32");
    const whole = n0 === 0 && cnt === n;
    const dyc = whole ? dy : b.makeOutput([m, cOut], "float32");
    const prod = b.makeOutput([k, cOut], "float32");
    const xv = b.typedArrayFromHeap(x);
    const pv = b.typedArrayFromHeap(pT);
    if (!whole) {
      b.typedArrayFromHeap(dyc).set(
        b.typedArrayFromHeap(dy).subarray(n0 * mi * cOut, (n0 + cnt) * mi * cOut),
      );
    }
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let c = 0; c < cIn; c++) {
          let o = ((i * kw + j) * cIn + c) * m;
          for (let q = 0; q < cnt; q++) {
            const img = (n0 + q) * h;
            for (let y = 0; y < oh; y++) {
              const hy = y * sh + i * dh - pt;
              if (hy < 0 || hy >= h) {
                pv.fill(0, o, o + ow);
                o += ow;
                continue;
              }
              const row = (img + hy) * w;
              for (let xo = 0; xo < ow; xo++) {
                const wx = xo * sw + j * dw - pl;
                pv[o++] = wx >= 0 && wx < w ? xv[(row + wx) * cIn + c] : 0;
              }
            }
          }
        }
      }
    }
    fns(b).batchMatMul(
      idOf(b, pT),
      bytes([1, k, m]),
      3,
      idOf(b, dyc),
      bytes([1, m, cOut]),
      3,
      false,
      false,
      idOf(b, prod),
    );
    const pr = b.typedArrayFromHeap(prod);
    for (let t = 0; t < acc.length; t++) acc[t] += pr[t];
    b.disposeData(pT.dataId);
    b.disposeData(prod.dataId);
    if (!whole) b.disposeData(dyc.dataId);
  }
  const out = b.makeOutput([kh, kw, cIn, cOut], "float32");
  b.typedArrayFromHeap(out).set(acc); // rows (kh, kw, ci) x cols co: HWIO already
  return out;
}

/** Original kernels, kept to fall back on for cases the fast paths do not cover. */
const original: Record<string, tf.KernelFunc | undefined> = {};

/**
 * dx = conv(upsample(dy), rot180(W)^T) with stride 1: the filter becomes
 * W''[kh', kw', co, ci] = W[KH-1-kh', KW-1-kw', ci, co], padding KH-1-pt on top.
 */
function conv2DBackpropInput(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: Shape4 };
  const ci = convInfo(attrs.inputShape, filter.shape as Shape4, attrs);
  if (native) {
    const out = b.makeOutput(attrs.inputShape, "float32");
    const g = geomOf(ci);
    convInputGrad(native, g, b.typedArrayFromHeap(dy), b.typedArrayFromHeap(filter), heap(b, out));
    return out;
  }
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cIn, outChannels: cOut } = ci;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = ci;
  const { strideHeight: sh, strideWidth: sw } = ci;
  const uh = (oh - 1) * sh + 1, uw = (ow - 1) * sw + 1;
  const padT = kh - 1 - ci.padInfo.top, padL = kw - 1 - ci.padInfo.left;
  const padB = h - uh + kh - 1 - padT, padR = w - uw + kw - 1 - padL;
  if (padT < 0 || padL < 0 || padB < 0 || padR < 0 || ci.dilationHeight !== 1) {
    return original.Conv2DBackpropInput!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  // Rotated, transposed filter [KH, KW, CO, CI].
  const wRot = b.makeOutput([kh, kw, cOut, cIn], "float32");
  {
    const src = b.typedArrayFromHeap(filter);
    const dst = b.typedArrayFromHeap(wRot);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const d0 = (i * kw + j) * cOut * cIn;
        const s0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * cIn * cOut;
        for (let c = 0; c < cIn; c++) {
          const sc = s0 + c * cOut;
          for (let o = 0; o < cOut; o++) dst[d0 + o * cIn + c] = src[sc + o];
        }
      }
    }
  }
  let dyU = dy;
  if (sh > 1 || sw > 1) {
    dyU = b.makeOutput([n, uh, uw, cOut], "float32");
    const src = b.typedArrayFromHeap(dy);
    const dst = b.typedArrayFromHeap(dyU);
    dst.fill(0);
    for (let q = 0; q < n; q++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const s0 = ((q * oh + i) * ow + j) * cOut;
          dst.set(src.subarray(s0, s0 + cOut), ((q * uh + i * sh) * uw + j * sw) * cOut);
        }
      }
    }
  }
  const out = xnnConv(b, dyU, wRot, {
    batch: n,
    inH: uh,
    inW: uw,
    inC: cOut,
    outC: cIn,
    fh: kh,
    fw: kw,
    padT,
    padR,
    padB,
    padL,
    dilH: 1,
    dilW: 1,
    strideH: 1,
    strideW: 1,
  });
  b.disposeData(wRot.dataId);
  if (dyU !== dy) b.disposeData(dyU.dataId);
  return out;
}

/**
 * BatchMatMul that keeps transposed products on XNNPACK: with batch 1 it transposes the
 * cheaper operand (or computes the transposed product and transposes the result) so that
 * the shipped kernel's fast path (no transpose flags) applies.
 */
function batchMatMul(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const b = args.backend as WasmBackend;
  const { a, b: bb } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  const ra = a.shape.length, rb = bb.shape.length;
  const batchA = size(a.shape.slice(0, -2)), batchB = size(bb.shape.slice(0, -2));
  if (native && a.dtype === "float32" && bb.dtype === "float32") {
    const out = nativeMatMul(b, a, bb, transposeA, transposeB);
    if (out) return out;
  }
  if (
    (!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 ||
    a.dtype !== "float32" || bb.dtype !== "float32"
  ) {
    return original.BatchMatMul!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
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

/** A fresh float32 view of a heap tensor (take it after the last makeOutput: the heap may grow). */
function heap(b: WasmBackend, t: TensorInfo): Float32Array {
  return b.typedArrayFromHeap(t);
}

/**
 * op(a) op(b) on the native GEMM, batch by batch (batch dimensions equal, or one of them 1
 * and broadcast); undefined for shapes it does not cover.
 */
function nativeMatMul(
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
    native!.sgemm(
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
function fusedMatMul(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
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
      ? nativeMatMul(b, a!, bb!, attrs.transposeA, attrs.transposeB)
      : batchMatMul({ ...args, inputs: { a: a!, b: bb! } });
    if (out) {
      const bs = bias ? heap(b, bias) : undefined;
      biasActivation(heap(b, out), n, bs, act as Activation);
      return out;
    }
  }
  return original._FusedMatMul!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
}

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

/** Conv2D and FusedConv2D (bias, relu) through {@link xnnConv}, i.e. on both threads. */
function conv2D(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
  fused: boolean,
): TensorInfo {
  const b = args.backend as WasmBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<
    string,
    TensorInfo | undefined
  >;
  const attrs = args.attrs as unknown as ConvAttrs & {
    dilations: [number, number] | number;
    activation?: string;
  };
  const act = ACTIVATIONS[attrs.activation ?? "linear"];
  if (
    act === undefined || preluActivationWeights || x!.dtype !== "float32" ||
    (bias && bias.shape.length !== 1) || (attrs.dataFormat ?? "NHWC") !== "NHWC"
  ) {
    const name = fused ? "FusedConv2D" : "Conv2D";
    return original[name]!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const ci = convInfo(x!.shape as Shape4, filter!.shape as Shape4, attrs);
  if (native) {
    const out = b.makeOutput(ci.outShape, "float32");
    const xs = b.typedArrayFromHeap(x!), fs = b.typedArrayFromHeap(filter!);
    const bs = bias ? b.typedArrayFromHeap(bias) : undefined;
    convForward(native, geomOf(ci), xs, fs, heap(b, out), bs, act as Activation);
    return out;
  }
  const out = xnnConv(b, x!, filter!, {
    batch: ci.batchSize,
    inH: ci.inHeight,
    inW: ci.inWidth,
    inC: ci.inChannels,
    outC: ci.outChannels,
    fh: ci.filterHeight,
    fw: ci.filterWidth,
    padT: ci.padInfo.top,
    padR: ci.padInfo.right,
    padB: ci.padInfo.bottom,
    padL: ci.padInfo.left,
    dilH: ci.dilationHeight,
    dilW: ci.dilationWidth,
    strideH: ci.strideHeight,
    strideW: ci.strideWidth,
    act,
  }, bias);
  return { ...out, shape: ci.outShape };
}

/**
 * MaxPoolGrad as one pass over the windows (the shipped kernel loops over every input
 * pixel and window position): the gradient of each output goes to the first maximum of
 * its window in row-major order, as on the cpu backend.
 */
function maxPoolGrad(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: "valid" | "same" | number;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  if (input.dtype !== "float32" || input.shape.length !== 4) {
    return original.MaxPoolGrad!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as Shape4,
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, c] = input.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const pt = info.padInfo.top, pl = info.padInfo.left;
  const dx = b.makeOutput(input.shape, "float32");
  const xv = b.typedArrayFromHeap(input);
  const dyv = b.typedArrayFromHeap(dy);
  const dxv = b.typedArrayFromHeap(dx);
  dxv.fill(0);
  const best = new Float32Array(c);
  const arg = new Int32Array(c);
  for (let q = 0; q < n; q++) {
    for (let i = 0; i < oh; i++) {
      const h0 = i * sh - pt, hs = Math.max(0, h0), he = Math.min(h, h0 + fh);
      for (let j = 0; j < ow; j++) {
        const w0 = j * sw - pl, ws = Math.max(0, w0), we = Math.min(w, w0 + fw);
        best.fill(-Infinity);
        arg.fill(-1);
        for (let y = hs; y < he; y++) {
          for (let x = ws; x < we; x++) {
            const base = ((q * h + y) * w + x) * c;
            for (let k = 0; k < c; k++) {
              const v = xv[base + k];
              if (v > best[k]) {
                best[k] = v;
                arg[k] = base + k;
              }
            }
          }
        }
        const d0 = ((q * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) if (arg[k] >= 0) dxv[arg[k]] += dyv[d0 + k];
      }
    }
  }
  return dx;
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

const impls: Record<string, tf.KernelFunc> = {
  Conv2D: ((a: Parameters<typeof conv2D>[0]) => conv2D(a, false)) as unknown as tf.KernelFunc,
  FusedConv2D: ((a: Parameters<typeof conv2D>[0]) => conv2D(a, true)) as unknown as tf.KernelFunc,
  Conv2DBackpropFilter: conv2DBackpropFilter as unknown as tf.KernelFunc,
  Conv2DBackpropInput: conv2DBackpropInput as unknown as tf.KernelFunc,
  BatchMatMul: batchMatMul as unknown as tf.KernelFunc,
  _FusedMatMul: fusedMatMul as unknown as tf.KernelFunc,
  MaxPoolGrad: maxPoolGrad as unknown as tf.KernelFunc,
};

let registered = false;

/** Register the training kernels on the wasm backend (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const name of WASM_TRAINING_KERNELS) {
    const existing = tf.getKernel(name, "wasm");
    if (existing) {
      original[name] = existing.kernelFunc;
      tf.unregisterKernel(name, "wasm");
    }
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      setupFunc: existing?.setupFunc,
      kernelFunc: impls[name],
    });
  }
  registered = true;
}
