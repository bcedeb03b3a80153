/**
 * Plots for notebooks and command-line runs: training curves, confusion matrix, ROC curve, class
 * balance, cross-validation results, coverage curves (the compact model's input) and image grids.
 * Every plot function takes plain data and returns a standalone SVG string (Observable Plot on a
 * linkedom DOM, composed into one SVG with a title and legend); `savePlot` writes it as `.svg` and
 * `.png` (sharp rasterises the SVG).
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import sharp from "sharp";
import { writeFileAtomic, writeTextAtomic } from "../core/fs.ts";
import { LINE_CHANNELS } from "../features/chart_line.ts";
import type { EpochRecord, StepRecord } from "../train/train.ts";
import type { ConfusionMatrix, RocCurve } from "../eval/evaluate.ts";

// ---------------------------------------------------------------------------------------------
// Data types. Training histories come from lib/train/train.ts and evaluation results from
// lib/eval/evaluate.ts; they are re-exported here so plot callers need one import. The plots read
// only part of each record, so they also accept hand-made data with just those fields.

export type { EpochRecord, History, StepRecord } from "../train/train.ts";
export type { ConfusionMatrix, RocCurve } from "../eval/evaluate.ts";

/** What the plots read of an epoch record (lib/train/train.ts `EpochRecord`; `seconds` not needed). */
export type EpochPoint = Pick<EpochRecord, "epoch" | "loss" | "acc" | "valLoss" | "valAcc">;

/** What the plots read of a step record (lib/train/train.ts `StepRecord`; `acc`, `epoch` optional). */
export type StepPoint =
  & Pick<StepRecord, "step" | "loss">
  & Partial<Pick<StepRecord, "acc" | "epoch">>;

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

// ---------------------------------------------------------------------------------------------
// SVG composition helpers

// linkedom's types describe a browser window; Plot only needs createElementNS and friends.
const document = (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
  document: unknown;
}).document;

/** Escape text for SVG/HTML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A rendered Observable Plot panel: its SVG content (without the root element) and size. */
interface Panel {
  body: string;
  width: number;
  height: number;
}

/** Render an Observable Plot into a panel (the root <svg> becomes a group when composed). */
function panel(options: Plot.PlotOptions): Panel {
  const width = options.width ?? PLOT_DEFAULTS.width;
  const height = options.height ?? PLOT_DEFAULTS.height;
  const el = Plot.plot({ ...options, width, height, document } as Plot.PlotOptions) as unknown as {
    tagName: string;
    innerHTML: string;
  };
  if (el.tagName.toLowerCase() !== "svg") {
    throw new Error("plots: Observable Plot returned a figure; legends must be drawn by compose()");
  }
  const body = el.innerHTML.replace(/<style>[\s\S]*?<\/style>/g, "");
  return { body, width, height };
}

/** One legend entry: a coloured swatch (or line) and a label. */
interface LegendItem {
  label: string;
  color: string;
  line?: boolean;
  dash?: boolean;
  /** Hollow circle swatch (a dot mark). */
  circle?: boolean;
}

/** Compose panels (rows of columns) under a title and above a legend into one standalone SVG. */
function compose(rows: Panel[][], title: string, legend: LegendItem[] = []): string {
  const d = PLOT_DEFAULTS;
  const pad = 10;
  const titleH = title ? d.titleSize + 16 : pad;
  const legendH = legend.length ? 24 : 0;
  const panelsW = Math.max(...rows.map((r) => r.reduce((s, p) => s + p.width, 0)));
  const width = Math.max(panelsW, title.length * d.titleSize * 0.62, legendWidth(legend)) + 2 * pad;
  const left = pad + (width - 2 * pad - panelsW) / 2;
  let y = titleH + legendH;
  const parts: string[] = [];
  for (const row of rows) {
    let x = left;
    for (const p of row) {
      parts.push(
        `<g transform="translate(${x},${y})" font-size="${d.fontSize}" text-anchor="middle" ` +
          `fill="currentColor">${p.body}</g>`,
      );
      x += p.width;
    }
    y += Math.max(...row.map((p) => p.height));
  }
  const height = y + pad;
  const head = title
    ? `<text x="${width / 2}" y="${pad + d.titleSize}" text-anchor="middle" ` +
      `font-size="${d.titleSize}" font-weight="bold">${escapeXml(title)}</text>`
    : "";
  return svgRoot(width, height, head + legendSvg(legend, width, titleH + 4) + parts.join(""));
}

