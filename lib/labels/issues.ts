/**
 * What label cleaning finds and how it is configured: issue kinds and their scores, image
 * fingerprints, the options of `cleanLabels` with their defaults in one place, and small
 * helpers to build and group issues.
 * @module
 */

import type { Label, Sample } from "../data/dataset.ts";

/** What kind of problem an issue reports. */
export type IssueKind =
  | "exact_duplicate"
  | "read_id_conflict"
  | "near_duplicate"
  | "suspicious_label";

/** Kind-specific figures of an issue (which fields are set depends on the kind). */
export interface IssueScores {
  /** exact_duplicate: "bytes" (same file SHA-256) or "pixels" (same decoded RGBA pixels). */
  match?: "bytes" | "pixels";
  /** exact_duplicate: SHA-256 of the file bytes (bytes) or of the decoded pixels (pixels). */
  sha256?: string;
  /** read_id_conflict: the shared read id. */
  readId?: string;
  /**
   * near_duplicate: with method "curve", the percentage of inked columns where the two
   * drawn curves differ by more than the tolerance; with "dhash", the Hamming distance.
   */
  distance?: number;
  /** near_duplicate: how the distance was measured. */
  method?: NearMethod;
  /** near_duplicate, dhash: number of bits in each hash. */
  bits?: number;
  /** suspicious_label: out-of-fold probability of the chimeric label. */
  pChimeric?: number;
  /** suspicious_label: out-of-fold probability of the given label (self-confidence). */
  pGiven?: number;
  /** suspicious_label: per-class threshold of the given label (mean self-confidence). */
  thresholdGiven?: number;
  /** suspicious_label: per-class threshold of the preferred label. */
  thresholdPreferred?: number;
  /** suspicious_label: p(preferred) - p(given); issues are ranked by it, largest first. */
  margin?: number;
  /** suspicious_label: the label the model prefers. */
  preferred?: Label;
}

/** One problem found in the labelled set. `files`, `classes` and `labels` are parallel. */
export interface LabelIssue {
  /** What kind of problem this is. */
  kind: IssueKind;
  /** Image paths involved (sorted, except suspicious_label which has one). */
  files: string[];
  /** Class folder of each file. */
  classes: string[];
  /** Binary label of each file. */
  labels: Label[];
  /** True when the files carry different binary labels (they contradict each other). */
  conflict: boolean;
  /** Kind-specific figures. */
  scores: IssueScores;
}

/** Content fingerprint of one image. */
export interface Fingerprint {
  /** SHA-256 of the file bytes, hex. */
  sha256: string;
  /** Drawn curve (method "curve"): row of the line in each column, NaN without ink. */
  curve?: Float32Array;
  /** Image height in pixels. */
  height?: number;
  /** dHash (method "dhash") as 32-bit words (`bits` bits used, the rest zero). */
  dhash?: Uint32Array;
  /** Number of dHash bits: hashSize^2. */
  bits?: number;
}

/**
 * How near-duplicates are measured: "curve" compares the drawn line column by column
 * (percentage of columns where the rows differ by more than a tolerance); "dhash" compares
 * difference hashes of the greyscale image (Hamming distance in bits). On pile-o-grams (a
 * thin line on white) dHash cannot tell similar shapes from copies: distinct charts of similar
 * shape get equal or nearly equal hashes (`deno task clean --data DIR --out OUT --near-method
 * dhash` lists the pairs it finds), so "curve" is the default.
 */
export type NearMethod = "curve" | "dhash";

/** What cleaning does to flagged rows of the manifest. */
export type CleanAction = "exclude" | "relabel";

/** How copies of one image (or one read) that carry different labels are resolved. */
export type ConflictPolicy = "exclude" | "positive";

/** Options of the cleaning pass. */
export interface CleanOptions {
  /** How near-duplicates are measured. */
  nearMethod?: NearMethod;
  /** dHash grid side: the hash has hashSize^2 bits. */
  hashSize?: number;
  /** Curve method: rows closer than this many pixels count as the same. */
  curveTolerance?: number;
  /**
   * Largest distance reported as a near-duplicate (negative: skip the search): percent of
   * differing columns for "curve", bits for "dhash" (default: NEAR_THRESHOLD[nearMethod]).
   */
  nearThreshold?: number;
  /** Images decoded at once (sharp runs them on its thread pool). */
  concurrency?: number;
  /** Suspicious labels: drop the rows ("exclude") or give them the preferred label. */
  action?: CleanAction;
  /**
   * Copies with different labels (cross-label exact duplicates, read-id conflicts): drop
   * every copy ("exclude") or keep one copy labelled chimeric ("positive": a read can be
   * both chimeric and repetitive, and the binary task asks whether it is chimeric).
   */
  conflicts?: ConflictPolicy;
  /** Near-duplicates: only report them ("report"), or drop all but one copy ("dedupe"). */
  nearAction?: "report" | "dedupe";
  /**
   * Suspicious labels are all reported, but only those with margin p(preferred) - p(given)
   * of at least this are excluded or relabelled (0: every flagged sample, as in confident
   * learning; raise it when the out-of-fold model is weak).
   */
  minMargin?: number;
  /** Called after each decoded image with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Defaults of the cleaning pass. */
export const CLEAN_DEFAULTS: Required<Omit<CleanOptions, "onProgress" | "nearThreshold">> = {
  nearMethod: "curve",
  hashSize: 16,
  curveTolerance: 2,
  concurrency: 4,
  action: "exclude",
  conflicts: "exclude",
  nearAction: "report",
  minMargin: 0,
};

/** Default near-duplicate threshold per method. */
export const NEAR_THRESHOLD: Record<NearMethod, number> = { curve: 5, dhash: 4 };

// ---------------------------------------------------------------------------------------
// Issue finders (pure, over samples and fingerprints)

/** An issue of `kind` over some samples, files sorted by path. */
export function issueOf(
  kind: IssueKind,
  members: readonly Sample[],
  scores: IssueScores,
): LabelIssue {
  const sorted = [...members].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const labels = sorted.map((s) => s.label);
  return {
    kind,
    files: sorted.map((s) => s.path),
    classes: sorted.map((s) => s.cls),
    labels,
    conflict: new Set(labels).size > 1,
    scores,
  };
}

/** Indices of `items` grouped by `key`, groups in order of first appearance. */
export function groupBy<T>(
  items: readonly T[],
  key: (t: T, i: number) => string,
): Map<string, number[]> {
  const m = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = key(t, i);
    const g = m.get(k);
    if (g) g.push(i);
    else m.set(k, [i]);
  });
  return m;
}
