/**
 * Label cleaning, the whole pass: fingerprint every image once (fingerprint.ts), find the
 * issues (duplicates.ts, suspicious.ts), decide the rows (apply.ts), and report: the summary
 * table `deno task clean` prints and the label_issues.json document. Never touches the images.
 * @module
 */
import { relative, resolve } from "node:path";
import type { Label, ManifestRow } from "../data/dataset.ts";
import { LABELS } from "../data/dataset.ts";
import { readJson } from "../core/fs.ts";

import { mapPool } from "../core/pool.ts";

import { UserError } from "../core/errors.ts";
import { applyIssues, type RowDecision } from "./apply.ts";
import { classThresholds, findSuspiciousLabels } from "./suspicious.ts";
import {
  findExactDuplicates,
  findNearDuplicates,
  findReadIdConflicts,
  pixelCandidateGroups,
} from "./duplicates.ts";
import {
  CLEAN_DEFAULTS,
  type CleanOptions,
  type IssueKind,
  type LabelIssue,
  NEAR_THRESHOLD,
} from "./issues.ts";
import { fingerprintImages, pixelHash } from "./fingerprint.ts";

// ---------------------------------------------------------------------------------------
// The whole pass

/** Everything one cleaning pass found and decided. */
export interface CleanResult {
  /** All issues: exact duplicates, read-id conflicts, near-duplicates, suspicious labels. */
  issues: LabelIssue[];
  /** Cleaned manifest rows. */
  rows: ManifestRow[];
  /** One entry per excluded or relabelled row. */
  decisions: RowDecision[];
  /** Per-class thresholds used for suspicious labels (absent without predictions). */
  thresholds?: Record<Label, number>;
  /** Rows of the input that had an out-of-fold prediction. */
  withPrediction: number;
  /** Number of files decoded in full to compare pixels. */
  pixelDecoded: number;
  /** Seconds spent, by stage. */
  seconds: { fingerprint: number; pixels: number; search: number; total: number };
}

/**
 * Run every check over manifest rows and apply the issues. `oof` maps absolute image path
 * to out-of-fold p(chimeric); without it no suspicious labels are reported. Image files are
 * only read.
 */
export async function cleanLabels(
  rows: readonly ManifestRow[],
  oof: ReadonlyMap<string, number> | undefined,
  opts: CleanOptions = {},
): Promise<CleanResult> {
  const o = { ...CLEAN_DEFAULTS, ...opts };
  const t0 = performance.now();
  const fps = await fingerprintImages(rows, o);
  const t1 = performance.now();
  const cands = pixelCandidateGroups(fps).flat();
  const pix = await mapPool(cands, o.concurrency, async (i) => {
    try {
      return await pixelHash(rows[i].path);
    } catch (err) {
      throw new UserError(`${rows[i].path}: cannot decode image (${(err as Error).message})`);
    }
  });
  const pixelHashes = new Map(cands.map((i, k) => [i, pix[k]]));
  const t2 = performance.now();
  const exact = findExactDuplicates(rows, fps, pixelHashes);
  const issues: LabelIssue[] = [
    ...exact,
    ...findReadIdConflicts(rows),
    ...findNearDuplicates(
      rows,
      fps,
      opts.nearThreshold ?? NEAR_THRESHOLD[o.nearMethod],
      exact,
      o.curveTolerance,
    ),
  ];
  let thresholds: Record<Label, number> | undefined;
  let withPrediction = 0;
  if (oof) {
    const p = rows.map((r) => oof.get(resolve(r.path)) ?? NaN);
    withPrediction = p.filter(Number.isFinite).length;
    const known = rows.map((_, i) => i).filter((i) => Number.isFinite(p[i]));
    thresholds = classThresholds(known.map((i) => rows[i].label), known.map((i) => p[i]));
    issues.push(...findSuspiciousLabels(rows, p));
  }
  const applied = applyIssues(rows, issues, o);
  const t3 = performance.now();
  return {
    issues,
    rows: applied.rows,
    decisions: applied.decisions,
    thresholds,
    withPrediction,
    pixelDecoded: cands.length,
    seconds: {
      fingerprint: (t1 - t0) / 1000,
      pixels: (t2 - t1) / 1000,
      search: (t3 - t2) / 1000,
      total: (t3 - t0) / 1000,
    },
  };
}

