/**
 * What the synthetic data generator makes and how: classes, options with their defaults in one
 * place, and the shapes of simulated species, fragments, reads and samples.
 * @module
 */

import { type PileogramOptions } from "../overlaps/pileogram.ts";

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
