/**
 * `deno task split-reads`: cut the reads the primary call flags at their junctions (coverage
 * gap, valley or foldback mirror point) and write the clean reads (lib/clean/).
 * @module
 */
import { resolve } from "node:path";
import { num, parseCommand, type ParsedArgs, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend, PAF_THREADS_OPTION, pafThreads } from "./common.ts";
import { statOrNull, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { loadForInference, modelDir } from "../model/modelio.ts";
import { DEFAULT_MODEL, pileClassifier } from "../calls/classify.ts";
import { callsFromPaf, type CallsResult } from "../calls/calls.ts";
import { type CallModel, loadCallModel } from "../calls/primary_call.ts";
import { PAF_PILES_DEFAULTS } from "../overlaps/pileogram.ts";
import {
  formatRegions,
  isFlagged,
  junctionsOf,
  reportHtml,
  SPLIT_DEFAULTS,
  type SplitMode,
  splitReadFile,
} from "../clean/mod.ts";

const SPEC = {
  usage: "deno task split-reads --paf OVERLAPS.paf[.gz] --in READS --out CLEAN " +
    "[--mode split|trim] [--min-length N] [--regions R.tsv] [--report R.html] [--model DIR] " +
    "[--threads N]",
  summary: "Call every read of the PAF (the primary call, as `classify --paf`), find the " +
    "junctions of the flagged reads (a coverage gap, cut out; a coverage valley or a " +
    "foldback's mirror point, cut at the point) and stream READS (FASTA or FASTQ, plain or " +
    "gzipped) to CLEAN (the same format, gzipped when it ends in .gz): each flagged read as " +
    "its pieces `>ID:BEGIN-END` (0-based, end exclusive, the read's coordinates; FASTQ keeps " +
    "the qualities), pieces shorter than --min-length dropped (--mode trim keeps only the " +
    "longest); every other read unchanged. CLEAN appears only when complete.",
  options: {
    paf: { type: "string", help: "PAF file of all-vs-all overlaps of the reads (plain or gz)" },
    in: { type: "string", help: "reads: FASTA or FASTQ, plain or gzipped" },
    out: { type: "string", help: "clean reads (.gz: gzipped)" },
    mode: { type: "string", help: "split (all pieces) or trim (the longest)", default: "split" },
    "min-length": {
      type: "string",
      help: "drop pieces shorter than this (bp)",
      default: String(SPLIT_DEFAULTS.minLength),
    },
    regions: { type: "string", help: "write read, begin, end, kind, score per junction here" },
    report: { type: "string", help: "write an HTML report here" },
    model: { type: "string", help: `model folder (default: the shipped one, ${DEFAULT_MODEL})` },
    "min-overlaps": {
      type: "string",
      help: "call only reads with at least this many overlaps",
      default: String(PAF_PILES_DEFAULTS.minOverlaps),
    },
    depth: { type: "string", help: "the data set's typical depth D (default: from the PAF)" },
    ...PAF_THREADS_OPTION,
    quiet: { type: "boolean", help: "no summary on stderr" },
    ...BACKEND_OPTION,
  },
} as const;

/** The primary call on every read of the PAF, with the model of `--model`. */
export async function modelCalls(
  args: ParsedArgs,
  paf: string,
): Promise<{ result: CallsResult; callModel: CallModel | null }> {
  const dir = await modelDir(str(args, "model") ?? DEFAULT_MODEL);
  await initBackend(args);
  const { model, meta } = await loadForInference(dir);
  const classify = pileClassifier(model, meta.input, dir);
  const callModel = await loadCallModel(dir);
  const depth = str(args, "depth") === undefined ? undefined : num(args, "depth")!;
  if (depth !== undefined && !(depth > 0)) {
    throw new UserError("--depth: expected a positive number");
  }
  const result = await callsFromPaf(paf, {
    columns: meta.input.kind === "pile" ? meta.input.columns : undefined,
    depthContext: meta.input.kind === "pile" ? meta.input.depth : undefined,
    minOverlaps: num(args, "min-overlaps"),
    depth,
    callModel: callModel ?? undefined,
    threads: pafThreads(args),
  }, classify);
  model.dispose();
  return { result, callModel };
}

/** Refuse an output that is the input (or its link), or a folder. */
async function checkPaths(input: string, out: string): Promise<void> {
  const inInfo = await statOrNull(input);
  if (!inInfo) throw new UserError(`${input}: file not found`);
  if (inInfo.isDirectory) throw new UserError(`${input}: expected a reads file, found a folder`);
  const outInfo = await statOrNull(out);
  if (outInfo?.isDirectory) throw new UserError(`${out}: is a folder; --out takes a file path`);
  const same = resolve(input) === resolve(out) ||
    (outInfo && (await Deno.realPath(input)) === (await Deno.realPath(out)));
  if (same) throw new UserError(`--out ${out} is the input file; give another path`);
}

/** Run the command with `argv`. */
export async function main(argv: string[] = Deno.args): Promise<void> {
  const args = parseCommand(SPEC, argv);
  const paf = str(args, "paf", true)!;
  const input = str(args, "in", true)!;
  const out = str(args, "out", true)!;
  const mode = str(args, "mode")! as SplitMode;
  if (mode !== "split" && mode !== "trim") {
    throw new UserError(`--mode: expected split or trim, got ${mode}`);
  }
  const minLength = num(args, "min-length")!;
  if (!(Number.isInteger(minLength) && minLength >= 0)) {
    throw new UserError(`--min-length: expected a whole number of bases, got ${minLength}`);
  }
  if (paf === "-") throw new UserError("--paf: split-reads reads the PAF twice; give a file");
  if (!(await statOrNull(paf))) throw new UserError(`${paf}: file not found`);
  await checkPaths(input, out);
  for (const flag of ["regions", "report"]) {
    const p = str(args, flag);
    if (p && (resolve(p) === resolve(input) || resolve(p) === resolve(out))) {
      throw new UserError(`--${flag} ${p} is the reads file or --out; give another path`);
    }
  }
  const quiet = Boolean(args.values.quiet);
  const started = performance.now();
  const { result, callModel } = await modelCalls(args, paf);
  const flagged = result.calls.filter(isFlagged);
  const junctions = await junctionsOf(paf, flagged);
  // an interrupted run: remove the temp file, so no partial output is left
  let tmp: string | null = null;
  const onSignal = () => {
    if (tmp) {
      try {
        Deno.removeSync(tmp);
      } catch { /* already gone */ }
    }
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  let summary;
  try {
    summary = await splitReadFile(
      input,
      out,
      new Set(result.calls.map((c) => c.readId)),
      junctions,
      { mode, minLength },
      (t) => (tmp = t),
    );
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
  const regions = str(args, "regions");
  if (regions) await writeTextAtomic(regions, formatRegions(junctions.values()));
  const report = str(args, "report");
  if (report) {
    await writeTextAtomic(
      report,
      reportHtml({
        calls: result.calls,
        junctions,
        summary,
        threshold: callModel?.threshold,
        command: `deno task split-reads ${argv.join(" ")}`,
      }),
    );
  }
  if (summary.missingReads > 0) {
    console.error(
      `warning: ${summary.missingReads} reads of ${paf} are not in ${input} (nothing written ` +
        "for them)",
    );
  }
  if (!quiet) {
    const s = summary;
    console.error(
      `${s.reads} reads (${s.format ?? "empty"}) in ${
        ((performance.now() - started) / 1000).toFixed(1)
      } s: ${s.flagged} flagged` + (callModel ? " by the primary call" : " by the coverage rule") +
        `, ${s.cut} cut into ${s.pieces} pieces (${s.dropped} shorter than ${minLength} bp ` +
        `dropped, ${s.removed} reads left with none); ${s.notInPaf} reads absent from the PAF ` +
        `passed through unchanged; ${s.basesOut} of ${s.basesIn} bases written to ${out}`,
    );
  }
}

if (import.meta.main) await runMain(() => main());