/**
 * Plain-text summary table: per kind the issues, files involved, cross-label issues and the
 * rows excluded or relabelled because of it; then rows per label before and after.
 */
export function formatCleanSummary(input: readonly ManifestRow[], r: CleanResult): string {
  const kinds: IssueKind[] = [
    "exact_duplicate",
    "read_id_conflict",
    "near_duplicate",
    "suspicious_label",
  ];
  const row = (cells: (string | number)[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(18) : String(c).padStart(11))).join(" ");
  const lines = [row(["kind", "issues", "files", "cross-label", "excluded", "relabelled"])];
  for (const k of kinds) {
    const is = r.issues.filter((x) => x.kind === k);
    const files = new Set(is.flatMap((x) => x.files)).size;
    const cross = is.filter((x) => x.conflict).length;
    const ds = r.decisions.filter((d) => d.reason === k);
    const ex = ds.filter((d) => d.fate === "excluded").length;
    lines.push(row([k, is.length, files, cross, ex, ds.length - ex]));
  }
  const count = (rows: readonly ManifestRow[], l: Label) =>
    rows.filter((x) => x.label === l).length;
  const excl = r.decisions.filter((d) => d.fate === "excluded").length;
  const rel = r.decisions.filter((d) => d.fate === "relabelled").length;
  lines.push("");
  lines.push(`${"rows".padEnd(18)} ${"in".padStart(7)} ${"out".padStart(7)}`);
  for (const l of [...LABELS].reverse()) {
    lines.push(
      `${l.padEnd(18)} ${String(count(input, l)).padStart(7)} ${
        String(count(r.rows, l)).padStart(7)
      }`,
    );
  }
  lines.push(
    `${"total".padEnd(18)} ${String(input.length).padStart(7)} ${
      String(r.rows.length).padStart(7)
    }   (${excl} excluded, ${rel} relabelled)`,
  );
  return lines.join("\n");
}

/** The `label_issues.json` document. Image paths are relative to the file's folder. */
export interface LabelIssuesFile {
  /** Format version. */
  version: 1;
  /** What was cleaned: a data folder or a manifest, and the predictions file if any. */
  input: { data?: string; manifest?: string; oof?: string };
  /** Options the pass ran with. */
  options: Record<string, string | number>;
  /** Number of issues per kind. */
  counts: Record<IssueKind, number>;
  /** Per-class thresholds of the suspicious-label check. */
  thresholds?: Record<Label, number>;
  /** Input rows with an out-of-fold prediction. */
  withPrediction: number;
  /** Seconds by stage. */
  seconds: CleanResult["seconds"];
  /** Every issue (paths relative to the file's folder). */
  issues: LabelIssue[];
  /** Every excluded or relabelled row (paths relative to the file's folder). */
  decisions: RowDecision[];
}

/** Build the `label_issues.json` document for a result written into folder `outDir`. */
export function labelIssuesDocument(
  r: CleanResult,
  outDir: string,
  input: LabelIssuesFile["input"],
  options: LabelIssuesFile["options"],
): LabelIssuesFile {
  const rel = (p: string) => relative(resolve(outDir), resolve(p));
  const counts = {
    exact_duplicate: 0,
    read_id_conflict: 0,
    near_duplicate: 0,
    suspicious_label: 0,
  };
  for (const i of r.issues) counts[i.kind]++;
  return {
    version: 1,
    input,
    options,
    counts,
    thresholds: r.thresholds,
    withPrediction: r.withPrediction,
    seconds: r.seconds,
    issues: r.issues.map((i) => ({ ...i, files: i.files.map(rel) })),
    decisions: r.decisions.map((d) => ({ ...d, path: rel(d.path) })),
  };
}

/** Read `label_issues.json`, with image paths resolved to absolute paths. */
export async function readLabelIssues(path: string): Promise<LabelIssuesFile> {
  const doc = await readJson<LabelIssuesFile>(path);
  if (doc?.version !== 1 || !Array.isArray(doc.issues)) {
    throw new UserError(`${path}: not a label_issues.json file (version 1)`);
  }
  const base = resolve(path, "..");
  return {
    ...doc,
    issues: doc.issues.map((i) => ({ ...i, files: i.files.map((f) => resolve(base, f)) })),
    decisions: doc.decisions.map((d) => ({ ...d, path: resolve(base, d.path) })),
  };
}
