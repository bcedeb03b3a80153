/**
 * What the plots read and how they look: the data shapes they accept (training histories,
 * confusion matrices, ROC curves, class counts, cross-validation records, grid images; hand-made
 * data with just those fields works) and the plot options with their defaults.
 * @module
 */

import type { RocCurve } from "../eval/evaluate.ts";

// ---------------------------------------------------------------------------------------------
// Data types. Training histories (lib/train/) fit them structurally; confusion matrices and ROC
// curves come from lib/eval/evaluate.ts and are re-exported here so plot callers need one import.

export type { ConfusionMatrix, RocCurve } from "../eval/evaluate.ts";

/** What the plots read of an epoch record (lib/train/train.ts `EpochRecord` fits). */
export interface EpochPoint {
  /** Epoch number, counted from 1. */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Mean training accuracy. */
  acc: number;
  /** Validation loss, when there was validation. */
  valLoss?: number;
  /** Validation accuracy, when there was validation. */
  valAcc?: number;
}

/** What the plots read of a step record (lib/train/train.ts `StepRecord`; `acc`, `epoch` optional). */
export interface StepPoint {
  /** Step number. */
  step: number;
  /** Training loss of the step. */
  loss: number;
  /** Training accuracy of the step. */
  acc?: number;
  /** Epoch the step belongs to. */
  epoch?: number;
}

/**
 * A training history as the plots read it: a lib/train/train.ts `History`, or part of one (a live
 * display before the first step, hand-made records, a history without per-step records).
 */
export interface HistoryLike {
  epochs: EpochPoint[];
  steps?: StepPoint[];
}

/** A ROC curve as plotted: lib/eval/evaluate.ts `RocCurve`, with `thresholds` optional. */
export type RocLike = Pick<RocCurve, "fpr" | "tpr" | "auc"> & Partial<Pick<RocCurve, "thresholds">>;

/** A multi-class confusion matrix: `matrix[trueIndex][predictedIndex]` counts. */
export interface LabeledMatrix {
  labels: string[];
  matrix: number[][];
}

/** A named ROC curve, for several curves in one plot (e.g. one per fold). */
export interface NamedRoc {
  name: string;
  roc: RocLike;
}

/** Number of samples of one class in one split. */
export interface ClassCount {
  split: string;
  label: string;
  count: number;
}

/** One cross-validation result: a metric value of one configuration on one fold. */
export interface CvRecord {
  config: string;
  fold: number;
  value: number;
}

/** Mean and (sample) standard deviation of a configuration over its folds. */
export interface CvSummary {
  config: string;
  mean: number;
  std: number;
  n: number;
}

/** One image of an image grid: PNG/JPEG bytes or a data URL, with an optional caption. */
export interface GridImage {
  src: Uint8Array | string;
  caption?: string;
  /** Caption colour (e.g. red for a misclassified image). */
  color?: string;
}

/** Options shared by the plot functions. */
export interface PlotOptions {
  /** Title drawn above the plot (each function has a sensible default). */
  title?: string;
  /** Width of one panel in pixels. */
  width?: number;
  /** Height of one panel in pixels. */
  height?: number;
}

/** Default sizes, colours and fonts of all plots. */
export const PLOT_DEFAULTS = {
  width: 420,
  height: 280,
  fontFamily: "DejaVu Sans, Helvetica, Arial, sans-serif",
  fontSize: 11,
  titleSize: 15,
  /** Colours of the training and validation series. */
  train: "#1f77b4",
  validation: "#ff7f0e",
  /** Categorical palette (Tableau 10). */
  palette: [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
  ],
  /** Raster density of `savePlot` PNGs (dpi; 144 = 2x). */
  density: 144,
};
