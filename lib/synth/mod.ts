/**
 * Labelled synthetic data: simulated genomes with repeat families, long reads and planted
 * chimeras, their overlaps and pile-o-grams, reads as FASTA, and throughput for the benchmark.
 * @module
 */
export * from "./synth.ts";
