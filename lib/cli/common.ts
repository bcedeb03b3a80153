/**
 * Option groups and set-up shared by the training, evaluation and cross-validation commands:
 * where the labelled images come from (a folder or a manifest) and which tfjs backend runs.
 * @module
 */
import { dataInput, num, type OptionSpec, type ParsedArgs, str } from "./args.ts";
import { listDataset, type ManifestRow, readManifest, type Sample } from "../data/dataset.ts";
import { OVERRIDE_KEYS, PRESETS, type TrainOptions, withOverrides } from "../train/options.ts";
import { SPLIT_DEFAULTS, splitSamples } from "../data/split.ts";
import { randomSeed } from "../core/random.ts";
import { resolveThreads, selectBackend } from "../backend/backend.ts";
import { UserError } from "../core/errors.ts";
import { resolve } from "node:path";

/** Options naming the input data. */
export const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: { type: "string", help: "folder with one sub-folder per class (split on the fly)" },
  manifest: { type: "string", help: "manifest.csv from `deno task split` (or clean)" },
  positive: {
    type: "string",
    help: "comma-separated class folders labelled chimeric (with --data)",
    default: "chimeric",
  },
  "test-fraction": {
    type: "string",
    help: "test fraction when splitting --data",
    default: String(SPLIT_DEFAULTS.testFraction),
  },
  "split-seed": { type: "string", help: "seed of the split of --data (default: random, printed)" },
};

/** Training hyperparameter flags shared by `train` and `cv` (see `withOverrides`). */
export const TRAIN_FLAGS: Record<string, OptionSpec> = {
  preset: {
    type: "string",
    help: "default (compact curve model, 30 epochs, AdamW one-cycle) or thesis (AlexNet, " +
      "5 x 32 steps, RMSprop 1e-4)",
    default: "default",
  },
  model: { type: "string", help: "alexnet or compact (default: the preset's)" },
  epochs: { type: "string", help: "number of epochs" },
  "steps-per-epoch": { type: "string", help: "steps per epoch (default: a full pass; thesis: 32)" },
  "batch-size": { type: "string", help: "batch size" },
  lr: { type: "string", help: "learning rate (peak of the one-cycle schedule)" },
  schedule: { type: "string", help: "learning-rate schedule: onecycle or constant" },
  optimizer: { type: "string", help: "rmsprop or adam" },
  "weight-decay": { type: "string", help: "decoupled weight decay (0 turns it off)" },
  "label-smoothing": { type: "string", help: "label smoothing, 0 to <1 (0 turns it off)" },
  mixup: {
    type: "string",
    help: "mixup's Beta(alpha, alpha) parameter, e.g. 0.2: training batches blended with " +
      "themselves permuted (0 turns it off)",
  },
  gce: {
    type: "string",
    help: "q of the generalized cross-entropy, a loss robust to wrong labels, e.g. 0.7 (0, " +
      "the default: plain cross-entropy)",
  },
  classes: {
    type: "string",
    help: "training targets: 2 (chimeric or not) or 3 (regular, chimeric, repeat; the " +
      "prediction is still p(chimeric))",
  },
  teacher: {
    type: "string",
    help: "run or model folder of a two-class model to distil from (e.g. an ensemble): each " +
      "batch's targets blend in its probabilities",
  },
  distill: {
    type: "string",
    help: "with --teacher: the weight of its probabilities (default 0.5)",
  },
  width: {
    type: "string",
    help: "width of the compact model: its filters and hidden units times this (default 1)",
  },
  head: {
    type: "string",
    help: "head of the compact model: flatten (the default) or pool (the flatten plus each " +
      "last-block feature's mean and max over the read)",
  },
  seed: { type: "string", help: "seed of weights, data order and augmentation" },
  size: { type: "string", help: "input image side in pixels (alexnet)" },
  resize: { type: "string", help: "resize kernel of image input: area or nearest (alexnet)" },
  columns: { type: "string", help: "curve length in columns (compact)" },
  depth: {
    type: "string",
    help: "depth context of the pile input: dataset (the data set's typical depth D, the " +
      "default) or read (each read's own median: no depth context)",
  },
  shift: { type: "string", help: "random shifts of up to N curve columns (compact; 0: none)" },
  "no-flip": { type: "boolean", help: "no horizontal-flip augmentation" },
  cache: { type: "string", help: "preprocessing cache folder", default: ".cache" },
};

/**
 * Training options from the preset and the hyperparameter flags given. With `resumed` (the
 * saved options of a run to resume), the flags apply to those unless --preset thesis is given.
 */
