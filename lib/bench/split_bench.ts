/**
 * The cleaning benchmark (`deno task bench:split`): on a read set with planted chimeras
 * (lib/bench/readset.ts), how many planted chimeras are cut near their true junction, how far
 * from it, and how many bases of the non-chimeric reads are kept; and, with the assembly
 * comparison, miniasm on the raw and on the cleaned reads, contigs mapped to the reference with
 * `minimap2 -x asm5`: contigs, N50 and misjoins (contigs whose pieces map to distant parts of
 * the genome).
 * @module
 */
import { median } from "../core/stats.ts";
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { mulberry32 } from "../core/random.ts";
import { findJunctions } from "../clean/junctions.ts";
import { formatRecord, openWriter } from "../clean/reads_io.ts";
import { splitReadFile } from "../clean/split.ts";
import type { BenchCase } from "./cases.ts";
import { BENCH_CACHE } from "./genome_bench.ts";
import { CHIMERA_KINDS, type ReadTruth } from "./readset.ts";
import type { Piece, ReadOverlap } from "../clean/junctions.ts";
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
    return { chimeras, cut, cutAnywhere, medianDistance: median(dist[k] ?? [], NaN) };
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

// ---------------------------------------------------------------- throughput (deno task bench)

/** Sizes of the split-reads throughput case. */
export interface SplitThroughputOptions {
  /** Reads in the generated read file. */
  reads?: number;
  /** Fraction of them flagged (one junction each). */
  flaggedFraction?: number;
  /** Overlaps per side of a junction pile (junction finding). */
  depth?: number;
  /** Seed of the generated reads. */
  seed?: number;
}

/** Defaults of the throughput case: 20,000 reads of 2-16 kb, 5 % flagged, 25x piles. */
export const SPLIT_THROUGHPUT_DEFAULTS: Required<SplitThroughputOptions> = {
  reads: 20_000,
  flaggedFraction: 0.05,
  depth: 25,
  seed: 7,
};

/**
 * A generated gzipped FASTQ read file at `path` (lengths 2-16 kb) and the junctions of the
 * flagged reads (one gap in the middle, 200 bp); deterministic per seed.
 */
export async function writeThroughputReads(
  path: string,
  opts: SplitThroughputOptions = {},
): Promise<{ junctions: Map<string, ReadJunctions>; ids: Set<string>; bases: number }> {
  const o = { ...SPLIT_THROUGHPUT_DEFAULTS, ...opts };
  const rng = mulberry32(o.seed);
  const w = await openWriter(path);
  const junctions = new Map<string, ReadJunctions>();
  const ids = new Set<string>();
  const unit = "ACGTTGCAAGCTTCGA".repeat(1100);
  const qual = "5?I+".repeat(4096);
  let bases = 0;
  for (let i = 0; i < o.reads; i++) {
    const id = `read${String(i).padStart(6, "0")}`;
    const len = 2000 + Math.floor(rng() * 14000);
    const start = Math.floor(rng() * 1000);
    await w.write(formatRecord("fastq", id, unit.slice(start, start + len), qual.slice(0, len)));
    bases += len;
    ids.add(id);
    if (rng() < o.flaggedFraction) {
      const m = len >> 1;
      junctions.set(id, {
        readId: id,
        readLen: len,
        intervals: [],
        junctions: [{ begin: m - 100, end: m + 100, pos: m, kind: "gap", score: 1 }],
      });
    }
  }
  await w.close();
  return { junctions, ids, bases };
}

/** Overlaps of a read of `len` bp with a gap in the middle: `depth` overlaps on each side. */
export function gapPile(len: number, depth: number, rng: () => number): ReadOverlap[] {
  const out: ReadOverlap[] = [];
  const m = len >> 1;
  for (let k = 0; k < depth; k++) {
    const a = Math.floor(rng() * (m - 1000)), b = m + 100 + Math.floor(rng() * (m - 1100));
    out.push({
      selfBegin: a,
      selfEnd: m - 100,
      other: 2 * k,
      otherBegin: 0,
      otherEnd: m - 100 - a,
      strand: 1,
    });
    out.push({
      selfBegin: m + 100,
      selfEnd: b + 1000,
      other: 2 * k + 1,
      otherBegin: 0,
      otherEnd: b + 900 - m,
      strand: 1,
    });
  }
  return out;
}

/** Peak resident set size of this process in MiB (Linux; else the current RSS). */
function peakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch { /* not Linux */ }
  return Math.round(Deno.memoryUsage().rss / 2 ** 20);
}

/**
 * `deno task bench` case split_reads: streaming a generated gzipped FASTQ (20,000 reads, 5 %
 * cut) to gzipped clean reads (reads/s, MB/s of sequence), junction finding on 25x gap piles
 * (reads/s), and the process's peak RSS (memory does not grow with the read file).
 */
export const splitReadsCase: BenchCase = {
  name: "split_reads",
  description: "split-reads: stream a generated gzipped FASTQ to gzipped clean reads " +
    "(reads/s, MB/s) and find junctions on 25x piles (reads/s); peak RSS",
  run: async (ctx) => {
    const reads = ctx.quick ? 2000 : SPLIT_THROUGHPUT_DEFAULTS.reads;
    await Deno.mkdir(BENCH_CACHE, { recursive: true });
    const input = join(BENCH_CACHE, `split_reads_${reads}.fq.gz`);
    const { junctions, ids, bases } = await writeThroughputReads(input, { reads });
    const out = join(BENCH_CACHE, `split_reads_${reads}.clean.fq.gz`);
    const rssBefore = peakRss();
    const times: number[] = [];
    for (let i = 0; i < Math.max(1, ctx.steps); i++) {
      const t = performance.now();
      await splitReadFile(input, out, ids, junctions);
      times.push((performance.now() - t) / 1000);
    }
    const sec = times.sort((a, b) => a - b)[times.length >> 1];
    await Deno.remove(out).catch(() => {});
    const rng = mulberry32(3);
    const piles = Array.from(
      { length: 500 },
      () => gapPile(9000, SPLIT_THROUGHPUT_DEFAULTS.depth, rng),
    );
    const t = performance.now();
    let found = 0;
    for (const p of piles) found += findJunctions(9000, p).length;
    const jsec = (performance.now() - t) / 1000;
    return [{
      bench: "split_reads",
      reads,
      flagged: junctions.size,
      seconds: Number(sec.toPrecision(4)),
      reads_per_s: Math.round(reads / sec),
      mb_per_s: Number((bases / 1e6 / sec).toPrecision(3)),
      junction_reads_per_s: Math.round(piles.length / jsec),
      junctions_found: found,
      peak_rss_mib_before: rssBefore,
      peak_rss_mib: peakRss(),
    }];
  },
};
