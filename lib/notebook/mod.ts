/**
 * Notebook support: display helpers for the Deno Jupyter kernel (plots, tables, live training) and
 * the headless notebook runner.
 * @module
 */
export * from "./notebook.ts";
export * from "./runner.ts";