export function trainOptionsFrom(args: ParsedArgs, resumed?: TrainOptions): TrainOptions {
  const preset = str(args, "preset")!;
  if (preset !== "default" && preset !== "thesis") {
    throw new UserError(`--preset must be default or thesis, got "${preset}"`);
  }
  const overrides: Record<string, string> = {};
  for (const k of OVERRIDE_KEYS) {
    const v = k in TRAIN_FLAGS ? str(args, k) : undefined;
    if (v !== undefined) overrides[k] = v;
  }
  if (args.values["no-flip"]) overrides.flip = "false";
  return withOverrides(resumed && preset === "default" ? resumed : PRESETS[preset], overrides);
}

/** --train-on of `train` and `cv`: train on some rows only (e.g. the label cleaner's output). */
export const TRAIN_ON_OPTION: Record<string, OptionSpec> = {
  "train-on": {
    type: "string",
    help: "manifest whose rows alone are trained on (e.g. clean_manifest.csv from `deno task " +
      "clean`); the other images are still validated or scored, and the folds are unchanged",
  },
};

/**
 * The paths of `samples` listed in --train-on's manifest (undefined without it); a listed row
 * that is not among `samples`, or gives it another label, is a UserError naming its line.
 */
export async function trainOnPaths(
  args: ParsedArgs,
  samples: Sample[],
): Promise<Set<string> | undefined> {
  const file = str(args, "train-on");
  if (file === undefined) return undefined;
  const given = new Map(samples.map((s) => [resolve(s.path), s]));
  const keep = new Set<string>();
  (await readManifest(file)).forEach((row, i) => {
    const where = `${file}: line ${i + 2}`;
    const s = given.get(row.path);
    if (!s) throw new UserError(`${where}: ${row.path} is not among the images given`);
    if (s.label !== row.label) {
      throw new UserError(
        `${where}: ${row.path} is labelled ${row.label} here but ${s.label} in the images ` +
          "given (--train-on only keeps rows out of training; it does not relabel)",
      );
    }
    keep.add(s.path);
  });
  return keep;
}

/** Samples from --data (every image) or --manifest (the rows of `split`, or all). */
export async function loadSamples(
  args: ParsedArgs,
  split: "train" | "test" | "all" = "all",
): Promise<Sample[]> {
  const { data, manifest } = dataInput(args);
  if (manifest) {
    return (await readManifest(manifest)).filter((r) => split === "all" || r.split === split);
  }
  const listed = await listDataset(data!, { positive: str(args, "positive")!.split(",") });
  for (const s of listed.report.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
  return listed.samples;
}

/** The option choosing the tfjs backend. */
export const BACKEND_OPTION: Record<string, OptionSpec> = {
  backend: {
    type: "string",
    help: "tfjs backend: tensorflow, wasm or cpu (default: the fastest that loads)",
  },
};

/** --threads of the commands that call reads from a PAF. */
export const PAF_THREADS_OPTION: Record<string, OptionSpec> = {
  threads: {
    type: "string",
    help: "threads for the reads' evidence from the PAF (default: $CHIMERA_THREADS, else 2 " +
      "on 2 or more cores); the model reads on one",
  },
};

/** Threads for the evidence of calls from a PAF: --threads, else $CHIMERA_THREADS, else up to 2. */
export function pafThreads(args: ParsedArgs): number {
  const given = str(args, "threads");
  if (given === undefined) return resolveThreads({});
  return resolveThreads({ threads: num(args, "threads") }, { name: "--threads", text: given });
}

/** Rows with their split, from --manifest or by splitting --data. */
export async function loadRows(args: ParsedArgs): Promise<ManifestRow[]> {
  const { data, manifest } = dataInput(args);
  if (manifest) return await readManifest(manifest);
  const { samples, report } = await listDataset(data!, {
    positive: str(args, "positive")!.split(","),
  });
  for (const s of report.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
  const seed = num(args, "split-seed") ?? randomSeed();
  console.error(`split of ${data}: seed ${seed} (--split-seed ${seed} reproduces it)`);
  return splitSamples(samples, { testFraction: num(args, "test-fraction")!, seed });
}

/**
 * Select the tfjs backend the command line asks for (or the best one) and return its name;
 * `defaultThreads` as in BackendOptions (lib/backend/backend.ts).
 */
export async function initBackend(args: ParsedArgs, defaultThreads?: number): Promise<string> {
  const b = str(args, "backend");
  if (b && !["tensorflow", "wasm", "cpu"].includes(b)) {
    throw new UserError(`--backend must be tensorflow, wasm or cpu, got "${b}"`);
  }
  return await selectBackend({
    backend: b as "tensorflow" | "wasm" | "cpu" | undefined,
    defaultThreads,
  });
}