/** Wrap content in a standalone SVG root with a white background and the plot font. */
function svgRoot(width: number, height: number, content: string): string {
  const w = Math.round(width), h = Math.round(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" ` +
    `viewBox="0 0 ${w} ${h}" font-family="${PLOT_DEFAULTS.fontFamily}" ` +
    `font-size="${PLOT_DEFAULTS.fontSize}" style="color:black;background:white">` +
    `<rect width="${w}" height="${h}" fill="white"/>${content}</svg>`;
}

const legendSizes = (items: LegendItem[]) =>
  items.map((it) => 22 + it.label.length * PLOT_DEFAULTS.fontSize * 0.62 + 16);
const legendWidth = (items: LegendItem[]) => legendSizes(items).reduce((a, b) => a + b, 0);

/** A centred horizontal legend row at `top`. */
function legendSvg(items: LegendItem[], width: number, top: number): string {
  if (!items.length) return "";
  const sizes = legendSizes(items);
  let x = Math.max(10, (width - sizes.reduce((a, b) => a + b, 0)) / 2);
  const out: string[] = [];
  items.forEach((it, i) => {
    const cy = top + 8;
    out.push(
      it.line
        ? `<line x1="${x}" x2="${x + 16}" y1="${cy}" y2="${cy}" stroke="${it.color}" ` +
          `stroke-width="2.5"${it.dash ? ' stroke-dasharray="4,3"' : ""}/>`
        : it.circle
        ? `<circle cx="${
          x + 8
        }" cy="${cy}" r="4" fill="none" stroke="${it.color}" stroke-width="1.5"/>`
        : `<rect x="${x + 2}" y="${cy - 6}" width="12" height="12" fill="${it.color}"/>`,
      `<text x="${x + 22}" y="${cy + 4}" text-anchor="start">${escapeXml(it.label)}</text>`,
    );
    x += sizes[i];
  });
  return out.join("");
}

/** Moving average over a centred window of `k` values. */
function smooth(values: number[], k: number): number[] {
  const h = Math.floor(k / 2);
  return values.map((_, i) => {
    const a = Math.max(0, i - h), b = Math.min(values.length, i + h + 1);
    let s = 0;
    for (let j = a; j < b; j++) s += values[j];
    return s / (b - a);
  });
}

const finite = (v: number | undefined): v is number => typeof v === "number" && Number.isFinite(v);

// ---------------------------------------------------------------------------------------------
// Plots

/**
 * Training curves: loss and accuracy per epoch, train vs validation; when `history.steps` is
 * non-empty, a second row shows per-step loss and accuracy (raw, faint, and smoothed).
 */
export function trainingCurves(history: HistoryLike, opts: PlotOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const w = opts.width ?? d.width, h = opts.height ?? d.height;
  const epochs = history.epochs ?? [];
  const steps = history.steps ?? [];
  const rows: Panel[][] = [];
  const hasVal = epochs.some((e) => finite(e.valLoss) || finite(e.valAcc));
  if (epochs.length) {
    const series = (key: "loss" | "acc", valKey: "valLoss" | "valAcc") => [
      ...epochs.filter((e) => finite(e[key])).map((e) => ({
        epoch: e.epoch,
        value: e[key],
        set: "train",
      })),
      ...epochs.filter((e) => finite(e[valKey])).map((e) => ({
        epoch: e.epoch,
        value: e[valKey] as number,
        set: "validation",
      })),
    ];
    const epochPanel = (key: "loss" | "acc", valKey: "valLoss" | "valAcc", label: string) => {
      const data = series(key, valKey);
      const color = { domain: ["train", "validation"], range: [d.train, d.validation] };
      return panel({
        width: w,
        height: h,
        marginLeft: 50,
        grid: true,
        x: { label: "epoch", tickFormat: "d", ticks: Math.min(epochs.length, 10) },
        y: { label, ...(key === "acc" ? { domain: accDomain(data.map((p) => p.value)) } : {}) },
        color,
        marks: [
          Plot.line(data, { x: "epoch", y: "value", stroke: "set", z: "set", strokeWidth: 2 }),
          Plot.dot(data, { x: "epoch", y: "value", fill: "set", r: 3 }),
        ],
      });
    };
    rows.push([epochPanel("loss", "valLoss", "loss"), epochPanel("acc", "valAcc", "accuracy")]);
  }
  if (steps.length) {
    const k = Math.max(1, Math.round(steps.length / 25));
    const stepPanel = (key: "loss" | "acc", label: string) => {
      const pts = steps.filter((s) => finite(s[key])).map((s) => ({ step: s.step, v: s[key]! }));
      const sm = smooth(pts.map((p) => p.v), k).map((v, i) => ({ step: pts[i].step, v }));
      return panel({
        width: w,
        height: h,
        marginLeft: 50,
        grid: true,
        x: { label: "step" },
        y: {
          label: `${label} per step`,
          ...(key === "acc" ? { domain: accDomain(pts.map((p) => p.v)) } : {}),
        },
        marks: [
          Plot.line(pts, { x: "step", y: "v", stroke: d.train, strokeOpacity: 0.3 }),
          Plot.line(sm, { x: "step", y: "v", stroke: d.train, strokeWidth: 2 }),
        ],
      });
    };
    const row = [stepPanel("loss", "loss")];
    if (steps.some((s) => finite(s.acc))) row.push(stepPanel("acc", "accuracy"));
    rows.push(row);
  }
  if (!rows.length) rows.push([emptyPanel(w, h, "no training records yet")]);
  const legend: LegendItem[] = epochs.length
    ? [
      { label: "train", color: d.train, line: true },
      ...(hasVal ? [{ label: "validation", color: d.validation, line: true }] : []),
    ]
    : [];
  const last = epochs.at(-1);
  const title = opts.title ??
    (last
      ? `Training: epoch ${last.epoch}, loss ${last.loss.toFixed(3)}, acc ${last.acc.toFixed(3)}` +
        (finite(last.valAcc) ? `, val acc ${last.valAcc.toFixed(3)}` : "")
      : `Training: step ${steps.at(-1)?.step ?? 0}`);
  return compose(rows, title, legend);
}

/** Accuracy axis: [0, 1] unless all values sit high, then zoom in a little. */
function accDomain(values: number[]): [number, number] {
  const lo = Math.min(...values.filter(Number.isFinite));
  if (!Number.isFinite(lo) || lo < 0.5) return [0, 1];
  return [Math.floor(lo * 10) / 10 - 0.05, 1];
}

/** A panel with only a centred message. */
function emptyPanel(width: number, height: number, message: string): Panel {
  return {
    width,
    height,
    body: `<text x="${width / 2}" y="${height / 2}" fill="#666">${escapeXml(message)}</text>`,
  };
}

/** Normalise a confusion matrix to labels and a `[true][predicted]` count matrix. */
export function toLabeledMatrix(cm: ConfusionMatrix | LabeledMatrix): LabeledMatrix {
  if ("matrix" in cm) return cm;
  return { labels: ["non_chimeric", "chimeric"], matrix: [[cm.tn, cm.fp], [cm.fn, cm.tp]] };
}

/**
 * Confusion matrix heatmap: rows are the true class, columns the predicted class; each cell
 * shows its count and its share of the row, shaded by that share (no colour legend).
 */
export function confusionMatrix(
  cm: ConfusionMatrix | LabeledMatrix,
  opts: PlotOptions = {},
): string {
  const { labels, matrix } = toLabeledMatrix(cm);
  const cells = matrix.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, j) => ({
      actual: labels[i],
      predicted: labels[j],
      count,
      share: total ? count / total : 0,
    }));
  });
  const n = cells.reduce((s, c) => s + c.count, 0);
  const correct = matrix.reduce((s, row, i) => s + (row[i] ?? 0), 0);
  const side = Math.max(260, 120 * labels.length);
  const p = panel({
    width: (opts.width ?? side) + 110,
    height: (opts.height ?? side) + 60,
    marginLeft: 110,
    marginBottom: 50,
    marginTop: 10,
    x: { domain: labels, label: "predicted class (cells: count, % of true class)", padding: 0.04 },
    y: { domain: labels, label: "true class", padding: 0.04 },
    color: { type: "linear", domain: [0, 1], range: ["#f3f7fb", "#08519c"], legend: false },
    marks: [
      Plot.cell(cells, { x: "predicted", y: "actual", fill: "share", inset: 0.5 }),
      Plot.text(cells, {
        x: "predicted",
        y: "actual",
        text: (c: { count: number; share: number }) =>
          `${c.count.toLocaleString("en-US")}\n${(100 * c.share).toFixed(1)}%`,
        fill: (c: { share: number }) => (c.share > 0.5 ? "white" : "black"),
        fontSize: 13,
        lineHeight: 1.3,
      }),
    ],
  });
  const title = opts.title ??
    `Confusion matrix (n = ${n.toLocaleString("en-US")}, accuracy ${
      n ? (correct / n).toFixed(3) : "-"
    })`;
  return compose([[p]], title);
}

