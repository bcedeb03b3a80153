/**
 * From overlaps to piles: streaming and byte-level PAF reading, Raven's per-read coverage (the
 * pile) and its chart, the coverage-valley rule, yacrd's gap rule, and scattering a PAF into
 * read-id buckets.
 * @module
 */
export * from "./coverage_rule.ts";
export * from "./gap_rule.ts";
export * from "./paf.ts";
export * from "./paf_engine.ts";
export * from "./pileogram.ts";
export * from "./raster.ts";
export * from "./scatter.ts";
