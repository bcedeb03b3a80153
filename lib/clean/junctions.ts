/**
 * Junctions of a chimeric read from its overlaps: a coverage gap (a run of bases at coverage
 * <= c between two covered shoulders, cut out), a coverage valley (the coverage rule's deepest
 * dip, lib/overlaps/coverage_rule.ts, on Raven's binned pile; cut at the middle of its floor), or the
 * mirror point of a foldback (a read that maps to both arms of the read on opposite strands:
 * a position x on one arm and its mirror y on the other satisfy x + y = 2J). Positions are
 * 0-based in the read's own coordinates, ends exclusive.
 * @module
 */
import { coverage, medianCoverage } from "../overlaps/pileogram.ts";
import { selectKth } from "../core/stats.ts";
import { ruleScore } from "../overlaps/coverage_rule.ts";
import { badRegions } from "../overlaps/gap_rule.ts";

/** One overlap as seen from the read: its own interval, the other read's, the relative strand. */
export interface ReadOverlap {
  /** Interval on this read [selfBegin, selfEnd). */
  selfBegin: number;
  selfEnd: number;
  /** A key of the other read (equal for the same read). */
  other: number;
  /** Interval on the other read [otherBegin, otherEnd). */
  otherBegin: number;
  otherEnd: number;
  /** Relative strand: 1 same, -1 opposite. */
  strand: 1 | -1;
}

/** How a junction was found. */
export type JunctionKind = "gap" | "valley" | "foldback";

/** One junction: the region cut out [begin, end) (begin === end: a cut at a point). */
export interface Junction {
  begin: number;
  end: number;
  /** The junction's position (the middle of the region). */
  pos: number;
  kind: JunctionKind;
  /** Strength: shoulder or dip depth over the read's median (gap, valley), support (foldback). */
  score: number;
}

/** Options of junction finding. */
export interface JunctionOptions {
  /** Bin size as a power of two (Raven's 16 bp bins). */
  binShift?: number;
  /** A gap is coverage <= max(this, gapFraction x median). */
  gapCoverage?: number;
  /** See gapCoverage. */
  gapFraction?: number;
  /** A gap or valley beyond the strongest needs this score (the coverage rule's threshold). */
  minScore?: number;
  /** Junctions closer than this to a read end, or to each other, are not kept (bp). */
  minFlank?: number;
  /** Reads supporting a foldback's mirror point (and at least foldbackFraction x median). */
  foldbackSupport?: number;
  /** See foldbackSupport. */
  foldbackFraction?: number;
  /** The other read's two arms must share at least this many bases. */
  foldbackShared?: number;
  /** Estimates within this distance of their median count as support (bp). */
  foldbackWindow?: number;
  /** At most this many junctions per read. */
  maxJunctions?: number;
}

/** Defaults of junction finding. */
export const JUNCTION_DEFAULTS: Required<JunctionOptions> = {
  binShift: 4,
  gapCoverage: 1,
  gapFraction: 0.1,
  minScore: 0.6,
  minFlank: 300,
  foldbackSupport: 2,
  foldbackFraction: 0.15,
  foldbackShared: 200,
  foldbackWindow: 1000,
  maxJunctions: 4,
};

/** The flat [begin, end, ...] self intervals of overlaps. */
export function selfIntervals(ovs: readonly ReadOverlap[]): number[] {
  const out = new Array<number>(ovs.length * 2);
  ovs.forEach((o, i) => {
    out[2 * i] = o.selfBegin;
    out[2 * i + 1] = o.selfEnd;
  });
  return out;
}

/** The median of a list of numbers (lower middle; NaN when empty). */
function median(xs: number[]): number {
  if (!xs.length) return NaN;
  return selectKth(Float64Array.from(xs), (xs.length - 1) >> 1);
}

/**
 * The mirror point of a foldback and its support: for every other read with two overlaps of
 * opposite strands whose intervals on the other read share at least `foldbackShared` bases,
 * J = (sb+ - ob+ + sb- + oe-) / 2 (+: the same-strand overlap, -: the opposite one); the median
 * of the estimates, and how many lie within `foldbackWindow` of it. Null without estimates.
 */
export function foldbackPoint(
  readLen: number,
  ovs: readonly ReadOverlap[],
  opts: JunctionOptions = {},
): { pos: number; support: number } | null {
  const o = { ...JUNCTION_DEFAULTS, ...opts };
  const byOther = new Map<number, ReadOverlap[]>();
  for (const v of ovs) {
    const l = byOther.get(v.other);
    if (l) l.push(v);
    else byOther.set(v.other, [v]);
  }
  const est: number[] = [];
  for (const l of byOther.values()) {
    if (l.length < 2) continue;
    let best = NaN, bestShared = 0;
    for (const p of l) {
      if (p.strand !== 1) continue;
      for (const m of l) {
        if (m.strand !== -1) continue;
        const shared = Math.min(p.otherEnd, m.otherEnd) - Math.max(p.otherBegin, m.otherBegin);
        if (shared < o.foldbackShared || shared <= bestShared) continue;
        const j = (p.selfBegin - p.otherBegin + m.selfBegin + m.otherEnd) / 2;
        if (j <= 0 || j >= readLen) continue;
        best = j;
        bestShared = shared;
      }
    }
    if (Number.isFinite(best)) est.push(best);
  }
  if (!est.length) return null;
  const pos = Math.round(median(est));
  const support = est.filter((e) => Math.abs(e - pos) <= o.foldbackWindow).length;
  return { pos, support };
}

