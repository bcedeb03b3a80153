/**
 * A helper thread for the wasm backend's convolutions. The wasm build that runs under Deno
 * is single-threaded, so a convolution uses one core. This pool starts one more thread
 * (node:worker_threads, unref'd so it never keeps a process alive) with its own tfjs-wasm
 * instance; a convolution is split over its batch: the helper computes the tail of the
 * batch while the calling thread computes the head, then the caller copies the tail back.
 * Data moves through a SharedArrayBuffer and the caller blocks with Atomics.wait, so
 * kernels stay synchronous as tfjs requires.
 * @module
 */
import { Worker } from "node:worker_threads";

/** Geometry of an XNNPACK convolution call (NHWC input, HWIO filter, explicit padding). */
export interface ConvCall {
  /** Images in the batch. */
  batch: number;
  /** Input height. */
  inH: number;
  /** Input width. */
  inW: number;
  /** Input channels. */
  inC: number;
  /** Output channels. */
  outC: number;
  /** Filter height. */
  fh: number;
  /** Filter width. */
  fw: number;
  /** Top padding. */
  padT: number;
  /** Right padding. */
  padR: number;
  /** Bottom padding. */
  padB: number;
  /** Left padding. */
  padL: number;
  /** Vertical dilation. */
  dilH: number;
  /** Horizontal dilation. */
  dilW: number;
  /** Vertical stride. */
  strideH: number;
  /** Horizontal stride. */
  strideW: number;
  /** Fused activation (tfjs-wasm FusableActivation code: 0 linear, 1 relu, 2 relu6). */
  act?: number;
}

/** A job sent to the helper: a convolution whose input and filter lie in the shared buffer. */
export interface ConvJob {
  /** Sequence number the helper writes to the control word when done. */
  seq: number;
  /** The convolution (its batch is the helper's share). */
  call: ConvCall;
  /** Float offset of the input in the shared buffer's data area. */
  xOff: number;
  /** Float offset of the filter. */
  fOff: number;
  /** Float offset where the helper writes the output. */
  outOff: number;
  /** Float offset of the bias (length outC), or -1 for none. */
  bOff: number;
}

/** Pool options. */
export interface PoolOptions {
  /** Helper threads (0 disables; only 0 or 1 are used at present). */
  helpers?: number;
  /** Smallest convolution (multiply-adds) worth splitting. */
  minMacs?: number;
}

/** Default pool options: one helper, split convolutions above 20 M multiply-adds. */
export const POOL_DEFAULTS: Required<PoolOptions> = { helpers: 1, minMacs: 20e6 };

/** Longest wait for the helper before giving up on it (it died or hangs). */
const WAIT_LIMIT_MS = 300_000;

/**
 * Header of the shared buffer: control words [0] done seq, [1] error flag, [2] job µs,
 * [3] error message length; the helper's error message (UTF-8) from byte ERROR_OFFSET on. The
 * message travels in the buffer because the caller blocks in Atomics.wait, so no message event
 * from the helper can reach it before it reports the failure.
 */
export const HEADER_BYTES = 1024;

/** Where the helper writes its error message in the header. */
export const ERROR_OFFSET = 64;

/** The helper's error message written into the header (truncated to fit); returns its length. */
export function writeError(sab: SharedArrayBuffer, message: string): number {
  const room = new Uint8Array(sab, ERROR_OFFSET, HEADER_BYTES - ERROR_OFFSET);
  const { written } = new TextEncoder().encodeInto(message, room);
  return written;
}

/** The error message the helper left in the header. */
function readError(sab: SharedArrayBuffer, length: number): string {
  const bytes = new Uint8Array(sab, ERROR_OFFSET, Math.min(length, HEADER_BYTES - ERROR_OFFSET));
  return new TextDecoder().decode(bytes.slice());
}

interface PoolState {
  worker: Worker;
  sab: SharedArrayBuffer;
  ctrl: Int32Array;
  data: Float32Array;
  seq: number;
  minMacs: number;
  /** Helper speed / this thread's speed, smoothed over recent jobs (balances the split). */
  ratio: number;
}

let pool: PoolState | undefined;

/** Start the helper thread (idempotent); resolves once its wasm backend is ready. */
export async function startPool(opts: PoolOptions = {}): Promise<boolean> {
  const o = { ...POOL_DEFAULTS, ...opts };
  if (o.helpers < 1) {
    stopPool();
    return false;
  }
  if (pool) {
    pool.minMacs = o.minMacs;
    return true;
  }
  const worker = new Worker(new URL("./worker.ts", import.meta.url));
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", (m: { ready?: boolean; error?: string }) => {
      if (m.ready) resolve();
      else reject(new Error(m.error ?? "helper thread failed to start"));
    });
    worker.once("error", reject);
  });
  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  worker.unref(); // never keep a process alive for the helper
  const sab = new SharedArrayBuffer(HEADER_BYTES + 4 * (1 << 20));
  pool = {
    worker,
    sab,
    ctrl: new Int32Array(sab, 0, HEADER_BYTES / 4),
    data: new Float32Array(sab, HEADER_BYTES),
    seq: 0,
    minMacs: o.minMacs,
    ratio: 1,
  };
  worker.postMessage({ sab });
  return true;
}

