/**
 * The calls-from-overlaps benchmark (`deno task bench:paf`): on a simulated read set with
 * planted chimeras (lib/bench/readset.ts), the project's primary call, the model alone, the
 * coverage-valley rule and a yacrd-style gap rule, side by side: precision, recall, F1 and
 * recall per kind of chimera. With `fit`, the primary call's combiner is fitted on this read set
 * (lib/calls/primary_call.ts) and returned, to be saved beside the model.
 * @module
 */
import { callEvidence, type CallsResult } from "../calls/calls.ts";
import { type CallModel, fitCallModel } from "../calls/primary_call.ts";
import { CHIMERA_KINDS, type ReadTruth } from "./readset.ts";

/** Scores of one caller on the read set. */
export interface CallerRow {
  caller: string;
  precision: number;
  recall: number;
  f1: number;
  /** Chimeric calls. */
  called: number;
  /** Recall per kind of planted chimera. */
  recallByKind: Record<string, number>;
}

/** Precision, recall, F1 and recall per kind of one caller's set of chimeric calls. */
export function scoreCaller(caller: string, called: Set<string>, truth: ReadTruth[]): CallerRow {
  let tp = 0, fp = 0, fn = 0;
  const byKind: Record<string, [number, number]> = {};
  for (const t of truth) {
    const c = called.has(t.id);
    if (t.kind === "none") {
      if (c) fp++;
      continue;
    }
    const k = (byKind[t.kind] ??= [0, 0]);
    k[1]++;
    if (c) {
      tp++;
      k[0]++;
    } else fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const recallByKind: Record<string, number> = {};
  for (const kind of CHIMERA_KINDS) {
    const [hit, n] = byKind[kind] ?? [0, 0];
    recallByKind[kind] = n ? hit / n : NaN;
  }
  return {
    caller,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    called: tp + fp,
    recallByKind,
  };
}

/** The callers' chimeric calls from the project's calls (reads not called count as not). */
export function callerSets(result: CallsResult): Record<string, Set<string>> {
  const sets: Record<string, Set<string>> = {
    call: new Set(),
    "model (label)": new Set(),
    "coverage rule": new Set(),
  };
  for (const c of result.calls) {
    if (c.call) sets.call.add(c.readId);
    if (c.pChimeric !== undefined && c.pChimeric >= 0.5) sets["model (label)"].add(c.readId);
    if (c.ruleCall) sets["coverage rule"].add(c.readId);
  }
  return sets;
}

/** Fit the primary call's combiner on a read set's calls and truth (ok reads only). */
export function fitOnReadSet(result: CallsResult, truth: ReadTruth[], name: string): CallModel {
  const kind = new Map(truth.map((t) => [t.id, t.kind]));
  const ok = result.calls.filter((c) => c.status === "ok" && c.pChimeric !== undefined);
  return fitCallModel(
    ok.map((c) => callEvidence(c, result.depth)),
    ok.map((c) => (kind.get(c.readId) ?? "none") !== "none"),
    name,
  );
}

/** The table of rows as markdown. */
export function formatTable(rows: CallerRow[]): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "n/a");
  const head = ["caller", "precision", "recall", "F1", ...CHIMERA_KINDS.map((k) => `recall ${k}`)];
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) =>
      `| ${
        [
          r.caller,
          f(r.precision),
          f(r.recall),
          f(r.f1),
          ...CHIMERA_KINDS.map((k) => f(r.recallByKind[k])),
        ]
          .join(" | ")
      } |`
    ),
  ].join("\n");
}