/** ROC curve(s) with the chance diagonal; the title carries the AUC (mean AUC for several). */
export function rocCurve(roc: RocLike | NamedRoc[], opts: PlotOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const curves = Array.isArray(roc) ? roc : [{ name: "model", roc }];
  const pts = curves.flatMap((c, k) =>
    c.roc.fpr.map((f, i) => ({ fpr: f, tpr: c.roc.tpr[i], name: c.name, k }))
  );
  const colors = curves.map((_, k) => d.palette[k % d.palette.length]);
  const side = opts.width ?? 380;
  const p = panel({
    width: side,
    height: opts.height ?? side,
    marginLeft: 50,
    marginBottom: 40,
    grid: true,
    x: { domain: [0, 1], label: "false positive rate" },
    y: { domain: [0, 1], label: "true positive rate" },
    color: { domain: curves.map((c) => c.name), range: colors },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: "#999", strokeDasharray: "4,3" }),
      Plot.line(pts, {
        x: "fpr",
        y: "tpr",
        stroke: "name",
        z: "name",
        strokeWidth: 2,
        curve: "step-after",
      }),
    ],
  });
  const aucs = curves.map((c) => c.roc.auc);
  const mean = aucs.reduce((a, b) => a + b, 0) / Math.max(1, aucs.length);
  const title = opts.title ??
    (Array.isArray(roc)
      ? `ROC curves (mean AUC = ${mean.toFixed(3)})`
      : `ROC curve (AUC = ${roc.auc.toFixed(3)})`);
  const legend: LegendItem[] = Array.isArray(roc)
    ? curves.map((c, k) => ({
      label: `${c.name} (AUC ${c.roc.auc.toFixed(3)})`,
      color: colors[k],
      line: true,
    }))
    : [];
  return compose([[p]], title, legend);
}

