import assert from "node:assert/strict";
import { assertUserError, helpFlags, runCli } from "./run.ts";
import { tinyPileModel } from "../pile_model_fixture.ts";

const CASES = [
  "train_alexnet",
  "forward_alexnet",
  "profile_alexnet",
  "train_compact",
  "memory",
  "preprocess",
  "classify_cache",
  "synth",
  "torch_alexnet",
];

Deno.test("bench --help lists every option and every case", async () => {
  const r = await runCli("bench", ["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: deno task bench /);
  assert.deepEqual(
    helpFlags(r.stdout),
    ["backend", "blas", "help", "model", "only", "optimizer", "quick", "steps", "threads"],
  );
  for (const c of CASES) assert.match(r.stdout, new RegExp(`\\b${c}\\b`), c);
});

Deno.test("bench: bad options give one error line before any benchmark runs", async () => {
  const cases: [string[], RegExp][] = [
    [["--only", "train_compact,nope"], /--only: unknown case "nope" \(cases: train_alexnet, /],
    [["--steps", "0"], /--steps: expected N >= 1/],
    [["--steps", "1.5"], /--steps: expected N >= 1/],
    [["--backend", "gpu"], /--backend: expected tensorflow, wasm or cpu, got "gpu"/],
    [["--threads", "0"], /--threads: expected 1 or 2/],
    [["--optimizer", "sgd"], /--optimizer: expected fused or tfjs, got "sgd"/],
    [["--blas", "maybe"], /--blas: expected on or off, got "maybe"/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCli("bench", argv);
    assertUserError(r, re);
    assert.equal(r.stdout, "", "no result rows");
  }
});

Deno.test("bench --quick on the compact model prints one JSON row per case, no tensor leak", async () => {
  const r = await runCli("bench", ["--quick", "--only", "train_compact,memory", "--steps", "1"]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((x) => x.bench), ["train_step", "memory"]);
  const [step, memory] = rows;
  assert.equal(step.model, "compact");
  assert.equal(step.batch, 8, "--quick uses batch 8");
  assert.equal(step.steps, 1);
  assert.equal(step.optimizer, "fused");
  assert.ok(step.step_s > 0 && step.cpu_s >= 0);
  assert.equal(step.tensors_after, step.tensors_after_warmup, "training steps leak no tensors");
  assert.equal(memory.tensor_growth, 0);
  const model = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"))?.[1];
  if (model) {
    for (const row of rows) assert.ok(row.cpu.startsWith(`${model.trim()} (`), row.cpu);
  }
  assert.ok(memory.peak_rss_mib > 0);
});

Deno.test("bench classify_cache: one row for the given model, charts/s against the 1,000 target", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = await tinyPileModel(dir);
    const r = await runCli("bench", [
      "--quick",
      "--only",
      "classify_cache",
      "--steps",
      "1",
      "--model",
      model,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [row, ...more] = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(more.length, 0);
    assert.equal(row.bench, "classify_cache");
    assert.equal(row.model, model);
    assert.equal(row.charts, row.data === "real" ? 300 : 150);
    assert.equal(row.target, 1000);
    assert.equal(row.met, row.charts_per_s >= 1000);
    // both printed to 4 significant digits: each off by at most 5e-4 of itself
    assert.ok(
      Math.abs(row.charts_per_s * row.seconds / row.charts - 1) <= 1e-3,
      JSON.stringify(row),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bench --model: a folder without a model is refused before any benchmark runs", async () => {
  const r = await runCli("bench", ["--only", "synth", "--model", "/nonexistent/run"]);
  assertUserError(r, /\/nonexistent\/run/);
  assert.equal(r.stdout, "");
});
