/**
 * Classification of unlabelled charts: collecting image files from the paths a user gives,
 * the shipped default model, and the model and TSV side of calls straight from overlaps
 * (lib/calls/calls.ts: pile features, no chart drawn).
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { extname, join } from "node:path";
import { statOrNull } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import type { ImageProblem } from "../core/image.ts";
import type { PileClassifier, ReadCall } from "./calls.ts";
import type { InputSpec } from "../features/inputs.ts";
import { predictFeatures } from "../eval/evaluate.ts";
import { PILE_CHANNEL_COUNT } from "../features/pile_features.ts";
import { flipSequence as flipCurve } from "../features/sequence.ts";

/** The pretrained model shipped for calls from overlaps (`classify --paf`, `split-reads`). */
export const DEFAULT_MODEL = new URL("../../models/compact", import.meta.url).pathname;

/** The pretrained model shipped for charts (`classify PATH...`): better on charts, see its card. */
export const DEFAULT_CHART_MODEL = new URL("../../models/charts", import.meta.url).pathname;

/** Which shipped model: for calls from overlaps (models/compact) or for charts (models/charts). */
export type ShippedUse = "overlaps" | "charts";

/** The folder of the model shipped for each use. */
export const SHIPPED_MODELS: Record<ShippedUse, string> = {
  overlaps: DEFAULT_MODEL,
  charts: DEFAULT_CHART_MODEL,
};

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

/** The folder of the shipped model for `use` when it is there, else null. */
export async function shippedModel(use: ShippedUse = "overlaps"): Promise<string | null> {
  const dir = SHIPPED_MODELS[use];
  return (await statOrNull(join(dir, "model.json"))) ||
      (await statOrNull(join(dir, "model", "model.json")))
    ? dir
    : null;
}

// ---------------------------------------------------------------- calls from overlaps

/** A UserError naming `where` unless the model reads the pile input (calls from overlaps). */
export function requirePileInput(
  input: InputSpec,
  where: string,
): asserts input is Extract<InputSpec, { kind: "pile" }> {
  if (input.kind !== "pile") {
    throw new UserError(
      `${where}: this model reads the ${input.kind} input; calls from overlaps need a model ` +
        "trained on the pile input (the default of `deno task train`, and the shipped model)",
    );
  }
}

/**
 * A classifier for `callsFromPaf` (lib/calls/calls.ts): stacked pile inputs to P(chimeric)
 * (`predictFeatures`, flip-averaged). Only models trained on the pile input read piles; a
 * model of another input is a UserError naming `where`.
 */
export function pileClassifier(
  model: tf.LayersModel,
  input: InputSpec,
  where: string,
): PileClassifier {
  requirePileInput(input, where);
  const source = {
    shape: [input.columns, PILE_CHANNEL_COUNT],
    flip: (x: Float32Array) => flipCurve(x, input.columns, PILE_CHANNEL_COUNT),
  };
  return (x, n) => predictFeatures(model, x, n, source);
}

/** Columns of the calls TSV of `deno task classify --paf`. */
export const CALLS_HEADER = [
  "read_id",
  "read_len",
  "n_overlaps",
  "median",
  "p_chimeric",
  "label",
  "rule_score",
  "rule_call",
  "p_call",
  "call",
  "status",
] as const;

/**
 * One row of the calls TSV (no newline): the read's median coverage, the model's P(chimeric)
 * and label at `threshold`, the coverage rule's score and call, the primary call's p_call and
 * call, and the status ("ok", "too_few_overlaps", "invalid"); fields that do not apply are
 * empty.
 */
export function formatCall(c: ReadCall, threshold: number): string {
  const called = c.status === "ok";
  const verdict = (b: boolean) => (b ? "chimeric" : "non_chimeric");
  const p = called ? c.pChimeric : undefined;
  const q = called ? c.pCall : undefined;
  return [
    c.readId,
    c.readLen,
    c.nOverlaps,
    called && c.median !== null ? c.median.toFixed(1) : "",
    p !== undefined ? p.toFixed(4) : "",
    p !== undefined ? verdict(p >= threshold) : "",
    called && c.ruleScore !== null ? c.ruleScore.toFixed(3) : "",
    called && c.ruleCall !== null ? verdict(c.ruleCall) : "",
    q !== undefined ? q.toFixed(4) : "",
    q !== undefined && c.call !== undefined ? verdict(c.call) : "",
    c.status,
  ].join("\t");
}
