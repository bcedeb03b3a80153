/**
 * Batches for training and evaluation: one-hot labels, passes over the samples reshuffled per
 * pass, flip and shift augmentation seeded by position, so an interrupted run resumes exactly.
 * @module
 */

import { LABELS, type Sample } from "../data/dataset.ts";

import { mulberry32, shuffleInPlace } from "../core/random.ts";
import { hashInts } from "../core/hash.ts";

import { type ImageProblem } from "../core/image.ts";
import { type FeatureSource } from "./source.ts";

/**
 * One batch: inputs stacked (NHWC), one-hot targets: [non_chimeric, chimeric] with 2 classes,
 * [regular, chimeric, repeat] with 3 (index 1 is chimeric either way).
 */
export interface Batch {
  /** Inputs, `n * prod(shape)` floats. */
  x: Float32Array;
  /** One-hot targets, `n * classes` floats. */
  y: Float32Array;
  /** Number of samples in the batch. */
  n: number;
  /** Position of the batch in the stream (0-based step number). */
  step: number;
  /** Source files of the batch, in order. */
  paths: string[];
}

/** Options of the batch generator. */
export interface BatchOptions {
  /** Samples per batch. */
  batchSize?: number;
  /** Shuffle each pass (training) or keep order (evaluation). */
  shuffle?: boolean;
  /** Random horizontal flips with probability 0.5 (training augmentation). */
  flip?: boolean;
  /** Random shifts of up to this many positions either way, where the source can shift. */
  shift?: number;
  /** Seed of shuffles and flips. */
  seed?: number;
  /** Targets: 2 (chimeric or not) or 3 (regular, chimeric, repeat); see targetIndex. */
  classes?: 2 | 3;
  /** Number of passes over the samples; Infinity for an endless stream. */
  epochs?: number;
  /** First step to yield: skips earlier batches without loading them (resume). */
  startStep?: number;
  /** Called with each unreadable sample (dropped from its batch, never silently). */
  onProblem?: (p: ImageProblem) => void;
}

/** Defaults of the batch generator (the thesis: batches of 32, shuffled, flipped). */
export const BATCH_DEFAULTS: Required<Omit<BatchOptions, "onProblem">> = {
  batchSize: 32,
  shuffle: true,
  flip: true,
  shift: 0,
  seed: 0,
  classes: 2,
  epochs: 1,
  startStep: 0,
};

/** One-hot vector index of a label: 1 for chimeric, 0 for non_chimeric. */
export function labelIndex(label: Sample["label"]): number {
  return LABELS.indexOf(label);
}

/** Class names of the three-class targets, in output order (chimeric at 1, as with two). */
export const THREE_CLASSES: readonly string[] = ["regular", "chimeric", "repeat"];

/**
 * Target index of a sample: its binary label's index with 2 classes; with 3, chimeric 1, class
 * folder `repeat` 2, any other non-chimeric class 0.
 */
export function targetIndex(s: Pick<Sample, "label" | "cls">, classes: 2 | 3): number {
  if (classes === 2 || s.label === "chimeric") return labelIndex(s.label);
  return s.cls === "repeat" ? 2 : 0;
}

/** Number of batches in one pass over `n` samples. */
export function batchesPerPass(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** A deterministic hash of integers to [0, 1) (position-based randomness that can be skipped). */
function hash01(...xs: number[]): number {
  return mulberry32(hashInts(xs))();
}

/**
 * Yield batches of preprocessed samples with one-hot labels, as a stream of passes over the
 * samples (each pass reshuffled, seeded by seed and pass number; the last batch of a pass may
 * be smaller, as in Keras), each sample flipped and shifted at random when asked. Batch k is
 * the same for the same seed whatever `startStep` is, so an interrupted run resumes exactly.
 * Unreadable samples go to `onProblem` and are dropped from their batch; nothing crashes
 * mid-epoch.
 */
export async function* batches(
  samples: Sample[],
  source: FeatureSource,
  opts: BatchOptions = {},
): AsyncGenerator<Batch> {
  const o = { ...BATCH_DEFAULTS, ...opts };
  if (samples.length === 0) return;
  const per = batchesPerPass(samples.length, o.batchSize);
  const item = source.shape.reduce((a, b) => a * b, 1);
  await source.prepare?.(samples.map((s) => s.path));
  const reported = new Set<string>();
  let orderPass = -1;
  let order: Sample[] = samples;
  for (let step = o.startStep; step < per * o.epochs; step++) {
    const pass = Math.floor(step / per);
    if (pass !== orderPass) {
      order = o.shuffle
        ? shuffleInPlace([...samples], mulberry32(hash01(o.seed, pass) * 2 ** 32))
        : samples;
      orderPass = pass;
    }
    const start = (step - pass * per) * o.batchSize;
    const chunk = order.slice(start, start + o.batchSize);
    const { images, problems } = await source.getMany(chunk.map((s) => s.path));
    for (const p of problems) {
      if (!reported.has(p.path)) o.onProblem?.(p);
      reported.add(p.path);
    }
    const n = images.filter((x) => x !== null).length;
    const x = new Float32Array(n * item);
    const y = new Float32Array(n * o.classes);
    const paths: string[] = [];
    let k = 0;
    chunk.forEach((s, i) => {
      const img = images[i];
      if (!img) return;
      const flip = o.flip && hash01(o.seed, pass, start + i, 7) < 0.5;
      let v = flip ? source.flip(img) : img;
      if (o.shift > 0 && source.shift) {
        const by = Math.floor(hash01(o.seed, pass, start + i, 11) * (2 * o.shift + 1)) - o.shift;
        if (by !== 0) v = source.shift(v, by);
      }
      x.set(v, k * item);
      y[k * o.classes + targetIndex(s, o.classes)] = 1;
      paths.push(s.path);
      k++;
    });
    yield { x, y, n, step, paths };
  }
}
