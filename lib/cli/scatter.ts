/**
 * `deno task scatter --paf P|- --buckets K --out DIR`: split a PAF input into K gzipped
 * bucket files by read-id hash (lib/overlaps/scatter.ts), the workflow's shuffle between minimap2
 * shards and per-bucket calls.
 * @module
 */
import { num, parseCommand, runMain, str } from "./args.ts";
import { statOrNull } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { inputLabel } from "../overlaps/paf_engine.ts";
import { bucketFile, SCATTER_DEFAULTS, scatterPaf } from "../overlaps/scatter.ts";

const SPEC = {
  usage: "deno task scatter --paf OVERLAPS.paf[.gz]|- --buckets K --out DIR",
  summary: "Write DIR/bucket-<k>.paf.gz for k = 0..K-1: every PAF line goes into the bucket " +
    "of its query and the bucket of its target (hashId(read id) mod K; once when both are " +
    "in the same bucket), so bucket k holds all overlaps of its reads. `--paf -` reads " +
    "stdin (e.g. minimap2's output); gzip input is detected. Files are written atomically.",
  options: {
    paf: { type: "string", help: "PAF input (plain or gzip), or - for stdin" },
    buckets: { type: "string", help: "number of buckets K" },
    out: { type: "string", help: "output folder for the bucket files" },
    level: {
      type: "string",
      help: "gzip level of the bucket files",
      default: String(SCATTER_DEFAULTS.level),
    },
    quiet: { type: "boolean", help: "no summary on stderr" },
  },
} as const;

/** Run the command with `args`. */
export async function main(args: string[] = Deno.args): Promise<void> {
  const a = parseCommand(SPEC, args);
  const paf = str(a, "paf", true)!;
  const out = str(a, "out", true)!;
  const K = num(a, "buckets");
  if (K === undefined || !Number.isInteger(K) || K < 1) {
    throw new UserError(`--buckets: expected a positive integer, got ${str(a, "buckets")}`);
  }
  const level = num(a, "level")!;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new UserError(`--level: expected a gzip level 0-9, got ${level}`);
  }
  if ((await statOrNull(out))?.isFile) throw new UserError(`${out}: exists and is not a folder`);
  const t0 = performance.now();
  const r = await scatterPaf(paf, K, out, { level });
  if (!a.values.quiet) {
    const s = (performance.now() - t0) / 1000;
    console.error(
      `${inputLabel(paf)}: ${r.lines} lines in ${s.toFixed(1)} s into ${K} buckets ` +
        `(${out}/${bucketFile(0)} ...; lines per bucket ${Math.min(...r.perBucket)}-` +
        `${Math.max(...r.perBucket)})`,
    );
  }
}

if (import.meta.main) await runMain(() => main());