/** Flatten `{split: {label: count}}` into class counts. */
export function toClassCounts(
  counts: ClassCount[] | Record<string, Record<string, number>>,
): ClassCount[] {
  if (Array.isArray(counts)) return counts;
  return Object.entries(counts).flatMap(([split, byLabel]) =>
    Object.entries(byLabel).map(([label, count]) => ({ split, label, count }))
  );
}

/** Class balance: bars of the number of samples per class, one group per split. */
export function classBalance(
  counts: ClassCount[] | Record<string, Record<string, number>>,
  opts: PlotOptions = {},
): string {
  const d = PLOT_DEFAULTS;
  const rows = toClassCounts(counts);
  const splits = [...new Set(rows.map((r) => r.split))];
  const labels = [...new Set(rows.map((r) => r.label))];
  const colors = labels.map((_, k) => d.palette[k % d.palette.length]);
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.split, (totals.get(r.split) ?? 0) + r.count);
  const data = rows.map((r) => ({ ...r, share: r.count / (totals.get(r.split) || 1) }));
  const p = panel({
    width: opts.width ?? Math.max(360, 60 + splits.length * labels.length * 70),
    height: opts.height ?? 300,
    marginLeft: 60,
    marginTop: 30,
    grid: true,
    fx: { domain: splits, label: null },
    x: { domain: labels, axis: null, padding: 0.15 },
    y: { label: "images" },
    color: { domain: labels, range: colors },
    marks: [
      Plot.barY(data, { fx: "split", x: "label", y: "count", fill: "label" }),
      Plot.text(data, {
        fx: "split",
        x: "label",
        y: "count",
        text: (r: { count: number; share: number }) =>
          `${r.count.toLocaleString("en-US")}\n${(100 * r.share).toFixed(0)}%`,
        dy: -14,
        lineHeight: 1.1,
      }),
      Plot.ruleY([0]),
    ],
  });
  const title = opts.title ?? "Class balance per split";
  return compose([[p]], title, labels.map((label, k) => ({ label, color: colors[k] })));
}

