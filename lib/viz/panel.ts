/**
 * The drawing kit every plot shares: Observable Plot rendered on a linkedom DOM into panels,
 * panels composed under a title and above a legend into one standalone SVG, and small helpers
 * (smoothing, axis domains, XML escaping).
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

import { PLOT_DEFAULTS } from "./options.ts";

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
export interface Panel {
  body: string;
  width: number;
  height: number;
}

/** Render an Observable Plot into a panel (the root <svg> becomes a group when composed). */
export function panel(options: Plot.PlotOptions): Panel {
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
export interface LegendItem {
  label: string;
  color: string;
  line?: boolean;
  dash?: boolean;
  /** Hollow circle swatch (a dot mark). */
  circle?: boolean;
}

/** Compose panels (rows of columns) under a title and above a legend into one standalone SVG. */
export function compose(rows: Panel[][], title: string, legend: LegendItem[] = []): string {
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
export function svgRoot(width: number, height: number, content: string): string {
  const w = Math.round(width), h = Math.round(height);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" ` +
    `viewBox="0 0 ${w} ${h}" font-family="${PLOT_DEFAULTS.fontFamily}" ` +
    `font-size="${PLOT_DEFAULTS.fontSize}" style="color:black;background:white">` +
    `<rect width="${w}" height="${h}" fill="white"/>${content}</svg>`;
}

/** Width of each legend entry: swatch, label and gap. */
export function legendSizes(items: LegendItem[]): number[] {
  return items.map((it) => 22 + it.label.length * PLOT_DEFAULTS.fontSize * 0.62 + 16);
}

/** Width of a whole legend row. */
export function legendWidth(items: LegendItem[]): number {
  return legendSizes(items).reduce((a, b) => a + b, 0);
}

/** A centred horizontal legend row at `top`. */
export function legendSvg(items: LegendItem[], width: number, top: number): string {
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
export function smooth(values: number[], k: number): number[] {
  const h = Math.floor(k / 2);
  return values.map((_, i) => {
    const a = Math.max(0, i - h), b = Math.min(values.length, i + h + 1);
    let s = 0;
    for (let j = a; j < b; j++) s += values[j];
    return s / (b - a);
  });
}

/** Whether `v` is a finite number (missing validation values are not). */
export function finite(v: number | undefined): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** How {@link groupedBars} reads its rows and lays out its panel. */
export interface GroupedBarsSpec<R> {
  /** Field naming each row's facet (a group of bars). */
  facet: keyof R & string;
  /** Field naming each row's bar within its facet (also its colour). */
  bar: keyof R & string;
  /** Field holding each bar's height. */
  value: keyof R & string;
  /** The text written above each bar. */
  text: (r: R) => string;
  /** Panel width, height and left margin. */
  width: number;
  /** Panel height. */
  height: number;
  /** Left margin. */
  marginLeft: number;
  /** Padding between bars within a facet. */
  padding: number;
  /** The y scale (domain, label, ticks). */
  y: Plot.ScaleOptions;
  /** Extra options of the text mark (offset, size). */
  textOptions?: Plot.TextOptions;
  /** Chart title. */
  title: string;
  /** Colours of the bars, in first-seen order of `bar`. */
  palette: readonly string[];
}

/**
 * Bars grouped in facets, one colour per bar name, a label above each bar and a legend: the
 * shape of the callers' scores and of the class balance.
 */
export function groupedBars<R extends object>(rows: R[], spec: GroupedBarsSpec<R>): string {
  const value = (r: R, k: keyof R & string) => String(r[k]);
  const facets = [...new Set(rows.map((r) => value(r, spec.facet)))];
  const bars = [...new Set(rows.map((r) => value(r, spec.bar)))];
  const colors = bars.map((_, k) => spec.palette[k % spec.palette.length]);
  const p = panel({
    width: spec.width,
    height: spec.height,
    marginLeft: spec.marginLeft,
    marginTop: 30,
    grid: true,
    fx: { domain: facets, label: null },
    x: { domain: bars, axis: null, padding: spec.padding },
    y: spec.y,
    color: { domain: bars, range: colors },
    marks: [
      Plot.barY(rows, { fx: spec.facet, x: spec.bar, y: spec.value, fill: spec.bar }),
      Plot.text(rows, {
        fx: spec.facet,
        x: spec.bar,
        y: spec.value,
        text: spec.text,
        ...spec.textOptions,
      }),
      Plot.ruleY([0]),
    ],
  });
  return compose([[p]], spec.title, bars.map((label, k) => ({ label, color: colors[k] })));
}
