/**
 * Shared foundations with no project knowledge: the user-facing error, atomic file IO, content
 * hashes (SHA-256, FNV-1a), seeded randomness, a bounded async pool, helper threads, union-find,
 * grey image decoding, a progress bar and scratch buffers for per-read loops. Every other stage may import
 * core; core imports nothing of ours.
 * @module
 */
export * from "./errors.ts";
export * from "./fs.ts";
export * from "./hash.ts";
export * from "./image.ts";
export * from "./pool.ts";
export * from "./progress.ts";
export * from "./random.ts";
export * from "./scratch.ts";
export * from "./stats.ts";
export * from "./threads.ts";
export * from "./union_find.ts";