/** Stop the helper thread (convolutions then run on the calling thread only). */
export function stopPool(): void {
  if (!pool) return;
  pool.worker.terminate();
  pool = undefined;
}

/** Whether the helper is running. */
export function poolActive(): boolean {
  return pool !== undefined;
}

/** Multiply-adds of a convolution. */
export function convMacs(c: ConvCall): number {
  const oh = convOut(c.inH, c.padT, c.padB, c.fh, c.strideH, c.dilH);
  const ow = convOut(c.inW, c.padL, c.padR, c.fw, c.strideW, c.dilW);
  return c.batch * oh * ow * c.outC * c.fh * c.fw * c.inC;
}

/** Output size of a convolution along one axis (XNNPACK rule). */
export function convOut(inp: number, padA: number, padB: number, k: number, s: number, d: number) {
  return Math.floor((inp + padA + padB - (d * (k - 1) + 1)) / s) + 1;
}

/**
 * How to split `call` between this thread and the helper: the helper's batch share, or 0
 * when the convolution is too small or no helper runs. The share follows the measured
 * speed of both threads, so a helper starved by a busy machine gets less work (at least
 * one image, to keep measuring).
 */
export function helperShare(call: ConvCall): number {
  if (!pool || call.batch < 2 || convMacs(call) < pool.minMacs) return 0;
  const share = Math.round(call.batch * pool.ratio / (1 + pool.ratio));
  return Math.min(call.batch - 1, Math.max(1, share));
}

/** Time (ms) of the caller's share of the last split convolution, for balancing. */
export function reportHeadTime(head: number, tail: number, headMs: number): void {
  if (!pool) return;
  const helperMs = Atomics.load(pool.ctrl, 2) / 1000;
  if (head < 1 || tail < 1 || headMs <= 0 || helperMs <= 0) return;
  const r = (tail / helperMs) / (head / headMs);
  pool.ratio = Math.min(2, Math.max(0.05, 0.7 * pool.ratio + 0.3 * r));
}

/**
 * Send the helper its share: `x` is the tail of the input (helper's images), `filter` the
 * whole filter. Returns a function that waits for the result and copies it into `out`.
 */
export function submitConv(
  call: ConvCall,
  x: Float32Array,
  filter: Float32Array,
  bias?: Float32Array,
): (out: Float32Array) => void {
  const p = pool!;
  const oh = convOut(call.inH, call.padT, call.padB, call.fh, call.strideH, call.dilH);
  const ow = convOut(call.inW, call.padL, call.padR, call.fw, call.strideW, call.dilW);
  const outLen = call.batch * oh * ow * call.outC;
  const bLen = bias ? bias.length : 0;
  const need = x.length + filter.length + bLen + outLen;
  if (need > p.data.length) {
    p.sab = new SharedArrayBuffer(HEADER_BYTES + 4 * Math.ceil(need * 1.25));
    p.ctrl = new Int32Array(p.sab, 0, HEADER_BYTES / 4);
    p.data = new Float32Array(p.sab, HEADER_BYTES);
    Atomics.store(p.ctrl, 0, p.seq);
    p.worker.postMessage({ sab: p.sab });
  }
  const job: ConvJob = {
    seq: ++p.seq,
    call,
    xOff: 0,
    fOff: x.length,
    outOff: x.length + filter.length + bLen,
    bOff: bias ? x.length + filter.length : -1,
  };
  p.data.set(x, job.xOff);
  p.data.set(filter, job.fOff);
  if (bias) p.data.set(bias, job.bOff);
  p.worker.postMessage({ job });
  return (out: Float32Array) => {
    const t0 = performance.now();
    while (Atomics.load(p.ctrl, 0) !== job.seq) {
      Atomics.wait(p.ctrl, 0, Atomics.load(p.ctrl, 0), 100);
      if (performance.now() - t0 > WAIT_LIMIT_MS) {
        stopPool();
        throw new Error("conv helper thread did not answer; stopped it (single-threaded now)");
      }
    }
    if (Atomics.load(p.ctrl, 1) !== 0) {
      Atomics.store(p.ctrl, 1, 0);
      const message = readError(p.sab, Atomics.load(p.ctrl, 3)) || "no message";
      throw new Error(`conv helper thread failed: ${message}`);
    }
    out.set(p.data.subarray(job.outOff, job.outOff + outLen));
  };
}
