import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { stopPool } from "../../../lib/backend/kernels/pool.ts";
import { WASM_TRAINING_KERNELS } from "../../../lib/backend/kernels/wasm.ts";
import { PATHS, wasmOn } from "./wasm_fixture.ts";

for (const path of PATHS) {
  Deno.test({
    name: `wasm training kernels (${path.name}) are all registered`,
    ignore: path.ignore,
    fn: async () => {
      await wasmOn(path);
      stopPool();
      assert.deepEqual(
        WASM_TRAINING_KERNELS.filter((k) => !tf.getKernel(k, "wasm")),
        [],
        "all kernels registered",
      );
    },
  });
}
