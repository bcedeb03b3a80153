/**
 * One-pass, byte-level PAF engine for genome-scale overlap files: a plain or gzipped file
 * (detected by its magic bytes) or stdin is read once in large chunks, the 12 mandatory
 * columns are parsed straight from the bytes into one reused {@link PafLine} (no strings, no
 * per-line objects), read names are interned once, and each read's overlap intervals are kept
 * in growable typed arrays until the piles come out. With `bucket: {k, K}` only the reads whose
 * {@link hashId} mod K is k are gathered, so memory is bounded by the bucket. A malformed line
 * is re-parsed with lib/overlaps/paf.ts parsePafLine, so the messages (file, line, problem) are
 * the same.
 *
 * The parts: lib/overlaps/paf_input.ts (the bytes in), paf_scan.ts (lines into a PafLine),
 * name_table.ts (interned names), buckets.ts (read-id buckets), paf_piles.ts (the piles).
 * @module
 */
export { byteHash, hashId } from "../core/hash.ts";
export { type Bucket, bucketOf, bucketOfBytes, parseBucket } from "./buckets.ts";
export { NameTable } from "./name_table.ts";
export {
  inputChunks,
  inputLabel,
  PAF_ENGINE_DEFAULTS,
  type PafEngineOptions,
} from "./paf_input.ts";
export {
  PAF_PILES_DEFAULTS,
  type PafPile,
  type PafPilesOptions,
  PileGatherer,
  pilesFromPaf,
} from "./paf_piles.ts";
export { PafLine, type ScanOptions, scanPaf, type ScanResult } from "./paf_scan.ts";
