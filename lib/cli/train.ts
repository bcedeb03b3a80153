/**
 * `deno task train`: train a model on a folder or a manifest, with checkpoints, resume and a
 * clean stop on Ctrl-C.
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, DATA_OPTIONS, initBackend, loadRows } from "./common.ts";
import { readManifest, writeManifest } from "../dataset.ts";
import { PRESETS, trainModel, type TrainOptions } from "../train.ts";
import { formatSummary, type ModelName, summarize } from "../model.ts";
import { UserError } from "../fsutil.ts";
import { defaultInput } from "../inputs.ts";
import type { ResizeKernel } from "../preprocess.ts";
import { saveRunPlots } from "../report.ts";

const SPEC = {
  usage: "deno task train --data DIR|--manifest FILE --out RUN [--model alexnet|compact] " +
    "[--preset thesis] [--epochs N] [--steps-per-epoch N] [--batch-size N] [--lr X] [--seed N] [--resume]",
  summary: "Train a classifier. Validation runs on the test split after each epoch; a " +
    "checkpoint is saved after every epoch and on Ctrl-C (continue with --resume). Writes " +
    "RUN/model/ (TensorFlow.js Layers format), RUN/history.json, RUN/manifest.csv and plots.",
  options: {
    ...DATA_OPTIONS,
    out: { type: "string", help: "run folder for the model, checkpoints, history and plots" },
    preset: {
      type: "string",
      help: "default (learns) or thesis (the thesis protocol)",
      default: "default",
    },
    model: { type: "string", help: "alexnet or compact (default: the preset's)" },
    epochs: { type: "string", help: "number of epochs" },
    "steps-per-epoch": {
      type: "string",
      help: "steps per epoch (default: a full pass; thesis: 32)",
    },
    "batch-size": { type: "string", help: "batch size" },
    lr: { type: "string", help: "learning rate" },
    optimizer: { type: "string", help: "rmsprop or adam" },
    seed: { type: "string", help: "seed of weights, data order and flips" },
    "no-flip": { type: "boolean", help: "no horizontal-flip augmentation" },
    size: { type: "string", help: "input image side in pixels (default: the model's)" },
    resize: { type: "string", help: "resize kernel for image input: area or nearest" },
    resume: { type: "boolean", help: "continue the interrupted run in --out" },
    cache: { type: "string", help: "preprocessing cache folder", default: ".cache" },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const out = str(args, "out", true)!;
  const preset = str(args, "preset")!;
  if (preset !== "default" && preset !== "thesis") {
    throw new UserError(`--preset must be default or thesis, got "${preset}"`);
  }
  const o: TrainOptions = { ...PRESETS[preset] };
  const model = str(args, "model");
  if (model !== undefined) {
    if (model !== "alexnet" && model !== "compact") {
      throw new UserError(`--model must be alexnet or compact, got "${model}"`);
    }
    o.model = model as ModelName;
  }
  o.epochs = num(args, "epochs") ?? o.epochs;
  o.stepsPerEpoch = num(args, "steps-per-epoch") ?? o.stepsPerEpoch;
  o.batchSize = num(args, "batch-size") ?? o.batchSize;
  o.lr = num(args, "lr") ?? o.lr;
  o.seed = num(args, "seed") ?? o.seed;
  const opt = str(args, "optimizer");
  if (opt !== undefined) {
    if (opt !== "rmsprop" && opt !== "adam") {
      throw new UserError(`--optimizer must be rmsprop or adam`);
    }
    o.optimizer = opt;
  }
  if (args.values["no-flip"]) o.flip = false;
  const size = num(args, "size");
  const resize = str(args, "resize");
  if (size !== undefined || resize !== undefined) {
    const input = defaultInput(o.model);
    if (input.kind !== "image") {
      throw new UserError(`--size and --resize apply to image models only`);
    }
    if (size !== undefined && !(Number.isInteger(size) && size >= 8)) {
      throw new UserError(`--size must be an integer >= 8, got ${size}`);
    }
    if (resize !== undefined && resize !== "area" && resize !== "nearest") {
      throw new UserError(`--resize must be area or nearest, got "${resize}"`);
    }
    o.input = {
      ...input,
      size: size ?? input.size,
      resize: (resize ?? input.resize) as ResizeKernel,
    };
  }
  for (const k of ["epochs", "batchSize"] as const) {
    if (!(Number.isInteger(o[k]) && o[k] > 0)) {
      throw new UserError(`${k} must be a positive integer`);
    }
  }
  const backend = await initBackend(args);
  const resume = Boolean(args.values.resume);
  const rows = resume ? await readManifest(join(out, "manifest.csv")) : await loadRows(args);
  if (!resume) await writeManifest(join(out, "manifest.csv"), rows);
  const train = rows.filter((r) => r.split === "train");
  const val = rows.filter((r) => r.split === "test");
  console.error(`backend ${backend}; ${train.length} training and ${val.length} validation images`);
  const controller = new AbortController();
  const onSigint = () => {
    console.error("\nstopping after this step (checkpoint will be saved) ...");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onSigint);
  const problems: string[] = [];
  const result = await trainModel({
    train,
    val,
    options: o,
    outDir: out,
    resume,
    cacheDir: str(args, "cache"),
    signal: controller.signal,
    progress: true,
    callbacks: {
      onProblem: (p) => {
        problems.push(`${p.path}: ${p.reason}`);
        console.error(`skipped unreadable image ${p.path}: ${p.reason}`);
      },
    },
  });
  Deno.removeSignalListener("SIGINT", onSigint);
  if (!resume) console.error(formatSummary(summarize(result.model)));
  await saveRunPlots(out, { history: result.history });
  if (problems.length) {
    console.error(`${problems.length} unreadable images were skipped (listed above)`);
  }
  if (result.stopped) {
    console.log(
      `stopped at step ${result.step}; continue with: deno task train --out ${out} --resume`,
    );
    Deno.exit(130);
  }
  console.log(`model saved to ${join(out, "model")}`);
});
