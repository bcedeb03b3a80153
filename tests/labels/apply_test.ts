import assert from "node:assert/strict";
import type { ManifestRow } from "../../lib/data/dataset.ts";
import { type LabelIssue } from "../../lib/labels/issues.ts";
import { applyIssues } from "../../lib/labels/apply.ts";
import { sample } from "./label_fixture.ts";

Deno.test("applyIssues chains copies into one group", () => {
  const rows: ManifestRow[] = ["chimeric/a", "repeat/a", "regular/a", "regular/b"].map((p) => ({
    ...sample(`/d/${p}.png`, p.split("/")[0]),
    split: "train",
  }));
  const issue = (kind: LabelIssue["kind"], idx: number[]): LabelIssue => ({
    kind,
    files: idx.map((i) => rows[i].path),
    classes: idx.map((i) => rows[i].cls),
    labels: idx.map((i) => rows[i].label),
    conflict: true,
    scores: {},
  });
  const issues = [issue("exact_duplicate", [0, 1]), issue("read_id_conflict", [0, 1, 2])];
  assert.deepEqual(applyIssues(rows, issues).rows.map((r) => r.path), ["/d/regular/b.png"]);
  const pos = applyIssues(rows, issues, { conflicts: "positive" });
  assert.deepEqual(pos.rows.map((r) => r.path), ["/d/chimeric/a.png", "/d/regular/b.png"]);
  // Near-duplicates only count with nearAction dedupe; agreeing labels keep the first copy.
  const near = [issue("near_duplicate", [2, 3])];
  assert.equal(applyIssues(rows, near).rows.length, 4);
  assert.deepEqual(
    applyIssues(rows, near, { nearAction: "dedupe" }).rows.map((r) => r.path),
    ["/d/chimeric/a.png", "/d/repeat/a.png", "/d/regular/a.png"],
  );
});

Deno.test("applyIssues acts on suspicious labels above the margin only", () => {
  const rows: ManifestRow[] = ["chimeric/a", "regular/b"].map((p) => ({
    ...sample(`/d/${p}.png`, p.split("/")[0]),
    split: "train",
  }));
  const sus = (i: number, margin: number): LabelIssue => ({
    kind: "suspicious_label",
    files: [rows[i].path],
    classes: [rows[i].cls],
    labels: [rows[i].label],
    conflict: false,
    scores: { margin, preferred: rows[i].label === "chimeric" ? "non_chimeric" : "chimeric" },
  });
  const issues = [sus(0, 0.2), sus(1, 0.8)];
  assert.deepEqual(applyIssues(rows, issues).rows, []);
  const r = applyIssues(rows, issues, { minMargin: 0.5, action: "relabel" });
  assert.deepEqual(r.rows.map((x) => x.label), ["chimeric", "chimeric"]);
  assert.deepEqual(r.decisions.map((d) => d.fate), ["relabelled"]);
});
