import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import {
  BACKEND_ENV,
  backendLabel,
  cpuModel,
  nativeBlas,
  profileKernels,
  selectBackend,
  skipped,
  threadCount,
  THREADS_ENV,
  wasmThreads,
} from "../../lib/backend/backend.ts";
import { UserError } from "../../lib/core/errors.ts";
import { BLAS_ENV } from "../../lib/backend/kernels/blas.ts";
import { startPool, stopPool, submitConv } from "../../lib/backend/kernels/pool.ts";
import { nativeGemmActive } from "../../lib/backend/kernels/wasm.ts";

/** OpenBLAS, when installed: the tests of the BLAS path skip otherwise. */
const HAS_OPENBLAS = typeof nativeBlas() !== "string";

/** The wasm kernels' two paths: XNNPACK only, and GEMMs on OpenBLAS. */
const PATHS = [
  { name: "xnnpack", blas: false, ignore: false },
  { name: "openblas", blas: true, ignore: !HAS_OPENBLAS },
] as const;
import { buildModel, modelInput, type ModelOptions } from "../../lib/model/model.ts";

Deno.test("selectBackend picks wasm when tfjs-node is absent, and is idempotent", async () => {
  const a = await selectBackend({ quiet: true, threads: 1 });
  const b = await selectBackend({ quiet: true, threads: 1 });
  assert.equal(a, b);
  assert.equal(tf.getBackend(), a);
  if (a !== "tensorflow") {
    assert.equal(a, "wasm");
    assert.match(skipped.tensorflow ?? "", /tfjs-node/);
  }
});

Deno.test({
  name: "OpenBLAS is picked when installed, named wasm+openblas, and can be turned off",
  ignore: !HAS_OPENBLAS,
  fn: async () => {
    const old = Deno.env.get(BLAS_ENV);
    try {
      Deno.env.delete(BLAS_ENV);
      assert.equal(await selectBackend({ quiet: true, backend: "wasm", threads: 1 }), "wasm");
      assert.equal(backendLabel(), "wasm+openblas");
      assert.ok(nativeGemmActive());
      Deno.env.set(BLAS_ENV, "off");
      await selectBackend({ quiet: true, backend: "wasm", threads: 1 });
      assert.equal(backendLabel(), "wasm");
      assert.ok(!nativeGemmActive());
      Deno.env.delete(BLAS_ENV);
      await selectBackend({ quiet: true, backend: "wasm", threads: 1, blas: false });
      assert.equal(backendLabel(), "wasm");
      assert.match(skipped.openblas ?? "", /turned off/);
    } finally {
      if (old === undefined) Deno.env.delete(BLAS_ENV);
      else Deno.env.set(BLAS_ENV, old);
    }
  },
});

Deno.test("cpuModel names the processor from /proc/cpuinfo", () => {
  const m = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"));
  assert.equal(cpuModel(), `${m![1].trim()} (${navigator.hardwareConcurrency} cores)`);
});

Deno.test("backend option and CHIMERA_BACKEND override the choice", async () => {
  const old = Deno.env.get(BACKEND_ENV);
  try {
    Deno.env.set(BACKEND_ENV, "cpu");
    assert.equal(await selectBackend({ quiet: true }), "cpu");
    assert.equal(await selectBackend({ quiet: true, backend: "wasm", threads: 1 }), "wasm");
    Deno.env.set(BACKEND_ENV, "gpu");
    // A user error (a message, no stack trace), naming the variable and the choices.
    await assert.rejects(
      () => selectBackend({ quiet: true }),
      (err: Error) =>
        err instanceof UserError &&
        err.message === 'CHIMERA_BACKEND="gpu": expected one of tensorflow, wasm, cpu',
    );
    Deno.env.delete(BACKEND_ENV);
    const oldThreads = Deno.env.get(THREADS_ENV);
    Deno.env.set(THREADS_ENV, "two");
    try {
      await assert.rejects(
        () => selectBackend({ quiet: true }),
        (err: Error) =>
          err instanceof UserError &&
          err.message === 'CHIMERA_THREADS="two": expected a whole number >= 1',
      );
    } finally {
      if (oldThreads === undefined) Deno.env.delete(THREADS_ENV);
      else Deno.env.set(THREADS_ENV, oldThreads);
    }
  } finally {
    if (old === undefined) Deno.env.delete(BACKEND_ENV);
    else Deno.env.set(BACKEND_ENV, old);
  }
});

Deno.test("threadCount: the option, then CHIMERA_THREADS, then the command's default, then cores", () => {
  assert.equal(threadCount({ threads: 1, defaultThreads: 2 }, "2", 8), 1);
  assert.equal(threadCount({ defaultThreads: 1 }, "2", 8), 2);
  assert.equal(threadCount({ defaultThreads: 1 }, undefined, 8), 1);
  assert.equal(threadCount({}, undefined, 8), 2);
  assert.equal(threadCount({}, undefined, 1), 1);
  assert.ok(Number.isNaN(threadCount({}, "two", 8))); // selectBackend names the variable
});

