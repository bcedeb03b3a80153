/**
 * From issues to a cleaned manifest: which rows are kept, dropped or relabelled, and why.
 * Copies chain into components (union-find), each decided as a whole.
 * @module
 */

import type { Label, ManifestRow } from "../data/dataset.ts";

import { UnionFind } from "../core/union_find.ts";

import { CLEAN_DEFAULTS, type CleanOptions, type IssueKind, type LabelIssue } from "./issues.ts";

// ---------------------------------------------------------------------------------------
// Applying the issues to a manifest

/** What happened to one manifest row. */
export interface RowDecision {
  /** Image path. */
  path: string;
  /** kept, excluded or relabelled. */
  fate: "excluded" | "relabelled";
  /** The issue kind that decided it. */
  reason: IssueKind;
  /** New label for relabelled rows. */
  label?: Label;
}

/**
 * Apply issues to manifest rows. Rules, in order (the first that touches a row wins):
 * 1. exact duplicates and read-id conflicts chain into groups of copies (with near-duplicates
 *    too when `nearAction: "dedupe"`); a group whose copies agree on the binary label keeps
 *    its first copy (by path) and excludes the rest (a copy in both splits would leak);
 * 2. a group whose copies disagree: `conflicts: "exclude"` drops every copy, `"positive"`
 *    keeps the first chimeric copy (untouched by rule 3) and drops the others;
 * 3. suspicious labels with margin >= `minMargin`: excluded, or with `action: "relabel"`
 *    given the preferred label (the class column keeps the folder the image lives in).
 * Returns the cleaned rows (input order) and one decision per changed row.
 */
export function applyIssues(
  rows: readonly ManifestRow[],
  issues: readonly LabelIssue[],
  opts: Pick<CleanOptions, "action" | "conflicts" | "nearAction" | "minMargin"> = {},
): { rows: ManifestRow[]; decisions: RowDecision[] } {
  const o = { ...CLEAN_DEFAULTS, ...opts };
  const decided = new Map<string, RowDecision>();
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const groupKinds = new Set<IssueKind>(["exact_duplicate", "read_id_conflict"]);
  if (o.nearAction === "dedupe") groupKinds.add("near_duplicate");
  // Copies chain into components (an image byte-identical to one copy and sharing its read
  // id with another); each component is decided as a whole.
  const sets = new UnionFind<string>();
  const reason = new Map<string, IssueKind>();
  for (const issue of issues) {
    if (!groupKinds.has(issue.kind)) continue;
    const files = issue.files.filter((f) => byPath.has(f));
    for (const f of files) {
      if (!reason.has(f)) reason.set(f, issue.kind);
      sets.union(files[0], f);
    }
  }
  const components = new Map<string, string[]>();
  for (const f of [...reason.keys()].sort()) {
    const root = sets.find(f);
    const c = components.get(root);
    if (c) c.push(f);
    else components.set(root, [f]);
  }
  const protectedRows = new Set<string>();
  for (const files of components.values()) {
    const labels = new Set(files.map((f) => byPath.get(f)!.label));
    let keep: string | undefined = files[0];
    if (labels.size > 1) {
      keep = o.conflicts === "positive"
        ? files.find((f) => byPath.get(f)!.label === "chimeric")
        : undefined;
      if (keep) protectedRows.add(keep);
    }
    for (const f of files) {
      if (f !== keep) decided.set(f, { path: f, fate: "excluded", reason: reason.get(f)! });
    }
  }
  for (const issue of issues.filter((x) => x.kind === "suspicious_label")) {
    const f = issue.files[0];
    if (!byPath.has(f) || decided.has(f) || protectedRows.has(f)) continue;
    if (!((issue.scores.margin ?? 0) >= o.minMargin)) continue;
    decided.set(
      f,
      o.action === "relabel"
        ? { path: f, fate: "relabelled", reason: "suspicious_label", label: issue.scores.preferred }
        : { path: f, fate: "excluded", reason: "suspicious_label" },
    );
  }
  const out: ManifestRow[] = [];
  for (const r of rows) {
    const d = decided.get(r.path);
    if (d?.fate === "excluded") continue;
    out.push(d?.label && d.label !== r.label ? { ...r, label: d.label } : r);
  }
  const decisions = [...decided.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { rows: out, decisions };
}
