/**
 * `deno task split`: split a thesis-layout folder into train/test and write manifest.csv.
 * @module
 */
import { join, resolve } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { listDataset, writeManifest } from "../data/dataset.ts";
import { SPLIT_DEFAULTS, splitSamples } from "../data/split.ts";
import { randomSeed } from "../core/random.ts";
import { copyThesisLayout, summarizeSplit } from "../data/split_io.ts";
import { UserError } from "../core/errors.ts";

const SPEC = {
  usage: "deno task split --data DIR --out OUT [--test-fraction F] [--seed N] [--copy]",
  summary: "Stratified train/test split of DIR/<class>/*.png, grouped by read id. Writes " +
    "OUT/manifest.csv (path,class,label,split); --copy also writes the thesis layout " +
    "OUT/train_data/{chimeric,non_chimeric} and OUT/test_data/... . DIR is never modified.",
  options: {
    data: { type: "string", help: "folder with one sub-folder per class" },
    out: { type: "string", help: "output folder" },
    "test-fraction": {
      type: "string",
      help: "fraction of each label in the test split",
      default: String(SPLIT_DEFAULTS.testFraction),
    },
    seed: { type: "string", help: "shuffle seed (default: a new random seed, printed)" },
    positive: {
      type: "string",
      help: "comma-separated class folders labelled chimeric",
      default: "chimeric",
    },
    copy: { type: "boolean", help: "also copy images into the thesis train_data/test_data layout" },
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const data = str(args, "data", true)!;
  const out = str(args, "out", true)!;
  const testFraction = num(args, "test-fraction")!;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new UserError(`--test-fraction must be between 0 and 1, got ${testFraction}`);
  }
  const seed = num(args, "seed") ?? randomSeed();
  if (resolve(out).startsWith(resolve(data) + "/") || resolve(out) === resolve(data)) {
    throw new UserError(`--out ${out} lies inside the data folder ${data}; choose another folder`);
  }
  const { samples, report } = await listDataset(data, {
    positive: str(args, "positive")!.split(","),
  });
  for (const s of report.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
  const rows = splitSamples(samples, { testFraction, seed });
  const manifest = join(out, "manifest.csv");
  await writeManifest(manifest, rows);
  console.log(`seed ${seed} (rerun with --seed ${seed} for the same split)`);
  console.log(summarizeSplit(rows));
  console.log(`wrote ${manifest} (${rows.length} rows)`);
  if (args.values.copy) {
    const n = await copyThesisLayout(rows, out);
    console.log(`copied ${n} images into ${join(out, "train_data")} and ${join(out, "test_data")}`);
  }
});
