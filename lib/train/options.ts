/**
 * Training options in one place: the hyperparameters, the presets (ours and the thesis
 * protocol), overrides from the command line or a cross-validation grid (checked), options
 * added since older runs, and the differences between saved and given options.
 * @module
 */

import { UserError } from "../core/errors.ts";
import { type InputSpec } from "../features/inputs.ts";
import { type CompactHead, defaultInput, type ModelName } from "../model/model.ts";

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
  /** Mixup's Beta(alpha, alpha) parameter: each training batch blended with itself permuted; 0 is off. */
  mixup: number;
  /**
   * q of the generalized cross-entropy (Zhang & Sabuncu, 2018), a loss robust to wrong labels:
   * each sample's gradient is scaled by p(its target)^q (lib/train/optim.ts gceTargets); 0 is
   * plain cross-entropy.
   */
  gce: number;
  /**
   * Training targets: 2 (chimeric or not) or 3 (regular / chimeric / repeat, collapsed to
   * p(chimeric) at prediction; see features/batches.ts targetIndex).
   */
  classes: 2 | 3;
  /** Run (or model) folder of a teacher to distil from (lib/train/teacher.ts); null: none. */
  teacher: string | null;
  /** With a teacher: the weight of its probabilities in the targets (0 to 1). */
  distill: number;
  /** Width of the compact model: its filters and hidden units times this (1: as shipped). */
  width: number;
  /** Head of the compact model: flatten, or the flatten plus global pooling (lib/model/model.ts). */
  head: CompactHead;
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
    mixup: 0,
    gce: 0,
    classes: 2,
    teacher: null,
    distill: 0.5,
    width: 1,
    head: "flatten",
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
    mixup: 0,
    gce: 0,
    classes: 2,
    teacher: null,
    distill: 0.5,
    width: 1,
    head: "flatten",
    flip: true,
    shift: 0,
    seed: 42,
  },
};

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
  "mixup",
  "gce",
  "classes",
  "teacher",
  "distill",
  "width",
  "head",
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
    else if (k === "mixup") {
      const n = Number(v);
      if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw bad(k, v, "a number >= 0");
      o.mixup = n;
    } else if (k === "gce") {
      const n = Number(v);
      if (v.trim() === "" || !(n >= 0 && n <= 1)) throw bad(k, v, "a number from 0 to 1");
      o.gce = n;
    } else if (k === "classes") {
      if (v !== "2" && v !== "3") throw bad(k, v, "2 or 3");
      o.classes = v === "3" ? 3 : 2;
    } else if (k === "teacher") {
      if (v.trim() === "") throw bad(k, v, "a run or model folder");
      o.teacher = v;
    } else if (k === "distill") {
      const n = Number(v);
      if (v.trim() === "" || !(n > 0 && n <= 1)) throw bad(k, v, "a number above 0, up to 1");
      o.distill = n;
    } else if (k === "width") {
      o.width = positive(k, v, false);
    } else if (k === "head") {
      if (v !== "flatten" && v !== "pool") throw bad(k, v, "flatten or pool");
      o.head = v;
    } else if (k === "schedule") {
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
  if (o.width !== 1 && o.model !== "compact") {
    throw new UserError("width applies to the compact model only");
  }
  if (o.head !== "flatten" && o.model !== "compact") {
    throw new UserError("head applies to the compact model only");
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
  | "schedule"
  | "weightDecay"
  | "labelSmoothing"
  | "mixup"
  | "gce"
  | "classes"
  | "teacher"
  | "distill"
  | "width"
  | "head"
  | "shift"
> = {
  schedule: "constant",
  weightDecay: 0,
  labelSmoothing: 0,
  mixup: 0,
  gce: 0,
  classes: 2,
  teacher: null,
  distill: 0.5,
  width: 1,
  head: "flatten",
  shift: 0,
};

/** Training options as saved by an older version: those added later may be missing. */
export type SavedOptions =
  & Omit<TrainOptions, keyof typeof OPTIONS_ADDED_LATER>
  & Partial<TrainOptions>;

/**
 * Options added after cross-validation keys were first kept, at their off values: a key leaves
 * them out while they are off ({@link keyOptions}), so older folders keep their keys and names.
 */
const OPTIONS_ADDED_AFTER_KEYS: Partial<TrainOptions> = {
  mixup: 0,
  gce: 0,
  classes: 2,
  teacher: null,
  distill: 0.5,
  width: 1,
  head: "flatten",
};

/** Training options as a cross-validation key holds them (see OPTIONS_ADDED_AFTER_KEYS). */
export function keyOptions(o: TrainOptions): SavedOptions {
  const out: Record<string, unknown> = { ...o };
  for (const [k, off] of Object.entries(OPTIONS_ADDED_AFTER_KEYS)) {
    if (out[k] === off) delete out[k];
  }
  return out as SavedOptions;
}

/** Saved training options completed with the options added since (resuming an older run). */
export function completeOptions(o: SavedOptions): TrainOptions {
  return { ...OPTIONS_ADDED_LATER, ...o };
}

/**
 * The options of `given` that differ from `saved`, as `name given (saved value)` in key order
 * (the input compared as the model's effective input, options missing from an older save at
 * their old values); empty when they are the same.
 */
export function optionDifferences(saved: SavedOptions, given: SavedOptions): string[] {
  const show = (v: unknown) => typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  // options added since `saved` was written count at the values that reproduce the old runs
  const effective = (o: SavedOptions) => {
    const c = completeOptions(o);
    return { ...c, input: c.input ?? defaultInput(c.model) };
  };
  const a: Record<string, unknown> = effective(saved);
  const b: Record<string, unknown> = effective(given);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${show(b[k])} (saved ${show(a[k])})`);
}
