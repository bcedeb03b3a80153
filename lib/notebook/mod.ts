/**
 * Notebook support: display helpers for the Deno Jupyter kernel (pictures, HTML, live training
 * progress, tables; text or nothing outside a kernel), which data a notebook runs on, and the
 * headless notebook runner.
 * @module
 */
export * from "./data.ts";
export * from "./notebook.ts";
export * from "./runner.ts";
export * from "./tables.ts";