/** A small conv net covering the layers our models use (1 channel in, 2 classes out). */
function smallNet(): tf.Sequential {
  let seed = 7;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const m = tf.sequential();
  m.add(tf.layers.inputLayer({ inputShape: [23, 23, 1] }));
  m.add(tf.layers.conv2d({
    filters: 4,
    kernelSize: 5,
    strides: 2,
    padding: "valid",
    activation: "relu",
    kernelInitializer: init(),
  }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.conv2d({
    filters: 6,
    kernelSize: 3,
    padding: "same",
    activation: "relu",
    kernelInitializer: init(),
  }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.conv2d({
    filters: 5,
    kernelSize: 3,
    strides: 2,
    padding: "same",
    activation: "relu",
    kernelInitializer: init(),
  }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 8, activation: "relu", kernelInitializer: init() }));
  m.add(tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: init() }));
  return m;
}

async function losses(backend: "wasm" | "cpu", optimizer: "rmsprop" | "adam"): Promise<number[]> {
  await tf.setBackend(backend); // keeps the helper thread the test started
  const m = smallNet();
  m.compile({
    optimizer: optimizer === "adam" ? tf.train.adam(1e-2) : tf.train.rmsprop(1e-2),
    loss: "categoricalCrossentropy",
  });
  const x = tf.randomUniform([6, 23, 23, 1], 0, 1, "float32", 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1, 0], "int32"), 2);
  const out: number[] = [];
  for (let i = 0; i < 4; i++) out.push(await m.trainOnBatch(x, y) as number);
  m.dispose();
  tf.dispose([x, y]);
  return out;
}

for (const path of PATHS) {
  for (const opt of ["rmsprop", "adam"] as const) {
    Deno.test({
      name: `a few ${opt} training steps give the same loss on wasm (${path.name}, 2 threads) ` +
        "and cpu",
      ignore: path.ignore,
      fn: async () => {
        await selectBackend({ backend: "wasm", quiet: true, threads: 1, blas: path.blas });
        assert.equal(nativeGemmActive(), path.blas);
        await startPool({ minMacs: 0 });
        try {
          assert.equal(wasmThreads(), 2);
          const w = await losses("wasm", opt);
          const c = await losses("cpu", opt);
          for (let i = 0; i < w.length; i++) {
            assert.ok(
              Math.abs(w[i] - c[i]) <= 1e-4 * Math.max(1, Math.abs(c[i])),
              `${w} vs ${c}`,
            );
          }
          assert.notEqual(w[0], w[3], "the loss changes: the net trains");
        } finally {
          stopPool();
        }
      },
    });
  }
}

for (const path of PATHS) {
  Deno.test({
    name: `the compact curve model trains to the same loss on wasm (${path.name}) and cpu`,
    ignore: path.ignore,
    fn: () => compactLosses(path.blas),
  });
}

async function compactLosses(blas: boolean): Promise<void> {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1, blas });
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const m = buildModel("compact", { columns: 40, dropout: 0 } as ModelOptions);
    m.compile({ optimizer: tf.train.adam(1e-2), loss: "categoricalCrossentropy" });
    const shape = modelInput("compact", { columns: 40 }).shape;
    const x = tf.randomUniform([5, ...shape], 0, 1, "float32", 11);
    const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0, 1], "int32"), 2);
    const out: number[] = [];
    for (let i = 0; i < 3; i++) out.push(await m.trainOnBatch(x, y) as number);
    m.dispose();
    tf.dispose([x, y]);
    return out;
  };
  const w = await run("wasm"), c = await run("cpu");
  for (let i = 0; i < w.length; i++) {
    assert.ok(Math.abs(w[i] - c[i]) <= 1e-4 * Math.max(1, Math.abs(c[i])), `${w} vs ${c}`);
  }
}

Deno.test("profileKernels reports the kernels a step ran and restores them", async () => {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1 });
  const before = tf.getKernel("Conv2D", "wasm")!.kernelFunc;
  const prof = await profileKernels(() => {
    tf.tidy(() =>
      tf.conv2d(tf.ones([1, 5, 5, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 2]), 1, "same")
    );
  }, true);
  assert.ok(prof.some((k) => k.kernel === "Conv2D" && k.shapes === "1x5x5x1,3x3x1x2"));
  assert.equal(tf.getKernel("Conv2D", "wasm")!.kernelFunc, before);
});

Deno.test("a convolution the helper thread fails on reports the helper's own error", async () => {
  await selectBackend({ backend: "wasm", quiet: true, threads: 1 });
  await startPool({ minMacs: 0 });
  try {
    const call = {
      batch: 1,
      inH: 2,
      inW: 2,
      inC: 1,
      outC: 1,
      fh: 1,
      fw: 1,
      padT: 0,
      padR: 0,
      padB: 0,
      padL: 0,
      dilH: 1,
      dilW: 1,
      strideH: 1,
      strideW: 1,
    };
    const x = Float32Array.from([1, 2, 3, 4]);
    // A negative height: the helper cannot allocate the input and throws while this thread
    // blocks in Atomics.wait (no message from the helper can arrive meanwhile).
    const failing = submitConv({ ...call, inH: -5 }, x, Float32Array.from([2]));
    assert.throws(
      () => failing(new Float32Array(4)),
      /^Error: conv helper thread failed: Invalid typed array length: -10$/,
    );
    // The helper keeps working after a failed job.
    const out = new Float32Array(4);
    submitConv(call, x, Float32Array.from([2]))(out);
    assert.deepEqual([...out], [2, 4, 6, 8]);
  } finally {
    stopPool();
  }
});
