/**
 * Evaluation: predictions over a sample list, and metrics for the chimeric class — confusion
 * matrix, accuracy, precision, recall, F1, ROC curve and AUC, misclassified files.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Sample } from "../data/dataset.ts";
import { type ImageProblem } from "../core/image.ts";
import { type FeatureSource } from "../features/source.ts";
import { batches } from "../features/batches.ts";
import { ProgressBar } from "../core/progress.ts";

/** Confusion matrix for the positive (chimeric) class. */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** A ROC curve: false and true positive rates at decreasing thresholds, and its area. */
export interface RocCurve {
  fpr: number[];
  tpr: number[];
  thresholds: number[];
  auc: number;
}

/** One misclassified file. */
export interface Misclassified {
  path: string;
  label: string;
  pChimeric: number;
}

/** Everything `deno task evaluate` reports. */
export interface Metrics {
  n: number;
  threshold: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number;
  /** Mean categorical cross-entropy. */
  loss: number;
  confusion: ConfusionMatrix;
  roc: RocCurve;
  misclassified: Misclassified[];
}

/** Per-sample prediction. */
export interface Prediction {
  path: string;
  /** True label: 1 chimeric, 0 non_chimeric. */
  y: number;
  /** Predicted probability of chimeric. */
  p: number;
}

/** The call at `threshold`: 1 (chimeric) when p >= threshold, else 0. */
export function callAt(p: number, threshold: number): number {
  return p >= threshold ? 1 : 0;
}

/** Confusion matrix of binary labels `y` and probabilities `p` at `threshold`. */
export function confusion(y: number[], p: number[], threshold = 0.5): ConfusionMatrix {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  y.forEach((t, i) => {
    const pred = callAt(p[i], threshold);
    if (pred === 1 && t === 1) c.tp++;
    else if (pred === 1) c.fp++;
    else if (t === 1) c.fn++;
    else c.tn++;
  });
  return c;
}

/** Safe ratio: 0 when the denominator is 0. */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** ROC curve and AUC (ties in scores handled as one threshold; AUC by the trapezoid rule). */
export function roc(y: number[], p: number[]): RocCurve {
  const pos = y.filter((t) => t === 1).length;
  const neg = y.length - pos;
  const idx = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    if (y[i] === 1) tp++;
    else fp++;
    if (k === idx.length - 1 || p[idx[k + 1]] !== p[i]) {
      fpr.push(ratio(fp, neg));
      tpr.push(ratio(tp, pos));
      thresholds.push(p[i]);
    }
  }
  return { fpr, tpr, thresholds, auc: pos === 0 || neg === 0 ? NaN : areaUnder(fpr, tpr) };
}

/** Area under a curve through the points (x[k], y[k]), x ascending, by the trapezoid rule. */
export function areaUnder(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let k = 1; k < x.length; k++) area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2;
  return area;
}

/** Precision, recall, F1 and support of one class, that class taken as the positive one. */
export interface ClassMetrics {
  class: "chimeric" | "non_chimeric";
  precision: number;
  recall: number;
  f1: number;
  /** Samples of the class. */
  support: number;
}

/** Per-class metrics from a confusion matrix: chimeric, then non_chimeric (0 where undefined). */
export function perClassMetrics(c: ConfusionMatrix): ClassMetrics[] {
  const sides = [
    { cls: "chimeric" as const, tp: c.tp, fp: c.fp, fn: c.fn },
    { cls: "non_chimeric" as const, tp: c.tn, fp: c.fn, fn: c.fp },
  ];
  return sides.map(({ cls, tp, fp, fn }) => {
    const precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn);
    return {
      class: cls,
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      support: tp + fn,
    };
  });
}

/** All metrics from predictions. */
export function computeMetrics(preds: Prediction[], threshold = 0.5): Metrics {
  const y = preds.map((r) => r.y);
  const p = preds.map((r) => r.p);
  const c = confusion(y, p, threshold);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const curve = roc(y, p);
  const eps = 1e-7;
  const loss = preds.length === 0 ? NaN : -preds.reduce(
    (s, r) => s + Math.log(Math.min(1 - eps, Math.max(eps, r.y === 1 ? r.p : 1 - r.p))),
    0,
  ) / preds.length;
  return {
    n: preds.length,
    threshold,
    accuracy: ratio(c.tp + c.tn, preds.length),
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    auc: curve.auc,
    loss,
    confusion: c,
    roc: curve,
    misclassified: preds
      .filter((r) => callAt(r.p, threshold) !== r.y)
      .map((r) => ({
        path: r.path,
        label: r.y === 1 ? "chimeric" : "non_chimeric",
        pChimeric: r.p,
      }))
      .sort((a, b) => Math.abs(b.pChimeric - 0.5) - Math.abs(a.pChimeric - 0.5)),
  };
}

/** Errors within one group of predictions (a class folder, a species). */
export interface GroupErrors {
  group: string;
  n: number;
  /** Predictions on the wrong side of the threshold. */
  wrong: number;
  /** wrong / n. */
  errorRate: number;
}

/**
 * Where the errors are: the predictions grouped by `groupOf(path)` (e.g. the class folder or the
 * species prefix), each group's count of wrong calls at `threshold`, largest groups first.
 */
