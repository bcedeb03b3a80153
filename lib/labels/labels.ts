/**
 * Label cleaning: exact duplicates (file bytes, then decoded pixels), the same read id in
 * several class folders, near-duplicates (by the drawn coverage curve, or by a perceptual
 * difference hash, dHash), and suspicious labels from out-of-fold predictions (confident
 * learning). Produces a list of issues and a cleaned manifest; never touches the images.
 * @module
 */
import { isAbsolute, relative, resolve } from "node:path";
import sharp from "sharp";
import type { Label, ManifestRow, Sample } from "../data/dataset.ts";
import { LABELS, parseCsvLine } from "../data/dataset.ts";
import { readJson, readTextOrFail } from "../core/fs.ts";
import { byteHash, sha256Hex } from "../core/hash.ts";
import { lineRows } from "../features/chart_line.ts";
import { mapPool } from "../core/pool.ts";
import { UserError } from "../core/errors.ts";

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
// Hashing

/**
 * Difference hash of an image: flattened on white, greyscale, resized (area-averaged) to
 * (size+1) x size; bit (y, x) is set when pixel (x, y) is brighter than pixel (x+1, y).
 */
export async function dHash(
  image: Uint8Array | string,
  size = CLEAN_DEFAULTS.hashSize,
): Promise<Uint32Array> {
  const { data, info } = await sharp(image)
    .flatten({ background: "#ffffff" })
    .greyscale()
    .resize(size + 1, size, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const w = size + 1;
  const bits = new Uint32Array(Math.ceil((size * size) / 32));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = data[(y * w + x) * ch];
      const b = data[(y * w + x + 1) * ch];
      if (a > b) {
        const i = y * size + x;
        bits[i >>> 5] |= 1 << (i & 31);
      }
    }
  }
  return bits;
}

/**
 * Distance of two curves (same width): the percentage of columns, among those with ink in
 * either image, where the rows differ by more than `tolerance` pixels or only one image
 * has ink. 0 for two images without any ink; 100 for curves of different widths.
 */
export function lineDistance(
  a: Float32Array,
  b: Float32Array,
  tolerance = CLEAN_DEFAULTS.curveTolerance,
): number {
  if (a.length !== b.length) return 100;
  let inked = 0, diff = 0;
  for (let x = 0; x < a.length; x++) {
    const u = a[x], v = b[x];
    if (u !== u && v !== v) continue; // NaN: no ink in either
    inked++;
    if (!(Math.abs(u - v) <= tolerance)) diff++;
  }
  return inked ? (100 * diff) / inked : 0;
}

/**
 * Every pair (i < j) of curves within `maxDistance` percent of differing columns, sorted by
 * (i, j); the third element is the distance. `height` is the image height in pixels. Exact
 * (same pairs as comparing all), but pruned: curves are swept in order of mean row (a
 * column without ink counts as row `height`), and a pair is only scanned when its bounds
 * allow it: a differing column moves a column sum by at most `height`, an agreeing one by
 * at most `tolerance`, so the L1 gap between 16 segment sums and the gap in inked column
 * counts bound the number of differing columns from below.
 */
