/**
 * Training: presets (ours and the thesis protocol), a training loop with progress, per-step and
 * per-epoch history, validation after each epoch, atomic checkpoints after every epoch, exact
 * resume after an interruption, and a clean stop on request (Ctrl-C).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { Sample } from "../data/dataset.ts";
import { LABELS, writeManifest } from "../data/dataset.ts";
import { splitSamples } from "../data/split.ts";
import { computeMetrics, predict } from "../eval/evaluate.ts";
import { readJson, statOrNull, writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { type InputSpec, makeSource, sequenceChannels } from "../features/inputs.ts";
import { defaultInput } from "../model/model.ts";
import { loadModel, type ModelMeta, saveModel } from "../model/modelio.ts";
import { buildModel, type ModelName } from "../model/model.ts";
import { type ImageProblem } from "../core/image.ts";
import { type FeatureSource } from "../features/source.ts";
import { batches, batchesPerPass } from "../features/batches.ts";
import { ProgressBar } from "../core/progress.ts";
import { withSeededMathRandom } from "../core/random.ts";
import { fusedRmsprop, FusedRMSPropOptimizer } from "../backend/kernels/rmsprop.ts";

/** Training hyperparameters. */
export interface TrainOptions {
  /** Which model to build. */
  model: ModelName;
  /** Number of epochs. */
  epochs: number;
  /** Steps per epoch; null means one full pass over the training split. */
  stepsPerEpoch: number | null;
  /** Samples per step. */
  batchSize: number;
  /** Learning rate (the peak of the one-cycle schedule). */
  lr: number;
  /** Learning-rate schedule: constant, or one-cycle (linear warm-up, cosine down to ~0). */
  schedule: "constant" | "onecycle";
  /** Optimizer. */
  optimizer: "rmsprop" | "adam";
  /** Decoupled weight decay of conv and dense kernels per step, times the learning rate. */
  weightDecay: number;
  /** Label smoothing: targets (1 - s/2, s/2) instead of (1, 0). */
  labelSmoothing: number;
  /** Random horizontal flips (the thesis's augmentation). */
  flip: boolean;
  /** Random shifts along the read of up to this many curve columns (curve input only). */
  shift: number;
  /** Seed of weights, dropout, data order and flips. */
  seed: number;
  /** Input representation; default: the model's own. */
  input?: InputSpec;
}

/**
 * Named presets. `default`: the compact curve model with the recipe chosen by 5-fold
 * cross-validation (AdamW, one-cycle, label smoothing, flips and shifts; see README).
 * `thesis`: the thesis protocol (AlexNet, RMSprop 1e-4, 5 epochs of 32 steps of 32 images).
 */
export const PRESETS: Record<"default" | "thesis", TrainOptions> = {
  default: {
    model: "compact",
    epochs: 30,
    stepsPerEpoch: null,
    batchSize: 64,
    lr: 3e-3,
    schedule: "onecycle",
    optimizer: "adam",
    weightDecay: 1e-2,
    labelSmoothing: 0.1,
    flip: true,
    shift: 8,
    seed: 42,
  },
  thesis: {
    model: "alexnet",
    epochs: 5,
    stepsPerEpoch: 32,
    batchSize: 32,
    lr: 1e-4,
    schedule: "constant",
    optimizer: "rmsprop",
    weightDecay: 0,
    labelSmoothing: 0,
    flip: true,
    shift: 0,
    seed: 42,
  },
};

/** One training step's record. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  acc: number;
}

/** One epoch's record (training means over its steps, validation on the held-out split). */
export interface EpochRecord {
  /** Epoch number, counted from 1 as Keras prints it. */
  epoch: number;
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
  valAuc?: number;
  seconds: number;
}

/** Training history, per step and per epoch. */
export interface History {
  steps: StepRecord[];
  epochs: EpochRecord[];
}

/** Hooks into the loop (notebook live plots, tests). */
export interface TrainCallbacks {
  onStep?: (r: StepRecord) => void;
  onEpoch?: (r: EpochRecord, history: History) => void;
  onProblem?: (p: ImageProblem) => void;
}

/** Everything one training run needs. */
export interface TrainRun {
  train: Sample[];
  /** Validation samples (the test split); none: no validation. */
  val?: Sample[];
  options: TrainOptions;
  /** Output folder: checkpoint/, model/, history.json, state.json. None: nothing written. */
  outDir?: string;
  /** Continue from outDir's checkpoint. */
  resume?: boolean;
  /** Root of the preprocessing cache. */
  cacheDir?: string;
  /** An input pipeline to share between runs (e.g. folds); default: a new one for the options. */
  source?: FeatureSource;
  /** Stop cleanly (checkpoint, then return) when this signal aborts. */
  signal?: AbortSignal;
  callbacks?: TrainCallbacks;
  /** Show a progress bar on stderr. */
  progress?: boolean;
}

