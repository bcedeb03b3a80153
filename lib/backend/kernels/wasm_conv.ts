/**
 * Forward convolutions on the wasm heap: the backend's XNNPACK Conv2D called directly (split
 * over the batch with the helper thread of lib/backend/kernels/pool.ts when one runs), the tfjs
 * convolution geometry, and the Conv2D / FusedConv2D kernels (im2col + GEMM on the native GEMM
 * when there is one).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ConvCall, convOut, helperShare, reportHeadTime, submitConv } from "./pool.ts";
import { type Activation, convForward, type ConvGeom } from "./im2col.ts";
import {
  ACTIVATIONS,
  type ConvAttrs,
  fns,
  heap,
  idOf,
  type KernelArgs,
  type KernelContext,
  type Shape4,
  type WasmBackend,
} from "./wasm_heap.ts";

type TensorInfo = tf.TensorInfo;

/** im2col geometry of a tfjs convolution. */
export function geomOf(ci: tf.backend_util.Conv2DInfo): ConvGeom {
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
export function xnnConv(
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

/** The tfjs geometry of an NHWC convolution (NCHW is an error). */
export function convInfo(
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

/** Conv2D and FusedConv2D (bias, relu) through {@link xnnConv}, i.e. on both threads. */
export function conv2D(args: KernelArgs, ctx: KernelContext, fused: boolean): TensorInfo {
  const native = ctx.native;
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
    return ctx.original[name]!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
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
