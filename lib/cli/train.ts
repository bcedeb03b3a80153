/**
 * `deno task train`: train a model on a folder or a manifest, with checkpoints, resume and a
 * clean stop on Ctrl-C.
 * @module
 */
import { join } from "node:path";
import { parseCommand, runMain, str } from "./args.ts";
import { UserError } from "../core/errors.ts";
import {
  BACKEND_OPTION,
  DATA_OPTIONS,
  initBackend,
  loadRows,
  TRAIN_FLAGS,
  TRAIN_ON_OPTION,
  trainOnPaths,
  trainOptionsFrom,
} from "./common.ts";
import { readManifest, writeManifest } from "../data/dataset.ts";
import { savedTrainOptions, trainModel } from "../train/train.ts";
import { formatSummary, summarize } from "../model/model.ts";
import { saveRunPlots } from "../train/report.ts";

const SPEC = {
  usage: "deno task train --data DIR|--manifest FILE --out RUN [--model alexnet|compact] " +
    "[--preset thesis] [--epochs N] [--steps-per-epoch N] [--batch-size N] [--lr X] [--seed N] [--resume]",
  summary: "Train a classifier. Validation runs on the test split after each epoch; a " +
    "checkpoint is saved after every epoch and on Ctrl-C (continue with --resume). Writes " +
    "RUN/model/ (TensorFlow.js Layers format), RUN/history.json, RUN/manifest.csv and plots.",
  options: {
    ...DATA_OPTIONS,
    out: { type: "string", help: "run folder for the model, checkpoints, history and plots" },
    ...TRAIN_ON_OPTION,
    ...TRAIN_FLAGS,
    resume: {
      type: "boolean",
      help: "continue the interrupted run in --out (with its saved options; other flag values " +
        "are refused)",
    },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const out = str(args, "out", true)!;
  const resume = Boolean(args.values.resume);
  if (resume && str(args, "train-on") !== undefined) {
    throw new UserError(
      "--train-on is not taken with --resume: the run's manifest.csv holds its rows",
    );
  }
  // On --resume, flags given must match the saved run (trainModel names those that differ).
  const o = trainOptionsFrom(args, resume ? await savedTrainOptions(out) : undefined);
  const backend = await initBackend(args);
  let rows = resume ? await readManifest(join(out, "manifest.csv")) : await loadRows(args);
  const trainOn = await trainOnPaths(args, rows);
  if (trainOn) {
    const kept = rows.filter((r) => r.split !== "train" || trainOn.has(r.path));
    console.error(`${rows.length - kept.length} training rows kept out (--train-on)`);
    rows = kept;
  }
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
