/**
 * The cleaning report: one self-contained HTML page (inline SVG drawn with Observable Plot on a
 * linkedom DOM, no scripts, no links) with the run's counts, the distribution of `p_call`, and
 * the pile-o-grams of the most confident and the most borderline flagged calls with their
 * junctions marked.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { ReadCall } from "../calls/calls.ts";
import { coverage } from "../overlaps/pileogram.ts";
import { PLOT_DEFAULTS } from "../viz/options.ts";
import { escapeXml } from "../viz/panel.ts";
import type { ReadJunctions, SplitSummary } from "./split.ts";

/** What the report shows. */
export interface ReportInput {
  /** The calls of the PAF's reads. */
  calls: readonly ReadCall[];
  /** The flagged reads' junctions. */
  junctions: ReadonlyMap<string, ReadJunctions>;
  /** What the cleaning did. */
  summary: SplitSummary;
  /** The primary call's threshold on p_call (none: the rule's call was used). */
  threshold?: number;
  /** The command line, shown at the top. */
  command?: string;
  /** Pile-o-grams per group (most confident, most borderline). */
  perGroup?: number;
}

const document = (parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
  document: unknown;
}).document;

/** Render an Observable Plot to a standalone SVG string. */
function plotSvg(options: Plot.PlotOptions): string {
  const el = Plot.plot({
    ...options,
    style: { fontFamily: PLOT_DEFAULTS.fontFamily, background: "white" },
    document,
  } as Plot.PlotOptions) as unknown as { outerHTML: string; tagName: string };
  if (el.tagName.toLowerCase() !== "svg") throw new Error("report: Plot returned a figure");
  const svg = el.outerHTML;
  return svg.includes("xmlns=")
    ? svg
    : svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
}

/** The histogram of p_call over the called reads, the threshold marked. */
export function pCallHistogram(calls: readonly ReadCall[], threshold?: number): string {
  const ps = calls.filter((c) => c.pCall !== undefined).map((c) => c.pCall!);
  const marks: Plot.Markish[] = [
    Plot.rectY(
      ps,
      { ...Plot.binX({ y: "count" }, { x: (d: number) => d, thresholds: 50 }), fill: "#4e79a7" },
    ),
    Plot.ruleY([0]),
  ];
  if (threshold !== undefined) {
    marks.push(Plot.ruleX([threshold], { stroke: "#e15759", strokeDasharray: "4,3" }));
  }
  return plotSvg({
    width: 640,
    height: 260,
    marginLeft: 50,
    x: { domain: [0, 1], label: "p_call →" },
    y: { type: "sqrt", label: "↑ reads (square-root scale)", grid: true },
    marks,
  });
}

/** One flagged read's pile-o-gram (Raven's 16 bp bins) with its junctions as red rules. */
export function pileSvg(r: ReadJunctions): string {
  const cov = coverage(r.readLen, r.intervals);
  const pts = Array.from(cov, (v, i) => ({ x: i * 16 + 8, y: v }));
  const js = r.junctions.map((j) => ({ x: j.pos, kind: j.kind }));
  const gaps = r.junctions.filter((j) => j.end > j.begin);
  return plotSvg({
    width: 420,
    height: 220,
    marginLeft: 40,
    marginTop: 24,
    x: { domain: [0, r.readLen], label: "position in the read (bp) →" },
    y: { label: "↑ coverage", grid: true },
    marks: [
      Plot.rectY(gaps, {
        x1: "begin",
        x2: "end",
        y: 0,
        y2: Math.max(1, ...cov),
        fill: "#e15759",
        fillOpacity: 0.15,
      }),
      Plot.areaY(pts, { x: "x", y: "y", fill: "#4e79a7", fillOpacity: 0.35, curve: "step" }),
      Plot.lineY(pts, { x: "x", y: "y", stroke: "#0000ff", strokeWidth: 1, curve: "step" }),
      Plot.ruleX(js, { x: "x", stroke: "#e15759", strokeWidth: 2 }),
      Plot.text(js, { x: "x", text: "kind", frameAnchor: "top", dy: -12, fill: "#e15759" }),
    ],
  });
}

