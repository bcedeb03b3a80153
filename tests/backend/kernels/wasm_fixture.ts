/**
 * Shared by the wasm kernel tests: the two GEMM paths, random inputs as plain data, one kernel run
 * on the wasm and the cpu backend and compared, the convolution geometries and the matmul cases.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { nativeBlas, selectBackend } from "../../../lib/backend/backend.ts";
import { stopPool } from "../../../lib/backend/kernels/pool.ts";
import { nativeGemmActive } from "../../../lib/backend/kernels/wasm.ts";

/** Largest relative error between the wasm and the cpu backend. */
export const TOL = 1e-4;

/** OpenBLAS, when installed (and not turned off by CHIMERA_BLAS): the BLAS tests skip otherwise. */
const BLAS = nativeBlas();

/** Whether OpenBLAS loaded. */
export const HAS_OPENBLAS = typeof BLAS !== "string";

/** Set OpenBLAS's thread count (nothing without OpenBLAS). */
export function setBlasThreads(n: number): void {
  if (typeof BLAS !== "string") BLAS.setThreads(n);
}

/** The two paths of the wasm kernels: XNNPACK only, and the GEMMs on OpenBLAS. */
export const PATHS = [
  { name: "xnnpack", blas: false, ignore: false },
  { name: "openblas", blas: true, ignore: !HAS_OPENBLAS },
] as const;

/** Select the wasm backend on one path, one wasm thread. */
export async function wasmOn(path: (typeof PATHS)[number]): Promise<void> {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1, blas: path.blas });
  assert.equal(nativeGemmActive(), path.blas);
}

/**
 * One test a path (skipped without OpenBLAS on its path): `fn` with no helper thread and one
 * BLAS thread (two again after it).
 */
export function testEachPath(
  name: (path: string) => string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  for (const path of PATHS) {
    Deno.test({
      name: name(path.name),
      ignore: path.ignore,
      fn: async (t) => {
        await wasmOn(path);
        stopPool();
        setBlasThreads(1);
        await fn(t);
        setBlasThreads(2);
      },
    });
  }
}

/** `fn` on the OpenBLAS path with two BLAS threads. */
export async function twoBlasThreads(fn: () => Promise<void>): Promise<void> {
  await wasmOn(PATHS[1]);
  setBlasThreads(2);
  await fn();
}

/** A kernel's inputs by name. */
type Inputs = Record<string, number[] | { shape: number[]; seed: number }>;

/** Random inputs as plain data, so the same values can be used on both backends. */
export function randomData(shape: number[], seed: number): number[] {
  let s = seed * 7919 + 17;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

/** Run one kernel with the given inputs and attributes on `backend`; returns flat values. */
export async function runOn(
  backend: string,
  kernel: string,
  inputs: Inputs,
  attrs: Record<string, unknown>,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) {
      const spec = v as { shape: number[]; seed: number };
      ins[k] = tf.tensor(randomData(spec.shape, spec.seed), spec.shape);
    }
    const out = tf.engine().runKernel(kernel, ins, attrs as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

/** Largest absolute difference relative to the largest value of `b`. */
export function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
}

/** Run `kernel` on wasm and on cpu and assert the same shape and values within {@link TOL}. */
export async function compare(
  kernel: string,
  inputs: Inputs,
  attrs: Record<string, unknown>,
): Promise<void> {
  const w = await runOn("wasm", kernel, inputs, attrs);
  const c = await runOn("cpu", kernel, inputs, attrs);
  assert.deepEqual(w.shape, c.shape, `${kernel} shape`);
  const err = relErr(w.values, c.values);
  assert.ok(err <= TOL, `${kernel} ${JSON.stringify(attrs)}: relative error ${err}`);
}

/** Conv geometries that matter: AlexNet's, the compact model's, odd sizes, batch 1 and 3. */
export const CONVS: { x: number[]; f: number[]; s: number; pad: "same" | "valid" }[] = [
  { x: [2, 31, 31, 1], f: [11, 11, 1, 4], s: 4, pad: "valid" },
  { x: [1, 27, 27, 1], f: [11, 11, 1, 3], s: 4, pad: "valid" },
  { x: [3, 9, 9, 5], f: [5, 5, 5, 6], s: 1, pad: "same" },
  { x: [1, 7, 8, 4], f: [5, 5, 4, 3], s: 1, pad: "same" },
  { x: [3, 7, 7, 6], f: [3, 3, 6, 5], s: 1, pad: "same" },
  { x: [2, 11, 10, 3], f: [3, 3, 3, 4], s: 2, pad: "same" },
  { x: [1, 9, 9, 2], f: [3, 3, 2, 2], s: 2, pad: "valid" },
  { x: [3, 8, 8, 1], f: [3, 3, 1, 16], s: 1, pad: "same" },
  { x: [2, 6, 7, 3], f: [1, 1, 3, 4], s: 1, pad: "valid" },
  { x: [2, 10, 10, 4], f: [3, 3, 4, 2], s: 2, pad: "valid" },
  // conv1d (the compact curve model) runs as a conv2d of height 1
  { x: [3, 1, 37, 5], f: [1, 5, 5, 16], s: 1, pad: "same" },
  { x: [2, 1, 18, 16], f: [1, 5, 16, 32], s: 1, pad: "same" },
];

/** The output shape of a convolution case. */
export function outShape(c: (typeof CONVS)[number]): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.f as [number, number, number, number],
    c.s,
    1,
    c.pad,
  );
  return info.outShape;
}

