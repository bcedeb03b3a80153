/**
 * Labelled synthetic data: simulated genomes with repeat families, long reads and planted
 * chimeras, their overlaps and pile-o-grams (PNG, with truth.csv), reads as FASTA, a
 * side-by-side sheet, and throughput for the benchmark.
 * @module
 */
export * from "./options.ts";
export * from "./reads.ts";
export * from "./simulate.ts";
export * from "./synth.ts";
