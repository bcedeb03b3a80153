/**
 * From a model to calls: image files classified, calls straight from a PAF (pile features, no
 * chart), the primary call combining model and coverage evidence, and genome-scale buckets.
 * @module
 */
export * from "./calls.ts";
export * from "./classify.ts";
export * from "./evidence.ts";
export * from "./genome.ts";
export * from "./primary_call.ts";
