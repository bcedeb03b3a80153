/**
 * Plots as standalone SVG strings (Observable Plot on a linkedom DOM) and their PNGs: training
 * curves, confusion matrix, ROC, class balance, caller scores, cross-validation spread, input
 * channels and image grids. Depends on core, features (channel names) and eval (result types).
 * @module
 */
export * from "./options.ts";
export * from "./panel.ts";
export * from "./plots.ts";
export * from "./save.ts";
export * from "./training.ts";
