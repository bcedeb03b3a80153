/**
 * `deno task demo`: the main job on the embedded synthetic data (see lib/train/demo.ts).
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { DEMO_DEFAULTS, runDemo } from "../train/demo.ts";
import { formatMetrics } from "../eval/evaluate.ts";
import { UserError } from "../core/errors.ts";

const SPEC = {
  usage: "deno task demo [--out DIR] [--per-class N] [--epochs N] [--seed N]",
  summary: "Generate labelled synthetic pile-o-grams, split them 75/25, train the compact " +
    "model, evaluate it on the test split, and write the model, metrics.json and plots " +
    "(training curves, ROC, confusion matrix) to the run folder.",
  options: {
    out: { type: "string", help: "run folder", default: DEMO_DEFAULTS.out },
    "per-class": {
      type: "string",
      help: "synthetic charts per class",
      default: String(DEMO_DEFAULTS.perClass),
    },
    epochs: { type: "string", help: "training epochs", default: String(DEMO_DEFAULTS.epochs) },
    seed: {
      type: "string",
      help: "seed of data, split and training",
      default: String(DEMO_DEFAULTS.seed),
    },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const out = str(args, "out")!;
  const count = (name: string) => {
    const n = num(args, name);
    if (n !== undefined && !(Number.isInteger(n) && n >= 1)) {
      throw new UserError(`--${name}: expected a whole number >= 1, got ${n}`);
    }
    return n;
  };
  const perClass = count("per-class"), epochs = count("epochs"), seed = num(args, "seed");
  await initBackend(args);
  const r = await runDemo({ out, perClass, epochs, seed });
  console.log(`\nTest split of ${r.dataDir}:\n${formatMetrics(r.metrics)}\n`);
  console.log(`model: ${join(out, "model")}\nmetrics: ${join(out, "metrics.json")}`);
  for (const p of r.plots) console.log(`plot: ${p}`);
});
