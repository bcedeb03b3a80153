import { startPool, stopPool } from "../../../lib/backend/kernels/pool.ts";
import {
  BIG_CONVS,
  CONVS,
  convTests,
  HAS_OPENBLAS,
  PATHS,
  testEachPath,
  twoBlasThreads,
  wasmOn,
} from "./wasm_fixture.ts";

testEachPath(
  (path) => `wasm convolutions and their gradients (${path}) match the cpu backend (one thread)`,
  (t) => convTests(t),
);

Deno.test({
  name: "wasm convolutions on OpenBLAS with two BLAS threads match the cpu backend",
  ignore: !HAS_OPENBLAS,
  fn: (t) => twoBlasThreads(() => convTests(t, BIG_CONVS)),
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