/** One score of one caller, for {@link scoreBars}. */
export interface CallerScore {
  /** The caller (e.g. "call", "rule"). */
  caller: string;
  /** The metric (e.g. "precision", "recall on shared"). */
  metric: string;
  /** Its value in [0, 1]. */
  value: number;
}

/**
 * Scores of several callers side by side: one panel per metric, one bar per caller, the value
 * written above each bar (benchmark tables as a picture).
 */
export function scoreBars(scores: CallerScore[], opts: PlotOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const callers = [...new Set(scores.map((r) => r.caller))];
  const metrics = [...new Set(scores.map((r) => r.metric))];
  const colors = callers.map((_, k) => d.palette[k % d.palette.length]);
  const p = panel({
    width: opts.width ?? Math.max(420, 60 + metrics.length * callers.length * 34),
    height: opts.height ?? 300,
    marginLeft: 50,
    marginTop: 30,
    grid: true,
    fx: { domain: metrics, label: null },
    x: { domain: callers, axis: null, padding: 0.12 },
    y: { domain: [0, 1.08], label: null, ticks: [0, 0.25, 0.5, 0.75, 1] },
    color: { domain: callers, range: colors },
    marks: [
      Plot.barY(scores, { fx: "metric", x: "caller", y: "value", fill: "caller" }),
      Plot.text(scores, {
        fx: "metric",
        x: "caller",
        y: "value",
        text: (r: CallerScore) => r.value.toFixed(2),
        dy: -7,
        fontSize: 9,
      }),
      Plot.ruleY([0]),
    ],
  });
  const title = opts.title ?? "Scores per caller";
  return compose([[p]], title, callers.map((label, k) => ({ label, color: colors[k] })));
}

/** Mean and sample standard deviation of each configuration's values, in first-seen order. */
export function cvSummary(records: CvRecord[]): CvSummary[] {
  const by = new Map<string, number[]>();
  for (const r of records) {
    if (!by.has(r.config)) by.set(r.config, []);
    by.get(r.config)!.push(r.value);
  }
  return [...by].map(([config, v]) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = v.length > 1
      ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1))
      : 0;
    return { config, mean, std: sd, n: v.length };
  });
}

/** Options of the cross-validation plot. */
export interface CvPlotOptions extends PlotOptions {
  /** Name of the metric on the axis and in the title. */
  metric?: string;
}

/**
 * Cross-validation results: one row per configuration with each fold's value (small dots), the
 * mean (large dot) and a mean ± std error bar, labelled with "mean ± std".
 */