/** What a run returns. */
export interface TrainResult {
  model: tf.LayersModel;
  history: History;
  /** True when the run stopped early on the signal (a checkpoint was saved). */
  stopped: boolean;
  /** Global steps done. */
  step: number;
}

/** Checkpoint state written beside the checkpoint model. */
interface TrainState {
  options: TrainOptions;
  step: number;
  history: History;
}

/** Keys `withOverrides` accepts: the command-line flags and the cross-validation grid keys. */
export const OVERRIDE_KEYS = [
  "model",
  "epochs",
  "steps-per-epoch",
  "batch",
  "batch-size",
  "lr",
  "schedule",
  "optimizer",
  "weight-decay",
  "label-smoothing",
  "seed",
  "size",
  "resize",
  "columns",
  "depth",
  "flip",
  "shift",
] as const;

/**
 * Options with overrides given as text (command-line flags, grid settings) applied and
 * validated; a UserError names the key and the bad value.
 */
export function withOverrides(base: TrainOptions, overrides: Record<string, string>): TrainOptions {
  const o: TrainOptions = { ...base };
  const bad = (k: string, v: string, expected: string) =>
    new UserError(`invalid ${k} "${v}": expected ${expected}`);
  const fraction = (k: string, v: string) => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < 0 || n >= 1) {
      throw bad(k, v, "a number from 0 up to (not including) 1");
    }
    return n;
  };
  const positive = (k: string, v: string, integer: boolean) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw bad(k, v, integer ? "a positive integer" : "a positive number");
    }
    return n;
  };
  const entries = Object.entries(overrides);
  for (const [k, v] of entries) {
    if (!(OVERRIDE_KEYS as readonly string[]).includes(k)) {
      throw new UserError(`unknown option "${k}" (known: ${OVERRIDE_KEYS.join(", ")})`);
    }
    if (k === "model") {
      if (v !== "alexnet" && v !== "compact") throw bad(k, v, "alexnet or compact");
      o.model = v;
      o.input = undefined;
    }
  }
  let input = o.input ?? defaultInput(o.model);
  for (const [k, v] of entries) {
    if (k === "epochs") o.epochs = positive(k, v, true);
    else if (k === "steps-per-epoch") o.stepsPerEpoch = positive(k, v, true);
    else if (k === "batch" || k === "batch-size") o.batchSize = positive(k, v, true);
    else if (k === "lr") o.lr = positive(k, v, false);
    else if (k === "weight-decay") o.weightDecay = fraction(k, v);
    else if (k === "label-smoothing") o.labelSmoothing = fraction(k, v);
    else if (k === "schedule") {
      if (v !== "constant" && v !== "onecycle") throw bad(k, v, "constant or onecycle");
      o.schedule = v;
    } else if (k === "shift") {
      if (!/^\d+$/.test(v)) throw bad(k, v, "an integer >= 0");
      o.shift = Number(v);
    } else if (k === "seed") {
      if (!/^\d+$/.test(v)) throw bad(k, v, "an integer >= 0");
      o.seed = Number(v);
    } else if (k === "optimizer") {
      if (v !== "adam" && v !== "rmsprop") throw bad(k, v, "adam or rmsprop");
      o.optimizer = v;
    } else if (k === "flip") {
      if (v !== "true" && v !== "false") throw bad(k, v, "true or false");
      o.flip = v === "true";
    } else if (k === "size" || k === "resize") {
      if (input.kind !== "image") {
        throw new UserError(`${k} applies to the image model (alexnet) only`);
      }
      if (k === "size") input = { ...input, size: positive(k, v, true) };
      else if (v === "area" || v === "nearest") input = { ...input, resize: v };
      else throw bad(k, v, "area or nearest");
    } else if (k === "columns") {
      if (input.kind === "image") {
        throw new UserError(`${k} applies to the curve model (compact) only`);
      }
      const n = positive(k, v, true);
      if (n < MIN_COLUMNS) throw bad(k, v, `an integer >= ${MIN_COLUMNS}`);
      input = { ...input, columns: n };
    } else if (k === "depth") {
      if (input.kind !== "pile") throw new UserError(`${k} applies to the pile input only`);
      if (v !== "dataset" && v !== "read") throw bad(k, v, "dataset or read");
      input = { ...input, depth: v };
    }
  }
  if (entries.some(([k]) => ["size", "resize", "columns", "depth", "model"].includes(k))) {
    o.input = input;
  }
  return o;
}

