/**
 * Tables for notebooks: rows or columns as HTML (in a kernel) or aligned text (elsewhere), a
 * model summary and metrics as tables.
 * @module
 */

import type { ModelSummary } from "../model/model.ts";

import { escapeXml } from "../viz/panel.ts";

import { show } from "./notebook.ts";

/** A table as columns and rows of cells. */
export interface TableData {
  columns: string[];
  rows: unknown[][];
}

/** Options of an HTML table. */
export interface TableOptions {
  caption?: string;
  /** Digits after the point for non-integer numbers. */
  digits?: number;
  /** Footer rows (e.g. totals), drawn bold below a rule. */
  footer?: unknown[][];
}

/** Normalise a list of records or `{columns, rows}` into table data. */
export function toTableData(data: Record<string, unknown>[] | TableData): TableData {
  if (!Array.isArray(data)) return data;
  const columns = [...new Set(data.flatMap((r) => Object.keys(r)))];
  return { columns, rows: data.map((r) => columns.map((c) => r[c])) };
}

/** Format one cell value: integers with thousands separators, other numbers with `digits`. */
export function formatCell(v: unknown, digits = 4): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(digits);
  }
  if (Array.isArray(v)) return `[${v.map((x) => formatCell(x, digits)).join(", ")}]`;
  return String(v);
}

/** Render a table (records or `{columns, rows}`) as HTML; numbers are right-aligned. */
export function tableHtml(
  data: Record<string, unknown>[] | TableData,
  opts: TableOptions = {},
): string {
  const t = toTableData(data);
  const td = (v: unknown, tag = "td", bold = false) => {
    const num = typeof v === "number";
    const style = `padding:2px 10px;text-align:${num ? "right" : "left"};` +
      (bold ? "font-weight:bold;" : "");
    return `<${tag} style="${style}">${escapeXml(formatCell(v, opts.digits))}</${tag}>`;
  };
  const caption = opts.caption
    ? `<caption style="font-weight:bold;text-align:left">${escapeXml(opts.caption)}</caption>`
    : "";
  const head = `<thead><tr>${t.columns.map((c) => td(c, "th")).join("")}</tr></thead>`;
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map((v) => td(v)).join("")}</tr>`).join("")}`;
  const foot = (opts.footer ?? []).map((r) =>
    `<tr style="border-top:1px solid #888">${r.map((v) => td(v, "td", true)).join("")}</tr>`
  ).join("");
  return `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px">` +
    `${caption}${head}${body}${foot}</tbody></table>`;
}

/** Render a table as aligned plain text (the console fallback of `showTable`). */
export function tableText(data: Record<string, unknown>[] | TableData, digits = 4): string {
  const t = toTableData(data);
  const cells = [t.columns, ...t.rows.map((r) => r.map((v) => formatCell(v, digits)))];
  const w = t.columns.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => String(c ?? "").padEnd(w[i])).join("  ").trimEnd())
    .join("\n");
}

/** Display a table (HTML in a kernel, aligned text outside). */
export async function showTable(
  data: Record<string, unknown>[] | TableData,
  opts: TableOptions = {},
): Promise<void> {
  const text = (opts.caption ? `${opts.caption}\n` : "") + tableText(data, opts.digits);
  await show({ bundle: { "text/html": tableHtml(data, opts), "text/plain": text } });
}

/** A model summary (lib/model/model.ts `summarize`) as table data with a totals footer. */
export function summaryTable(summary: ModelSummary): TableData & { footer: unknown[][] } {
  return {
    columns: ["layer", "type", "output shape", "params"],
    rows: summary.rows.map((r) => [r.layer, r.type, `[${r.outputShape.join(", ")}]`, r.params]),
    footer: [
      ["total", "", "", summary.totalParams],
      ["trainable", "", "", summary.trainableParams],
    ],
  };
}

/** Display a model summary as a table (layers, output shapes, parameter counts). */
export async function showSummary(summary: ModelSummary): Promise<void> {
  const t = summaryTable(summary);
  await showTable(t, { caption: `Model: ${summary.name}`, footer: t.footer });
}

/** Display named metrics (e.g. accuracy, precision) as a two-column table. */
export async function showMetrics(
  metrics: Record<string, unknown>,
  opts: TableOptions = {},
): Promise<void> {
  const rows = Object.entries(metrics).filter(([, v]) => typeof v !== "object" || v === null)
    .map(([k, v]) => [k, v]);
  await showTable({ columns: ["metric", "value"], rows }, opts);
}

/** Display a notebook's parameters (name and value) as a two-column table. */
export async function showParameters(params: Record<string, unknown>): Promise<void> {
  const rows = Object.entries(params).map(([k, v]) => [k, v === null ? "null" : v]);
  await showTable({ columns: ["parameter", "value"], rows }, { caption: "Parameters" });
}
