/**
 * Gradient kernels on the wasm heap:
 *
 * - Conv2DBackpropFilter: dW is a convolution of the transposed input ([CI,H,W,N]) with the
 *   transposed output gradient ([OH,OW,N,CO]) as filter, dilation = stride, stride =
 *   dilation; filters with few rows use im2col patches and one matmul instead.
 * - Conv2DBackpropInput: dx is a stride-1 convolution of the (zero-upsampled when stride >
 *   1) output gradient with the rotated, transposed filter.
 * - MaxPoolGrad: one pass over the pooling windows.
 *
 * The convolutions run on XNNPACK (lib/backend/kernels/wasm_conv.ts), or as im2col + GEMM on the
 * native GEMM when there is one.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { convFilterGrad, convInputGrad } from "./im2col.ts";
import { convInfo, geomOf, xnnConv } from "./wasm_conv.ts";
import {
  bytes,
  type ConvAttrs,
  fns,
  heap,
  heapTranspose,
  idOf,
  type KernelArgs,
  type KernelContext,
  type Shape4,
  type WasmBackend,
  type WasmKernelTuning,
} from "./wasm_heap.ts";

type TensorInfo = tf.TensorInfo;

/**
 * dW = conv(x^T, dy^T): out[ci, kh, kw, co] = sum_{oh,ow,n} X'[ci, kh*d + oh*s - pt, ...]
 * F'[oh, ow, n, co], with X' = x as [CI,H,W,N] and F' = dy as [OH,OW,N,CO].
 */
export function conv2DBackpropFilter(args: KernelArgs, ctx: KernelContext): TensorInfo {
  const native = ctx.native;
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
  if (ci.filterHeight * ci.filterWidth * cIn <= ctx.tuning.im2colMaxK) {
    return im2colFilterGrad(b, x, dy, ci, ctx.tuning);
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
  tuning: WasmKernelTuning,
): TensorInfo {
  const [n, h, w, cIn] = x.shape;
  const { outHeight: oh, outWidth: ow, outChannels: cOut, filterHeight: kh, filterWidth: kw } = ci;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = ci;
  const pt = ci.padInfo.top, pl = ci.padInfo.left;
  const k = kh * kw * cIn, mi = oh * ow;
  const per = Math.max(1, Math.min(n, Math.floor(tuning.im2colMaxFloats / (k * mi))));
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

/**
 * dx = conv(upsample(dy), rot180(W)^T) with stride 1: the filter becomes
 * W''[kh', kw', co, ci] = W[KH-1-kh', KW-1-kw', ci, co], padding KH-1-pt on top.
 */
export function conv2DBackpropInput(args: KernelArgs, ctx: KernelContext): TensorInfo {
  const native = ctx.native;
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
    return ctx.original.Conv2DBackpropInput!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
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
 * MaxPoolGrad as one pass over the windows (the shipped kernel loops over every input
 * pixel and window position): the gradient of each output goes to the first maximum of
 * its window in row-major order, as on the cpu backend.
 */
export function maxPoolGrad(args: KernelArgs, ctx: KernelContext): TensorInfo {
  const b = args.backend as WasmBackend;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: "valid" | "same" | number;
    dimRoundingMode?: "floor" | "round" | "ceil";
  };
  if (input.dtype !== "float32" || input.shape.length !== 4) {
    return ctx.original.MaxPoolGrad!(args as Parameters<tf.KernelFunc>[0]) as TensorInfo;
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
