/**
 * `deno task clean`: find duplicate images, read ids in several class folders,
 * near-duplicates and (given out-of-fold predictions) suspicious labels; write
 * OUT/label_issues.json and OUT/clean_manifest.csv. The images are only read.
 * @module
 */
import { join, resolve } from "node:path";
import { dataInput, num, parseCommand, runMain, str } from "./args.ts";
import { listDataset, type ManifestRow, readManifest, writeManifest } from "../data/dataset.ts";
import { cleanLabels, formatCleanSummary, labelIssuesDocument } from "../labels/labels.ts";
import {
  CLEAN_DEFAULTS,
  type CleanAction,
  type ConflictPolicy,
  NEAR_THRESHOLD,
  type NearMethod,
} from "../labels/issues.ts";
import { readOof } from "../labels/suspicious.ts";
import { writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { ProgressBar } from "../core/progress.ts";

const SPEC = {
  usage: "deno task clean --data DIR|--manifest FILE --out OUT [--oof FILE] " +
    "[--near-threshold N] [--action exclude|relabel]",
  summary: "Find label problems: byte- or pixel-identical images, the same read id in " +
    "several class folders, near-duplicates (drawn curves that differ in at most N% of " +
    "their columns), and with --oof (out-of-fold predictions, CSV with columns " +
    "path,p_chimeric or a JSON array of {path, p_chimeric}) suspicious labels " +
    "(confident learning). Writes OUT/label_issues.json and OUT/clean_manifest.csv " +
    "(path,class,label,split; rows from --data get split train). Copies that agree on " +
    "the label keep their first copy; copies that disagree are all dropped (--conflicts " +
    "positive keeps the chimeric one); near-duplicates are only reported unless " +
    "--near-action dedupe. The images are never modified.",
  options: {
    data: { type: "string", help: "folder with one sub-folder per class" },
    manifest: { type: "string", help: "manifest CSV (path,class,label,split) instead of --data" },
    out: { type: "string", help: "output folder" },
    oof: { type: "string", help: "out-of-fold predictions (CSV or JSON) for suspicious labels" },
    action: {
      type: "string",
      help: "suspicious labels: exclude the rows or relabel them",
      default: CLEAN_DEFAULTS.action,
    },
    conflicts: {
      type: "string",
      help: "copies with different labels: exclude all, or positive (keep the chimeric copy)",
      default: CLEAN_DEFAULTS.conflicts,
    },
    "near-method": {
      type: "string",
      help: "near-duplicate measure: curve (% of columns) or dhash (bits)",
      default: CLEAN_DEFAULTS.nearMethod,
    },
    "near-threshold": {
      type: "string",
      help: "largest near-duplicate distance, negative to skip (default: curve " +
        `${NEAR_THRESHOLD.curve}, dhash ${NEAR_THRESHOLD.dhash})`,
    },
    "near-action": {
      type: "string",
      help: "near-duplicates: report, or dedupe (drop all but one copy)",
      default: CLEAN_DEFAULTS.nearAction,
    },
    "min-margin": {
      type: "string",
      help: "act only on suspicious labels with p(preferred) - p(given) >= this (all are reported)",
      default: String(CLEAN_DEFAULTS.minMargin),
    },
    positive: {
      type: "string",
      help: "with --data: comma-separated class folders labelled chimeric",
      default: "chimeric",
    },
    concurrency: {
      type: "string",
      help: "images decoded at once",
      default: String(CLEAN_DEFAULTS.concurrency),
    },
  },
} as const;

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!allowed.includes(value as T)) {
    throw new UserError(`--${flag}: expected ${allowed.join(" or ")}, got "${value}"`);
  }
  return value as T;
}

await runMain(async () => {
  const args = parseCommand(SPEC);
  const { data, manifest } = dataInput(args);
  const out = str(args, "out", true)!;
  const action = oneOf<CleanAction>(str(args, "action")!, ["exclude", "relabel"], "action");
  const conflicts = oneOf<ConflictPolicy>(
    str(args, "conflicts")!,
    ["exclude", "positive"],
    "conflicts",
  );
  const nearMethod = oneOf<NearMethod>(
    str(args, "near-method")!,
    ["curve", "dhash"],
    "near-method",
  );
  const nearAction = oneOf(str(args, "near-action")!, ["report", "dedupe"] as const, "near-action");
  const nearThreshold = num(args, "near-threshold") ?? NEAR_THRESHOLD[nearMethod];
  const minMargin = num(args, "min-margin")!;
  if (!(minMargin >= -1 && minMargin <= 1)) {
    throw new UserError(`--min-margin: expected a number in [-1, 1], got ${minMargin}`);
  }
  const concurrency = num(args, "concurrency")!;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new UserError(`--concurrency: expected a whole number >= 1, got ${concurrency}`);
  }
  const oofPath = str(args, "oof");
  let rows: ManifestRow[];
  if (data) {
    if (resolve(out).startsWith(resolve(data) + "/") || resolve(out) === resolve(data)) {
      throw new UserError(
        `--out ${out} lies inside the data folder ${data}; choose another folder`,
      );
    }
    const { samples, report } = await listDataset(data, {
      positive: str(args, "positive")!.split(","),
    });
    for (const s of report.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
    rows = samples.map((s) => ({ ...s, path: resolve(s.path), split: "train" as const }));
  } else rows = await readManifest(manifest!);
  if (rows.length === 0) throw new UserError(`${manifest ?? data}: no images to check`);
  const oof = oofPath ? await readOof(oofPath) : undefined;
  if (oof) {
    const matched = rows.filter((r) => oof.has(r.path)).length;
    if (matched === 0) {
      throw new UserError(`${oofPath}: no prediction matches an image of the input (by path)`);
    }
    if (matched < rows.length) {
      console.error(`note: ${rows.length - matched} images have no prediction in ${oofPath}`);
    }
  }
  const bar = new ProgressBar(rows.length, { label: "decode" });
  const result = await cleanLabels(rows, oof, {
    action,
    conflicts,
    nearMethod,
    nearThreshold,
    nearAction,
    minMargin,
    concurrency,
    onProgress: () => bar.tick(),
  });
  bar.done();
  const options = { action, conflicts, nearMethod, nearThreshold, nearAction, minMargin };
  const input = { data, manifest, oof: oofPath };
  await writeJsonAtomic(
    join(out, "label_issues.json"),
    labelIssuesDocument(result, out, input, options),
  );
  await writeManifest(join(out, "clean_manifest.csv"), result.rows);
  console.log(formatCleanSummary(rows, result));
  if (result.thresholds) {
    const t = result.thresholds;
    console.log(
      `thresholds: chimeric ${t.chimeric.toFixed(3)}, non_chimeric ${
        t.non_chimeric.toFixed(3)
      } (${result.withPrediction} rows with predictions)`,
    );
  }
  console.log(`time: ${result.seconds.total.toFixed(1)} s`);
  console.log(`wrote ${join(out, "label_issues.json")} and ${join(out, "clean_manifest.csv")}`);
});
