/**
 * The cleaning benchmark (`deno task bench:split`): on a read set with planted chimeras
 * (lib/bench/readset.ts), how many planted chimeras are cut near their true junction, how far
 * from it, and how many bases of the non-chimeric reads are kept; and, with the assembly
 * comparison, miniasm on the raw and on the cleaned reads, contigs mapped to the reference with
 * `minimap2 -x asm5`: contigs, N50 and misjoins (contigs whose pieces map to distant parts of
 * the genome).
 * @module
 */
import { UserError } from "../fsutil.ts";
import { CHIMERA_KINDS, type ReadTruth } from "./readset.ts";
import type { Piece } from "../clean/junctions.ts";
import type { ReadJunctions } from "../clean/split.ts";

/** Options of the scoring. */
export interface SplitScoreOptions {
  /** A chimera counts as cut when a junction lies within this distance of the true one (bp). */
  tolerance?: number;
}

/** Defaults of the scoring. */
export const SPLIT_SCORE_DEFAULTS: Required<SplitScoreOptions> = { tolerance: 1000 };

/** How the cleaning did on one kind of chimera. */
export interface KindScore {
  chimeras: number;
  /** With a junction within the tolerance of the true junction. */
  cut: number;
  /** With any junction. */
  cutAnywhere: number;
  /** Median distance of the nearest junction from the true one, over the cut-anywhere reads. */
  medianDistance: number;
}

/** The scores of one cleaning run. */
export interface SplitScore {
  tolerance: number;
  all: KindScore;
  byKind: Record<string, KindScore>;
  /** Non-chimeric reads, how many were flagged, their bases and the bases kept. */
  plainReads: number;
  plainFlagged: number;
  plainBases: number;
  plainBasesKept: number;
  keptFraction: number;
}

/** The median of numbers (mean of the middle two; NaN when empty). */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Score a cleaning run against the truth: `junctions` of the flagged reads and `kept(r)` the
 * pieces each flagged read keeps.
 */
export function scoreSplit(
  truth: readonly ReadTruth[],
  junctions: ReadonlyMap<string, ReadJunctions>,
  kept: (r: ReadJunctions) => Piece[],
  opts: SplitScoreOptions = {},
): SplitScore {
  const o = { ...SPLIT_SCORE_DEFAULTS, ...opts };
  const dist: Record<string, number[]> = {};
  const count: Record<string, [number, number, number]> = {};
  let plainReads = 0, plainFlagged = 0, plainBases = 0, plainBasesKept = 0;
  for (const t of truth) {
    const r = junctions.get(t.id);
    if (t.kind === "none") {
      plainReads++;
      plainBases += t.length;
      if (!r) plainBasesKept += t.length;
      else {
        plainFlagged++;
        for (const [b, e] of kept(r)) plainBasesKept += e - b;
      }
      continue;
    }
    for (const k of [t.kind, "all"]) {
      const c = (count[k] ??= [0, 0, 0]);
      c[0]++;
      if (r && r.junctions.length) {
        const d = Math.min(...r.junctions.map((j) => Math.abs(j.pos - t.junction)));
        (dist[k] ??= []).push(d);
        c[2]++;
        if (d <= o.tolerance) c[1]++;
      }
    }
  }
  const kind = (k: string): KindScore => {
    const [chimeras, cut, cutAnywhere] = count[k] ?? [0, 0, 0];
    return { chimeras, cut, cutAnywhere, medianDistance: median(dist[k] ?? []) };
  };
  const byKind: Record<string, KindScore> = {};
  for (const k of CHIMERA_KINDS) byKind[k] = kind(k);
  return {
    tolerance: o.tolerance,
    all: kind("all"),
    byKind,
    plainReads,
    plainFlagged,
    plainBases,
    plainBasesKept,
    keptFraction: plainBases ? plainBasesKept / plainBases : 1,
  };
}