export function cvResults(records: CvRecord[], opts: CvPlotOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const metric = opts.metric ?? "accuracy";
  const summary = cvSummary(records).map((s) => ({
    ...s,
    lo: s.mean - s.std,
    hi: s.mean + s.std,
    label: `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`,
  }));
  const configs = summary.map((s) => s.config);
  const longest = Math.max(...configs.map((c) => c.length), 4);
  const vals = records.map((r) => r.value).concat(summary.flatMap((s) => [s.lo, s.hi]));
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const span = Math.max(hi - lo, 0.01);
  const p = panel({
    width: opts.width ?? 560,
    height: opts.height ?? Math.max(160, 60 + 44 * configs.length),
    marginLeft: Math.min(220, 16 + longest * d.fontSize * 0.62),
    marginRight: 110,
    marginBottom: 40,
    grid: true,
    x: { domain: [lo - 0.08 * span, hi + 0.08 * span], label: metric },
    y: { domain: configs, label: null, padding: 0.4 },
    marks: [
      Plot.dot(records, { x: "value", y: "config", r: 3, stroke: "#888", fill: "none" }),
      Plot.ruleY(summary, { y: "config", x1: "lo", x2: "hi", stroke: d.train, strokeWidth: 2 }),
      Plot.tickX(summary, { x: "lo", y: "config", stroke: d.train, strokeWidth: 2 }),
      Plot.tickX(summary, { x: "hi", y: "config", stroke: d.train, strokeWidth: 2 }),
      Plot.dot(summary, { x: "mean", y: "config", r: 5, fill: d.train }),
      Plot.text(summary, {
        x: hi + 0.08 * span,
        y: "config",
        text: "label",
        textAnchor: "start",
        dx: 8,
        fontWeight: "bold",
      }),
    ],
  });
  const folds = Math.max(...summary.map((s) => s.n));
  const title = opts.title ?? `Cross-validation ${metric} (mean ± std over ${folds} folds)`;
  return compose([[p]], title, [
    { label: "mean ± std", color: d.train, line: true },
    { label: "one fold", color: "#888", circle: true },
  ]);
}

/** One curve of `curvePlot`: a lib/features/chart_line.ts curve (`[columns, channels]`, row-major) and a name. */
export interface CurveSeries {
  label: string;
  values: Float32Array | number[];
  /** Label colour (e.g. red for a misclassified chart). */
  color?: string;
}

/** Options of `curvePlot`. */
export interface CurvePlotOptions extends PlotOptions {
  /** Channel names in storage order (default: lib/features/chart_line.ts `LINE_CHANNELS`). */
  channels?: readonly string[];
}

/**
 * What the compact model reads: each curve's channels (lib/features/chart_line.ts: `top`, `bottom`, `valid`,
 * `clipped`, `level`) along the read, one panel per curve, channel colours in the legend.
 */
export function curvePlot(curves: CurveSeries[], opts: CurvePlotOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const names = opts.channels ?? LINE_CHANNELS;
  const k = names.length;
  const colors = names.map((_, c) => d.palette[c % d.palette.length]);
  const columns = Math.max(1, ...curves.map((c) => Math.floor(c.values.length / k)));
  const w = opts.width ?? 640, h = opts.height ?? 130;
  const rows = curves.map((curve, i) => {
    const pts = Array.from({ length: Math.floor(curve.values.length / k) * k }, (_, j) => ({
      column: Math.floor(j / k),
      channel: names[j % k],
      value: curve.values[j],
    }));
    const last = i === curves.length - 1;
    return [panel({
      width: w,
      height: h + (last ? 30 : 0),
      marginLeft: 40,
      marginTop: 22,
      marginBottom: last ? 40 : 10,
      grid: true,
      x: {
        domain: [0, columns - 1],
        label: last ? `position along the read (${columns} columns) →` : null,
        axis: last ? "bottom" : null,
      },
      y: { domain: [0, 1], label: null, ticks: 3 },
      color: { domain: [...names], range: colors },
      marks: [
        Plot.line(pts, {
          x: "column",
          y: "value",
          stroke: "channel",
          z: "channel",
          strokeWidth: 1.4,
        }),
        Plot.text([curve.label], {
          frameAnchor: "top-left",
          dy: -16,
          text: (t: string) => t,
          fill: curve.color ?? "black",
          fontWeight: "bold",
        }),
      ],
    })];
  });
  if (!rows.length) rows.push([emptyPanel(w, h, "no curves")]);
  const title = opts.title ?? `Coverage curves: ${columns} positions × ${k} channels`;
  return compose(rows, title, names.map((label, c) => ({ label, color: colors[c], line: true })));
}

/** Options of the image grid. */
export interface ImageGridOptions {
  title?: string;
  /** Number of columns (default: up to 4). */
  columns?: number;
  /** Width of one image cell in pixels. */
  cellWidth?: number;
  /** Image height / width (default 2/3, the pile-o-gram shape 750x500). */
  aspect?: number;
}

