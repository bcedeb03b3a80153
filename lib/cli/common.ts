/**
 * Option groups and set-up shared by the training, evaluation and cross-validation commands:
 * where the labelled images come from (a folder or a manifest) and which tfjs backend runs.
 * @module
 */
import { num, type OptionSpec, type ParsedArgs, str } from "./args.ts";
import { listDataset, type ManifestRow, readManifest } from "../dataset.ts";
import { SPLIT_DEFAULTS, splitSamples } from "../split.ts";
import { randomSeed } from "../random.ts";
import { selectBackend } from "../backend.ts";
import { UserError } from "../fsutil.ts";

/** Options naming the input data. */
export const DATA_OPTIONS: Record<string, OptionSpec> = {
  data: { type: "string", help: "folder with one sub-folder per class (split on the fly)" },
  manifest: { type: "string", help: "manifest.csv from `deno task split` (or clean)" },
  positive: {
    type: "string",
    help: "comma-separated class folders labelled chimeric (with --data)",
    default: "chimeric",
  },
  "test-fraction": {
    type: "string",
    help: "test fraction when splitting --data",
    default: String(SPLIT_DEFAULTS.testFraction),
  },
  "split-seed": { type: "string", help: "seed of the split of --data (default: random, printed)" },
};

/** The option choosing the tfjs backend. */
export const BACKEND_OPTION: Record<string, OptionSpec> = {
  backend: {
    type: "string",
    help: "tfjs backend: tensorflow, wasm or cpu (default: the fastest that loads)",
  },
};

/** Rows with their split, from --manifest or by splitting --data. */
export async function loadRows(args: ParsedArgs): Promise<ManifestRow[]> {
  const manifest = str(args, "manifest");
  const data = str(args, "data");
  if (manifest && data) throw new UserError("give either --data or --manifest, not both");
  if (manifest) return await readManifest(manifest);
  if (!data) throw new UserError("missing --data DIR or --manifest FILE; run with --help");
  const { samples, report } = await listDataset(data, {
    positive: str(args, "positive")!.split(","),
  });
  for (const s of report.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
  const seed = num(args, "split-seed") ?? randomSeed();
  console.error(`split of ${data}: seed ${seed} (--split-seed ${seed} reproduces it)`);
  return splitSamples(samples, { testFraction: num(args, "test-fraction")!, seed });
}

/** Select the tfjs backend the command line asks for (or the best one) and return its name. */
export async function initBackend(args: ParsedArgs): Promise<string> {
  const b = str(args, "backend");
  if (b && !["tensorflow", "wasm", "cpu"].includes(b)) {
    throw new UserError(`--backend must be tensorflow, wasm or cpu, got "${b}"`);
  }
  return await selectBackend({ backend: b as "tensorflow" | "wasm" | "cpu" | undefined });
}
