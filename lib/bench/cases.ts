/**
 * Benchmark cases for `deno task bench` (lib/cli/bench.ts). Each case times something
 * and returns result rows; the command prints each row as one JSON line. To add a case,
 * append a {@link BenchCase} to {@link BENCH_CASES} (see the "preprocess" slot below).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { buildModel, modelInput, type ModelName } from "../model/model.ts";
import { cpuMs, profileKernels, wasmThreads } from "../backend/backend.ts";
import { fusedRmsprop } from "../backend/kernels/rmsprop.ts";
import { join } from "node:path";
import { median } from "../core/stats.ts";
import { listDataset, unlabelledSamples } from "../data/dataset.ts";
import { LineSource as CurveSource } from "../features/chart_line.ts";
import { ImageCache } from "../features/preprocess.ts";
import { type CachedSource } from "../features/source.ts";
import { synthThroughput, writeSynthDataset } from "../synth/synth.ts";
import { benchModel, pafClassifyCase, pafParseCase } from "./genome_bench.ts";
import { loadForInference } from "../model/modelio.ts";
import { makeSource } from "../features/inputs.ts";
import { predict } from "../eval/evaluate.ts";
import { splitReadsCase } from "./split_bench.ts";

/** One result row (printed as one JSON line). */
export type BenchRow = Record<string, string | number | boolean | null>;

/** What every case gets: options of the run and a place to share results. */
export interface BenchContext {
  /** Timed repetitions per measurement (after one untimed warm-up). */
  steps: number;
  /** Quick mode: smaller batches and fewer steps (a smoke test, not the targets). */
  quick: boolean;
  /** The tfjs backend in use. */
  backend: string;
  /**
   * RMSprop implementation: the fused one-pass update (lib/backend/kernels/rmsprop.ts) or tfjs's.
   */
  optimizer: "fused" | "tfjs";
  /** Results of earlier cases in this run, by case name (e.g. for ratios). */
  results: Map<string, BenchRow[]>;
  /** Print a row now (cases may print progress rows early). */
  emit: (row: BenchRow) => void;
  /** Model folder or run for the cases that classify (default: the shipped model). */
  model?: string;
}

/** A benchmark case. */
export interface BenchCase {
  /** Name used by --only. */
  name: string;
  /** One-line description for --help. */
  description: string;
  /** Run the case; rows are printed as they are returned (or emitted). */
  run: (ctx: BenchContext) => Promise<BenchRow[]>;
}

/** Round to 4 significant digits for printing. */
export function sig(x: number): number {
  return Number(x.toPrecision(4));
}

/** Peak resident set size of this process in MiB (Linux), else the current RSS. */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch { /* not Linux */ }
  return Math.round(Deno.memoryUsage().rss / 2 ** 20);
}

/** Time `fn` `steps` times after one warm-up call; returns wall and CPU seconds (median). */
export async function timeSteps(
  fn: () => Promise<unknown>,
  steps: number,
): Promise<{ wall: number; cpu: number; first: number; tensorsWarm: number }> {
  let t = performance.now();
  await fn();
  const first = (performance.now() - t) / 1000;
  const tensorsWarm = tf.memory().numTensors;
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    const c = cpuMs();
    await fn();
    wall.push((performance.now() - t) / 1000);
    cpu.push((cpuMs() - c) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu), first, tensorsWarm };
}