/** Base64 data URL of image bytes (PNG unless the bytes say JPEG). */
export function dataUrl(bytes: Uint8Array): string {
  const mime = bytes[0] === 0xff && bytes[1] === 0xd8 ? "image/jpeg" : "image/png";
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${mime};base64,${btoa(bin)}`;
}

/** Read an image file as a grid image, downscaled to `width` pixels wide (PNG) to keep it small. */
export async function loadGridImage(
  path: string,
  opts: { caption?: string; color?: string; width?: number } = {},
): Promise<GridImage> {
  const png = await sharp(path).resize({ width: opts.width ?? 360, withoutEnlargement: true })
    .png().toBuffer();
  return { src: new Uint8Array(png), caption: opts.caption, color: opts.color };
}

/** An image grid: an SVG of `<image>` elements (data URLs) in a framed grid, with captions. */
export function imageGrid(images: GridImage[], opts: ImageGridOptions = {}): string {
  const d = PLOT_DEFAULTS;
  const cols = Math.max(1, opts.columns ?? Math.min(4, images.length || 1));
  const cw = opts.cellWidth ?? 180;
  const ih = Math.round(cw * (opts.aspect ?? 2 / 3));
  const capH = images.some((im) => im.caption) ? 30 : 6;
  const gap = 8, pad = 10;
  const titleH = opts.title ? d.titleSize + 16 : pad;
  const nrows = Math.ceil(images.length / cols);
  const gridW = cols * cw + (cols - 1) * gap;
  const width = pad * 2 + Math.max(gridW, (opts.title ?? "").length * d.titleSize * 0.62);
  const left = (width - gridW) / 2;
  const height = titleH + nrows * (ih + capH + gap) + pad;
  const maxChars = Math.floor(cw / (d.fontSize * 0.6));
  const parts: string[] = [];
  if (opts.title) {
    parts.push(
      `<text x="${width / 2}" y="${pad + d.titleSize}" text-anchor="middle" ` +
        `font-size="${d.titleSize}" font-weight="bold">${escapeXml(opts.title)}</text>`,
    );
  }
  images.forEach((im, i) => {
    const x = left + (i % cols) * (cw + gap);
    const y = titleH + Math.floor(i / cols) * (ih + capH + gap);
    const href = typeof im.src === "string" ? im.src : dataUrl(im.src);
    parts.push(
      `<image x="${x}" y="${y}" width="${cw}" height="${ih}" preserveAspectRatio="xMidYMid meet" ` +
        `href="${escapeXml(href)}"/>`,
      `<rect x="${x}" y="${y}" width="${cw}" height="${ih}" fill="none" stroke="#bbb"/>`,
    );
    if (im.caption) {
      const cap = im.caption.length > maxChars
        ? im.caption.slice(0, maxChars - 1) + "…"
        : im.caption;
      parts.push(
        `<text x="${x + cw / 2}" y="${y + ih + 16}" text-anchor="middle" ` +
          `fill="${escapeXml(im.color ?? "black")}">${escapeXml(cap)}</text>`,
      );
    }
  });
  if (!images.length) parts.push(`<text x="${width / 2}" y="${titleH + 20}">no images</text>`);
  return svgRoot(width, height, parts.join(""));
}

// ---------------------------------------------------------------------------------------------
// Output

/** Rasterise an SVG string to PNG bytes with sharp (`density` in dpi, 72 = 1x). */
export async function svgToPng(svg: string, density = PLOT_DEFAULTS.density): Promise<Uint8Array> {
  const buf = await sharp(new TextEncoder().encode(svg), { density }).png().toBuffer();
  return new Uint8Array(buf);
}

/** Paths written by `savePlot`. */
export interface SavedPlot {
  svg: string;
  png: string;
}

/** Write `svg` to `<base>.svg` and its rasterisation to `<base>.png`, both atomically. */
export async function savePlot(
  svg: string,
  base: string,
  opts: { density?: number } = {},
): Promise<SavedPlot> {
  const out = { svg: `${base}.svg`, png: `${base}.png` };
  await writeTextAtomic(out.svg, svg);
  await writeFileAtomic(out.png, await svgToPng(svg, opts.density));
  return out;
}