/** Fewest curve columns the compact model accepts (four pooling steps need 16). */
const MIN_COLUMNS = 16;

/** Options the first presets did not have, at the values that reproduce the old behaviour. */
const OPTIONS_ADDED_LATER: Pick<
  TrainOptions,
  "schedule" | "weightDecay" | "labelSmoothing" | "shift"
> = { schedule: "constant", weightDecay: 0, labelSmoothing: 0, shift: 0 };

/** Saved training options completed with the options added since (resuming an older run). */
export function completeOptions(
  o: Omit<TrainOptions, keyof typeof OPTIONS_ADDED_LATER> & Partial<TrainOptions>,
): TrainOptions {
  return { ...OPTIONS_ADDED_LATER, ...o };
}

/**
 * The options of `given` that differ from `saved`, as `name given (saved value)` in key order
 * (the input compared as the model's effective input); empty when they are the same.
 */
export function optionDifferences(saved: TrainOptions, given: TrainOptions): string[] {
  const show = (v: unknown) => typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  const effective = (o: TrainOptions) => ({ ...o, input: o.input ?? defaultInput(o.model) });
  const a: Record<string, unknown> = effective(saved);
  const b: Record<string, unknown> = effective(given);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${show(b[k])} (saved ${show(a[k])})`);
}

/** The training options saved in a run folder's state.json; UserError when there is none. */
export async function savedTrainOptions(outDir: string): Promise<TrainOptions> {
  return completeOptions((await readState(outDir)).options);
}

async function readState(outDir: string | undefined): Promise<TrainState> {
  if (!outDir || !(await statOrNull(join(outDir, "state.json")))) {
    throw new UserError(`${outDir ?? "(no --out)"}: nothing to resume (no state.json)`);
  }
  return await readJson<TrainState>(join(outDir, "state.json"));
}

/** The optimizer an options object asks for (RMSprop with the fused wasm update). */
export function makeOptimizer(o: TrainOptions): tf.Optimizer {
  return o.optimizer === "adam" ? tf.train.adam(o.lr) : fusedRmsprop(o.lr, 0.9, 0, 1e-7);
}

/**
 * Learning rate at a global step: `lr` throughout (constant), or one-cycle as PyTorch's
 * OneCycleLR: linear from lr/25 up to lr over the first 20% of the steps, then cosine down to
 * lr/25e4 at the last step.
 */
export function learningRateAt(o: TrainOptions, step: number, totalSteps: number): number {
  if (o.schedule === "constant") return o.lr;
  const warm = 0.2 * totalSteps;
  const start = o.lr / 25;
  const end = start / 1e4;
  if (step < warm) return start + (o.lr - start) * (step / warm);
  const p = Math.min(1, (step - warm) / Math.max(1, totalSteps - 1 - warm));
  return end + (o.lr - end) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** One-hot targets smoothed in place: 1 -> 1 - s/2, 0 -> s/2 (two classes). */
export function smoothLabels(y: Float32Array, s: number): Float32Array {
  if (s > 0) { for (let i = 0; i < y.length; i++) y[i] = y[i] * (1 - s) + s / 2; }
  return y;
}

/** Decoupled weight decay (as AdamW): conv and dense kernels shrink by lr * decay. */
export function decayWeights(model: tf.LayersModel, lr: number, decay: number): void {
  if (decay <= 0) return;
  tf.tidy(() => {
    for (const w of model.trainableWeights) {
      if (w.name.endsWith("kernel")) w.write(w.read().mul(1 - lr * decay));
    }
  });
}

/** Free a model and its optimizer's slots (a model's dispose() leaves the optimizer's). */
export function disposeModel(model: tf.LayersModel): void {
  model.optimizer?.dispose();
  model.dispose();
}

/** Metadata stored with a trained model. */
export function modelMeta(o: TrainOptions): ModelMeta {
  return {
    model: o.model,
    input: { ...(o.input ?? defaultInput(o.model)) },
    labels: [...LABELS],
    training: { ...o },
    savedAt: new Date().toISOString(),
  };
}

/** Build and compile a fresh model for the options. */
export function compiledModel(o: TrainOptions): tf.LayersModel {
  const input = o.input ?? defaultInput(o.model);
  const shape = input.kind === "image"
    ? { size: input.size }
    : { columns: input.columns, channels: sequenceChannels(input) };
  const model = buildModel(o.model, { ...shape, seed: o.seed });
  model.compile({
    optimizer: makeOptimizer(o),
    loss: "categoricalCrossentropy",
    metrics: ["accuracy"],
  });
  return model;
}

/**
 * Give a model loaded from a checkpoint the optimizer the options ask for. tfjs deserialises
 * RMSprop as its own RMSPropOptimizer; its slots move into our fused one (same slot names and
 * config), so a resumed run trains as the uninterrupted one. No optimizer saved: a fresh one.
 */
async function restoreOptimizer(model: tf.LayersModel, o: TrainOptions): Promise<void> {
  const loaded = model.optimizer;
  if (loaded && (o.optimizer !== "rmsprop" || loaded.constructor === FusedRMSPropOptimizer)) return;
  let optimizer = makeOptimizer(o);
  if (loaded) {
    const c = loaded.getConfig() as {
      learningRate: number;
      decay: number;
      momentum: number;
      epsilon: number;
      centered: boolean;
    };
    optimizer = fusedRmsprop(c.learningRate, c.decay, c.momentum, c.epsilon, c.centered);
    await optimizer.setWeights(await loaded.getWeights());
    loaded.dispose();
  }
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
}

/** The model behind a Sequential (tfjs trains a Sequential through its inner LayersModel). */
interface TrainableModel {
  standardizeUserData(x: tf.Tensor, y: tf.Tensor): Promise<[tf.Tensor[], tf.Tensor[]]>;
  makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[];
}

/**
 * One training step, as tfjs's `trainOnBatch` does it, with Math.random seeded (dropout masks)
 * only around the synchronous forward and backward pass, so no other task sees the seeded
 * generator. Returns the loss and the accuracy.
 */
async function trainStep(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  seed: number,
): Promise<number[]> {
  const inner =
    (model instanceof tf.Sequential
      ? (model as unknown as { model: tf.LayersModel }).model
      : model) as unknown as TrainableModel;
  const [inputs, targets] = await inner.standardizeUserData(x, y);
  const train = inner.makeTrainFunction();
  const outs = withSeededMathRandom(seed, () => train([...inputs, ...targets]));
  const values: number[] = [];
  for (const t of outs) values.push((await t.data())[0]);
  tf.dispose(outs);
  for (const t of [...inputs, ...targets]) if (t !== x && t !== y) t.dispose();
  return values;
}

/** Train a model; see TrainRun. Writes checkpoints, the final model and history to outDir. */
export async function trainModel(run: TrainRun): Promise<TrainResult> {
  if (run.train.length === 0) throw new UserError("no training images");
  let o = run.options;
  let model: tf.LayersModel;
  let history: History = { steps: [], epochs: [] };
  let step = 0;
  const ckptDir = run.outDir ? join(run.outDir, "checkpoint") : undefined;
  if (run.resume) {
    const state = await readState(run.outDir);
    o = completeOptions(state.options);
    const differ = optionDifferences(o, run.options);
    if (differ.length > 0) {
      throw new UserError(
        `${run.outDir}: cannot resume with other options than the saved run's: ${
          differ.join(", ")
        }; resume without them, or train into a new folder`,
      );
    }
    step = state.step;
    history = state.history;
    model = (await loadModel(ckptDir!)).model;
    await restoreOptimizer(model, o);
  } else {
    model = compiledModel(o);
  }
  const source: FeatureSource = run.source ?? makeSource(o.input ?? defaultInput(o.model), {
    cacheDir: run.cacheDir,
  });
  const perEpoch = o.stepsPerEpoch ?? batchesPerPass(run.train.length, o.batchSize);
  const totalSteps = perEpoch * o.epochs;
  const bar = run.progress ? new ProgressBar(totalSteps, { label: "train" }) : undefined;
  bar?.tick(step);
  let stopped = false;
  let epochStart = performance.now();
  let sums = { loss: 0, acc: 0, n: 0 };
  const save = async () => {
    if (!run.outDir) return;
    await saveModel(model, ckptDir!, modelMeta(o), true);
    await writeJsonAtomic(
      join(run.outDir, "state.json"),
      { options: o, step, history } as TrainState,
    );
    await writeJsonAtomic(join(run.outDir, "history.json"), history);
  };
  // Per-epoch sums restart from the steps already recorded in this epoch (after a resume).
  for (const r of history.steps) {
    if (Math.floor((r.step) / perEpoch) === Math.floor(step / perEpoch)) {
      sums = { loss: sums.loss + r.loss, acc: sums.acc + r.acc, n: sums.n + 1 };
    }
  }
  const stream = batches(run.train, source, {
    batchSize: o.batchSize,
    seed: o.seed,
    flip: o.flip,
    shift: o.shift,
    epochs: Infinity,
    startStep: step,
    onProblem: run.callbacks?.onProblem,
  });
  while (step < totalSteps) {
    const next = await stream.next();
    if (next.done) break;
    const b = next.value;
    const epoch = Math.floor(step / perEpoch);
    if (b.n > 0) {
      const lr = learningRateAt(o, step, totalSteps);
      (model.optimizer as unknown as { learningRate: number }).learningRate = lr;
      const x = tf.tensor(b.x, [b.n, ...source.shape]);
      const y = tf.tensor2d(smoothLabels(b.y, o.labelSmoothing), [b.n, 2]);
      const [loss, acc] = await trainStep(model, x, y, o.seed * 1_000_003 + step);
      tf.dispose([x, y]);
      decayWeights(model, lr, o.weightDecay);
      const rec = { step, epoch, loss, acc };
      history.steps.push(rec);
      sums = { loss: sums.loss + loss, acc: sums.acc + acc, n: sums.n + 1 };
      run.callbacks?.onStep?.(rec);
      bar?.tick(1, `epoch ${epoch + 1}/${o.epochs} loss ${loss.toFixed(4)} acc ${acc.toFixed(3)}`);
    } else bar?.tick(1);
    step++;
    if (step % perEpoch === 0) {
      const rec: EpochRecord = {
        epoch: epoch + 1,
        loss: sums.loss / Math.max(1, sums.n),
        acc: sums.acc / Math.max(1, sums.n),
        seconds: (performance.now() - epochStart) / 1000,
      };
      if (run.val && run.val.length > 0) {
        const m = computeMetrics(
          await predict(model, run.val, source, { onProblem: run.callbacks?.onProblem }),
        );
        Object.assign(rec, { valLoss: m.loss, valAcc: m.accuracy, valAuc: m.auc });
      }
      history.epochs.push(rec);
      run.callbacks?.onEpoch?.(rec, history);
      if (bar) {
        const v = rec.valAcc !== undefined
          ? ` val_loss ${rec.valLoss!.toFixed(4)} val_acc ${rec.valAcc.toFixed(3)} val_auc ${
            rec.valAuc!.toFixed(3)
          }`
          : "";
        console.error(
          `\nepoch ${rec.epoch}/${o.epochs}: loss ${rec.loss.toFixed(4)} acc ${
            rec.acc.toFixed(3)
          }${v}`,
        );
      }
      sums = { loss: 0, acc: 0, n: 0 };
      epochStart = performance.now();
      await save();
    }
    if (run.signal?.aborted && step < totalSteps) {
      stopped = true;
      await save();
      break;
    }
  }
  await stream.return(undefined);
  bar?.done(stopped ? "stopped: resume with --resume" : "");
  if (!stopped && run.outDir) await saveModel(model, join(run.outDir, "model"), modelMeta(o));
  return { model, history, stopped, step };
}

/** A small run to train when no earlier one is there (a notebook run out of order). */
export interface SmallRun {
  /** Run folder: reused when it holds a model already. */
  out: string;
  /** Images to draw from. */
  samples: Sample[];
  /** At most this many images, every n-th one. */
  maxImages: number;
  /** Training options of the run. */
  options: TrainOptions;
  /** Seed of the 75/25 split (default 42). */
  splitSeed?: number;
  /** Root of the preprocessing cache. */
  cacheDir?: string;
}

/**
 * `run.out` when it holds a model, else a model trained there on every n-th sample (at most
 * `maxImages`), split 75/25 and trained on the training side; the split goes to
 * `out/manifest.csv` as `deno task train` writes it. Returns the run folder.
 */
export async function ensureSmallRun(run: SmallRun): Promise<string> {
  if (await statOrNull(join(run.out, "model", "model.json"))) return run.out;
  const step = Math.max(1, Math.ceil(run.samples.length / run.maxImages));
  const rows = splitSamples(run.samples.filter((_, i) => i % step === 0), {
    seed: run.splitSeed ?? 42,
  });
  const t = await trainModel({
    train: rows.filter((r) => r.split === "train"),
    options: run.options,
    outDir: run.out,
    cacheDir: run.cacheDir,
  });
  disposeModel(t.model);
  await writeManifest(join(run.out, "manifest.csv"), rows);
  return run.out;
}
