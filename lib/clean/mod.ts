/**
 * Clean reads out (issue 12): junctions of the reads the primary call flags, reads split or
 * trimmed at them (streamed FASTA/FASTQ, plain or gzipped), yacrd's report format, and an HTML
 * report. The stage's face; the CLI is lib/cli/split_reads.ts.
 * @module
 */
export * from "./junctions.ts";
export * from "./overlaps.ts";
export * from "./reads_io.ts";
export * from "./split.ts";
export * from "./yacrd.ts";
export * from "./report.ts";
