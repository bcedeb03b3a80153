import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "../../../lib/backend/backend.ts";
import { WASM_KERNEL_TUNING } from "../../../lib/backend/kernels/wasm.ts";
import {
  compare,
  CONVS,
  outShape,
  PATHS,
  randomData,
  relErr,
  TOL,
  wasmOn,
} from "./wasm_fixture.ts";

for (const path of PATHS) {
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
