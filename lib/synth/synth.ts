/**
 * Labelled synthetic pile-o-grams: simulate genomes with planted repeat families, sample long
 * reads (log-normal lengths), make chimeric reads by joining fragments from distant loci (or
 * junk / another species), derive each read's overlaps from the known positions (minimum
 * overlap length, ragged alignment ends), and draw the charts like the real ones. Everything
 * is deterministic per seed. The simulated reads can also be written as FASTA/FASTQ for a
 * minimap2 round trip.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic, writeTextAtomic } from "../core/fs.ts";
import { mulberry32, type Rng } from "../core/random.ts";
import { mapPool } from "../core/pool.ts";
import {
  type PileCurve,
  pileCurve,
  type PileogramOptions,
  renderPng,
} from "../overlaps/pileogram.ts";
import { ruleScore } from "../overlaps/coverage_rule.ts";

export { mulberry32, type Rng };

/** The three chart classes, as the real data's folders. */
export type SynthClass = "chimeric" | "regular" | "repeat";

/** All classes in folder order. */
export const SYNTH_CLASSES: readonly SynthClass[] = ["chimeric", "regular", "repeat"];

/** Options of the simulation. */
export interface SynthOptions {
  /** Seed of every random choice. */
  seed?: number;
  /** Number of simulated species (genomes), each with its own depth and read lengths. */
  species?: number;
  /** Genome length per species (bp). */
  genomeLength?: number;
  /** Range of sequencing depth per species. */
  depth?: [number, number];
  /** Range of the median read length per species (bp). */
  readMedian?: [number, number];
  /** Range of the log-normal sigma of read lengths per species. */
  readSigma?: [number, number];
  /** Shortest read (bp). */
  minReadLength?: number;
  /** Longest read (bp). */
  maxReadLength?: number;
  /** Overlaps shorter than this are not reported (bp). */
  minOverlap?: number;
  /** Range of the number of repeat families per species (per 1.5 Mb of genome). */
  repeatFamilies?: [number, number];
  /** Range of repeat unit lengths (bp). */
  repeatLength?: [number, number];
  /** Range of copies per repeat family. */
  repeatCopies?: [number, number];
  /** Range of the ramp at a read end, as a fraction of the read length. */
  endRamp?: [number, number];
  /** Mean trim of an alignment end inside the read (bp). */
  innerTrim?: number;
  /** Probability that an overlap is reported as two pieces with a gap (broken chain). */
  chainBreak?: number;
  /** Mean number of low-quality spots per read where most overlaps break. */
  badSpots?: number;
  /** Fraction of the population that are short reads (median 2.5 kb), as real runs have. */
  shortReads?: number;
  /** Shortest population read (bp; the reads that overlap the charted ones). */
  minPopulationReadLength?: number;
  /** Range of the fraction of repeat-induced overlaps reported, per family. */
  repeatDetection?: [number, number];
  /** Probability that a chimera's fragment is junk (no overlaps at all). */
  junkFraction?: number;
  /** Probability that a few reads bridge a chimeric junction (a valley not down to zero). */
  bridged?: number;
  /** Largest dead zone beside a chimeric junction, as a fraction of the read length. */
  junctionGap?: number;
  /** Probability that a chimera joins two species. */
  crossSpecies?: number;
  /**
   * Where the typical coverage sits on the chart, as a fraction of the y range, per class:
   * quantiles at probabilities PLATEAU_PROBS, sampled per chart by inverse CDF. The real
   * charts' y maximum is not a fixed multiple of the drawn curve's median: the median height
   * of the line over its columns varies widely between charts, and differently per class. null (the default) draws every chart on the real charts' fixed
   * 0-300 y axis (see ../shared/docs/provenance.md), where that height follows from the depth.
   */
  plateauHeight?: Record<SynthClass, number[]> | null;
  /** Chart options. */
  chart?: PileogramOptions;
}

