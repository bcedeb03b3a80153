/**
 * The helper thread of lib/backend/kernels/pool.ts: its own tfjs wasm backend, running the
 * convolution jobs it is sent on data in a SharedArrayBuffer.
 * @module
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { type ConvJob, HEADER_BYTES, writeError } from "./pool.ts";
import { convOnHeap } from "./wasm_conv.ts";
import type { WasmBackend } from "./wasm_heap.ts";

let sab: SharedArrayBuffer | undefined;
let ctrl: Int32Array | undefined;
let data: Float32Array | undefined;

function run(job: ConvJob): void {
  const b = tf.backend() as unknown as WasmBackend;
  const c = job.call;
  const x = b.makeOutput([c.batch, c.inH, c.inW, c.inC], "float32");
  const f = b.makeOutput([c.fh, c.fw, c.inC, c.outC], "float32");
  const bias = job.bOff >= 0 ? b.makeOutput([c.outC], "float32") : undefined;
  try {
    if (bias) b.typedArrayFromHeap(bias).set(data!.subarray(job.bOff, job.bOff + c.outC));
    b.typedArrayFromHeap(x).set(
      data!.subarray(job.xOff, job.xOff + c.batch * c.inH * c.inW * c.inC),
    );
    const fLen = c.fh * c.fw * c.inC * c.outC;
    b.typedArrayFromHeap(f).set(data!.subarray(job.fOff, job.fOff + fLen));
    const out = convOnHeap(b, x, f, c, bias);
    const view = b.typedArrayFromHeap(out);
    data!.set(view, job.outOff);
    b.disposeData(out.dataId);
  } finally {
    b.disposeData(x.dataId);
    b.disposeData(f.dataId);
    if (bias) b.disposeData(bias.dataId);
  }
}

async function main(): Promise<void> {
  const port = parentPort!;
  try {
    await tf.setBackend("wasm");
    await tf.ready();
  } catch (err) {
    port.postMessage({ error: String((err as Error)?.message ?? err) });
    return;
  }
  port.on("message", (m: { sab?: SharedArrayBuffer; job?: ConvJob }) => {
    if (m.sab) {
      sab = m.sab;
      ctrl = new Int32Array(m.sab, 0, HEADER_BYTES / 4);
      data = new Float32Array(m.sab, HEADER_BYTES);
    }
    if (m.job) {
      const t0 = performance.now();
      try {
        run(m.job);
      } catch (err) {
        // Into the shared buffer: the caller is blocked in Atomics.wait and reads it there.
        Atomics.store(ctrl!, 3, writeError(sab!, String((err as Error)?.message ?? err)));
        Atomics.store(ctrl!, 1, 1);
      }
      Atomics.store(ctrl!, 2, Math.max(1, Math.round((performance.now() - t0) * 1000)));
      Atomics.store(ctrl!, 0, m.job.seq);
      Atomics.notify(ctrl!, 0);
    }
  });
  port.postMessage({ ready: true });
}

await main();