/** The score table as markdown. */
export function formatSplitScore(s: SplitScore): string {
  const pct = (a: number, b: number) => (b ? ((100 * a) / b).toFixed(1) : "n/a");
  const row = (name: string, k: KindScore) =>
    `| ${name} | ${k.chimeras} | ${k.cut} (${pct(k.cut, k.chimeras)} %) | ${k.cutAnywhere} | ` +
    `${Number.isFinite(k.medianDistance) ? k.medianDistance.toFixed(0) : "n/a"} |`;
  return [
    `| planted chimeras | n | cut within ${s.tolerance} bp | cut anywhere | median distance (bp) |`,
    "|---|---|---|---|---|",
    row("all", s.all),
    ...CHIMERA_KINDS.map((k) => row(k, s.byKind[k])),
    "",
    `non-chimeric reads: ${s.plainReads}, ${s.plainFlagged} flagged; bases kept ` +
    `${s.plainBasesKept} of ${s.plainBases} (${(100 * s.keptFraction).toFixed(3)} %)`,
  ].join("\n");
}

// ---------------------------------------------------------------- the assembly comparison

/** One assembly's figures. */
export interface AssemblyScore {
  contigs: number;
  totalLength: number;
  n50: number;
  /** Contigs with an alignment to the reference. */
  mapped: number;
  /** Contigs whose pieces map to distant parts of the genome (or to both strands). */
  misjoins: number;
}

/** N50 of contig lengths. */
export function n50(lengths: number[]): number {
  const s = [...lengths].sort((a, b) => b - a);
  const half = s.reduce((a, b) => a + b, 0) / 2;
  let acc = 0;
  for (const l of s) {
    acc += l;
    if (acc >= half) return l;
  }
  return 0;
}

/** Contigs (S lines) of a GFA text: name and sequence. */
export function gfaContigs(gfa: string): { name: string; seq: string }[] {
  const out: { name: string; seq: string }[] = [];
  for (const l of gfa.split("\n")) {
    if (!l.startsWith("S\t")) continue;
    const [, name, seq] = l.split("\t");
    out.push({ name, seq });
  }
  return out;
}

/** Options of misjoin detection. */
export interface MisjoinOptions {
  /** Alignments shorter than this (bp on the contig) are ignored. */
  minBlock?: number;
  /** Two pieces whose genome distance differs from their contig distance by more are a misjoin. */
  maxDiscrepancy?: number;
  /** The genome's length (a circular genome: distances wrap around). */
  genomeLength?: number;
}

/** Defaults of misjoin detection. */
export const MISJOIN_DEFAULTS: Required<Omit<MisjoinOptions, "genomeLength">> = {
  minBlock: 5000,
  maxDiscrepancy: 20_000,
};

/**
 * Misjoined contigs from `minimap2 -x asm5 REF contigs` PAF text (contigs are the queries):
 * a contig is misjoined when two of its primary alignments of at least minBlock bases lie on
 * different strands, or their distance on the genome (circular when genomeLength is given)
 * differs from their distance on the contig by more than maxDiscrepancy.
 */
export function misjoins(
  paf: string,
  opts: MisjoinOptions = {},
): { mapped: Set<string>; bad: Set<string> } {
  const o = { ...MISJOIN_DEFAULTS, ...opts };
  const by = new Map<
    string,
    { qs: number; qe: number; strand: string; ts: number; te: number }[]
  >();
  const mapped = new Set<string>();
  for (const l of paf.split("\n")) {
    if (!l) continue;
    const f = l.split("\t");
    if (f.length < 12) throw new UserError(`minimap2 output: not a PAF line: ${l.slice(0, 60)}`);
    mapped.add(f[0]);
    if (f.includes("tp:A:S") || Number(f[3]) - Number(f[2]) < o.minBlock) continue;
    const list = by.get(f[0]) ?? [];
    list.push({ qs: +f[2], qe: +f[3], strand: f[4], ts: +f[7], te: +f[8] });
    by.set(f[0], list);
  }
  const bad = new Set<string>();
  const G = o.genomeLength;
  for (const [name, list] of by) {
    list.sort((a, b) => a.qs - b.qs);
    for (let i = 1; i < list.length && !bad.has(name); i++) {
      const a = list[i - 1], b = list[i];
      if (a.strand !== b.strand) {
        bad.add(name);
        break;
      }
      const dq = b.qs - a.qs;
      let dt = a.strand === "+" ? b.ts - a.ts : a.te - b.te;
      if (G) {
        // on a circular genome the shorter way round
        dt = ((dt % G) + G) % G;
        if (dt > G / 2) dt -= G;
      }
      if (Math.abs(dt - dq) > o.maxDiscrepancy) bad.add(name);
    }
  }
  return { mapped, bad };
}