/** The junctions of a flagged read, sorted by position (see the module doc). */
export function findJunctions(
  readLen: number,
  ovs: readonly ReadOverlap[],
  opts: JunctionOptions = {},
): Junction[] {
  const o = { ...JUNCTION_DEFAULTS, ...opts };
  const iv = selfIntervals(ovs);
  const cov = coverage(readLen, iv, { binShift: o.binShift });
  const bin = 1 << o.binShift;
  let first = 0, last = cov.length - 1;
  while (first <= last && cov[first] === 0) first++;
  while (last >= first && cov[last] === 0) last--;
  if (first > last) return [];
  const med = medianCoverage(cov, first, last + 1) ||
    medianCoverage(Array.from(cov).filter((v) => v > 0));
  if (!(med > 0)) return [];
  const found: Junction[] = [];
  const clear = (p: number) =>
    p >= o.minFlank && p <= readLen - o.minFlank &&
    found.every((j) => Math.abs(j.pos - p) >= o.minFlank);
  // foldback: the mirror point, when enough reads see both arms
  const fold = foldbackPoint(readLen, ovs, o);
  if (fold && fold.support >= Math.max(o.foldbackSupport, o.foldbackFraction * med)) {
    found.push({
      begin: fold.pos,
      end: fold.pos,
      pos: fold.pos,
      kind: "foldback",
      score: Math.min(1, fold.support / med),
    });
  }
  // gaps: inner runs at coverage <= c, scored by their lower shoulder over the median
  const c = Math.max(o.gapCoverage, Math.floor(o.gapFraction * med));
  const shoulder = (b: number, e: number, dir: -1 | 1) => {
    let m = 0;
    if (dir < 0) { for (let i = Math.max(0, b - 1); i >= first; i--) m = Math.max(m, cov[i]); }
    else for (let i = e + 1; i <= last; i++) m = Math.max(m, cov[i]);
    return Math.min(m, med);
  };
  const gaps: Junction[] = [];
  for (const [b, e] of badRegions(readLen, iv, c)) {
    if (b <= 0 || e >= readLen) continue;
    const s = Math.min(
      shoulder(b >> o.binShift, e >> o.binShift, -1),
      shoulder(b >> o.binShift, e >> o.binShift, 1),
    ) / med;
    const pos = Math.round((b + e) / 2);
    gaps.push({ begin: b, end: e, pos, kind: "gap", score: s });
  }
  // valleys: the rule's deepest dip, then dips in the parts either side
  const valleys: Junction[] = [];
  const dips = (lo: number, hi: number, depth: number) => {
    if (hi - lo < 3 || depth > o.maxJunctions) return;
    const r = ruleScore(cov.subarray(lo, hi), med);
    if (r.at < 0 || r.score <= 0) return;
    const at = lo + r.at;
    // the floor: bins around the bottom within a tenth of the median of its value
    const tol = r.floor + Math.max(1, 0.1 * med);
    let b = at, e = at + 1;
    while (b > lo && cov[b - 1] <= tol) b--;
    while (e < hi && cov[e] <= tol) e++;
    const pos = Math.round(((b + e) / 2) * bin);
    valleys.push({ begin: pos, end: pos, pos, kind: "valley", score: r.score });
    dips(lo, b, depth + 1);
    dips(e, hi, depth + 1);
  };
  dips(first, last + 1, 0);
  // a gap is also the rule's dip: the gap (its region cut out) stands for it
  const near = (j: Junction, g: Junction, w: number) => j.pos >= g.begin - w && j.pos <= g.end + w;
  const ranked = [
    ...gaps,
    ...valleys.filter((v) => !gaps.some((g) => near(v, g, o.minFlank))),
  ].filter((j) => !found.some((f) => near(j, f, o.foldbackWindow)))
    .sort((a, b) => b.score - a.score);
  // the strongest candidate stands even below minScore: the primary call flagged the read
  for (const j of ranked) {
    if (found.length >= o.maxJunctions) break;
    if (found.length && j.score < o.minScore) break;
    if (clear(j.pos)) found.push(j);
  }
  return found.sort((a, b) => a.pos - b.pos);
}

/** A piece of a read: [begin, end) in the read's coordinates. */
export type Piece = [number, number];

/** The pieces a read's junctions leave: the read minus the junctions' regions, in order. */
export function piecesOf(readLen: number, junctions: readonly Junction[]): Piece[] {
  const out: Piece[] = [];
  let p = 0;
  for (const j of [...junctions].sort((a, b) => a.begin - b.begin)) {
    const b = Math.max(p, Math.min(readLen, j.begin));
    if (b > p) out.push([p, b]);
    p = Math.max(p, Math.min(readLen, j.end), b);
  }
  if (readLen > p) out.push([p, readLen]);
  return out;
}

/** The pieces kept: `split` all at least minLength long, `trim` the longest of those. */
export function keptPieces(
  pieces: readonly Piece[],
  mode: "split" | "trim",
  minLength: number,
): Piece[] {
  const long = pieces.filter(([b, e]) => e - b >= minLength);
  if (mode === "split" || long.length <= 1) return long;
  let best = long[0];
  for (const q of long) if (q[1] - q[0] > best[1] - best[0]) best = q;
  return [best];
}
