import assert from "node:assert/strict";
import { BENCH_CASES, peakRssMiB, sig, timeSteps } from "../../lib/bench/cases.ts";
import { testBackend } from "../test_backend.ts";

await testBackend();

Deno.test("sig rounds to 4 significant digits", () => {
  assert.equal(sig(0.123456), 0.1235);
  assert.equal(sig(123456), 123500);
  assert.equal(sig(1.5), 1.5);
});

Deno.test("timeSteps calls the step once to warm up, then `steps` times", async () => {
  let calls = 0;
  const t = await timeSteps(() => Promise.resolve(calls++), 3);
  assert.equal(calls, 4);
  for (const v of [t.wall, t.cpu, t.first]) assert.ok(v >= 0 && Number.isFinite(v));
  assert.ok(Number.isInteger(t.tensorsWarm));
});

Deno.test("cases have unique names and descriptions; torch runs last; peak RSS is positive", () => {
  const names = BENCH_CASES.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const c of BENCH_CASES) assert.ok(c.description.length > 10, c.name);
  assert.equal(names.at(-1), "torch_alexnet", "torch compares with the tfjs rows before it");
  assert.ok(peakRssMiB() > 0);
});
