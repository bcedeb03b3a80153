/**
 * Convolutions and their gradients as im2col + GEMM on Float32Arrays (NHWC input, HWIO
 * filter), for a native {@link Sgemm} (lib/backend/kernels/blas.ts). The patch matrix of a chunk
 * of images has one row per output pixel and K = KH*KW*CI columns in (kh, kw, ci) order, so
 * the HWIO filter is already its K x CO right-hand side:
 *
 * - forward: out = P W (then bias and activation);
 * - filter gradient: dW = sum over chunks of P^T dy;
 * - input gradient: dP = dy W^T, scattered back onto dx (col2im).
 * @module
 */
import type { Sgemm } from "./blas.ts";

/** Geometry of a convolution (explicit padding; output size already computed). */
export interface ConvGeom {
  /** Images. */
  n: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Input channels. */
  ci: number;
  /** Output height. */
  oh: number;
  /** Output width. */
  ow: number;
  /** Output channels. */
  co: number;
  /** Filter height. */
  kh: number;
  /** Filter width. */
  kw: number;
  /** Vertical stride. */
  sh: number;
  /** Horizontal stride. */
  sw: number;
  /** Vertical dilation. */
  dh: number;
  /** Horizontal dilation. */
  dw: number;
  /** Top padding. */
  pt: number;
  /** Left padding. */
  pl: number;
}

/** A GEMM plus a reusable scratch buffer for patch matrices. */
export interface GemmContext {
  /** Row-major GEMM. */
  sgemm: Sgemm;
  /** A scratch array of at least `n` floats (contents undefined; reused between calls). */
  scratch: (n: number) => Float32Array;
  /** Largest patch matrix (floats) before images are processed in chunks. */
  maxPatchFloats: number;
}

/** Default largest patch matrix: 16 M floats (64 MiB). */
export const IM2COL_DEFAULTS = { maxPatchFloats: 16 << 20 };

/** A {@link GemmContext} around `sgemm` with its own scratch buffer. */
export function gemmContext(sgemm: Sgemm, maxPatchFloats = IM2COL_DEFAULTS.maxPatchFloats) {
  let buf = new Float32Array(0);
  const ctx: GemmContext = {
    sgemm,
    maxPatchFloats,
    scratch: (n: number) => {
      if (buf.length < n) buf = new Float32Array(n);
      return buf;
    },
  };
  return ctx;
}

/** Whether the patch matrix is the input itself (1x1 filter, stride 1, no padding). */
function isPointwise(g: ConvGeom): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 &&
    g.oh === g.h && g.ow === g.w;
}

/** Images per chunk so that the patch matrix stays under the context's limit. */
function chunkImages(ctx: GemmContext, g: ConvGeom): number {
  const perImage = g.oh * g.ow * g.kh * g.kw * g.ci;
  return Math.max(1, Math.min(g.n, Math.floor(ctx.maxPatchFloats / perImage)));
}

/** Filter-row length (floats) from which im2col copies a row with one `set` rather than a loop. */
const IM2COL_COPY_MIN = 64;

/**
 * Patch matrix of images [n0, n0 + cnt) of `x` into `p` (rows: output pixels, columns:
 * (kh, kw, ci)); taps that fall into the padding are zero.
 */
export function im2col(x: Float32Array, g: ConvGeom, n0: number, cnt: number, p: Float32Array) {
  const { h, w, ci, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const k = kh * kw * ci;
  const run = kw * ci; // a filter row: contiguous in x when dw === 1 and inside the image
  let r = 0;
  for (let q = n0; q < n0 + cnt; q++) {
    const img = q * h;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, r += k) {
        const x0 = xo * sw - pl;
        const inside = x0 >= 0 && x0 + (kw - 1) * dw < w;
        for (let i = 0; i < kh; i++) {
          const hy = y * sh + i * dh - pt;
          const o = r + i * run;
          if (hy < 0 || hy >= h) {
            p.fill(0, o, o + run);
            continue;
          }
          const row = (img + hy) * w;
          if (inside && dw === 1) {
            const s = (row + x0) * ci;
            // a long row is one memory copy; a short one (a few taps of one channel) a loop
            if (run >= IM2COL_COPY_MIN) p.set(x.subarray(s, s + run), o);
            else for (let t = 0; t < run; t++) p[o + t] = x[s + t];
            continue;
          }
          for (let j = 0; j < kw; j++) {
            const wx = x0 + j * dw, oj = o + j * ci;
            if (wx < 0 || wx >= w) {
              p.fill(0, oj, oj + ci);
              continue;
            }
            const s = (row + wx) * ci;
            for (let c = 0; c < ci; c++) p[oj + c] = x[s + c];
          }
        }
      }
    }
  }
}

