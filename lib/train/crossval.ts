/**
 * Cross-validation: stratified k-fold grouped by read id, per-fold training and evaluation,
 * mean and spread of the metrics, out-of-fold predictions (for label cleaning), and a
 * hyperparameter grid where every combination is cross-validated. Resumable: finished folds
 * are read back, an interrupted fold continues from its checkpoint.
 * @module
 */
import { join } from "node:path";
import type { Sample } from "../data/dataset.ts";
import { computeMetrics, predict, type Prediction } from "../eval/evaluate.ts";
import { csvField } from "../data/dataset.ts";
import { readJson, statOrNull, writeJsonAtomic, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { makeSource } from "../features/inputs.ts";
import { defaultInput } from "../model/model.ts";
import { kFoldIndices } from "../data/split.ts";
import { trainModel } from "./train.ts";
import {
  keyOptions,
  optionDifferences,
  OVERRIDE_KEYS,
  type SavedOptions,
  type TrainOptions,
  withOverrides,
} from "./options.ts";
import { disposeModel } from "./optim.ts";

/** Options of a cross-validation. */
export interface CrossValOptions {
  /** Number of folds. */
  k?: number;
  /** Seed of the fold assignment. */
  seed?: number;
}

/** Cross-validation defaults: 5 folds. */
export const CROSSVAL_DEFAULTS: Required<CrossValOptions> = { k: 5, seed: 1 };

/** The metrics kept per fold. */
export interface FoldResult {
  fold: number;
  n: number;
  accuracy: number;
  auc: number;
  f1: number;
  precision: number;
  recall: number;
  loss: number;
  seconds: number;
}

/** Mean and standard deviation of one metric over folds. */
export interface Spread {
  mean: number;
  std: number;
}

/** Result of cross-validating one configuration. */
export interface CrossValResult {
  options: TrainOptions;
  folds: FoldResult[];
  accuracy: Spread;
  auc: Spread;
  f1: Spread;
}

/** Mean and sample standard deviation. */
export function spread(xs: number[]): Spread {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}

/** Everything one cross-validation needs. */
export interface CrossValRun {
  samples: Sample[];
  options: TrainOptions;
  cv?: CrossValOptions;
  /** Folder for per-fold checkpoints, metrics and out-of-fold predictions. */
  outDir: string;
  cacheDir?: string;
  signal?: AbortSignal;
  progress?: boolean;
  /** Called after each fold (finished or read back). */
  onFold?: (r: FoldResult) => void;
  /**
   * Train only these folds (0-based) and return null after them: several processes (or
   * machines) can share one folder's folds; a later run without it combines them.
   */
  onlyFolds?: number[];
  /**
   * Paths that may be trained on (e.g. a cleaned manifest's rows): the others stay out of every
   * fold's training part but are still scored, so the folds and the test rows are unchanged.
   * All images are trained on when absent.
   */
  trainOn?: ReadonlySet<string>;
}

/** Out-of-fold predictions as CSV `path,label,p_chimeric,fold` (the label cleaner's input). */
export function formatOof(preds: (Prediction & { fold: number })[]): string {
  const rows = preds.map((p) =>
    [p.path, p.y === 1 ? "chimeric" : "non_chimeric", p.p.toFixed(6), String(p.fold)]
      .map(csvField).join(",")
  );
  return ["path,label,p_chimeric,fold", ...rows].join("\n") + "\n";
}

/** Finished folds' out-of-fold predictions of a cross-validation folder, by fold number. */
export async function readFoldPredictions(outDir: string): Promise<Prediction[][]> {
  const folds: Prediction[][] = [];
  for (let f = 0;; f++) {
    const path = join(outDir, `fold-${f}`, "fold.json");
    if (!(await statOrNull(path))) break;
    folds.push((await readJson<{ predictions: Prediction[] }>(path)).predictions);
  }
  if (folds.length === 0) {
    throw new UserError(`${outDir}: no finished folds (fold-0/fold.json from \`deno task cv\`)`);
  }
  return folds;
}

/** What decides a cross-validation's folds and results, stored as `outDir/cv_key.json`. */
export interface CrossValKey {
  /** Training options ({@link keyOptions}), with the input representation filled in. */
  options: SavedOptions;
  /** Number of folds. */
  k: number;
  /** Seed of the fold assignment. */
  seed: number;
  /** Number of images. */
  images: number;
  /** SHA-256 of the images' paths and labels, in order. */
  samples: string;
  /** SHA-256 of the sorted paths that may be trained on ({@link CrossValRun.trainOn}), if limited. */
  trainOn?: string;
}

/** The key of a cross-validation of `samples` with `options` and fold settings `cv`. */
export async function crossValKey(
  samples: Sample[],
  options: TrainOptions,
  cv: Required<CrossValOptions>,
  trainOn?: ReadonlySet<string>,
): Promise<CrossValKey> {
  const text = samples.map((s) => `${s.path}\t${s.label}\n`).join("");
  const key: CrossValKey = {
    options: { ...keyOptions(options), input: options.input ?? defaultInput(options.model) },
    k: cv.k,
    seed: cv.seed,
    images: samples.length,
    samples: await sha256Hex(text),
  };
  if (trainOn) key.trainOn = await sha256Hex([...trainOn].sort().join("\n"));
  return key;
}

/** A short hash of a key (folder names: a new configuration never reads another's folds). */
export async function keyHash(key: CrossValKey): Promise<string> {
  return (await sha256Hex(JSON.stringify(key))).slice(0, 8);
}

/**
 * A configuration's own folder under `root`: `<model>-k<K>-n<images>-<hash of its key>`, so a
 * change of options, images or folds never reads back another configuration's folds.
 */
export async function configFolder(
  root: string,
  samples: Sample[],
  options: TrainOptions,
  cv: CrossValOptions = {},
): Promise<string> {
  const c = { ...CROSSVAL_DEFAULTS, ...cv };
  const hash = await keyHash(await crossValKey(samples, options, c));
  return join(root, `${options.model}-k${c.k}-n${samples.length}-${hash}`);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** How `given` differs from `saved`, as `name given (saved value)`; empty when they match. */
export function keyDifferences(saved: CrossValKey, given: CrossValKey): string[] {
  const out = optionDifferences(saved.options, given.options);
  for (const k of ["k", "seed", "images"] as const) {
    if (saved[k] !== given[k]) out.push(`${k} ${given[k]} (saved ${saved[k]})`);
  }
  if (out.length === 0 && saved.samples !== given.samples) out.push("other images or labels");
  if (saved.trainOn !== given.trainOn) out.push("other rows to train on (--train-on)");
  return out;
}

/**
 * Check `outDir`'s key against this run's (UserError naming the differences), or write it. A
 * folder with folds but no key (made before keys) is reused with a warning and gets the key.
 */
async function claimFolder(outDir: string, key: CrossValKey): Promise<void> {
  const path = join(outDir, "cv_key.json");
  if (await statOrNull(path)) {
    const differ = keyDifferences(await readJson<CrossValKey>(path), key);
    if (differ.length > 0) {
      throw new UserError(
        `${outDir}: made with other settings than this run: ${differ.join(", ")}; ` +
          "use another output folder (or delete this one to retrain)",
      );
    }
    return;
  }
  if (await statOrNull(join(outDir, "fold-0"))) {
    console.error(
      `warning: ${outDir} has folds but no cv_key.json (made before keys were kept); ` +
        "reusing them unchecked",
    );
  }
  await writeJsonAtomic(path, key);
}

/**
 * Cross-validate one configuration. Writes `outDir/cv_key.json` (refuses a folder made with
 * other options, data or folds), `outDir/fold-<i>/` (training run + fold.json),
 * `outDir/oof.csv` and `outDir/result.json`. Returns null when stopped by the signal.
 */
export async function crossValidate(run: CrossValRun): Promise<CrossValResult | null> {
  const cv = { ...CROSSVAL_DEFAULTS, ...run.cv };
  if (run.samples.length < cv.k) {
    throw new UserError(`${run.samples.length} images are too few for ${cv.k} folds`);
  }
  await claimFolder(run.outDir, await crossValKey(run.samples, run.options, cv, run.trainOn));
  const folds = kFoldIndices(run.samples, cv.k, cv.seed);
  const results: FoldResult[] = [];
  const oof: (Prediction & { fold: number })[] = [];
  const source = makeSource(run.options.input ?? defaultInput(run.options.model), {
    cacheDir: run.cacheDir,
  });
  for (let f = 0; f < cv.k; f++) {
    const dir = join(run.outDir, `fold-${f}`);
    const donePath = join(dir, "fold.json");
    if (await statOrNull(donePath)) {
      const done = await readJson<{ result: FoldResult; predictions: Prediction[] }>(donePath);
      results.push(done.result);
      oof.push(...done.predictions.map((p) => ({ ...p, fold: f })));
      run.onFold?.(done.result);
      continue;
    }
    if (run.onlyFolds && !run.onlyFolds.includes(f)) continue;
    const train = run.samples.filter((s, i) =>
      folds[i] !== f && (!run.trainOn || run.trainOn.has(s.path))
    );
    const val = run.samples.filter((_, i) => folds[i] === f);
    const started = performance.now();
    const resume = Boolean(await statOrNull(join(dir, "state.json")));
    if (run.progress) {
      console.error(
        `fold ${f + 1}/${cv.k}: ${train.length} train, ${val.length} validation${
          resume ? " (resuming)" : ""
        }`,
      );
    }
    const t = await trainModel({
      train,
      options: run.options,
      outDir: dir,
      resume,
      source,
      signal: run.signal,
      progress: run.progress,
    });
    if (t.stopped) return null;
    const preds = await predict(t.model, val, source);
    disposeModel(t.model);
    const m = computeMetrics(preds);
    const result: FoldResult = {
      fold: f,
      n: m.n,
      accuracy: m.accuracy,
      auc: m.auc,
      f1: m.f1,
      precision: m.precision,
      recall: m.recall,
      loss: m.loss,
      seconds: (performance.now() - started) / 1000,
    };
    await writeJsonAtomic(donePath, { result, predictions: preds });
    results.push(result);
    oof.push(...preds.map((p) => ({ ...p, fold: f })));
    run.onFold?.(result);
  }
  if (results.length < cv.k) return null;
  const out: CrossValResult = {
    options: run.options,
    folds: results,
    accuracy: spread(results.map((r) => r.accuracy)),
    auc: spread(results.map((r) => r.auc)),
    f1: spread(results.map((r) => r.f1)),
  };
  await writeTextAtomic(join(run.outDir, "oof.csv"), formatOof(oof));
  await writeJsonAtomic(join(run.outDir, "result.json"), out);
  return out;
}

/** A hyperparameter grid: option name -> values to try. */
export type Grid = Record<string, string[]>;

/** Parse `lr=1e-4,3e-4 batch=32,64 ...` into a grid; UserError for unknown keys or bad values. */
export function parseGrid(text: string): Grid {
  const grid: Grid = {};
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    if (!m) throw new UserError(`--grid: "${part}" is not key=v1,v2,...`);
    const [, key, values] = m;
    if (!(OVERRIDE_KEYS as readonly string[]).includes(key)) {
      throw new UserError(`--grid: unknown key "${key}" (known: ${OVERRIDE_KEYS.join(", ")})`);
    }
    grid[key] = values.split(",").filter(Boolean);
  }
  return grid;
}

/** Every combination of a grid, as settings objects (in a stable order). */
export function gridCombinations(grid: Grid): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const key of Object.keys(grid)) {
    combos = combos.flatMap((c) => grid[key].map((v) => ({ ...c, [key]: v })));
  }
  return combos;
}

