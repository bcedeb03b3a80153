/**
 * The issue finders, pure functions over samples and fingerprints: the same read id in several
 * class folders, exact duplicates (file bytes, then decoded pixels) and near-duplicates (chart
 * lines or dHashes within a distance; an exact pruned pair search and a brute-force reference).
 * @module
 */

import type { Sample } from "../data/dataset.ts";

import { byteHash } from "../core/hash.ts";

import { UnionFind } from "../core/union_find.ts";

import { hamming, hashHex, nearLinePairs } from "./fingerprint.ts";
import { CLEAN_DEFAULTS, type Fingerprint, groupBy, issueOf, type LabelIssue } from "./issues.ts";

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
  const sets = new UnionFind<number>();
  const union = (a: number, b: number) => sets.union(a, b);
  for (const g of byteDuplicateGroups(fps)) for (const i of g) union(g[0], i);
  const decoded = [...pixelHashes.keys()];
  for (const g of groupBy(decoded, (i) => pixelHashes.get(i)!).values()) {
    for (const k of g) union(decoded[g[0]], decoded[k]);
  }
  const out: LabelIssue[] = [];
  for (const idx of groupBy(samples, (_, i) => String(sets.find(i))).values()) {
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
