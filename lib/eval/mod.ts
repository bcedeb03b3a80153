/**
 * Predictions over samples or feature arrays (flip-averaged) and the metrics of the chimeric
 * class: confusion matrix, accuracy, precision, recall, F1, ROC curve and AUC.
 * @module
 */
export * from "./evaluate.ts";
