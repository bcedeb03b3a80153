/**
 * Benchmarks: timing cases for `deno task bench`, the calls-from-overlaps benchmark on simulated
 * read sets with planted chimeras, genome-scale and cleaning benchmarks.
 * @module
 */
export * from "./cases.ts";
export * from "./genome_bench.ts";
export * from "./paf_bench.ts";
export * from "./pbsim.ts";
export * from "./readset.ts";
export * from "./split_bench.ts";
