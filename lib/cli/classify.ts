/**
 * `deno task classify`: p(chimeric) for image files or folders, as TSV on stdout; or, with
 * `--paf`, chimeric calls straight from minimap2 overlaps (charts drawn in memory, the
 * coverage-rule baseline beside the model).
 * @module
 */
import { num, parseCommand, type ParsedArgs, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { predict } from "../evaluate.ts";
import { loadModel, modelDir } from "../modelio.ts";
import { makeSource } from "../inputs.ts";
import { readTextOrFail, statOrNull, UserError, writeTextAtomic } from "../fsutil.ts";
import { ProgressBar } from "../progress.ts";
import { callsFromPaf, PAF_PILES_DEFAULTS } from "../pileogram.ts";
import {
  CALLS_HEADER,
  chartClassifier,
  collectImages,
  DEFAULT_MODEL,
  formatCall,
  shippedModel,
} from "../classify.ts";

const SPEC = {
  usage: "deno task classify [--model RUN] PATH...\n" +
    "       deno task classify --paf OVERLAPS.paf [--model RUN] [--reads ID,ID|--reads-file F] " +
    "[--min-overlaps N] [--threshold T] [--out calls.tsv]",
  summary: "Classify pile-o-gram images (files, or folders searched recursively). Prints TSV " +
    "`path<TAB>p_chimeric<TAB>label` to stdout, one row per image; unreadable files are " +
    "reported on stderr.\n\nWith --paf, calls every read of a PAF file of all-vs-all overlaps " +
    "(minimap2 -x ava-ont reads reads) without writing images: each read's pile-o-gram is " +
    "drawn in memory as `deno task pileogram` draws its PNG and fed to the model the same " +
    "way. Prints TSV `read_id, read_len, n_overlaps, p_chimeric, label, rule_score, " +
    "rule_call, status` sorted by read id (to --out, written atomically, or stdout); " +
    "rule_* is the model-free coverage-valley rule. Reads with fewer than --min-overlaps " +
    "overlaps get status too_few_overlaps and no call.",
  options: {
    model: {
      type: "string",
      help: `run folder or model folder (default: the shipped model, ${DEFAULT_MODEL})`,
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
    "max-intervals": {
      type: "string",
      help: "with --paf: overlap intervals held in memory at once (more passes when exceeded)",
      default: String(PAF_PILES_DEFAULTS.maxIntervals),
    },
    out: { type: "string", help: "with --paf: write the calls TSV here instead of stdout" },
    quiet: { type: "boolean", help: "no progress bar or summary on stderr" },
    ...BACKEND_OPTION,
  },
  positionals: true,
} as const;

/** The model folder: --model, else the shipped one (a clear error while it is not there). */
async function chosenModel(args: ParsedArgs): Promise<string> {
  const given = str(args, "model");
  if (given) return await modelDir(given);
  const shipped = await shippedModel();
  if (!shipped) {
    throw new UserError(
      `no --model given and the shipped model (${DEFAULT_MODEL}) is not there; ` +
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
  const info = await statOrNull(paf);
  if (!info) throw new UserError(`${paf}: file not found`);
  if (!info.isFile) throw new UserError(`${paf}: expected a PAF file, found a folder`);
  const out = str(args, "out");
  if (out && (await statOrNull(out))?.isDirectory) {
    throw new UserError(`${out}: is a folder; --out takes the path of the calls TSV`);
  }
  const minOverlaps = num(args, "min-overlaps")!;
  if (!Number.isInteger(minOverlaps) || minOverlaps < 1) {
    throw new UserError(`--min-overlaps: expected a positive integer, got ${minOverlaps}`);
  }
  const maxIntervals = num(args, "max-intervals")!;
  if (!(maxIntervals >= 1)) throw new UserError(`--max-intervals: expected a positive number`);
  const reads = await readIds(args);
  const quiet = Boolean(args.values.quiet);
  const dir = await chosenModel(args);
  const backend = await initBackend(args);
  const { model, meta } = await loadModel(dir);
  const source = makeSource(meta.input);
  if (!quiet) console.error(`model ${dir} (${meta.model}, ${meta.input.kind} input) on ${backend}`);
  let bar: ProgressBar | null = null;
  const rows: [string, string][] = [];
  let calledModel = 0, calledRule = 0, ok = 0, few = 0;
  for await (
    const c of callsFromPaf(paf, {
      input: "grey",
      minOverlaps,
      maxIntervals,
      reads,
      onIndexed: (n) => {
        if (!quiet && n > 256) bar = new ProgressBar(n, { label: "classify" });
      },
    }, chartClassifier(model, source))
  ) {
    rows.push([c.readId, formatCall(c, threshold)]);
    if (c.status === "ok") ok++;
    else few++;
    if (c.pChimeric !== undefined && c.pChimeric >= threshold) calledModel++;
    if (c.ruleCall) calledRule++;
    (bar as ProgressBar | null)?.tick();
  }
  (bar as ProgressBar | null)?.done();
  model.dispose();
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const text = [CALLS_HEADER.join("\t"), ...rows.map((r) => r[1])].join("\n") + "\n";
  if (out) await writeTextAtomic(out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
  if (!quiet) {
    console.error(
      `${rows.length} reads: ${ok} called (${calledModel} chimeric by the model at ` +
        `p >= ${threshold}, ${calledRule} by the coverage rule), ${few} with fewer than ` +
        `${minOverlaps} overlaps` + (out ? `; calls in ${out}` : ""),
    );
  }
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
  const { model, meta } = await loadModel(await chosenModel(args));
  const samples = files.map((path) => ({
    path,
    cls: "?",
    label: "non_chimeric" as const,
    readId: path,
  }));
  const preds = await predict(model, samples, makeSource(meta.input), {
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
