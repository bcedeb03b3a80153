/**
 * `deno task ensemble`: combine trained models into one that averages them, or score the
 * ensemble of several cross-validation runs made with the same folds.
 * @module
 */
import { parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { combineModels, ensembleCrossValidation } from "../train/ensemble.ts";
import { loadModel, modelDir, saveModel } from "../model/modelio.ts";
import { writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { join } from "node:path";

const SPEC = {
  usage: "deno task ensemble --out DIR RUN RUN [RUN...]\n" +
    "       deno task ensemble --cv CV_DIR,CV_DIR[,...] [--out DIR]",
  summary: "Combine trained models (run folders or model folders of one input " +
    "representation) into one TensorFlow.js model that averages their probabilities, saved " +
    "to DIR (use it with classify/evaluate --model DIR). With --cv, score instead the " +
    "ensemble of `deno task cv` runs made on the same data with the same --fold-seed (e.g. " +
    "different --seed): each fold's out-of-fold predictions averaged, per-fold and mean ± std " +
    "accuracy, ROC AUC and F1 (written to DIR/ensemble_cv.json with --out).",
  positionals: true,
  options: {
    out: { type: "string", help: "folder for the combined model (or the --cv figures)" },
    cv: { type: "string", help: "comma-separated cross-validation folders to score together" },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const cv = str(args, "cv");
  const out = str(args, "out");
  if (cv) {
    if (args.positionals.length) throw new UserError("give either --cv or model folders, not both");
    const r = await ensembleCrossValidation(cv.split(",").filter((d) => d !== ""));
    const f = (x: number) => x.toFixed(4);
    console.log("fold\tn\taccuracy\tauc\tf1");
    for (const x of r.folds) {
      console.log(`${x.fold}\t${x.n}\t${f(x.accuracy)}\t${f(x.auc)}\t${f(x.f1)}`);
    }
    console.log(
      `ensemble of ${r.members}: accuracy ${f(r.accuracy.mean)} ± ${f(r.accuracy.std)}, ` +
        `AUC ${f(r.auc.mean)} ± ${f(r.auc.std)}, F1 ${f(r.f1.mean)} ± ${f(r.f1.std)} ` +
        `over ${r.folds.length} folds`,
    );
    if (out) await writeJsonAtomic(join(out, "ensemble_cv.json"), r);
    return;
  }
  if (!out) throw new UserError("missing --out DIR for the combined model; run with --help");
  if (args.positionals.length < 2) {
    throw new UserError("give at least two run or model folders to combine");
  }
  await initBackend(args);
  const loaded = [];
  for (const p of args.positionals) loaded.push(await loadModel(await modelDir(p)));
  const input = JSON.stringify(loaded[0].meta.input);
  loaded.forEach((l, i) => {
    if (JSON.stringify(l.meta.input) !== input) {
      throw new UserError(
        `${args.positionals[i]}: input ${JSON.stringify(l.meta.input)} differs from ${input} ` +
          `(${args.positionals[0]})`,
      );
    }
  });
  const combined = await combineModels(loaded.map((l) => l.model));
  await saveModel(combined, out, {
    ...loaded[0].meta,
    ensemble: loaded.map((l, i) => ({ from: args.positionals[i], training: l.meta.training })),
    savedAt: new Date().toISOString(),
  });
  console.log(
    `combined ${loaded.length} models (${combined.countParams()} parameters) into ${out}`,
  );
});
