import { HAS_OPENBLAS, matMulTests, testEachPath, twoBlasThreads } from "./wasm_fixture.ts";

testEachPath(
  (path) => `wasm BatchMatMul and _FusedMatMul (${path}) match the cpu backend (one thread)`,
  async (t) => {
    await t.step("BatchMatMul and _FusedMatMul, all transposes, batch 1 and 2", async () => {
      await matMulTests([[5, 7, 3], [1, 9, 4], [33, 17, 2]]);
    });
  },
);

Deno.test({
  name: "wasm matmuls on OpenBLAS with two BLAS threads match the cpu backend",
  ignore: !HAS_OPENBLAS,
  fn: (t) =>
    twoBlasThreads(async () => {
      await t.step("big matmuls", async () => await matMulTests([[80, 90, 70]]));
    }),
});
