/**
 * yacrd's rule (natir/yacrd 1.0), re-implemented: each PAF line adds its query interval to the
 * query read and its target interval to the target read (no filters, per-base coverage, no
 * bins); a bad region is a maximal run of coverage <= c, and where overlaps end exactly where
 * others begin so that the coverage momentarily drops to <= c, that point is a zero-length bad
 * region. A read is NotCovered when its bad regions cover more than n of its length, Chimeric
 * when a bad region lies strictly inside it (neither at its start nor at its end), else NotBad.
 * {@link formatYacrdLine} writes yacrd's report line.
 * @module
 */
import { type PafPilesOptions, pilesFromPaf } from "./pileogram.ts";

/** Options of the gap rule (yacrd's -c and -n). */
export interface GapRuleOptions {
  /** Coverage at or below which a base is bad (yacrd -c). */
  minCoverage?: number;
  /** A read whose bad regions cover more than this fraction of it is NotCovered (yacrd -n). */
  notCoveredRatio?: number;
}

/** yacrd's defaults (`-c 0 -n 0.8`). */
export const GAP_RULE_DEFAULTS: Required<GapRuleOptions> = {
  minCoverage: 0,
  notCoveredRatio: 0.8,
};

/** yacrd's read types. */
export type GapKind = "NotBad" | "NotCovered" | "Chimeric";

/** The rule's verdict on one read. */
export interface GapRuleResult {
  /** The read's type. */
  kind: GapKind;
  /** Bad regions as yacrd lists them: [length, begin, end], begin 0-based, end exclusive. */
  regions: [number, number, number][];
}

/** One read's verdict from a PAF file. */
export interface ReadGapResult {
  /** Read id. */
  readId: string;
  /** Read length (from the PAF). */
  readLen: number;
  /** The verdict. */
  result: GapRuleResult;
}

/**
 * Bad regions of a read of `readLen` bases covered by `intervals` (flat begin/end pairs):
 * maximal runs of coverage <= minCoverage as [begin, end) pairs, in order. Ends at a position
 * count before begins there, so touching overlaps leave a zero-length region; zero-length
 * regions at the read's ends are dropped (as yacrd does).
 */
export function badRegions(
  readLen: number,
  intervals: ArrayLike<number>,
  minCoverage: number,
): [number, number][] {
  // empty intervals add no coverage
  let n = 0;
  const begins = new Float64Array(intervals.length >> 1), ends = new Float64Array(begins.length);
  for (let k = 0; k + 1 < intervals.length; k += 2) {
    if (intervals[k + 1] <= intervals[k]) continue;
    begins[n] = intervals[k];
    ends[n++] = intervals[k + 1];
  }
  begins.subarray(0, n).sort();
  ends.subarray(0, n).sort();
  const out: [number, number][] = [];
  let depth = 0, runStart = 0, i = 0, j = 0;
  const push = (b: number, e: number) => {
    if (e > b || (b > 0 && b < readLen)) out.push([b, e]);
  };
  while (i < n) {
    const pos = j < n && ends[j] <= begins[i] ? ends[j] : begins[i];
    // ends at pos first: the coverage may drop to <= c here
    while (j < n && ends[j] === pos) {
      if (depth-- === minCoverage + 1) runStart = pos;
      j++;
    }
    while (i < n && begins[i] === pos) {
      if (++depth === minCoverage + 1) push(runStart, pos);
      i++;
    }
  }
  // after the last begin the coverage only falls
  while (j < n && depth > minCoverage) {
    if (depth-- === minCoverage + 1) runStart = ends[j];
    j++;
  }
  if (depth <= minCoverage) push(Math.min(runStart, readLen), readLen);
  return out;
}

/** yacrd's verdict on a read of `readLen` bases covered by `intervals` (flat begin/end pairs). */
export function gapRule(
  readLen: number,
  intervals: ArrayLike<number>,
  opts: GapRuleOptions = {},
): GapRuleResult {
  const o = { ...GAP_RULE_DEFAULTS, ...opts };
  const regions = badRegions(readLen, intervals, o.minCoverage).map(
    ([b, e]): [number, number, number] => [e - b, b, e],
  );
  let bad = 0;
  for (const r of regions) bad += r[0];
  const kind: GapKind = bad > o.notCoveredRatio * readLen
    ? "NotCovered"
    : regions.some(([, b, e]) => b > 0 && e < readLen)
    ? "Chimeric"
    : "NotBad";
  return { kind, regions };
}

/** yacrd's report line: `type<TAB>read<TAB>length<TAB>len,begin,end;...` (no newline). */
export function formatYacrdLine(readId: string, readLen: number, result: GapRuleResult): string {
  const regions = result.regions.map((r) => r.join(",")).join(";");
  return `${result.kind}\t${readId}\t${readLen}\t${regions}`;
}

/**
 * The gap rule on every read a PAF file names (self-mappings skipped, as everywhere in the
 * project; minimap2's all-vs-all output has none), sorted by read id.
 */
export async function gapRuleFromPaf(
  paf: string,
  opts: GapRuleOptions & Omit<PafPilesOptions, "minOverlaps"> = {},
): Promise<ReadGapResult[]> {
  const out: ReadGapResult[] = [];
  for await (const pile of pilesFromPaf(paf, { ...opts, minOverlaps: 1 })) {
    if (pile.nOverlaps === 0) continue;
    out.push({
      readId: pile.readId,
      readLen: pile.readLen,
      result: gapRule(pile.readLen, pile.intervals, opts),
    });
  }
  return out.sort((a, b) => (a.readId < b.readId ? -1 : a.readId > b.readId ? 1 : 0));
}