/** Bigger than OpenBLAS's single-thread threshold, so that two BLAS threads split the work. */
export const BIG_CONVS: (typeof CONVS)[number][] = [
  { x: [4, 20, 20, 16], f: [3, 3, 16, 32], s: 1, pad: "same" },
  { x: [3, 33, 33, 2], f: [5, 5, 2, 24], s: 2, pad: "valid" },
];

/** One step a geometry: Conv2D, FusedConv2D and both gradients against the cpu backend. */
export async function convTests(t: Deno.TestContext, convs = CONVS): Promise<void> {
  for (const c of convs) {
    const name = `x ${c.x} f ${c.f} stride ${c.s} ${c.pad}`;
    await t.step(name, async () => {
      const common = { strides: c.s, pad: c.pad, dataFormat: "NHWC", dilations: 1 };
      await compare(
        "Conv2D",
        { x: { shape: c.x, seed: 1 }, filter: { shape: c.f, seed: 2 } },
        common,
      );
      await compare(
        "FusedConv2D",
        {
          x: { shape: c.x, seed: 1 },
          filter: { shape: c.f, seed: 2 },
          bias: { shape: [c.f[3]], seed: 3 },
        },
        { ...common, activation: "relu" },
      );
      await compare(
        "Conv2DBackpropFilter",
        { x: { shape: c.x, seed: 1 }, dy: { shape: outShape(c), seed: 4 } },
        { ...common, filterShape: c.f },
      );
      await compare(
        "Conv2DBackpropInput",
        { dy: { shape: outShape(c), seed: 4 }, filter: { shape: c.f, seed: 2 } },
        { ...common, inputShape: c.x },
      );
    });
  }
}

/** BatchMatMul with every transpose, batch 1, 2 and broadcast; _FusedMatMul with bias, relu. */
export async function matMulTests(sizes: number[][]): Promise<void> {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    const attrs = { transposeA: ta, transposeB: tb };
    for (const [m, k, n] of sizes) {
      const a = { shape: ta ? [k, m] : [m, k], seed: 5 };
      const b = { shape: tb ? [n, k] : [k, n], seed: 6 };
      await compare("BatchMatMul", { a, b }, attrs);
      // tf.fused.matMul hands the kernel rank-3 operands
      const a3 = { ...a, shape: [1, ...a.shape] }, b3 = { ...b, shape: [1, ...b.shape] };
      await compare("_FusedMatMul", { a: a3, b: b3, bias: { shape: [n], seed: 3 } }, {
        ...attrs,
        activation: "relu",
      });
    }
    await compare("BatchMatMul", {
      a: { shape: ta ? [2, 4, 3] : [2, 3, 4], seed: 7 },
      b: { shape: tb ? [2, 5, 4] : [2, 4, 5], seed: 8 },
    }, attrs);
    await compare("BatchMatMul", {
      a: { shape: ta ? [2, 4, 3] : [2, 3, 4], seed: 7 },
      b: { shape: tb ? [1, 5, 4] : [1, 4, 5], seed: 8 },
    }, attrs);
  }
}