/** Add the patch-matrix gradient `p` of images [n0, n0 + cnt) onto `dx` (inverse of im2col). */
export function col2im(p: Float32Array, g: ConvGeom, n0: number, cnt: number, dx: Float32Array) {
  const { h, w, ci, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl } = g;
  const k = kh * kw * ci;
  let r = 0;
  for (let q = n0; q < n0 + cnt; q++) {
    const img = q * h;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, r += k) {
        const x0 = xo * sw - pl;
        for (let i = 0; i < kh; i++) {
          const hy = y * sh + i * dh - pt;
          if (hy < 0 || hy >= h) continue;
          const row = (img + hy) * w, o = r + i * kw * ci;
          for (let j = 0; j < kw; j++) {
            const wx = x0 + j * dw;
            if (wx < 0 || wx >= w) continue;
            const s = (row + wx) * ci, oj = o + j * ci;
            for (let c = 0; c < ci; c++) dx[s + c] += p[oj + c];
          }
        }
      }
    }
  }
}

/** Fused activations of the forward kernels (tfjs-wasm codes: 0 linear, 1 relu, 2 relu6). */
export type Activation = 0 | 1 | 2;

/** Add `bias` (length co) to every row of `out` and apply the activation, in place. */
export function biasActivation(
  out: Float32Array,
  co: number,
  bias: Float32Array | undefined,
  act: Activation,
): void {
  if (!bias && act === 0) return;
  const rows = out.length / co;
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0; c < co; c++, o++) {
      let v = bias ? out[o] + bias[c] : out[o];
      if (act !== 0 && v < 0) v = 0;
      else if (act === 2 && v > 6) v = 6;
      out[o] = v;
    }
  }
}

/** Convolution forward: `out` ([n, oh, ow, co]) = conv(x, filter) + bias, activated. */
export function convForward(
  ctx: GemmContext,
  g: ConvGeom,
  x: Float32Array,
  filter: Float32Array,
  out: Float32Array,
  bias?: Float32Array,
  act: Activation = 0,
): void {
  const k = g.kh * g.kw * g.ci, mi = g.oh * g.ow;
  if (isPointwise(g)) {
    ctx.sgemm(false, false, g.n * mi, g.co, k, x, k, filter, g.co, out, g.co, 0);
  } else {
    const per = chunkImages(ctx, g);
    const p = ctx.scratch(per * mi * k);
    for (let n0 = 0; n0 < g.n; n0 += per) {
      const cnt = Math.min(per, g.n - n0);
      im2col(x, g, n0, cnt, p);
      const o = out.subarray(n0 * mi * g.co, (n0 + cnt) * mi * g.co);
      ctx.sgemm(false, false, cnt * mi, g.co, k, p, k, filter, g.co, o, g.co, 0);
    }
  }
  biasActivation(out, g.co, bias, act);
}

/** Filter gradient: `dw` ([kh, kw, ci, co]) = sum over images of P^T dy. */
export function convFilterGrad(
  ctx: GemmContext,
  g: ConvGeom,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
): void {
  const k = g.kh * g.kw * g.ci, mi = g.oh * g.ow;
  if (isPointwise(g)) {
    ctx.sgemm(true, false, k, g.co, g.n * mi, x, k, dy, g.co, dw, g.co, 0);
    return;
  }
  const per = chunkImages(ctx, g);
  const p = ctx.scratch(per * mi * k);
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const cnt = Math.min(per, g.n - n0);
    im2col(x, g, n0, cnt, p);
    const d = dy.subarray(n0 * mi * g.co, (n0 + cnt) * mi * g.co);
    ctx.sgemm(true, false, k, g.co, cnt * mi, p, k, d, g.co, dw, g.co, n0 === 0 ? 0 : 1);
  }
}

/** Input gradient: `dx` ([n, h, w, ci]) = col2im(dy W^T). */
export function convInputGrad(
  ctx: GemmContext,
  g: ConvGeom,
  dy: Float32Array,
  filter: Float32Array,
  dx: Float32Array,
): void {
  const k = g.kh * g.kw * g.ci, mi = g.oh * g.ow;
  if (isPointwise(g)) {
    ctx.sgemm(false, true, g.n * mi, k, g.co, dy, g.co, filter, g.co, dx, k, 0);
    return;
  }
  dx.fill(0);
  const per = chunkImages(ctx, g);
  const p = ctx.scratch(per * mi * k);
  for (let n0 = 0; n0 < g.n; n0 += per) {
    const cnt = Math.min(per, g.n - n0);
    const d = dy.subarray(n0 * mi * g.co, (n0 + cnt) * mi * g.co);
    ctx.sgemm(false, true, cnt * mi, k, g.co, d, g.co, filter, g.co, p, k, 0);
    col2im(p, g, n0, cnt, dx);
  }
}