/** Defaults: charts meant to look like the real set (notebooks/01_data.ipynb shows both). */
export const SYNTH_DEFAULTS: Required<Omit<SynthOptions, "chart">> & { chart: PileogramOptions } = {
  seed: 1,
  species: 6,
  genomeLength: 1_500_000,
  depth: [25, 90],
  readMedian: [5000, 16000],
  readSigma: [0.5, 0.9],
  minReadLength: 3000,
  minPopulationReadLength: 1000,
  shortReads: 0.3,
  maxReadLength: 80000,
  minOverlap: 1000,
  repeatFamilies: [6, 24],
  repeatLength: [1500, 20000],
  repeatCopies: [2, 8],
  repeatDetection: [0.4, 1],
  endRamp: [0.03, 0.6],
  innerTrim: 250,
  chainBreak: 0.25,
  badSpots: 0.05,
  junkFraction: 0.15,
  crossSpecies: 0.2,
  junctionGap: 0.04,
  bridged: 0.4,
  plateauHeight: null,
  chart: {},
};

/** One planted repeat copy. */
export interface RepeatCopy {
  /** Family index within the species. */
  family: number;
  /** Genome start (bp). */
  start: number;
  /** Genome end (bp, exclusive). */
  end: number;
}

/** A simulated genome with its read population. */
export interface SimSpecies {
  /** Short code used in file names. */
  code: string;
  /** Index in the sample. */
  index: number;
  /** Genome length. */
  length: number;
  /** Sequencing depth. */
  depth: number;
  /** Median read length. */
  readMedian: number;
  /** Log-normal sigma of read lengths. */
  readSigma: number;
  /** Population read starts, sorted. */
  starts: Int32Array;
  /** Population read ends (same order as starts). */
  ends: Int32Array;
  /** Longest population read. */
  maxLen: number;
  /** Repeat copies sorted by start. */
  repeats: RepeatCopy[];
  /** Copies per family. */
  families: RepeatCopy[][];
  /** Fraction of repeat-induced overlaps reported, per family. */
  detection: number[];
}

/** A piece of a read: a genome interval on a strand, or junk without any overlaps. */
export interface Fragment {
  /** Species index (-1 for junk). */
  species: number;
  /** Genome start. */
  start: number;
  /** Genome end (exclusive). */
  end: number;
  /** Strand of the genome sequence in the read. */
  strand: "+" | "-";
}

/** A simulated read with its truth. */
export interface SimRead {
  /** Read id, `<species>_<number>`. */
  id: string;
  /** True class. */
  cls: SynthClass;
  /** Fragments in read order. */
  fragments: Fragment[];
  /** Read length (sum of fragment lengths). */
  length: number;
}

/** A simulated sample: species genomes with their read populations. */
export interface SimSample {
  /** Resolved options. */
  opts: Required<Omit<SynthOptions, "chart">> & { chart: PileogramOptions };
  /** The species. */
  species: SimSpecies[];
}

const uni = (rng: Rng, [a, b]: [number, number]) => a + (b - a) * rng();
const randInt = (rng: Rng, a: number, b: number) => a + Math.floor(rng() * (b - a + 1));

/** A standard normal deviate (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Derive an independent seed from a seed and a stream index (deterministic). */
export function subSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function readLength(
  rng: Rng,
  sp: { readMedian: number; readSigma: number },
  o: SimSample["opts"],
  min = o.minReadLength,
) {
  const l = sp.readMedian * Math.exp(sp.readSigma * gaussian(rng));
  return Math.round(Math.min(o.maxReadLength, Math.max(min, l)));
}

const SHORT_READS = { readMedian: 2500, readSigma: 0.5 };

