/**
 * Plots as standalone SVG strings (Observable Plot on a DOM shim), and PNG output: training
 * curves, confusion matrix, ROC, class balance, cross-validation spread, input channels, image
 * grids.
 * @module
 */
export * from "./plots.ts";
