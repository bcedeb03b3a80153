/**
 * `deno task cv`: k-fold cross-validation of one setting or a hyperparameter grid.
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import {
  BACKEND_OPTION,
  initBackend,
  loadSamples,
  TRAIN_FLAGS,
  TRAIN_ON_OPTION,
  trainOnPaths,
  trainOptionsFrom,
} from "./common.ts";
import {
  bestSetting,
  CROSSVAL_DEFAULTS,
  crossValidate,
  formatSweepCsv,
  gridCombinations,
  parseGrid,
  settingName,
  type SweepRow,
} from "../train/crossval.ts";
import { withOverrides } from "../train/options.ts";
import { writeJsonAtomic, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { saveRunPlots } from "../train/report.ts";

const SPEC = {
  usage:
    "deno task cv --data DIR|--manifest FILE --out OUT [--folds K] [--grid 'lr=1e-4,3e-4 batch=32,64 ...']",
  summary: "Stratified k-fold cross-validation grouped by read id. Every grid combination is " +
    "cross-validated; results go to OUT/cv.json, OUT/cv.csv and a plot, with the best setting " +
    "named with its spread. Interrupted sweeps continue where they stopped (finished folds are " +
    "not retrained). Grid keys are the training flags (lr, batch, model, resize, size, epochs, optimizer, seed, ...).",
  options: {
    data: { type: "string", help: "folder with one sub-folder per class" },
    manifest: { type: "string", help: "manifest.csv (all rows are used, whatever their split)" },
    positive: {
      type: "string",
      help: "class folders labelled chimeric (with --data)",
      default: "chimeric",
    },
    out: { type: "string", help: "output folder" },
    "only-folds": {
      type: "string",
      help: "train only these folds (0-based, e.g. 0,2,4), so that several processes share " +
        "the folder; run again without it to combine them",
    },
    folds: { type: "string", help: "number of folds", default: String(CROSSVAL_DEFAULTS.k) },
    "fold-seed": {
      type: "string",
      help: "seed of the fold assignment",
      default: String(CROSSVAL_DEFAULTS.seed),
    },
    grid: {
      type: "string",
      help: "hyperparameter grid, e.g. 'lr=1e-4,3e-4 model=compact,alexnet'",
    },
    ...TRAIN_ON_OPTION,
    ...TRAIN_FLAGS,
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const out = str(args, "out", true)!;
  const k = num(args, "folds")!;
  if (!Number.isInteger(k) || k < 2) {
    throw new UserError(`--folds must be an integer >= 2, got ${k}`);
  }
  const onlyText = str(args, "only-folds");
  const onlyFolds = onlyText?.split(",").map((t) => Number(t.trim()));
  if (onlyFolds?.some((f) => !Number.isInteger(f) || f < 0 || f >= k)) {
    throw new UserError(`--only-folds: expected fold numbers from 0 to ${k - 1}, got ${onlyText}`);
  }
  const grid = parseGrid(str(args, "grid") ?? "");
  const base = trainOptionsFrom(args);
  const settings = gridCombinations(grid);
  settings.forEach((s) => withOverrides(base, s)); // validate the whole grid before any training
  const samples = await loadSamples(args);
  const trainOn = await trainOnPaths(args, samples);
  const backend = await initBackend(args);
  console.error(
    `backend ${backend}; ${samples.length} images, ${k} folds, ${settings.length} setting(s)` +
      (trainOn ? `; ${samples.length - trainOn.size} kept out of training (--train-on)` : ""),
  );
  const controller = new AbortController();
  const onSigint =
    () => (console.error("\nstopping (finished folds are kept) ..."), controller.abort());
  Deno.addSignalListener("SIGINT", onSigint);
  const rows: SweepRow[] = [];
  for (const setting of settings) {
    const name = settingName(setting);
    console.error(`\n== ${name}`);
    const result = await crossValidate({
      samples,
      options: withOverrides(base, setting),
      cv: { k, seed: num(args, "fold-seed")! },
      outDir: settings.length > 1 ? join(out, name) : out,
      cacheDir: str(args, "cache"),
      signal: controller.signal,
      onlyFolds,
      trainOn,
      progress: true,
      onFold: (r) =>
        console.error(
          `fold ${r.fold + 1}: accuracy ${r.accuracy.toFixed(4)} AUC ${r.auc.toFixed(4)} F1 ${
            r.f1.toFixed(4)
          }`,
        ),
    });
    if (!result && onlyFolds && !controller.signal.aborted) {
      console.log(`folds ${onlyText} done; run without --only-folds to combine all folds`);
      continue;
    }
    if (!result) {
      console.log(`stopped; run the same command again to continue`);
      Deno.exit(130);
    }
    rows.push({ setting, name, result });
  }
  Deno.removeSignalListener("SIGINT", onSigint);
  if (onlyFolds) return;
  await writeJsonAtomic(join(out, "cv.json"), rows);
  await writeTextAtomic(join(out, "cv.csv"), formatSweepCsv(rows));
  await saveRunPlots(out, { sweep: rows });
  const f = (s: { mean: number; std: number }) => `${s.mean.toFixed(4)} ± ${s.std.toFixed(4)}`;
  console.log("setting\taccuracy\tAUC\tF1");
  for (const r of rows) {
    console.log(`${r.name}\t${f(r.result.accuracy)}\t${f(r.result.auc)}\t${f(r.result.f1)}`);
  }
  const best = bestSetting(rows)!;
  console.log(
    `\nbest: ${best.name} — accuracy ${f(best.result.accuracy)}, AUC ${
      f(best.result.auc)
    } (mean ± std over ${k} folds)`,
  );
  console.log(`wrote ${join(out, "cv.json")}, ${join(out, "cv.csv")}, ${join(out, "oof.csv")}`);
});
