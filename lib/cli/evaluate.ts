/**
 * `deno task evaluate`: metrics of a trained model on labelled images.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend, loadSamples } from "./common.ts";
import {
  computeMetrics,
  errorsByGroup,
  formatGroupErrors,
  formatMetrics,
  predict,
} from "../eval/evaluate.ts";
import { depthGroup, speciesPrefix } from "../features/pile_source.ts";
import { loadModel, modelDir } from "../model/modelio.ts";
import { makeSource } from "../features/inputs.ts";
import { writeJsonAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { saveRunPlots } from "../train/report.ts";

const SPEC = {
  usage:
    "deno task evaluate --model RUN --data DIR|--manifest FILE [--split test|train|all] [--out DIR]",
  summary: "Evaluate a trained model: confusion matrix, accuracy, precision, recall and F1 for " +
    "the chimeric class, ROC AUC, and the misclassified files. With --data every image in DIR " +
    "is used; with --manifest the --split rows. Writes metrics.json and plots to --out " +
    "(default: RUN/eval), and where the errors are: by class folder and by species (the " +
    'file-name prefix before the first "_").',
  options: {
    model: { type: "string", help: "run folder (RUN or RUN/model) or a model.json" },
    data: { type: "string", help: "folder with one sub-folder per class" },
    manifest: { type: "string", help: "manifest.csv" },
    split: { type: "string", help: "which manifest rows: test, train or all", default: "test" },
    positive: {
      type: "string",
      help: "class folders labelled chimeric (with --data)",
      default: "chimeric",
    },
    out: { type: "string", help: "output folder (default: RUN/eval)" },
    threshold: { type: "string", help: "decision threshold on p(chimeric)", default: "0.5" },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const run = str(args, "model", true)!;
  const split = str(args, "split")!;
  if (!["test", "train", "all"].includes(split)) {
    throw new UserError(`--split must be test, train or all`);
  }
  const threshold = Number(str(args, "threshold"));
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`--threshold must be in [0, 1]`);
  await initBackend(args);
  const { model, meta } = await loadModel(await modelDir(run));
  const samples = await loadSamples(args, split as "train" | "test" | "all");
  if (samples.length === 0) throw new UserError("no images to evaluate");
  const source = makeSource(meta.input);
  const preds = await predict(model, samples, source, {
    progress: true,
    onProblem: (p) => console.error(`skipped unreadable image ${p.path}: ${p.reason}`),
  });
  const metrics = computeMetrics(preds, threshold);
  const groups = {
    folder: errorsByGroup(preds, (p) => basename(dirname(p)), threshold),
    species: errorsByGroup(preds, (p) => speciesPrefix(p) ?? depthGroup(p), threshold),
  };
  const out = str(args, "out") ?? join(run, "eval");
  await writeJsonAtomic(join(out, "metrics.json"), { model: meta.model, ...metrics, groups });
  await saveRunPlots(out, { metrics });
  console.log(formatMetrics(metrics));
  console.log(`\n${formatGroupErrors("errors by class folder:", groups.folder)}`);
  console.log(
    `\n${formatGroupErrors("errors by species (file-name prefix, else folder):", groups.species)}`,
  );
  console.log(`\nwrote ${join(out, "metrics.json")}`);
});
