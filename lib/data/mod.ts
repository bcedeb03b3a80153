/**
 * The labelled data set: listing DIR/<class>/*.png with binary labels, the manifest CSV, the
 * stratified split and k-fold grouped by read id, and split outputs (summary, thesis folder
 * layout).
 * @module
 */
export * from "./dataset.ts";
export * from "./split.ts";
export * from "./split_io.ts";