/** A short folder-safe name of a grid setting, e.g. `lr=0.0001_batch=32`. */
export function settingName(setting: Record<string, string>): string {
  const parts = Object.entries(setting).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join("_").replace(/[^A-Za-z0-9=._-]/g, "-") : "base";
}

/** One row of a sweep's results table. */
export interface SweepRow {
  setting: Record<string, string>;
  name: string;
  result: CrossValResult;
}

/** Cross-validate one setting: its options, its folder and its name; null when stopped. */
export type SettingRunner = (
  options: TrainOptions,
  dir: string,
  name: string,
) => Promise<CrossValResult | null>;

/**
 * Cross-validate every grid setting applied to `base`, each in `outDir/<settingName>`, in
 * order. A setting whose options equal `reuse.options` takes `reuse.result` (e.g. the base
 * configuration's, already run) instead of training again. Null when a setting was stopped.
 */
export async function sweepGrid(
  base: TrainOptions,
  settings: Record<string, string>[],
  outDir: string,
  run: SettingRunner,
  reuse?: { options: TrainOptions; result: CrossValResult },
): Promise<SweepRow[] | null> {
  const rows: SweepRow[] = [];
  for (const setting of settings) {
    const options = withOverrides(base, setting);
    const name = settingName(setting);
    const same = reuse && optionDifferences(reuse.options, options).length === 0;
    const result = same ? reuse.result : await run(options, join(outDir, name), name);
    if (!result) return null;
    rows.push({ setting, name, result });
  }
  return rows;
}

/** Results table as CSV: setting columns, then mean and std of accuracy, AUC and F1. */
export function formatSweepCsv(rows: SweepRow[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.setting)))];
  const head = [
    ...keys,
    "acc_mean",
    "acc_std",
    "auc_mean",
    "auc_std",
    "f1_mean",
    "f1_std",
    "folds",
  ];
  const body = rows.map((r) =>
    [
      ...keys.map((k) => r.setting[k] ?? ""),
      ...[r.result.accuracy, r.result.auc, r.result.f1].flatMap((
        s,
      ) => [s.mean.toFixed(4), s.std.toFixed(4)]),
      String(r.result.folds.length),
    ].map(csvField).join(",")
  );
  return [head.join(","), ...body].join("\n") + "\n";
}

/** The best row by mean AUC (ties: higher mean accuracy). */
export function bestSetting(rows: SweepRow[]): SweepRow | undefined {
  return [...rows].sort((a, b) =>
    b.result.auc.mean - a.result.auc.mean || b.result.accuracy.mean - a.result.accuracy.mean
  )[0];
}