export function nearLinePairs(
  curves: readonly Float32Array[],
  maxDistance: number,
  height: number,
  tolerance = CLEAN_DEFAULTS.curveTolerance,
): [number, number, number][] {
  if (maxDistance < 0 || curves.length < 2) return [];
  const S = 16;
  const n = curves.length;
  const seg = new Float64Array(n * S);
  const inked = new Int32Array(n), first = new Int32Array(n), last = new Int32Array(n);
  const mean = new Float64Array(n);
  curves.forEach((c, i) => {
    first[i] = c.length;
    last[i] = -1;
    for (let x = 0; x < c.length; x++) {
      const v = c[x] === c[x] ? c[x] : height;
      seg[i * S + Math.floor((x * S) / c.length)] += v;
      mean[i] += v / c.length;
      if (c[x] === c[x]) (inked[i]++, first[i] = Math.min(first[i], x), last[i] = x);
    }
  });
  const order = Array.from(curves.keys()).sort((a, b) => mean[a] - mean[b]);
  const window = tolerance + (maxDistance / 100) * height + 1e-6;
  const out: [number, number, number][] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const ci = curves[i];
    for (let m = k + 1; m < order.length; m++) {
      const j = order[m];
      if (mean[j] - mean[i] > window) break;
      const cj = curves[j];
      if (cj.length !== ci.length) continue;
      // Columns with ink in either <= min(width, inked_i + inked_j).
      const cols = Math.min(ci.length, inked[i] + inked[j]);
      const maxDiff = (maxDistance / 100) * cols + 1e-9;
      if (Math.abs(inked[i] - inked[j]) > maxDiff) continue;
      let l1 = 0;
      for (let s = 0; s < S; s++) l1 += Math.abs(seg[i * S + s] - seg[j * S + s]);
      if ((l1 - tolerance * cols) / height > maxDiff) continue;
      let diff = 0;
      const lo = Math.min(first[i], first[j]), hi = Math.max(last[i], last[j]);
      for (let x = lo; x <= hi && diff <= maxDiff; x++) {
        const u = ci[x], v = cj[x];
        if (u !== u && v !== v) continue;
        if (!(Math.abs(u - v) <= tolerance)) diff++;
      }
      if (diff > maxDiff) continue;
      const d = lineDistance(ci, cj, tolerance);
      if (d <= maxDistance) out.push(i < j ? [i, j, d] : [j, i, d]);
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** SHA-256 of the decoded pixels (8-bit RGBA), so re-encoded copies of one picture match. */
export async function pixelHash(image: Uint8Array | string): Promise<string> {
  const { data, info } = await sharp(image).ensureAlpha().raw({ depth: "uchar" }).toBuffer({
    resolveWithObject: true,
  });
  const head = new TextEncoder().encode(`${info.width}x${info.height}x${info.channels}:`);
  const all = new Uint8Array(head.length + data.length);
  all.set(head);
  all.set(data, head.length);
  return await sha256Hex(all);
}

/** Hamming distance between two hashes of the same length. */
export function hamming(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let v = a[i] ^ b[i];
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    d += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return d;
}

/** A hash as lower-case hex (word 0 first, each word little-endian by bit index). */
export function hashHex(h: Uint32Array): string {
  return Array.from(h, (w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * Fingerprint every sample (file SHA-256, and the drawn curve or the dHash), reading each
 * file once. Throws a
 * UserError naming the file when it cannot be read or decoded.
 */
export function fingerprintImages(
  samples: readonly Sample[],
  opts: Pick<CleanOptions, "nearMethod" | "hashSize" | "concurrency" | "onProgress"> = {},
): Promise<Fingerprint[]> {
  const o = { ...CLEAN_DEFAULTS, ...opts };
  let done = 0;
  return mapPool(samples, opts.concurrency ?? CLEAN_DEFAULTS.concurrency, async (s) => {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(s.path);
    } catch (err) {
      throw new UserError(`${s.path}: cannot read image (${(err as Error).message})`);
    }
    const fp: Fingerprint = { sha256: await sha256Hex(bytes) };
    try {
      if (o.nearMethod === "dhash") {
        fp.dhash = await dHash(bytes, o.hashSize);
        fp.bits = o.hashSize * o.hashSize;
      } else {
        const c = await lineRows(bytes);
        fp.curve = c.rows;
        fp.height = c.height;
      }
    } catch (err) {
      throw new UserError(`${s.path}: cannot decode image (${(err as Error).message})`);
    }
    opts.onProgress?.(++done, samples.length);
    return fp;
  });
}

// ---------------------------------------------------------------------------------------
// Issue finders (pure, over samples and fingerprints)

function issueOf(kind: IssueKind, members: readonly Sample[], scores: IssueScores): LabelIssue {
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

function groupBy<T>(items: readonly T[], key: (t: T, i: number) => string): Map<string, number[]> {
  const m = new Map<string, number[]>();
  items.forEach((t, i) => {
    const k = key(t, i);
    const g = m.get(k);
    if (g) g.push(i);
    else m.set(k, [i]);
  });
  return m;
}

/** The same read id (file name stem) in more than one class folder: one issue per read id. */
export function findReadIdConflicts(samples: readonly Sample[]): LabelIssue[] {
  const out: LabelIssue[] = [];
  for (const [readId, idx] of groupBy(samples, (s) => s.readId)) {
    const members = idx.map((i) => samples[i]);
    if (new Set(members.map((s) => s.cls)).size < 2) continue;
    out.push(issueOf("read_id_conflict", members, { readId }));
  }
  return out.sort((a, b) => (a.scores.readId! < b.scores.readId! ? -1 : 1));
}

/** FNV-1a of a float array's bytes. */
function fnv1a(a: Float32Array): number {
  return byteHash(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/**
 * Groups of sample indices with byte-identical files (same SHA-256), each group of two or
 * more, in order of first occurrence.
 */
export function byteDuplicateGroups(fps: readonly Fingerprint[]): number[][] {
  return [...groupBy(fps, (f) => f.sha256).values()].filter((g) => g.length > 1);
}

/**
 * Candidate groups for pixel-identical images stored as different files: sets of distinct
 * files (one index per distinct SHA-256) whose perceptual signatures (curve or dHash) are
 * equal. Only these need a full decode, since identical pixels imply an equal signature.
 */
export function pixelCandidateGroups(fps: readonly Fingerprint[]): number[][] {
  const firstOfSha = new Map<string, number>();
  fps.forEach((f, i) => firstOfSha.has(f.sha256) || firstOfSha.set(f.sha256, i));
  const reps = [...firstOfSha.values()];
  const key = (f: Fingerprint) =>
    f.dhash ? hashHex(f.dhash) : f.curve ? `${f.curve.length}:${fnv1a(f.curve)}` : "";
  return [...groupBy(reps, (i) => key(fps[i])).values()]
    .filter((g) => g.length > 1)
    .map((g) => g.map((k) => reps[k]));
}

/**
 * Exact-duplicate issues: files with the same bytes, merged with files whose decoded pixels
 * are the same (`pixelHashes`: sample index -> pixel SHA-256, for the candidates that were
 * decoded). An issue's match is "bytes" when all its files share one SHA-256.
 */
export function findExactDuplicates(
  samples: readonly Sample[],
  fps: readonly Fingerprint[],
  pixelHashes: ReadonlyMap<number, string> = new Map(),
): LabelIssue[] {
  // Union-find over sample indices.
  const parent = samples.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number) => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (const g of byteDuplicateGroups(fps)) for (const i of g) union(g[0], i);
  const decoded = [...pixelHashes.keys()];
  for (const g of groupBy(decoded, (i) => pixelHashes.get(i)!).values()) {
    for (const k of g) union(decoded[g[0]], decoded[k]);
  }
  const out: LabelIssue[] = [];
  for (const idx of groupBy(samples, (_, i) => String(find(i))).values()) {
    if (idx.length < 2) continue;
    const shas = new Set(idx.map((i) => fps[i].sha256));
    const bytes = shas.size === 1;
    out.push(
      issueOf("exact_duplicate", idx.map((i) => samples[i]), {
        match: bytes ? "bytes" : "pixels",
        sha256: bytes ? fps[idx[0]].sha256 : pixelHashes.get(idx.find((i) => pixelHashes.has(i))!),
      }),
    );
  }
  return out.sort((a, b) => (a.files[0] < b.files[0] ? -1 : 1));
}

/** Every pair (i < j) of hashes within `maxDistance`, by brute force (reference, O(n^2)). */
export function nearPairsBrute(
  hashes: readonly Uint32Array[],
  maxDistance: number,
): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const d = hamming(hashes[i], hashes[j]);
      if (d <= maxDistance) out.push([i, j, d]);
    }
  }
  return out;
}

function segmentKey(h: Uint32Array, from: number, to: number): string {
  let key = "";
  let acc = 0;
  let n = 0;
  for (let b = from; b < to; b++) {
    acc = acc * 2 + ((h[b >>> 5] >>> (b & 31)) & 1);
    if (++n === 24) (key += acc.toString(36) + ".", acc = 0, n = 0);
  }
  return key + acc.toString(36);
}

/**
 * Every pair (i < j) of hashes within `maxDistance` bits, by multi-index hashing: the bits
 * are cut into maxDistance+1 segments, and two hashes that close agree exactly on at least
 * one segment (pigeonhole), so only hashes sharing a segment value are compared. Same
 * result as `nearPairsBrute`, sorted by (i, j).
 */
export function nearPairs(
  hashes: readonly Uint32Array[],
  maxDistance: number,
  bits = (hashes[0]?.length ?? 0) * 32,
): [number, number, number][] {
  if (maxDistance < 0 || hashes.length < 2) return [];
  const m = Math.min(bits, maxDistance + 1);
  const seen = new Set<number>();
  const out: [number, number, number][] = [];
  const n = hashes.length;
  for (let s = 0; s < m; s++) {
    const from = Math.floor((s * bits) / m), to = Math.floor(((s + 1) * bits) / m);
    for (const g of groupBy(hashes, (h) => segmentKey(h, from, to)).values()) {
      for (let a = 0; a < g.length; a++) {
        for (let b = a + 1; b < g.length; b++) {
          const key = g[a] * n + g[b];
          if (seen.has(key)) continue;
          seen.add(key);
          const d = hamming(hashes[g[a]], hashes[g[b]]);
          if (d <= maxDistance) out.push([g[a], g[b], d]);
        }
      }
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/**
 * Near-duplicate issues: pairs of images within `maxDistance` (curves: percent of differing
 * columns, see `lineDistance`; dHashes: bits), searched over one representative per
 * exact-duplicate group (its first file), so exact copies are not reported again. Sorted by
 * distance, then path.
 */
export function findNearDuplicates(
  samples: readonly Sample[],
  fps: readonly Fingerprint[],
  maxDistance: number,
  exact: readonly LabelIssue[] = [],
  tolerance = CLEAN_DEFAULTS.curveTolerance,
): LabelIssue[] {
  if (maxDistance < 0 || samples.length < 2) return [];
  const hidden = new Set(exact.flatMap((e) => e.files.slice(1)));
  const reps = samples.map((_, i) => i).filter((i) => !hidden.has(samples[i].path));
  const bits = fps[0].bits;
  const pairs = fps[0].dhash
    ? nearPairs(reps.map((i) => fps[i].dhash!), maxDistance, bits)
    : nearLinePairs(
      reps.map((i) => fps[i].curve!),
      maxDistance,
      Math.max(...reps.map((i) => fps[i].height ?? 0)),
      tolerance,
    );
  const out = pairs.map(([a, b, d]) =>
    issueOf(
      "near_duplicate",
      [samples[reps[a]], samples[reps[b]]],
      bits ? { distance: d, method: "dhash", bits } : {
        distance: Math.round(d * 100) / 100,
        method: "curve",
      },
    )
  );
  return out.sort((a, b) =>
    a.scores.distance! - b.scores.distance! || (a.files[0] < b.files[0] ? -1 : 1)
  );
}

// ---------------------------------------------------------------------------------------
// Confident learning on out-of-fold predictions

/** Per-class thresholds: the mean out-of-fold probability of each label among its samples. */
export function classThresholds(
  labels: readonly Label[],
  pChimeric: readonly number[],
): Record<Label, number> {
  const sum = { chimeric: 0, non_chimeric: 0 };
  const n = { chimeric: 0, non_chimeric: 0 };
  labels.forEach((l, i) => {
    sum[l] += l === "chimeric" ? pChimeric[i] : 1 - pChimeric[i];
    n[l]++;
  });
  return {
    chimeric: n.chimeric ? sum.chimeric / n.chimeric : NaN,
    non_chimeric: n.non_chimeric ? sum.non_chimeric / n.non_chimeric : NaN,
  };
}

/**
 * Suspicious labels (confident learning, binary): a sample is flagged when the probability
 * of its given label is below that label's threshold while the other label's probability
 * reaches the other threshold. Pure; samples without a prediction (NaN) are skipped and do
 * not count toward the thresholds. Ranked by margin p(preferred) - p(given), largest first.
 */
export function findSuspiciousLabels(
  samples: readonly Sample[],
  pChimeric: readonly number[],
): LabelIssue[] {
  const known = samples.map((_, i) => i).filter((i) => Number.isFinite(pChimeric[i]));
  const t = classThresholds(known.map((i) => samples[i].label), known.map((i) => pChimeric[i]));
  const out: LabelIssue[] = [];
  for (const i of known) {
    const s = samples[i];
    const p = pChimeric[i];
    const other: Label = s.label === "chimeric" ? "non_chimeric" : "chimeric";
    const pGiven = s.label === "chimeric" ? p : 1 - p;
    const pOther = 1 - pGiven;
    if (!(pGiven < t[s.label] && pOther >= t[other])) continue;
    out.push(
      issueOf("suspicious_label", [s], {
        pChimeric: p,
        pGiven,
        thresholdGiven: t[s.label],
        thresholdPreferred: t[other],
        margin: pOther - pGiven,
        preferred: other,
      }),
    );
  }
  return out.sort((a, b) =>
    b.scores.margin! - a.scores.margin! || (a.files[0] < b.files[0] ? -1 : 1)
  );
}

/**
 * Read out-of-fold predictions: a CSV with a header naming at least `path` and `p_chimeric`
 * (other columns such as `label` or `fold` are ignored), or JSON (an array of
 * `{path, p_chimeric}`). A relative path is resolved against the file's folder and also
 * against the working folder (writers differ), so it may appear under both keys. Returns
 * absolute path -> p(chimeric). Throws UserError naming the file and line for bad input.
 */
export async function readOof(path: string): Promise<Map<string, number>> {
  const base = resolve(path, "..");
  const out = new Map<string, number>();
  const put = (p: unknown, v: unknown, where: string) => {
    const x = typeof v === "string" ? Number(v) : v;
    if (typeof p !== "string" || p === "") throw new UserError(`${where}: missing path`);
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > 1) {
      throw new UserError(`${where}: p_chimeric must be a number in [0, 1], found "${v}"`);
    }
    out.set(resolve(base, p), x);
    if (!isAbsolute(p)) out.set(resolve(p), x);
  };
  if (path.toLowerCase().endsWith(".json")) {
    const rows = await readJson<unknown>(path);
    if (!Array.isArray(rows)) throw new UserError(`${path}: expected a JSON array of rows`);
    rows.forEach((r, i) => {
      const o = (r ?? {}) as Record<string, unknown>;
      put(o.path, o.p_chimeric, `${path}: row ${i}`);
    });
    return out;
  }
  const text = await readTextOrFail(path);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = parseCsvLine(lines[0] ?? "");
  const ip = head.indexOf("path"), iv = head.indexOf("p_chimeric");
  if (ip < 0 || iv < 0) {
    throw new UserError(
      `${path}: line 1: expected a header with columns path and p_chimeric, found "${
        lines[0] ?? ""
      }"`,
    );
  }
  lines.slice(1).forEach((line, i) => {
    const f = parseCsvLine(line);
    put(f[ip], f[iv], `${path}: line ${i + 2}`);
  });
  return out;
}

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
  const parent = new Map<string, string>();
  const find = (f: string): string => {
    const p = parent.get(f) ?? f;
    if (p === f) return f;
    const root = find(p);
    parent.set(f, root);
    return root;
  };
  const reason = new Map<string, IssueKind>();
  for (const issue of issues) {
    if (!groupKinds.has(issue.kind)) continue;
    const files = issue.files.filter((f) => byPath.has(f));
    for (const f of files) {
      if (!reason.has(f)) reason.set(f, issue.kind);
      const a = find(files[0]), b = find(f);
      if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    }
  }
  const components = new Map<string, string[]>();
  for (const f of [...reason.keys()].sort()) {
    const root = find(f);
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
