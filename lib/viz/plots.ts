/**
 * Plots of results beyond training: scores of callers side by side, cross-validation spread,
 * the 1-D model input's channels along a read, and image grids. Each plot function takes plain
 * data and returns a standalone SVG string (training and evaluation plots: training.ts; saving
 * as SVG and PNG: save.ts).
 * @module
 */
import * as Plot from "@observablehq/plot";

import sharp from "sharp";

import { LINE_CHANNELS } from "../features/chart_line.ts";

import { emptyPanel } from "./training.ts";
import { compose, escapeXml, groupedBars, panel, svgRoot } from "./panel.ts";
import {
  type CvRecord,
  type CvSummary,
  type GridImage,
  PLOT_DEFAULTS,
  type PlotOptions,
} from "./options.ts";

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
  const callers = new Set(scores.map((r) => r.caller)).size;
  const metrics = new Set(scores.map((r) => r.metric)).size;
  return groupedBars(scores, {
    facet: "metric",
    bar: "caller",
    value: "value",
    text: (r) => r.value.toFixed(2),
    textOptions: { dy: -7, fontSize: 9 },
    width: opts.width ?? Math.max(420, 60 + metrics * callers * 34),
    height: opts.height ?? 300,
    marginLeft: 50,
    padding: 0.12,
    y: { domain: [0, 1.08], label: null, ticks: [0, 0.25, 0.5, 0.75, 1] },
    title: opts.title ?? "Scores per caller",
    palette: PLOT_DEFAULTS.palette,
  });
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
