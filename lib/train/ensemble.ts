/**
 * Ensembles: trained models of one input representation combined into a single Layers model
 * that averages their probabilities (so evaluation and classification need nothing new, and
 * the result loads in tfjs anywhere), and the cross-validated figures of such an ensemble from
 * its members' out-of-fold predictions.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { computeMetrics, type Prediction } from "../eval/evaluate.ts";
import { UserError } from "../core/errors.ts";
import { readFoldPredictions, type Spread, spread } from "./crossval.ts";
import { type LayerJson, type ModelJson, renameInbound } from "../model/topology.ts";

/**
 * One model averaging the softmax outputs of `members` (same input shape; their weights are
 * copied, the members are left as they are). Member i's layers are renamed `m<i>_<name>`; the
 * input layer is shared.
 */
export async function combineModels(
  members: tf.LayersModel[],
  name = "ensemble",
): Promise<tf.LayersModel> {
  if (members.length < 2) throw new UserError("an ensemble needs at least two models");
  const tops = members.map((m) => m.toJSON(undefined, false) as unknown as ModelJson);
  const shapeOf = (m: tf.LayersModel) => JSON.stringify(m.inputs[0].shape);
  for (const [i, t] of tops.entries()) {
    if (t.class_name !== "Model" || t.config.input_layers.length !== 1) {
      throw new UserError(`model ${i + 1}: only single-input functional models can be combined`);
    }
    if (shapeOf(members[i]) !== shapeOf(members[0])) {
      throw new UserError(
        `model ${i + 1}: input shape ${shapeOf(members[i])} differs from ${shapeOf(members[0])}`,
      );
    }
  }
  const inputName = tops[0].config.input_layers[0][0];
  const layers: LayerJson[] = [tops[0].config.layers.find((l) => l.name === inputName)!];
  const outputs: [string, number, number, Record<string, never>][] = [];
  tops.forEach((t, i) => {
    const own = t.config.input_layers[0][0];
    const rename = (n: string) => (n === own ? inputName : `m${i + 1}_${n}`);
    for (const l of t.config.layers) {
      if (l.name === own) continue;
      layers.push({
        ...l,
        name: rename(l.name),
        config: { ...l.config, name: rename(l.name) },
        inbound_nodes: renameInbound(l.inbound_nodes, rename),
      });
    }
    const [out, node, index] = t.config.output_layers[0];
    outputs.push([rename(out), node, index, {}]);
  });
  layers.push({
    name: "average",
    class_name: "Average",
    config: { name: "average", trainable: false },
    inbound_nodes: [outputs],
  });
  const topology: ModelJson = {
    class_name: "Model",
    config: {
      name,
      layers,
      input_layers: [[inputName, 0, 0]],
      output_layers: [["average", 0, 0]],
    },
  };
  const combined = await tf.models.modelFromJSON({
    modelTopology: topology as unknown as tf.io.ModelJSON["modelTopology"],
  } as tf.io.ModelJSON);
  members.forEach((m, i) => {
    for (const layer of m.layers) {
      if (layer.weights.length === 0) continue;
      combined.getLayer(`m${i + 1}_${layer.name}`).setWeights(layer.getWeights());
    }
  });
  return combined;
}

/**
 * Out-of-fold predictions of an ensemble: the mean probability of each file over the members'
 * predictions (each a list from `crossValidate`, over the same files and labels).
 */
export function averagePredictions(runs: Prediction[][]): Prediction[] {
  if (runs.length === 0) return [];
  const byPath = runs.map((r) => new Map(r.map((p) => [p.path, p])));
  return runs[0].map((first) => {
    let sum = 0;
    for (const [i, m] of byPath.entries()) {
      const p = m.get(first.path);
      if (!p) throw new UserError(`${first.path}: missing from predictions ${i + 1}`);
      if (p.y !== first.y) throw new UserError(`${first.path}: labels differ between predictions`);
      sum += p.p;
    }
    return { path: first.path, y: first.y, p: sum / runs.length };
  });
}

/** Cross-validated figures of an ensemble: per fold and their mean and spread. */
export interface EnsembleCv {
  /** Members (cross-validation folders) averaged. */
  members: number;
  /** Per fold: accuracy, ROC AUC and F1 of the averaged predictions. */
  folds: { fold: number; n: number; accuracy: number; auc: number; f1: number }[];
  accuracy: Spread;
  auc: Spread;
  f1: Spread;
}

/**
 * The cross-validated figures of the ensemble of several `deno task cv` runs made with the
 * same folds (same data and fold seed, e.g. different training seeds): each fold's
 * predictions averaged over the runs, then scored. Uses the folds every run has finished.
 */
export async function ensembleCrossValidation(dirs: string[]): Promise<EnsembleCv> {
  if (dirs.length === 0) throw new UserError("no cross-validation folders given");
  const runs = await Promise.all(dirs.map(readFoldPredictions));
  const k = Math.min(...runs.map((r) => r.length));
  const folds = Array.from({ length: k }, (_, f) => {
    const m = computeMetrics(averagePredictions(runs.map((r) => r[f])));
    return { fold: f, n: m.n, accuracy: m.accuracy, auc: m.auc, f1: m.f1 };
  });
  return {
    members: dirs.length,
    folds,
    accuracy: spread(folds.map((f) => f.accuracy)),
    auc: spread(folds.map((f) => f.auc)),
    f1: spread(folds.map((f) => f.f1)),
  };
}
