/**
 * `deno task merge-buckets --calls|--depth --out FILE FILES...`: join the per-bucket outputs
 * of the genome-scale workflow (lib/calls/genome.ts): bucket calls TSVs into one sorted by read id,
 * or bucket medians TSVs (`classify --medians-only`) into the data set's typical depth D.
 * @module
 */
import { parseCommand, runMain, str } from "./args.ts";
import { writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { depthFromMedianFiles, mergeCallFiles } from "../calls/genome.ts";

const SPEC = {
  usage: "deno task merge-buckets (--calls | --depth) --out FILE BUCKET_FILE...",
  summary: "With --calls: join calls TSVs of `classify --paf - --bucket k/K` into one (one " +
    "header, rows sorted by read id; a read found in two files is an error). With --depth: " +
    "read medians TSVs of `classify --medians-only` and write the data set's typical depth D " +
    "(the median of all reads' medians, in full precision) for `classify --depth`.",
  options: {
    calls: { type: "boolean", help: "merge calls TSVs" },
    depth: { type: "boolean", help: "D from medians TSVs" },
    out: { type: "string", help: "output file (written atomically)" },
  },
  positionals: true,
} as const;

/** Run the command with `args`. */
export async function main(args: string[] = Deno.args): Promise<void> {
  const a = parseCommand(SPEC, args);
  const out = str(a, "out", true)!;
  if (Boolean(a.values.calls) === Boolean(a.values.depth)) {
    throw new UserError("give one of --calls or --depth; see --help");
  }
  if (a.positionals.length === 0) throw new UserError("give the bucket files to merge");
  const text = a.values.calls
    ? await mergeCallFiles(a.positionals)
    : `${await depthFromMedianFiles(a.positionals)}\n`;
  await writeTextAtomic(out, text);
}

if (import.meta.main) await runMain(() => main());