/** Simulate the species (genomes, repeats, read populations) of a sample. */
export function simulateSample(opts: SynthOptions = {}): SimSample {
  const o = { ...SYNTH_DEFAULTS, ...opts, chart: { ...opts.chart } };
  const rng = mulberry32(subSeed(o.seed, 0));
  const species: SimSpecies[] = [];
  for (let s = 0; s < o.species; s++) {
    const G = o.genomeLength;
    const depth = Math.exp(uni(rng, [Math.log(o.depth[0]), Math.log(o.depth[1])]));
    const readMedian = uni(rng, o.readMedian);
    const readSigma = uni(rng, o.readSigma);
    // repeats: families of copies at random non-overlapping places
    // family counts are per 1.5 Mb of genome
    const nFam = Math.max(
      1,
      Math.round(randInt(rng, o.repeatFamilies[0], o.repeatFamilies[1]) * G / 1_500_000),
    );
    const repeats: RepeatCopy[] = [];
    const families: RepeatCopy[][] = [];
    for (let f = 0; f < nFam; f++) {
      const len = Math.round(
        Math.exp(uni(rng, [Math.log(o.repeatLength[0]), Math.log(o.repeatLength[1])])),
      );
      const copies = randInt(rng, o.repeatCopies[0], o.repeatCopies[1]);
      const fam: RepeatCopy[] = [];
      for (let c = 0, tries = 0; c < copies && tries < 100; tries++) {
        const start = Math.floor(rng() * (G - len));
        const clash = repeats.some((r) => start < r.end + 2000 && r.start < start + len + 2000);
        if (clash) continue;
        const copy = { family: f, start, end: start + len };
        repeats.push(copy);
        fam.push(copy);
        c++;
      }
      families.push(fam);
    }
    repeats.sort((a, b) => a.start - b.start);
    const sp = { readMedian, readSigma };
    const nReads = Math.round(G * depth / (readMedian * Math.exp(readSigma ** 2 / 2)));
    const pairs: [number, number][] = [];
    let maxLen = 0;
    for (let i = 0; i < nReads; i++) {
      const short = rng() < o.shortReads;
      const len = Math.min(
        G,
        readLength(rng, short ? SHORT_READS : sp, o, o.minPopulationReadLength),
      );
      const start = Math.floor(rng() * (G - len + 1));
      pairs.push([start, start + len]);
      maxLen = Math.max(maxLen, len);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    species.push({
      code: `s${s}`,
      index: s,
      length: G,
      depth,
      readMedian,
      readSigma,
      starts: Int32Array.from(pairs, (p) => p[0]),
      ends: Int32Array.from(pairs, (p) => p[1]),
      maxLen,
      repeats,
      families,
      detection: families.map(() => uni(rng, o.repeatDetection)),
    });
  }
  return { opts: o, species };
}

/** First index with starts[i] >= x. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Call `fn(start, end)` for every population read of `sp` intersecting [a, b). */
function forReadsIn(sp: SimSpecies, a: number, b: number, fn: (s: number, e: number) => void) {
  const hi = lowerBound(sp.starts, b);
  for (let i = lowerBound(sp.starts, a - sp.maxLen); i < hi; i++) {
    if (sp.ends[i] > a) fn(sp.starts[i], sp.ends[i]);
  }
}

/** Whether genome interval [a,b) shares at least `min` bp with a repeat copy. */
function repeatCopiesIn(sp: SimSpecies, a: number, b: number, min: number): RepeatCopy[] {
  return sp.repeats.filter((r) => Math.min(b, r.end) - Math.max(a, r.start) >= min);
}

/** Pick a genome interval of `len` bp in `sp`, avoiding (or requiring) repeats. */
function placeFragment(
  rng: Rng,
  sp: SimSpecies,
  len: number,
  o: SimSample["opts"],
  want: "any" | "none" | "repeat",
): Fragment {
  len = Math.min(len, sp.length);
  let start = 0;
  for (let tries = 0; tries < 200; tries++) {
    if (want === "repeat" && sp.repeats.length > 0) {
      // put a repeat copy (of a family with several copies) somewhere in the read
      const multi = sp.families.filter((f) => f.length >= 3);
      const fam = (multi.length ? multi : sp.families.filter((f) => f.length >= 2))[
        Math.floor(rng() * Math.max(1, multi.length || sp.families.length))
      ];
      if (!fam || fam.length === 0) break;
      const r = fam[Math.floor(rng() * fam.length)];
      const rl = r.end - r.start;
      start = r.start - Math.floor(rng() * (len + rl * 0.6)) + Math.floor(rl * 0.2);
    } else start = Math.floor(rng() * (sp.length - len + 1));
    start = Math.max(0, Math.min(sp.length - len, start));
    const reps = repeatCopiesIn(sp, start, start + len, o.minOverlap);
    if (
      want === "any" || (want === "none" && reps.length === 0) || (want === "repeat" && reps.length)
    ) {
      break;
    }
  }
  return { species: sp.index, start, end: start + len, strand: rng() < 0.5 ? "+" : "-" };
}

/** Simulate one read of class `cls` (deterministic per `rng` state). */
export function simulateRead(rng: Rng, sample: SimSample, cls: SynthClass, id: string): SimRead {
  const o = sample.opts;
  const sp = sample.species[Math.floor(rng() * sample.species.length)];
  const L = readLength(rng, sp, o);
  let fragments: Fragment[];
  if (cls !== "chimeric") {
    fragments = [placeFragment(rng, sp, L, o, cls === "regular" ? "none" : "repeat")];
  } else {
    const nFrag = rng() < 0.1 ? 3 : 2;
    const cuts = Array.from({ length: nFrag - 1 }, () => 0.12 + 0.76 * rng()).sort();
    const bounds = [0, ...cuts.map((c) => Math.round(c * L)), L];
    fragments = [];
    const junkAt = rng() < o.junkFraction ? Math.floor(rng() * nFrag) : -1;
    for (let k = 0; k < nFrag; k++) {
      const len = Math.max(300, bounds[k + 1] - bounds[k]);
      if (k === junkAt) {
        fragments.push({ species: -1, start: 0, end: len, strand: "+" });
        continue;
      }
      let other = sp;
      if (k > 0 && rng() < o.crossSpecies && sample.species.length > 1) {
        other = sample.species[
          (sp.index + 1 + Math.floor(rng() * (sample.species.length - 1))) %
          sample.species.length
        ];
      }
      let f = placeFragment(rng, other, len, o, rng() < 0.8 ? "none" : "any");
      // distant loci: re-place when it lands near the previous fragment of the same genome
      for (let t = 0; t < 20 && fragments.some((g) => near(g, f)); t++) {
        f = placeFragment(rng, other, len, o, "any");
      }
      fragments.push(f);
    }
  }
  const length = fragments.reduce((s, f) => s + f.end - f.start, 0);
  return { id, cls, fragments, length };
}

function near(a: Fragment, b: Fragment): boolean {
  return a.species === b.species && a.species >= 0 &&
    Math.max(a.start, b.start) < Math.min(a.end, b.end) + 50_000;
}

/**
 * Overlap intervals of a read in its own coordinates (flat begin/end pairs), derived from the
 * known positions of the population reads: true overlaps, repeat-induced overlaps between
 * copies of a family, ends trimmed (ramps at read ends and chimeric junctions).
 */
export function readOverlaps(rng: Rng, sample: SimSample, read: SimRead): number[] {
  const o = sample.opts;
  const L = read.length;
  // Alignments stop short of a read end (and of a chimeric junction) at a few places where
  // the read's quality drops: each end gets 1..6 stop points spread over its ramp, and every
  // overlap reaching that end stops at one of them (the real ramps rise in a few big steps).
  const rampStops = (len: number): number[] => {
    const shape = 0.4 + 1.6 * rng();
    const k = 1 + Math.floor(rng() * 6);
    return [len * 0.02 * rng(), ...Array.from({ length: k }, () => len * rng() ** shape)];
  };
  const trimAt = (stops: number[]) => stops[Math.floor(rng() * stops.length)] + 60 * rng();
  const endRamp = () => rampStops(uni(rng, o.endRamp) * L * (rng() < 0.15 ? 0.2 : 1));
  const readEnds = [endRamp(), endRamp()];
  // low-quality spots of this read: most overlaps over them break (narrow dips)
  const spots: number[] = [];
  for (let k = 0, n = poisson(rng, o.badSpots); k < n; k++) spots.push(rng() * L);
  const out: number[] = [];
  const emit = (x: number, y: number) => {
    for (const p of spots) {
      if (p > x + 100 && p < y - 100 && rng() < 0.6) {
        const g = 40 + 300 * rng();
        emit(x, p - g / 2);
        emit(p + g / 2, y);
        return;
      }
    }
    if (y - x >= o.minOverlap * 0.5) out.push(Math.round(x), Math.round(y));
  };
  let off = 0;
  for (let k = 0; k < read.fragments.length; k++) {
    const f = read.fragments[k];
    const flen = f.end - f.start;
    // at a junction, alignments also stop short of a dead zone (adapter, low quality)
    const junction = () =>
      rampStops(flen * uni(rng, [0.02, 0.3])).map((x) => x + L * o.junctionGap * rng());
    const leftStops = k === 0 ? readEnds[0] : junction();
    const rightStops = k === read.fragments.length - 1 ? readEnds[1] : junction();
    if (f.species < 0) {
      off += flen;
      continue;
    }
    const sp = sample.species[f.species];
    const push = (a: number, b: number, edgeTrim: number) => {
      // genome [a,b) inside the fragment -> read coordinates
      let x = f.strand === "+" ? off + a - f.start : off + f.end - b;
      let y = x + (b - a);
      // every alignment stops short of the read's low-quality ends (and junctions): the
      // ones reaching an end, and the ones starting inside the low-quality stretch
      const exp = () => -Math.log(1 - rng()) * edgeTrim;
      x = Math.max(x + exp(), off + trimAt(leftStops));
      y = Math.min(y - exp(), off + flen - trimAt(rightStops));
      if (y - x > 1000 && rng() < o.chainBreak) {
        // a broken chain: two pieces with a short gap, or overlapping a little
        const p = x + 500 + (y - x - 1000) * rng();
        const g = -400 + 800 * rng();
        emit(x, p - g / 2);
        emit(p + g / 2, y);
      } else emit(x, y);
    };
    forReadsIn(sp, f.start, f.end, (s, e) => {
      const a = Math.max(s, f.start), b = Math.min(e, f.end);
      if (b - a >= o.minOverlap) push(a, b, o.innerTrim);
    });
    // repeat-induced overlaps: reads over other copies of the same family
    for (const c of repeatCopiesIn(sp, f.start, f.end, o.minOverlap)) {
      const ua = Math.max(c.start, f.start) - c.start, ub = Math.min(c.end, f.end) - c.start;
      const det = sp.detection[c.family];
      const edge = (c.end - c.start) * 0.08;
      for (const c2 of sp.families[c.family]) {
        if (c2 === c) continue;
        forReadsIn(sp, c2.start, c2.end, (s, e) => {
          const va = Math.max(s, c2.start) - c2.start, vb = Math.min(e, c2.end) - c2.start;
          const sa = Math.max(ua, va), sb = Math.min(ub, vb);
          if (sb - sa >= o.minOverlap && rng() < det) push(c.start + sa, c.start + sb, edge);
        });
      }
    }
    off += flen;
  }
  // some chimeric junctions are bridged by a few reads (similar chimeras, repeats at the
  // junction): the valley then does not reach zero
  if (read.fragments.length > 1 && rng() < o.bridged) {
    const depth = out.length / 2 / Math.max(1, read.fragments.length);
    const n = Math.round(depth * uni(rng, [0.05, 0.5]));
    let j = 0;
    for (let k = 0; k < read.fragments.length - 1; k++) {
      j += read.fragments[k].end - read.fragments[k].start;
      for (let b = 0; b < n; b++) {
        const x = Math.max(0, j - L * 0.3 * rng()), y = Math.min(L, j + L * 0.3 * rng());
        if (y - x >= o.minOverlap) out.push(Math.round(x), Math.round(y));
      }
    }
  }
  return out;
}

/** A Poisson deviate with mean `mean` (Knuth; small means). */
export function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

/** Probabilities of the plateauHeight quantiles. */
export const PLATEAU_PROBS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** Inverse CDF by linear interpolation of quantiles `q` at PLATEAU_PROBS (tails stretched). */
function quantile(q: number[], u: number): number {
  const ps = [0, ...PLATEAU_PROBS, 1];
  const qs = [q[0] * 0.6, ...q, q[q.length - 1] * 1.1];
  let k = 1;
  while (k < ps.length - 1 && u > ps[k]) k++;
  const t = (u - ps[k - 1]) / (ps[k] - ps[k - 1]);
  return qs[k - 1] + t * (qs[k] - qs[k - 1]);
}

/** One synthetic chart with its truth. */
export interface SynthChart {
  /** The read. */
  read: SimRead;
  /** Its overlap intervals (flat pairs). */
  intervals: number[];
  /** Its coverage curve. */
  curve: PileCurve;
}

/** Simulate the `index`-th chart of class `cls` (deterministic per seed, class and index). */
export function synthChart(sample: SimSample, cls: SynthClass, index: number): SynthChart {
  const rng = mulberry32(subSeed(sample.opts.seed, 1 + SYNTH_CLASSES.indexOf(cls) * 1e6 + index));
  const id = String(index + 1 + SYNTH_CLASSES.indexOf(cls) * 1_000_000);
  const read = simulateRead(rng, sample, cls, "");
  const sp = read.fragments.find((f) => f.species >= 0)?.species ?? 0;
  read.id = `${sample.species[sp].code}_${id}`;
  const intervals = readOverlaps(rng, sample, read);
  const curve = pileCurve(read.length, intervals, sample.opts.chart);
  const ph = sample.opts.plateauHeight;
  if (ph) curve.yMax = Math.max(1, curve.median / quantile(ph[cls], rng()));
  return { read, intervals, curve };
}

/** Describe a read's fragments, e.g. `s0:1200-9000+;junk:2500`. */
export function fragmentText(read: SimRead, sample: SimSample): string {
  return read.fragments.map((f) =>
    f.species < 0
      ? `junk:${f.end - f.start}`
      : `${sample.species[f.species].code}:${f.start}-${f.end}${f.strand}`
  ).join(";");
}

/** Options of writing a synthetic data set. */
export interface WriteSynthOptions extends SynthOptions {
  /** Charts per class. */
  perClass: number;
  /** PNG encodes in flight at once. */
  concurrency?: number;
  /** Called after each chart. */
  onChart?: (done: number, total: number) => void;
}

/** One row of truth.csv. */
export interface TruthRow {
  /** Path relative to the output folder. */
  file: string;
  /** Class folder. */
  cls: SynthClass;
  /** Read id. */
  readId: string;
  /** Read length. */
  readLen: number;
  /** Number of overlaps. */
  nOverlaps: number;
  /** Median coverage. */
  median: number;
  /** Coverage-rule score. */
  ruleScore: number;
  /** Fragments. */
  fragments: string;
}

/**
 * Write `dir/{chimeric,regular,repeat}/<species>_<id>.png` and `dir/truth.csv`; returns the
 * truth rows. Files are written atomically; PNG encodes overlap (libvips threads).
 */
export async function writeSynthDataset(dir: string, opts: WriteSynthOptions): Promise<TruthRow[]> {
  const sample = simulateSample(opts);
  const concurrency = opts.concurrency ?? 4;
  const jobs: [SynthClass, number][] = [];
  for (let i = 0; i < opts.perClass; i++) for (const c of SYNTH_CLASSES) jobs.push([c, i]);
  let done = 0;
  const rows = await mapPool(jobs, concurrency, async ([cls, i]): Promise<TruthRow> => {
    const ch = synthChart(sample, cls, i);
    const file = `${cls}/${ch.read.id}.png`;
    const png = await renderPng(ch.curve, sample.opts.chart);
    await writeFileAtomic(join(dir, file), png);
    opts.onChart?.(++done, jobs.length);
    return {
      file,
      cls,
      readId: ch.read.id,
      readLen: ch.read.length,
      nOverlaps: ch.intervals.length / 2,
      median: ch.curve.median,
      ruleScore: Math.round(ruleScore(ch.curve.data, ch.curve.median).score * 1000) / 1000,
      fragments: fragmentText(ch.read, sample),
    };
  });
  const header = "file,class,read_id,read_len,n_overlaps,median,rule_score,fragments";
  const lines = rows.map((r) =>
    [r.file, r.cls, r.readId, r.readLen, r.nOverlaps, r.median, r.ruleScore, r.fragments].join(",")
  );
  await writeTextAtomic(join(dir, "truth.csv"), [header, ...lines].join("\n") + "\n");
  return rows;
}

// ---------------------------------------------------------------- reads as sequences

/** Options of writing simulated reads as FASTA/FASTQ. */
export interface ReadsFastaOptions extends SynthOptions {
  /** Fraction of the population made chimeric (planted chimeras). */
  chimeraRate?: number;
  /** Per-base error rate (substitutions, insertions, deletions in equal parts). */
  errorRate?: number;
  /** Divergence between copies of a repeat family. */
  repeatDivergence?: number;
  /** Write FASTQ instead of FASTA. */
  fastq?: boolean;
}

/** Defaults for sequence output: a small genome suited to a quick minimap2 round trip. */
export const READS_FASTA_DEFAULTS = {
  chimeraRate: 0.05,
  errorRate: 0.03,
  repeatDivergence: 0.005,
  fastq: false,
};

/** Truth of one read written as sequence. */
export interface ReadTruth {
  /** Read id (the FASTA name). */
  id: string;
  /** True class: planted chimera, repeat-covering, or regular. */
  cls: SynthClass;
  /** Read length. */
  length: number;
  /** Fragments. */
  fragments: string;
}

const BASES = "ACGT";

/** Genome sequences of a sample's species: random bases with each family's copies planted. */
export function genomeSequences(sample: SimSample, divergence = 0.005): Uint8Array[] {
  const rng = mulberry32(subSeed(sample.opts.seed, 7_000_000));
  return sample.species.map((sp) => {
    const g = new Uint8Array(sp.length);
    for (let i = 0; i < g.length; i++) g[i] = BASES.charCodeAt(Math.floor(rng() * 4));
    for (const fam of sp.families) {
      if (fam.length === 0) continue;
      const len = fam[0].end - fam[0].start;
      const unit = new Uint8Array(len);
      for (let i = 0; i < len; i++) unit[i] = BASES.charCodeAt(Math.floor(rng() * 4));
      for (const c of fam) {
        for (let i = 0; i < len; i++) {
          g[c.start + i] = rng() < divergence ? BASES.charCodeAt(Math.floor(rng() * 4)) : unit[i];
        }
      }
    }
    return g;
  });
}

const COMP: Record<number, number> = { 65: 84, 67: 71, 71: 67, 84: 65 };

/** The sequence of a read with sequencing errors. */
function readSequence(rng: Rng, read: SimRead, genomes: Uint8Array[], errorRate: number): string {
  const parts: number[] = [];
  for (const f of read.fragments) {
    let src: Uint8Array;
    if (f.species < 0) {
      src = new Uint8Array(f.end - f.start);
      for (let i = 0; i < src.length; i++) src[i] = BASES.charCodeAt(Math.floor(rng() * 4));
    } else {
      src = genomes[f.species].slice(f.start, f.end);
      if (f.strand === "-") src = src.reverse().map((b) => COMP[b]);
    }
    for (let i = 0; i < src.length; i++) {
      const r = rng();
      if (r < errorRate / 3) parts.push(BASES.charCodeAt(Math.floor(rng() * 4))); // substitution
      else if (r < 2 * errorRate / 3) continue; // deletion
      else if (r < errorRate) parts.push(src[i], BASES.charCodeAt(Math.floor(rng() * 4)));
      else parts.push(src[i]);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(parts));
}

/** Simulate a read population with planted chimeras as sequences, with each read's truth. */
export function simulateReads(
  opts: ReadsFastaOptions = {},
): { sample: SimSample; reads: SimRead[]; genomes: Uint8Array[] } {
  const o = { ...READS_FASTA_DEFAULTS, ...opts };
  const sample = simulateSample(opts);
  const genomes = genomeSequences(sample, o.repeatDivergence);
  const rng = mulberry32(subSeed(sample.opts.seed, 8_000_000));
  const reads: SimRead[] = [];
  for (const sp of sample.species) {
    for (let i = 0; i < sp.starts.length; i++) {
      const id = `${sp.code}_${reads.length + 1}`;
      if (rng() < o.chimeraRate) {
        const r = simulateRead(rng, sample, "chimeric", id);
        reads.push(r);
        continue;
      }
      const f: Fragment = {
        species: sp.index,
        start: sp.starts[i],
        end: sp.ends[i],
        strand: rng() < 0.5 ? "+" : "-",
      };
      const cls = repeatCopiesIn(sp, f.start, f.end, sample.opts.minOverlap).length
        ? "repeat"
        : "regular";
      reads.push({ id, cls, fragments: [f], length: f.end - f.start });
    }
  }
  return { sample, reads, genomes };
}

/** Write simulated reads to `path` (FASTA or FASTQ) and their truth to `truthPath` (CSV). */
export async function writeReadsFasta(
  path: string,
  truthPath: string,
  opts: ReadsFastaOptions = {},
): Promise<ReadTruth[]> {
  const o = { ...READS_FASTA_DEFAULTS, ...opts };
  const { sample, reads, genomes } = simulateReads(opts);
  const rng = mulberry32(subSeed(sample.opts.seed, 9_000_000));
  const chunks: string[] = [];
  const truth: ReadTruth[] = [];
  for (const r of reads) {
    const seq = readSequence(rng, r, genomes, o.errorRate);
    chunks.push(
      o.fastq ? `@${r.id}\n${seq}\n+\n${"5".repeat(seq.length)}\n` : `>${r.id}\n${seq}\n`,
    );
    truth.push({ id: r.id, cls: r.cls, length: seq.length, fragments: fragmentText(r, sample) });
  }
  await writeTextAtomic(path, chunks.join(""));
  const csv = [
    "read_id,class,read_len,fragments",
    ...truth.map((t) => `${t.id},${t.cls},${t.length},${t.fragments}`),
  ];
  await writeTextAtomic(truthPath, csv.join("\n") + "\n");
  return truth;
}

// ---------------------------------------------------------------- side-by-side check

/** Options of the real-vs-synthetic comparison sheet. */
export interface ComparisonOptions {
  /** Charts per class from each side. */
  perClass?: number;
  /** Seed of the random picks. */
  seed?: number;
  /** Width of one tile in pixels (height is 2/3 of it). */
  tileWidth?: number;
}

/**
 * A side-by-side picture check: one row per class, `perClass` random real charts on the left
 * (grey frames) and synthetic ones on the right (red frames), as one PNG.
 */
export async function comparisonSheet(
  realRoot: string,
  synthRoot: string,
  opts: ComparisonOptions = {},
): Promise<Uint8Array> {
  const n = opts.perClass ?? 4;
  const rng = mulberry32(opts.seed ?? 1);
  const w = opts.tileWidth ?? 300, h = Math.round(w * 2 / 3);
  const gap = 20;
  const tiles: sharp.OverlayOptions[] = [];
  for (const [row, cls] of SYNTH_CLASSES.entries()) {
    for (const [side, root] of [[0, realRoot], [1, synthRoot]] as const) {
      const files = [...Deno.readDirSync(join(root, cls))]
        .filter((e) => e.isFile && e.name.endsWith(".png")).map((e) => e.name).sort();
      for (let k = 0; k < n && files.length; k++) {
        const f = files[Math.floor(rng() * files.length)];
        const tile = await sharp(join(root, cls, f)).resize(w, h, { kernel: "lanczos3" })
          .extend({
            top: 2,
            bottom: 2,
            left: 2,
            right: 2,
            background: side ? "#f08080" : "#888888",
          }).png().toBuffer();
        tiles.push({
          input: tile,
          left: (side * n + k) * (w + 4) + side * gap,
          top: row * (h + 4),
        });
      }
    }
  }
  const sheet = await sharp({
    create: {
      width: 2 * n * (w + 4) + gap,
      height: SYNTH_CLASSES.length * (h + 4),
      channels: 4,
      background: "#ffffff",
    },
  }).composite(tiles).png().toBuffer();
  return new Uint8Array(sheet);
}

/** Charts per second of simulate + draw + PNG encode in memory (for `deno task bench`). */
export async function synthThroughput(
  charts = 300,
  opts: SynthOptions & { concurrency?: number } = {},
): Promise<{ charts: number; seconds: number; chartsPerSecond: number }> {
  const sample = simulateSample(opts);
  const warm = synthChart(sample, "regular", 0);
  await renderPng(warm.curve, sample.opts.chart);
  const t0 = performance.now();
  const indices = Array.from({ length: charts }, (_, i) => i);
  await mapPool(indices, opts.concurrency ?? 4, async (i) => {
    const ch = synthChart(sample, SYNTH_CLASSES[i % 3], i);
    await renderPng(ch.curve, sample.opts.chart);
  });
  const seconds = (performance.now() - t0) / 1000;
  return { charts, seconds, chartsPerSecond: charts / seconds };
}
