/**
 * Classification of unlabelled charts: collecting image files from the paths a user gives,
 * the shipped default model, and calls straight from overlaps (charts drawn in memory, fed
 * to the model exactly as their PNG files would be).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { extname, join } from "node:path";
import { statOrNull, UserError } from "./fsutil.ts";
import type { FeatureSource, ImageProblem } from "./preprocess.ts";
import type { ChartClassifier, ChartItem, ReadCall } from "./pileogram.ts";
import { predictFeatures } from "./evaluate.ts";

/** The pretrained model shipped in the repository. */
export const DEFAULT_MODEL = new URL("../models/compact", import.meta.url).pathname;

/** Image file extensions picked up from folders. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

/**
 * Expand files and folders (recursively, sorted) into image files. Missing paths and
 * non-image files given explicitly are reported as problems; non-images inside folders are
 * skipped quietly only when they are hidden files.
 */
export async function collectImages(
  paths: string[],
): Promise<{ files: string[]; problems: ImageProblem[] }> {
  const files: string[] = [];
  const problems: ImageProblem[] = [];
  const walk = async (dir: string) => {
    const entries = [];
    for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) files.push(p);
      else problems.push({ path: p, reason: "skipped: not an image file" });
    }
  };
  for (const p of paths) {
    const info = await statOrNull(p);
    if (!info) problems.push({ path: p, reason: "no such file or folder" });
    else if (info.isDirectory) await walk(p);
    else files.push(p);
  }
  return { files, problems };
}

// ---------------------------------------------------------------- calls from overlaps

/** The shipped model's folder when it is there (models/compact), else null. */
export async function shippedModel(): Promise<string | null> {
  return (await statOrNull(join(DEFAULT_MODEL, "model.json"))) ||
      (await statOrNull(join(DEFAULT_MODEL, "model", "model.json")))
    ? DEFAULT_MODEL
    : null;
}

/**
 * The model's input for charts drawn in memory, stacked: each chart's grey pixels go through
 * `source.fromGrey`, the step a PNG file takes after decoding, so the model sees the same
 * features it would from the chart's PNG. Items need `grey` (callsFromPaf with input "grey").
 * A chart the source cannot read (a UserError, e.g. no curve) gets `ok` false and zeros in `x`.
 */
export function chartFeatures(
  items: ChartItem[],
  source: FeatureSource,
): { x: Float32Array; ok: boolean[] } {
  const size = source.shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(items.length * size);
  const ok = items.map((it, i) => {
    if (!it.grey) throw new Error(`chart of ${it.readId} was not drawn (use input "grey")`);
    try {
      x.set(source.fromGrey(it.grey, it.readId), i * size);
      return true;
    } catch (err) {
      if (err instanceof UserError) return false;
      throw err;
    }
  });
  return { x, ok };
}

/**
 * A classifier for `callsFromPaf(path, {input: "grey"}, ...)`: charts to features
 * (`chartFeatures`) to P(chimeric) (`predictFeatures`); NaN for a chart the source cannot read.
 */
export function chartClassifier(model: tf.LayersModel, source: FeatureSource): ChartClassifier {
  return (items) => {
    const { x, ok } = chartFeatures(items, source);
    const p = predictFeatures(model, x, items.length, source);
    return Promise.resolve(p.map((v, i) => (ok[i] ? v : NaN)));
  };
}

/** Columns of the calls TSV of `deno task classify --paf`. */
export const CALLS_HEADER = [
  "read_id",
  "read_len",
  "n_overlaps",
  "p_chimeric",
  "label",
  "rule_score",
  "rule_call",
  "status",
] as const;

/**
 * One row of the calls TSV (no newline): the model's P(chimeric) and label at `threshold`,
 * the coverage rule's score and call, and the status ("ok", "too_few_overlaps", or "no_curve"
 * when the model could not read the chart); fields that do not apply are empty.
 */
export function formatCall(c: ReadCall, threshold: number): string {
  const called = c.status === "ok";
  const p = c.pChimeric;
  const hasP = called && p !== undefined && Number.isFinite(p);
  const status = called && p !== undefined && !hasP ? "no_curve" : c.status;
  const verdict = (b: boolean) => (b ? "chimeric" : "non_chimeric");
  return [
    c.readId,
    c.readLen,
    c.nOverlaps,
    hasP ? p!.toFixed(4) : "",
    hasP ? verdict(p! >= threshold) : "",
    called && c.ruleScore !== null ? c.ruleScore.toFixed(3) : "",
    called && c.ruleCall !== null ? verdict(c.ruleCall) : "",
    status,
  ].join("\t");
}
