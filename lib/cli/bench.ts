/**
 * `deno task bench`: time training and inference on the selected tfjs backend and print one
 * JSON object per line (cases in lib/bench/cases.ts), each with the processor's model name.
 * @module
 */
import { num, parseCommand, runMain, str } from "./args.ts";
import { UserError } from "../core/errors.ts";
import { modelDir, readModelMeta } from "../model/modelio.ts";
import { backendLabel, cpuModel, isBackendName, selectBackend } from "../backend/backend.ts";
import { BENCH_CASES, type BenchContext, type BenchRow } from "../bench/cases.ts";

const SPEC = {
  usage:
    "deno task bench [--only NAME[,NAME...]] [--steps N] [--quick] [--backend NAME] [--model DIR]",
  summary: "Benchmarks: AlexNet training step and forward pass (batch 32, 224x224x1), compact " +
    "model training step, memory over 20 steps, and the same AlexNet in PyTorch when " +
    "/usr/bin/python3 has torch (with the tfjs/torch ratios). One JSON object per line on " +
    "stdout. Cases: " + BENCH_CASES.map((c) => c.name).join(", ") + ".",
  options: {
    only: { type: "string", help: "run only these cases (comma-separated names)" },
    steps: { type: "string", help: "timed steps per measurement (median)", default: "3" },
    quick: { type: "boolean", help: "batch 8 and fewer steps: a smoke test, not the targets" },
    backend: { type: "string", help: "tensorflow, wasm or cpu (default: best available)" },
    threads: { type: "string", help: "wasm threads, 1 or 2 (default: 2 on 2+ cores)" },
    blas: {
      type: "string",
      help: "on: convolutions and matmuls on OpenBLAS (FFI) when installed; off: XNNPACK only",
      default: "on",
    },
    model: {
      type: "string",
      help: "model folder or run for classify_cache and paf_classify (default: the shipped one, " +
        "models/charts for classify_cache, models/compact for paf_classify)",
    },
    optimizer: {
      type: "string",
      help: "RMSprop: fused (one-pass update, lib/backend/kernels/rmsprop.ts) or tfjs",
      default: "fused",
    },
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const only = str(args, "only")?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const name of only ?? []) {
    if (!BENCH_CASES.some((c) => c.name === name)) {
      throw new UserError(
        `--only: unknown case "${name}" (cases: ${BENCH_CASES.map((c) => c.name).join(", ")})`,
      );
    }
  }
  const quick = Boolean(args.values.quick);
  const steps = num(args, "steps") ?? 3;
  if (!Number.isInteger(steps) || steps < 1) throw new UserError("--steps: expected N >= 1");
  const backendArg = str(args, "backend");
  if (backendArg && !isBackendName(backendArg)) {
    throw new UserError(`--backend: expected tensorflow, wasm or cpu, got "${backendArg}"`);
  }
  const threads = num(args, "threads");
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new UserError("--threads: expected 1 or 2");
  }
  const optimizer = str(args, "optimizer") ?? "fused";
  if (optimizer !== "fused" && optimizer !== "tfjs") {
    throw new UserError(`--optimizer: expected fused or tfjs, got "${optimizer}"`);
  }
  const blas = str(args, "blas") ?? "on";
  if (blas !== "on" && blas !== "off") {
    throw new UserError(`--blas: expected on or off, got "${blas}"`);
  }
  const model = str(args, "model");
  if (model) await readModelMeta(await modelDir(model)); // a missing model fails before any case
  await selectBackend({
    backend: backendArg as "tensorflow" | "wasm" | "cpu" | undefined,
    threads,
    blas: blas === "on" ? undefined : false,
  });
  const cpu = cpuModel();
  const emit = (row: BenchRow) => console.log(JSON.stringify({ ...row, cpu }));
  const ctx: BenchContext = {
    steps: quick ? Math.min(steps, 2) : steps,
    quick,
    backend: backendLabel(),
    optimizer,
    results: new Map(),
    emit,
    model,
  };
  for (const c of BENCH_CASES) {
    if (only && !only.includes(c.name)) continue;
    const rows = await c.run(ctx);
    ctx.results.set(c.name, rows);
    rows.forEach(emit);
  }
});