/** A compiled model with random data of one batch, as the thesis trains it. */
function setup(model: ModelName, batch: number, size: number, optimizer = "fused") {
  const m = buildModel(model, { size });
  const shape = modelInput(model, { size }).shape;
  const opt = optimizer === "fused" ? fusedRmsprop(1e-4) : tf.train.rmsprop(1e-4);
  m.compile({ optimizer: opt, loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([batch, ...shape], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 2, "int32", 2), 2);
  const dispose = () => {
    m.dispose();
    x.dispose();
    y.dispose();
    m.optimizer.dispose();
  };
  return { m, x, y, dispose };
}

function trainStepCase(model: ModelName): BenchCase {
  return {
    name: `train_${model}`,
    description: `${model}: one RMSprop training step (trainOnBatch), batch 32, ` +
      (model === "alexnet" ? "224x224x1" : "the model's input (lib/model/model.ts modelInput)"),
    run: async (ctx) => {
      const batch = ctx.quick ? 8 : 32, size = 224;
      const s = setup(model, batch, size, ctx.optimizer);
      const t = await timeSteps(() => s.m.trainOnBatch(s.x, s.y), ctx.steps);
      const after = tf.memory().numTensors;
      s.dispose();
      return [{
        bench: "train_step",
        model,
        batch,
        input: s.x.shape.slice(1).join("x"),
        backend: ctx.backend,
        threads: wasmThreads(),
        optimizer: ctx.optimizer,
        step_s: sig(t.wall),
        cpu_s: sig(t.cpu),
        first_step_s: sig(t.first),
        steps: ctx.steps,
        tensors_after_warmup: t.tensorsWarm,
        tensors_after: after,
      }];
    },
  };
}

const forwardCase: BenchCase = {
  name: "forward_alexnet",
  description: "alexnet: forward pass (predict), batch 32, 224x224x1",
  run: async (ctx) => {
    const batch = ctx.quick ? 8 : 32, size = 224;
    const s = setup("alexnet", batch, size);
    const t = await timeSteps(async () => {
      const p = s.m.predict(s.x) as tf.Tensor;
      await p.data();
      p.dispose();
    }, ctx.steps);
    s.dispose();
    return [{
      bench: "forward",
      model: "alexnet",
      batch,
      size,
      backend: ctx.backend,
      threads: wasmThreads(),
      step_s: sig(t.wall),
      cpu_s: sig(t.cpu),
      steps: ctx.steps,
    }];
  },
};

const profileCase: BenchCase = {
  name: "profile_alexnet",
  description:
    "alexnet: where one training step's time goes (profileKernels, lib/backend/backend.ts): " +
    "seconds per kernel, largest first, kernels under 1% of the step summed as 'other'",
  run: async (ctx) => {
    const batch = ctx.quick ? 8 : 32;
    const s = setup("alexnet", batch, 224, ctx.optimizer);
    await s.m.trainOnBatch(s.x, s.y); // warm-up
    const t = performance.now();
    const prof = await profileKernels(() => s.m.trainOnBatch(s.x, s.y));
    const step = (performance.now() - t) / 1000;
    s.dispose();
    const row = (kernel: string, calls: number, ms: number, cms: number): BenchRow => ({
      bench: "profile",
      model: "alexnet",
      batch,
      backend: ctx.backend,
      kernel,
      calls,
      seconds: sig(ms / 1000),
      cpu_s: sig(cms / 1000),
      share: sig(ms / 1000 / step),
    });
    const big = prof.filter((k) => k.ms / 1000 >= 0.01 * step);
    const rest = prof.filter((k) => k.ms / 1000 < 0.01 * step);
    return [
      { bench: "profile", model: "alexnet", batch, backend: ctx.backend, step_s: sig(step) },
      ...big.map((k) => row(k.kernel, k.calls, k.ms, k.cpuMs)),
      row(
        "other",
        rest.reduce((a, k) => a + k.calls, 0),
        rest.reduce((a, k) => a + k.ms, 0),
        rest.reduce((a, k) => a + k.cpuMs, 0),
      ),
    ];
  },
};

const memoryCase: BenchCase = {
  name: "memory",
  description: "compact: 20 training steps; tensor count before/after and peak RSS " +
    "(peak RSS is the whole run's, so it includes AlexNet when that ran before)",
  run: async (ctx) => {
    const steps = ctx.quick ? 5 : 20;
    const batch = ctx.quick ? 8 : 32;
    const s = setup("compact", batch, 224, ctx.optimizer);
    await s.m.trainOnBatch(s.x, s.y);
    const before = tf.memory().numTensors;
    for (let i = 0; i < steps; i++) await s.m.trainOnBatch(s.x, s.y);
    const after = tf.memory().numTensors;
    s.dispose();
    return [{
      bench: "memory",
      model: "compact",
      batch,
      steps,
      backend: ctx.backend,
      tensors_before: before,
      tensors_after: after,
      tensor_growth: after - before,
      peak_rss_mib: peakRssMiB(),
    }];
  },
};

/** The real pile-o-grams, when this checkout sits beside ../shared. */
export const REAL_DATA_DIR = fileURLToPath(
  new URL("../../../shared/data/original_data", import.meta.url),
);

/** Images per second PIL decodes and resizes on one core (the reference figure). */
export const PREPROCESS_TARGET = 200;

/** Image files for the preprocessing case: the real set (or a spread subset), else synthetic. */
async function preprocessFiles(
  quick: boolean,
): Promise<{ files: string[]; data: string; temp?: string }> {
  if (existsSync(REAL_DATA_DIR)) {
    const { samples } = await listDataset(REAL_DATA_DIR);
    const files = samples.map((s) => s.path);
    const n = quick ? 300 : files.length;
    return {
      files: files.filter((_, i) => i % Math.ceil(files.length / n) === 0),
      data: "real",
    };
  }
  const dir = await Deno.makeTempDir({ prefix: "chimera-bench-" });
  await writeSynthDataset(dir, { perClass: quick ? 50 : 300, seed: 1 });
  const files = (await listDataset(dir)).samples.map((s) => s.path);
  return { files, data: "synthetic", temp: dir };
}

const preprocessCase: BenchCase = {
  name: "preprocess",
  description: "decode + preprocess throughput of the whole real set (images/s, cold, 4 at a " +
    "time): 224x224 area images (AlexNet) and coverage curves (compact); then the disk cache",
  run: async (ctx) => {
    const { files, data, temp } = await preprocessFiles(ctx.quick);
    const cacheDir = await Deno.makeTempDir({ prefix: "chimera-bench-cache-" });
    const pipelines: [string, (dir?: string) => CachedSource][] = [
      ["image_224_area", (dir) => new ImageCache({ dir })],
      ["curve_145", (dir) => new CurveSource({ dir })],
    ];
    try {
      for (const [what, make] of pipelines) {
        for (const pass of ["cold", "disk_cache"] as const) {
          const src = make(join(cacheDir, what));
          const t = performance.now();
          const c = cpuMs();
          const { problems } = await src.getMany(files);
          const seconds = (performance.now() - t) / 1000;
          const rate = files.length / seconds;
          const row: BenchRow = {
            bench: "preprocess",
            what,
            pass,
            data,
            images: files.length,
            problems: problems.length,
            seconds: sig(seconds),
            images_per_s: sig(rate),
            cpu_cores_used: sig((cpuMs() - c) / 1000 / seconds),
          };
          if (pass === "cold") {
            Object.assign(row, { target: PREPROCESS_TARGET, met: rate >= PREPROCESS_TARGET });
          }
          ctx.emit(row);
        }
      }
    } finally {
      await Deno.remove(cacheDir, { recursive: true });
      if (temp) await Deno.remove(temp, { recursive: true });
    }
    return []; // rows were printed as they came
  },
};

/** Charts per second the shipped chart model must classify from the cache on 2 cores (issue 15). */
export const CLASSIFY_CACHE_TARGET = 1000;

const classifyCacheCase: BenchCase = {
  name: "classify_cache",
  description:
    "p(chimeric) per chart of the shipped chart model (or --model) with the charts' inputs " +
    "in the disk cache, as `evaluate` reads them (each chart and its mirror): median of --steps " +
    "passes over the real set (or synthetic charts), charts/s",
  run: async (ctx) => {
    const { dir, what } = await benchModel(ctx.model, "charts");
    const { files, data, temp } = await preprocessFiles(ctx.quick);
    const cacheDir = await Deno.makeTempDir({ prefix: "chimera-bench-cache-" });
    const { model, meta } = await loadForInference(dir);
    try {
      const samples = unlabelledSamples(files);
      // a new source each pass has nothing in memory: the warm-up pass fills the disk cache,
      // the timed passes read it
      const t = await timeSteps(
        () => predict(model, samples, makeSource(meta.input, { cacheDir })),
        ctx.steps,
      );
      const rate = files.length / t.wall;
      return [{
        bench: "classify_cache",
        model: what,
        parameters: model.countParams(),
        data,
        charts: files.length,
        seconds: sig(t.wall),
        charts_per_s: sig(rate),
        threads: wasmThreads(),
        target: CLASSIFY_CACHE_TARGET,
        met: rate >= CLASSIFY_CACHE_TARGET,
      }];
    } finally {
      model.dispose();
      await Deno.remove(cacheDir, { recursive: true });
      if (temp) await Deno.remove(temp, { recursive: true });
    }
  },
};

const synthCase: BenchCase = {
  name: "synth",
  description: "synthetic pile-o-grams generated and rendered to PNG per second (lib/synth/)",
  run: async (ctx) => {
    const r = await synthThroughput(ctx.quick ? 60 : 300);
    return [{
      bench: "synth",
      charts: r.charts,
      seconds: sig(r.seconds),
      charts_per_s: sig(r.chartsPerSecond),
    }];
  },
};

/** Python used for the PyTorch reference (Debian's python3-torch). */
export const TORCH_PYTHON = "/usr/bin/python3";

const torchScript = fileURLToPath(new URL("./torch_alexnet.py", import.meta.url));

const torchCase: BenchCase = {
  name: "torch_alexnet",
  description: "PyTorch reference (if /usr/bin/python3 has torch): same AlexNet step and " +
    "forward pass, 2 threads; prints the wasm/torch ratios",
  run: async (ctx) => {
    if (!existsSync(TORCH_PYTHON)) {
      return [{ bench: "torch", skipped: `${TORCH_PYTHON} not found` }];
    }
    const batch = ctx.quick ? 8 : 32;
    const out = await new Deno.Command(TORCH_PYTHON, {
      args: [torchScript, "--batch", String(batch), "--steps", String(ctx.steps)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    if (!out.success) {
      const why = /No module named 'torch'/.test(err)
        ? "python3-torch not installed"
        : err.trim().split("\n").at(-1);
      return [{ bench: "torch", skipped: why ?? "failed" }];
    }
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    const rows: BenchRow[] = [{
      bench: "torch",
      model: "alexnet",
      batch,
      size: 224,
      torch: r.torch,
      threads: r.threads,
      train_step_s: sig(r.train_step_s),
      forward_s: sig(r.forward_s),
    }];
    const pick = (name: string) => ctx.results.get(name)?.[0];
    const train = pick("train_alexnet"), fwd = pick("forward_alexnet");
    for (
      const [what, row, ref] of [["train_step", train, r.train_step_s], [
        "forward",
        fwd,
        r.forward_s,
      ]] as const
    ) {
      if (row && row.batch === batch) {
        const ratio = (row.step_s as number) / ref;
        rows.push({
          bench: "ratio",
          what,
          model: "alexnet",
          batch,
          backend: String(row.backend),
          tfjs_s: row.step_s,
          torch_s: sig(ref),
          ratio: sig(ratio),
          target: 1.5,
          met: ratio <= 1.5,
        });
      }
    }
    return rows;
  },
};

/**
 * All cases, in run order. The torch case runs last because it compares with the rows of
 * train_alexnet and forward_alexnet from the same run.
 */
export const BENCH_CASES: BenchCase[] = [
  trainStepCase("alexnet"),
  forwardCase,
  profileCase,
  trainStepCase("compact"),
  memoryCase,
  preprocessCase,
  classifyCacheCase,
  synthCase,
  pafParseCase,
  pafClassifyCase,
  splitReadsCase,
  torchCase,
];