/** The flagged calls with junctions, most confident first, and the most borderline. */
export function pickCalls(
  input: ReportInput,
): { confident: ReadCall[]; borderline: ReadCall[] } {
  const n = input.perGroup ?? 6;
  const f = input.calls.filter((c) => input.junctions.has(c.readId));
  const score = (c: ReadCall) => c.pCall ?? c.ruleScore ?? 0;
  const confident = [...f].sort((a, b) => score(b) - score(a)).slice(0, n);
  const taken = new Set(confident.map((c) => c.readId));
  const t = input.threshold ?? 0;
  const borderline = f.filter((c) => !taken.has(c.readId))
    .sort((a, b) => Math.abs(score(a) - t) - Math.abs(score(b) - t)).slice(0, n);
  return { confident, borderline };
}

/** The report page (see the module doc). */
export function reportHtml(input: ReportInput): string {
  const s = input.summary;
  const count = (f: (c: ReadCall) => boolean) => input.calls.filter(f).length;
  const kinds: Record<string, number> = {};
  for (const r of input.junctions.values()) {
    for (const j of r.junctions) kinds[j.kind] = (kinds[j.kind] ?? 0) + 1;
  }
  const rows: [string, string | number][] = [
    ["reads in the PAF", input.calls.length],
    ["called (status ok)", count((c) => c.status === "ok")],
    ["flagged chimeric", input.junctions.size],
    ["reads in the read file", s.reads],
    ["flagged reads in the read file", s.flagged],
    ["flagged reads cut (a junction found)", s.cut],
    [
      "junctions: gap / valley / foldback",
      `${kinds.gap ?? 0} / ${kinds.valley ?? 0} / ${kinds.foldback ?? 0}`,
    ],
    ["pieces written / dropped as too short", `${s.pieces} / ${s.dropped}`],
    ["flagged reads with no piece kept", s.removed],
    ["bases in / out", `${s.basesIn} / ${s.basesOut}`],
    ["reads absent from the PAF (unchanged)", s.notInPaf],
    ["PAF reads absent from the read file", s.missingReads],
  ];
  const { confident, borderline } = pickCalls(input);
  const fig = (c: ReadCall) => {
    const p = c.pCall !== undefined
      ? `p_call ${c.pCall.toFixed(3)}`
      : `rule ${c.ruleScore?.toFixed(2)}`;
    return `<figure class="pile">${pileSvg(input.junctions.get(c.readId)!)}` +
      `<figcaption>${escapeXml(c.readId)}: ${p}; junctions ${
        input.junctions.get(c.readId)!.junctions.map((j) => `${j.kind} ${j.begin}-${j.end}`).join(
          ", ",
        ) || "none"
      }</figcaption></figure>`;
  };
  const section = (title: string, list: ReadCall[], id: string) =>
    `<section id="${id}"><h2>${escapeXml(title)}</h2>` +
    (list.length ? list.map(fig).join("\n") : "<p>none</p>") + "</section>";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>split-reads report</title>
<style>body{font-family:${PLOT_DEFAULTS.fontFamily};margin:24px;max-width:1400px}
table{border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:2px 10px}
td:last-child{text-align:right}figure{display:inline-block;margin:8px}
figcaption{font-size:12px;max-width:420px}</style></head>
<body><h1>Chimeric reads cut at their junctions</h1>
${input.command ? `<p><code>${escapeXml(input.command)}</code></p>` : ""}
<section id="counts"><h2>Counts</h2><table>
${
    rows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(String(v))}</td></tr>`).join(
      "\n",
    )
  }
</table></section>
<section id="p-call"><h2>Distribution of p_call</h2>${
    input.calls.some((c) => c.pCall !== undefined)
      ? pCallHistogram(input.calls, input.threshold)
      : "<p>no primary call (no call.json beside the model): reads were flagged by the coverage rule</p>"
  }</section>
${section("Most confident calls", confident, "confident")}
${section("Most borderline calls", borderline, "borderline")}
</body></html>
`;
}
