/**
 * Plots of training and evaluation: training curves (loss and accuracy per step and epoch,
 * smoothed), the confusion matrix, ROC curves and class balance.
 * @module
 */

import * as Plot from "@observablehq/plot";

import type { ConfusionMatrix } from "../eval/evaluate.ts";

import {
  type ClassCount,
  type HistoryLike,
  type LabeledMatrix,
  type NamedRoc,
  PLOT_DEFAULTS,
  type PlotOptions,
  type RocLike,
} from "./options.ts";
import {
  compose,
  escapeXml,
  finite,
  groupedBars,
  type LegendItem,
  type Panel,
  panel,
  smooth,
} from "./panel.ts";

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
export function accDomain(values: number[]): [number, number] {
  const lo = Math.min(...values.filter(Number.isFinite));
  if (!Number.isFinite(lo) || lo < 0.5) return [0, 1];
  return [Math.floor(lo * 10) / 10 - 0.05, 1];
}

/** A panel with only a centred message. */
export function emptyPanel(width: number, height: number, message: string): Panel {
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
  const rows = toClassCounts(counts);
  const splits = new Set(rows.map((r) => r.split)).size;
  const labels = new Set(rows.map((r) => r.label)).size;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.split, (totals.get(r.split) ?? 0) + r.count);
  const data = rows.map((r) => ({ ...r, share: r.count / (totals.get(r.split) || 1) }));
  return groupedBars(data, {
    facet: "split",
    bar: "label",
    value: "count",
    text: (r) => `${r.count.toLocaleString("en-US")}\n${(100 * r.share).toFixed(0)}%`,
    textOptions: { dy: -14, lineHeight: 1.1 },
    width: opts.width ?? Math.max(360, 60 + splits * labels * 70),
    height: opts.height ?? 300,
    marginLeft: 60,
    padding: 0.15,
    y: { label: "images" },
    title: opts.title ?? "Class balance per split",
    palette: PLOT_DEFAULTS.palette,
  });
}
