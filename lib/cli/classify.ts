/**
 * `deno task classify`: p(chimeric) for image files or folders, as TSV on stdout; or, with
 * `--paf`, chimeric calls straight from minimap2 overlaps (charts drawn in memory, the
 * coverage-rule baseline beside the model).
 * @module
 */
import { num, parseCommand, type ParsedArgs, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend, PAF_THREADS_OPTION, pafThreads } from "./common.ts";
import { predict } from "../eval/evaluate.ts";
import { loadForInference, modelDir, readModelMeta } from "../model/modelio.ts";
import { makeSource } from "../features/inputs.ts";
import { unlabelledSamples } from "../data/dataset.ts";
import { readTextOrFail, statOrNull, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { ProgressBar } from "../core/progress.ts";
import { PAF_PILES_DEFAULTS } from "../overlaps/pileogram.ts";
import { CALLS_DEFAULTS, callsFromPaf, type ReadCall } from "../calls/calls.ts";
import { parseBucket } from "../overlaps/paf_engine.ts";
import { formatMedians, readMedians } from "../calls/genome.ts";
import { loadCallModel } from "../calls/primary_call.ts";
// the modules themselves, not clean/mod.ts: its HTML report would load the plotting libraries
import { isFlagged, junctionsOf } from "../clean/split.ts";
import { yacrdReport } from "../clean/yacrd.ts";
import {
  CALLS_HEADER,
  collectImages,
  DEFAULT_CHART_MODEL,
  DEFAULT_MODEL,
  formatCall,
  pileClassifier,
  requirePileInput,
  SHIPPED_MODELS,
  shippedModel,
  type ShippedUse,
} from "../calls/classify.ts";

const SPEC = {
  usage: "deno task classify [--model RUN] PATH...\n" +
    "       deno task classify --paf OVERLAPS.paf[.gz]|- [--model RUN] [--reads ID,ID|--reads-file F] " +
    "[--min-overlaps N] [--threshold T] [--bucket k/K] [--depth D] [--medians-only] " +
    "[--model-reads needed|all] [--settle P] [--threads N] [--format tsv|yacrd] [--out calls.tsv] " +
    "[--timings]",
  summary: "Classify pile-o-gram images (files, or folders searched recursively). Prints TSV " +
    "`path<TAB>p_chimeric<TAB>label` to stdout, one row per image; unreadable files are " +
    "reported on stderr.\n\nWith --paf, calls every read of a PAF file of all-vs-all overlaps " +
    "(minimap2 -x ava-ont reads reads) without drawing anything: each read's pile goes " +
    "through Raven's valid-region step and the model reads it in coverage units, relative " +
    "to the data set's typical depth D (the median of the reads' median coverage; --depth " +
    "sets it). Prints TSV `read_id, read_len, n_overlaps, median, p_chimeric, label, " +
    "rule_score, rule_call, p_call, call, status` sorted by read id (to --out, written " +
    "atomically, or stdout). `call` is the project's primary call: p_call combines the " +
    "model with the coverage evidence, calibrated on a simulated read set (the model's " +
    "call.json); `label` is the model alone at --threshold and rule_* the model-free " +
    "coverage-valley rule. By default the model reads only the reads whose call it can change " +
    "or whose p_call it can move by more than --settle (the others are settled by the " +
    "coverage evidence whatever the model says; their p_chimeric and label stay empty; " +
    "--model-reads all runs it on every called read). Reads with fewer than --min-overlaps overlaps get status " +
    "too_few_overlaps, reads without 1,260 bp at coverage >= 4 status invalid; neither is " +
    "called.",
  options: {
    model: {
      type: "string",
      help: `run folder or model folder (default: the shipped one, ${DEFAULT_CHART_MODEL} for ` +
        `images, ${DEFAULT_MODEL} with --paf)`,
    },
    threshold: { type: "string", help: "decision threshold on p(chimeric)", default: "0.5" },
    paf: { type: "string", help: "PAF file of overlaps: call its reads instead of images" },
    reads: { type: "string", help: "with --paf: comma-separated read ids to call (default: all)" },
    "reads-file": { type: "string", help: "with --paf: file of read ids to call, one per line" },
    "min-overlaps": {
      type: "string",
      help: "with --paf: call only reads with at least this many overlaps",
      default: String(PAF_PILES_DEFAULTS.minOverlaps),
    },
    bucket: {
      type: "string",
      help: "with --paf: call only the reads with hashId(id) mod K = k (k/K; memory bounded " +
        "by the bucket; give the global --depth so that the buckets' calls join into one run's)",
    },
    "medians-only": {
      type: "boolean",
      help: "with --paf: no model; write read_id<TAB>median of the reads that would be called " +
        "(for `deno task merge-buckets --depth`, the global D of a bucketed run)",
    },
    depth: {
      type: "string",
      help: "with --paf: the data set's typical depth D (default: the median of the reads' " +
        "medians in this file)",
    },
    rate: {
      type: "string",
      help: "with --paf: expected chimera rate to calibrate p_call to (default: the rate " +
        "call.json was fitted at)",
    },
    "model-reads": {
      type: "string",
      help: "with --paf: needed (run the model only on the reads whose call it can change or " +
        "whose p_call it can move by more than --settle; p_chimeric and label stay empty for " +
        "the others) or all",
      default: CALLS_DEFAULTS.modelReads,
    },
    settle: {
      type: "string",
      help: "with --paf --model-reads needed: leave the model out where it cannot change the " +
        "call and moves p_call by at most this much (their p_call is the one at P(chimeric) 0.5)",
      default: String(CALLS_DEFAULTS.settle),
    },
    out: { type: "string", help: "with --paf: write the calls TSV here instead of stdout" },
    format: {
      type: "string",
      help: "with --paf: tsv (the calls) or yacrd (yacrd's report: NotCovered by yacrd's " +
        "rule, Chimeric by the primary call with its junctions among the regions, NotBad)",
      default: "tsv",
    },
    ...PAF_THREADS_OPTION,
    quiet: { type: "boolean", help: "no progress bar or summary on stderr" },
    timings: {
      type: "boolean",
      help: "with --paf: print where the time went on stderr (start and model, piles, " +
        "evidence, model, writing)",
    },
    ...BACKEND_OPTION,
  },
  positionals: true,
} as const;

/** The model folder: --model, else the one shipped for `use` (a clear error when it is not there). */
async function chosenModel(args: ParsedArgs, use: ShippedUse): Promise<string> {
  const given = str(args, "model");
  if (given) return await modelDir(given);
  const shipped = await shippedModel(use);
  if (!shipped) {
    throw new UserError(
      `no --model given and the shipped model (${SHIPPED_MODELS[use]}) is not there; ` +
        "give --model RUN_OR_MODEL_DIR (a `deno task train` run folder or its model folder)",
    );
  }
  return await modelDir(shipped);
}

/** Read ids from --reads and --reads-file (undefined: all reads). */
async function readIds(args: ParsedArgs): Promise<string[] | undefined> {
  const list = str(args, "reads");
  const file = str(args, "reads-file");
  if (list && file) throw new UserError("give either --reads or --reads-file, not both");
  if (list) return list.split(",").map((s) => s.trim()).filter(Boolean);
  if (!file) return undefined;
  const ids = (await readTextOrFail(file, "file of read ids")).split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (ids.length === 0) throw new UserError(`${file}: no read ids in it (one per line)`);
  return ids;
}

/** `classify --paf`: calls per read from overlaps. */
async function classifyPaf(args: ParsedArgs, threshold: number): Promise<void> {
  const paf = str(args, "paf", true)!;
  if (args.positionals.length) {
    throw new UserError(
      `--paf classifies the reads of a PAF file; image paths (${args.positionals[0]}) go in a ` +
        "separate run",
    );
  }
  const info = paf === "-" ? null : await statOrNull(paf);
  if (paf !== "-" && !info) throw new UserError(`${paf}: file not found`);
  if (info && !info.isFile) throw new UserError(`${paf}: expected a PAF file, found a folder`);
  const bucketArg = str(args, "bucket");
  const bucket = bucketArg === undefined ? undefined : parseBucket(bucketArg);
  const out = str(args, "out");
  if (out && (await statOrNull(out))?.isDirectory) {
    throw new UserError(`${out}: is a folder; --out takes the path of the calls TSV`);
  }
  const minOverlaps = num(args, "min-overlaps")!;
  if (!Number.isInteger(minOverlaps) || minOverlaps < 1) {
    throw new UserError(`--min-overlaps: expected a positive integer, got ${minOverlaps}`);
  }
  const depth = str(args, "depth") === undefined ? undefined : num(args, "depth")!;
  if (depth !== undefined && !(depth > 0)) {
    throw new UserError(`--depth: expected a positive number, got ${str(args, "depth")}`);
  }
  const rate = str(args, "rate") === undefined ? undefined : num(args, "rate")!;
  if (rate !== undefined && !(rate > 0 && rate < 1)) {
    throw new UserError(
      `--rate: expected a chimera rate between 0 and 1, got ${str(args, "rate")}`,
    );
  }
  const format = str(args, "format")!;
  if (format !== "tsv" && format !== "yacrd") {
    throw new UserError(`--format: expected tsv or yacrd, got ${format}`);
  }
  if (format === "yacrd" && paf === "-") {
    throw new UserError("--format yacrd reads the PAF twice: give a file, not stdin");
  }
  const modelReads = str(args, "model-reads")!;
  if (modelReads !== "needed" && modelReads !== "all") {
    throw new UserError(`--model-reads: expected needed or all, got ${modelReads}`);
  }
  const settle = num(args, "settle")!;
  if (!(settle >= 0 && settle <= 1)) {
    throw new UserError(`--settle: expected a number in [0, 1], got ${str(args, "settle")}`);
  }
  const threads = pafThreads(args);
  const reads = await readIds(args);
  const quiet = Boolean(args.values.quiet);
  if (args.values["medians-only"]) {
    const text = formatMedians(await readMedians(paf, { minOverlaps, reads, bucket, threads }));
    if (out) await writeTextAtomic(out, text);
    else await Deno.stdout.write(new TextEncoder().encode(text));
    return;
  }
  const dir = await chosenModel(args, "overlaps");
  const callModel = await loadCallModel(dir);
  // The backend and the model load while the file is read: model.json's metadata says how
  // the piles are drawn (a model saved elsewhere has none, and loads first).
  const saved = await readModelMeta(dir);
  if (saved) requirePileInput(saved.input, dir);
  const loading = (async () => {
    // the model reads a few % of the reads: a helper thread would cost more than it saves
    await initBackend(args, 1);
    const loaded = await loadForInference(dir);
    return { ...loaded, classify: pileClassifier(loaded.model, loaded.meta.input, dir) };
  })();
  const classifying = loading.then((l) => l.classify);
  // their errors are thrown where they are awaited, once the file is read
  for (const p of [loading, classifying]) p.catch(() => {});
  const meta = saved ?? (await loading).meta;
  if (!quiet) {
    console.error(
      `model ${dir} (${meta.model}, ${meta.input.kind} input)` +
        (callModel ? "" : "; no call.json beside it, so no primary call"),
    );
  }
  let bar: ProgressBar | null = null;
  const started = performance.now();
  const stages: [string, number][] = [["start and model load", started]];
  const { calls, depth: usedDepth } = await callsFromPaf(paf, {
    columns: meta.input.kind === "pile" ? meta.input.columns : undefined,
    depthContext: meta.input.kind === "pile" ? meta.input.depth : undefined,
    minOverlaps,
    reads,
    bucket,
    depth,
    rate,
    callModel: callModel ?? undefined,
    modelReads,
    settle,
    threads,
    onIndexed: (n) => {
      if (!quiet && n > 256) bar = new ProgressBar(n, { label: "piles" });
    },
    onRead: () => (bar as ProgressBar | null)?.tick(),
    onStage: (stage) => stages.push([stage, performance.now()]),
  }, classifying);
  (bar as ProgressBar | null)?.done();
  (await loading).model.dispose();
  const text = format === "yacrd"
    ? await yacrdReport(paf, calls, await junctionsOf(paf, calls.filter(isFlagged)))
    : [CALLS_HEADER.join("\t"), ...calls.map((c) => formatCall(c, threshold))].join("\n") + "\n";
  if (out) await writeTextAtomic(out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
  stages.push(["sorting and writing", performance.now()]);
  if (args.values.timings) console.error(formatTimings(stages, calls));
  if (!quiet) {
    const count = (f: (c: (typeof calls)[number]) => boolean) => calls.filter(f).length;
    const ok = count((c) => c.status === "ok");
    console.error(
      `${calls.length} reads in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `typical depth D ${usedDepth.toFixed(1)}: ${ok} called` +
        (callModel ? `, ${count((c) => c.call === true)} chimeric by the primary call` : "") +
        ` (${count((c) => c.pChimeric !== undefined && c.pChimeric >= threshold)} by the ` +
        `model alone at p >= ${threshold}, ${count((c) => c.ruleCall === true)} by the ` +
        `coverage rule); the model read ${count((c) => c.pChimeric !== undefined)} of the ` +
        `called reads (--model-reads ${modelReads}); ` +
        `${count((c) => c.status === "too_few_overlaps")} with fewer than ` +
        `${minOverlaps} overlaps, ${count((c) => c.status === "invalid")} invalid` +
        (out ? `; calls in ${out}` : ""),
    );
  }
}

/**
 * Where the time of `classify --paf` went: each stage's seconds from the end of the one before
 * (the first from the process's start), and the reads the model read.
 */
function formatTimings(stages: [string, number][], calls: ReadCall[]): string {
  const parts = stages.map(([name, t], i) => {
    const from = i === 0 ? 0 : stages[i - 1][1];
    const what = name === "model"
      ? `model (${calls.filter((c) => c.pChimeric !== undefined).length} reads)`
      : name;
    return `${what} ${((t - from) / 1000).toFixed(2)} s`;
  });
  return `timings: ${parts.join(", ")}`;
}

/** `classify PATH...`: p(chimeric) per image file. */
async function classifyImages(args: ParsedArgs, threshold: number): Promise<void> {
  if (args.positionals.length === 0) {
    throw new UserError("give at least one image file or folder (or --paf FILE)");
  }
  for (const flag of ["reads", "reads-file", "out"]) {
    if (str(args, flag)) throw new UserError(`--${flag} goes with --paf`);
  }
  await initBackend(args);
  const { files, problems } = await collectImages(args.positionals);
  for (const p of problems) console.error(`${p.path}: ${p.reason}`);
  const { model, meta } = await loadForInference(await chosenModel(args, "charts"));
  const preds = await predict(model, unlabelledSamples(files), makeSource(meta.input), {
    progress: files.length > 256,
    onProblem: (p) => console.error(`${p.path}: ${p.reason}`),
  });
  const lines = ["path\tp_chimeric\tlabel"];
  for (const p of preds) {
    lines.push(`${p.path}\t${p.p.toFixed(4)}\t${p.p >= threshold ? "chimeric" : "non_chimeric"}`);
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  if (problems.length + (files.length - preds.length) > 0) Deno.exitCode = 1;
}

/** Run the command with `argv`. */
export async function main(argv: string[] = Deno.args): Promise<void> {
  const args = parseCommand(SPEC, argv);
  const threshold = Number(str(args, "threshold"));
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`--threshold must be in [0, 1]`);
  if (args.values.paf !== undefined) await classifyPaf(args, threshold);
  else await classifyImages(args, threshold);
}

if (import.meta.main) await runMain(() => main());
