/**
 * Label cleaning: exact and near duplicates, read ids in two classes, suspicious labels from
 * out-of-fold predictions, and the cleaned manifest.
 * @module
 */
export * from "./apply.ts";
export * from "./duplicates.ts";
export * from "./fingerprint.ts";
export * from "./issues.ts";
export * from "./labels.ts";
export * from "./suspicious.ts";
