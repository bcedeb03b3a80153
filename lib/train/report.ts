/**
 * Pictures a command-line run leaves next to its JSON: training curves, ROC curve, confusion
 * matrix, cross-validation spread. Each is written as SVG and PNG.
 * @module
 */
import { join } from "node:path";
import type { History } from "./train.ts";
import type { Metrics } from "../eval/evaluate.ts";
import type { SweepRow } from "./crossval.ts";
import { cvResults } from "../viz/plots.ts";
import { type CvRecord } from "../viz/options.ts";
import { confusionMatrix, rocCurve, trainingCurves } from "../viz/training.ts";
import { savePlot } from "../viz/save.ts";

/** What a run can plot. */
export interface RunResults {
  history?: History;
  metrics?: Metrics;
  sweep?: SweepRow[];
}

/** Cross-validation records (one per configuration and fold) for a metric. */
export function sweepRecords(rows: SweepRow[], metric: "accuracy" | "auc" | "f1"): CvRecord[] {
  return rows.flatMap((r) =>
    r.result.folds.map((f) => ({ config: r.name, fold: f.fold, value: f[metric] }))
  );
}

/** Write the run's plots (SVG and PNG) into `dir`; returns the PNG paths. */
export async function saveRunPlots(dir: string, results: RunResults): Promise<string[]> {
  const written: string[] = [];
  const save = async (svg: string, name: string) =>
    written.push((await savePlot(svg, join(dir, name))).png);
  if (results.history && results.history.epochs.length > 0) {
    await save(trainingCurves(results.history), "training_curves");
  }
  if (results.metrics) {
    await save(confusionMatrix(results.metrics.confusion), "confusion_matrix");
    if (Number.isFinite(results.metrics.auc)) await save(rocCurve(results.metrics.roc), "roc");
  }
  if (results.sweep && results.sweep.length > 0) {
    await save(
      cvResults(sweepRecords(results.sweep, "accuracy"), { metric: "accuracy" }),
      "cv_accuracy",
    );
    await save(cvResults(sweepRecords(results.sweep, "auc"), { metric: "AUC" }), "cv_auc");
  }
  return written;
}
