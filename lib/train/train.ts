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
import { computeMetrics, predict, probabilities } from "../eval/evaluate.ts";
import { readJson, statOrNull, writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { makeSource, sequenceChannels } from "../features/inputs.ts";
import { defaultInput } from "../model/model.ts";
import { loadModel, type ModelMeta, saveModel } from "../model/modelio.ts";
import { buildModel } from "../model/model.ts";
import { type ImageProblem } from "../core/image.ts";
import { type FeatureSource } from "../features/source.ts";
import { batches, batchesPerPass, THREE_CLASSES } from "../features/batches.ts";
import { ProgressBar } from "../core/progress.ts";
import { mulberry32, withSeededMathRandom } from "../core/random.ts";
import { fusedRmsprop, FusedRMSPropOptimizer } from "../backend/kernels/rmsprop.ts";
import {
  decayWeights,
  disposeModel,
  gceTargets,
  learningRateAt,
  makeOptimizer,
  mixupBatch,
  smoothLabels,
} from "./optim.ts";
import { completeOptions, optionDifferences, type TrainOptions } from "./options.ts";
import { blendTeacher, loadTeacher } from "./teacher.ts";

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

/** Metadata stored with a trained model. */
export function modelMeta(o: TrainOptions): ModelMeta {
  return {
    model: o.model,
    input: { ...(o.input ?? defaultInput(o.model)) },
    labels: o.classes === 3 ? [...THREE_CLASSES] : [...LABELS],
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
  const model = buildModel(o.model, {
    ...shape,
    seed: o.seed,
    classes: o.classes,
    width: o.width,
    head: o.head,
  });
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
  if (o.teacher !== null && o.classes !== 2) {
    throw new UserError("--teacher distils two-class models only (leave out --classes 3)");
  }
  const teacher = o.teacher === null
    ? null
    : await loadTeacher(o.teacher, o.input ?? defaultInput(o.model));
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
    classes: o.classes,
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
      const targets = smoothLabels(b.y, o.labelSmoothing, o.classes);
      mixupBatch(b.x, targets, b.n, o.mixup, mulberry32(o.seed * 7919 + step));
      if (teacher) blendTeacher(teacher, b.x, source.shape, b.n, targets, o.distill);
      if (o.gce > 0) {
        // inference-mode probabilities (no dropout, moving batch-norm statistics): the gradient is
        // w (p - t) up to the small gap between them and the training-mode outputs
        gceTargets(targets, probabilities(model, b.x, b.n, source.shape), o.gce, o.classes);
      }
      const x = tf.tensor(b.x, [b.n, ...source.shape]);
      const y = tf.tensor2d(targets, [b.n, o.classes]);
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
  teacher?.model.dispose();
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
