import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { nativeBlas, selectBackend } from "../../../lib/backend/backend.ts";
import { startPool, stopPool } from "../../../lib/backend/kernels/pool.ts";
import {
  nativeGemmActive,
  WASM_KERNEL_TUNING,
  WASM_TRAINING_KERNELS,
} from "../../../lib/backend/kernels/wasm.ts";

const TOL = 1e-4;

/** OpenBLAS, when installed (and not turned off by CHIMERA_BLAS): the BLAS tests skip otherwise. */
const BLAS = nativeBlas();
const HAS_OPENBLAS = typeof BLAS !== "string";

/** The two paths of the wasm kernels: XNNPACK only, and the GEMMs on OpenBLAS. */
const PATHS = [
  { name: "xnnpack", blas: false, ignore: false },
  { name: "openblas", blas: true, ignore: !HAS_OPENBLAS },
] as const;

/** Select the wasm backend on one path, one wasm thread. */
async function wasmOn(path: (typeof PATHS)[number]): Promise<void> {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1, blas: path.blas });
  assert.equal(nativeGemmActive(), path.blas);
}

type Inputs = Record<string, number[] | { shape: number[]; seed: number }>;

/** Random inputs as plain data, so the same values can be used on both backends. */
function randomData(shape: number[], seed: number): number[] {
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
async function runOn(
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

function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-12);
}

async function compare(kernel: string, inputs: Inputs, attrs: Record<string, unknown>) {
  const w = await runOn("wasm", kernel, inputs, attrs);
  const c = await runOn("cpu", kernel, inputs, attrs);
  assert.deepEqual(w.shape, c.shape, `${kernel} shape`);
  const err = relErr(w.values, c.values);
  assert.ok(err <= TOL, `${kernel} ${JSON.stringify(attrs)}: relative error ${err}`);
}

/** Conv geometries that matter: AlexNet's, the compact model's, odd sizes, batch 1 and 3. */
const CONVS: { x: number[]; f: number[]; s: number; pad: "same" | "valid" }[] = [
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

function outShape(c: (typeof CONVS)[number]): number[] {
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
const BIG_CONVS: (typeof CONVS)[number][] = [
  { x: [4, 20, 20, 16], f: [3, 3, 16, 32], s: 1, pad: "same" },
  { x: [3, 33, 33, 2], f: [5, 5, 2, 24], s: 2, pad: "valid" },
];

async function convTests(t: Deno.TestContext, convs = CONVS) {
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
async function matMulTests(sizes: number[][]) {
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

for (const path of PATHS) {
  Deno.test({
    name: `wasm training kernels (${path.name}) match the cpu backend (one thread)`,
    ignore: path.ignore,
    fn: async (t) => {
      await wasmOn(path);
      stopPool();
      if (HAS_OPENBLAS) BLAS.setThreads(1);
      assert.deepEqual(
        WASM_TRAINING_KERNELS.filter((k) => !tf.getKernel(k, "wasm")),
        [],
        "all kernels registered",
      );
      await convTests(t);
      await t.step("BatchMatMul and _FusedMatMul, all transposes, batch 1 and 2", async () => {
        await matMulTests([[5, 7, 3], [1, 9, 4], [33, 17, 2]]);
      });
      if (HAS_OPENBLAS) BLAS.setThreads(2);
    },
  });

  Deno.test({
    name: `convolutions by im2col in chunks of images (${path.name}) match the cpu backend`,
    ignore: path.ignore,
    fn: async () => {
      await wasmOn(path);
      const saved = { ...WASM_KERNEL_TUNING };
      WASM_KERNEL_TUNING.im2colMaxK = 1000; // every case below takes the im2col path
      WASM_KERNEL_TUNING.im2colMaxFloats = 600; // and a few images per chunk
      try {
        for (const c of [CONVS[0], CONVS[2], CONVS[5], CONVS[7]]) {
          const common = { strides: c.s, pad: c.pad, dataFormat: "NHWC", dilations: 1 };
          await compare(
            "Conv2DBackpropFilter",
            { x: { shape: c.x, seed: 1 }, dy: { shape: outShape(c), seed: 4 } },
            { ...common, filterShape: c.f },
          );
          if (!path.blas) continue; // XNNPACK does the others in one piece
          await compare(
            "Conv2D",
            { x: { shape: c.x, seed: 1 }, filter: { shape: c.f, seed: 2 } },
            common,
          );
          await compare(
            "Conv2DBackpropInput",
            { dy: { shape: outShape(c), seed: 4 }, filter: { shape: c.f, seed: 2 } },
            { ...common, inputShape: c.x },
          );
        }
      } finally {
        Object.assign(WASM_KERNEL_TUNING, saved);
      }
    },
  });
}

Deno.test({
  name: "wasm kernels on OpenBLAS with two BLAS threads match the cpu backend",
  ignore: !HAS_OPENBLAS,
  fn: async (t) => {
    await wasmOn(PATHS[1]);
    if (HAS_OPENBLAS) BLAS.setThreads(2);
    await convTests(t, BIG_CONVS);
    await t.step("big matmuls", async () => await matMulTests([[80, 90, 70]]));
  },
});

Deno.test("wasm MaxPoolGrad matches the cpu backend", async () => {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1 });
  const cases: [number[], number, number, "same" | "valid"][] = [
    [[2, 8, 8, 3], 2, 2, "valid"],
    [[1, 9, 7, 5], 2, 2, "valid"],
    [[3, 7, 9, 2], 3, 2, "same"],
    [[2, 6, 6, 4], 2, 1, "same"],
  ];
  for (const [shape, f, s, pad] of cases) {
    const info = tf.backend_util.computePool2DInfo(
      shape as [number, number, number, number],
      f,
      s,
      1,
      pad,
    );
    // With ReLU-like ties (zeros) too: first maximum in the window wins on both backends.
    const input = { shape, seed: 9 };
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.relu(
          tf.tensor4d(randomData(shape, 9), shape as [number, number, number, number]),
        );
        const y = tf.maxPool(x, f, s, pad);
        const dy = tf.tensor(randomData(info.outShape, 10), info.outShape);
        const dx = tf.engine().runKernel("MaxPoolGrad", { dy, input: x, output: y }, {
          filterSize: f,
          strides: s,
          pad,
        }) as tf.Tensor;
        return dx.dataSync() as Float32Array;
      });
    };
    const err = relErr(await run("wasm"), await run("cpu"));
    assert.ok(err <= TOL, `MaxPoolGrad ${JSON.stringify(input)} f ${f} s ${s}: ${err}`);
  }
});

Deno.test("wasm convolutions split over two threads match the cpu backend", async (t) => {
  await wasmOn(PATHS[0]); // the helper thread runs XNNPACK convolutions only
  await startPool({ minMacs: 0 });
  try {
    await convTests(t, CONVS.filter((_, i) => i % 2 === 0)); // thread hand-offs are slow on a busy machine
  } finally {
    stopPool();
  }
});