export function errorsByGroup(
  preds: Prediction[],
  groupOf: (path: string) => string,
  threshold = 0.5,
): GroupErrors[] {
  const counts = new Map<string, { n: number; wrong: number }>();
  for (const r of preds) {
    const key = groupOf(r.path);
    const c = counts.get(key) ?? { n: 0, wrong: 0 };
    c.n++;
    if (callAt(r.p, threshold) !== r.y) c.wrong++;
    counts.set(key, c);
  }
  return [...counts].map(([group, c]) => ({ group, ...c, errorRate: c.wrong / c.n }))
    .sort((a, b) => b.n - a.n || a.group.localeCompare(b.group));
}

/** Groups' errors as plain-text lines under a title: group, n, wrong, error rate. */
export function formatGroupErrors(title: string, rows: GroupErrors[]): string {
  const width = Math.max(5, ...rows.map((r) => r.group.length));
  return [
    title,
    `  ${"group".padEnd(width)}  ${"n".padStart(6)}  ${"wrong".padStart(6)}  error`,
    ...rows.map((r) =>
      `  ${r.group.padEnd(width)}  ${String(r.n).padStart(6)}  ${String(r.wrong).padStart(6)}  ${
        (100 * r.errorRate).toFixed(1)
      } %`
    ),
  ].join("\n");
}

/** Options of `predict`. */
export interface PredictOptions {
  batchSize?: number;
  /** Average each P(chimeric) with the mirror image's (default true; see predictFeatures). */
  flipAverage?: boolean;
  /** Show a progress bar on stderr. */
  progress?: boolean;
  /** Called with each unreadable file (skipped and reported). */
  onProblem?: (p: ImageProblem) => void;
}

/**
 * The model's output probabilities (inference mode) on `n` samples of `shape` stacked in `x`,
 * `n` x classes values.
 */
export function probabilities(
  model: tf.LayersModel,
  x: Float32Array,
  n: number,
  shape: number[],
): Float32Array {
  // one batch of all n (predict's default of 32 a batch slices the input and runs 32x the kernels)
  return tf.tidy(() =>
    (model.predict(tf.tensor(x, [n, ...shape]), { batchSize: n }) as tf.Tensor).dataSync()
  ) as Float32Array;
}

/**
 * P(chimeric) of `n` samples already in memory (`x`: features stacked, each of the source's
 * shape): the forward pass `predict` runs on each batch of files. With `flipAverage` each
 * probability is the mean over the sample and its mirror image (test-time flip: a chart read
 * right to left is the same read's chart).
 */
export function predictFeatures(
  model: tf.LayersModel,
  x: Float32Array,
  n: number,
  source: Pick<FeatureSource, "shape" | "flip">,
  flipAverage = true,
): number[] {
  if (n === 0) return [];
  const forward = (data: Float32Array) => probabilities(model, data, n, source.shape);
  const probs = forward(x);
  const k = probs.length / n; // output classes: chimeric is at index 1 of 2 or of 3
  const p = Array.from({ length: n }, (_, i) => probs[k * i + 1]);
  if (!flipAverage) return p;
  const item = x.length / n;
  const mirrored = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    mirrored.set(source.flip(x.subarray(i * item, (i + 1) * item)), i * item);
  }
  const q = forward(mirrored);
  return p.map((v, i) => (v + q[k * i + 1]) / 2);
}

/** Predict p(chimeric) for every readable sample, in order (averaged with the mirror image). */
export async function predict(
  model: tf.LayersModel,
  samples: Sample[],
  source: FeatureSource,
  opts: PredictOptions = {},
): Promise<Prediction[]> {
  const batchSize = opts.batchSize ?? 64;
  const bar = opts.progress
    ? new ProgressBar(Math.ceil(samples.length / batchSize), { label: "predict" })
    : undefined;
  const out: Prediction[] = [];
  for await (
    const b of batches(samples, source, {
      batchSize,
      shuffle: false,
      flip: false,
      onProblem: opts.onProblem,
    })
  ) {
    if (b.n > 0) {
      const probs = predictFeatures(model, b.x, b.n, source, opts.flipAverage ?? true);
      for (let i = 0; i < b.n; i++) {
        out.push({ path: b.paths[i], y: b.y[2 * i + 1], p: probs[i] });
      }
    }
    bar?.tick();
  }
  bar?.done();
  return out;
}

/** Format metrics as a small plain-text table. */
export function formatMetrics(m: Metrics): string {
  const c = m.confusion;
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "n/a");
  return [
    `n=${m.n}  threshold=${m.threshold}`,
    `accuracy  ${f(m.accuracy)}`,
    `precision ${f(m.precision)}   (chimeric)`,
    `recall    ${f(m.recall)}`,
    `F1        ${f(m.f1)}`,
    `ROC AUC   ${f(m.auc)}`,
    `loss      ${f(m.loss)}`,
    "",
    "                 predicted",
    "                 chimeric  non_chimeric",
    `true chimeric    ${String(c.tp).padStart(8)}  ${String(c.fn).padStart(12)}`,
    `true non_chim.   ${String(c.fp).padStart(8)}  ${String(c.tn).padStart(12)}`,
  ].join("\n");
}
