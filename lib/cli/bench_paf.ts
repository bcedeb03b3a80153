/**
 * `deno task bench:paf`: the calls-from-overlaps benchmark on a simulated read set (pbsim reads
 * of a real genome from a Debian package, planted chimeras of four kinds, minimap2 overlaps):
 * the primary call, the model alone, the coverage rule and the gap rule side by side.
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { writeJsonAtomic, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { loadForInference, modelDir } from "../model/modelio.ts";
import { CALLS_HEADER, DEFAULT_MODEL, formatCall, pileClassifier } from "../calls/classify.ts";
import { applyCallModel, callsFromPaf } from "../calls/calls.ts";
import { loadCallModel, saveCallModel } from "../calls/primary_call.ts";
import { makeReadSet, READSET_DEFAULTS, readSetName, readTruth } from "../bench/readset.ts";
import { GENOMES } from "../bench/pbsim.ts";
import { callerSets, fitOnReadSet, formatTable, scoreCaller } from "../bench/paf_bench.ts";
import { gapRuleFromPaf } from "../overlaps/gap_rule.ts";

const SPEC = {
  usage: "deno task bench:paf [--genome NAME] [--seed N] [--rate R] [--depth D] " +
    "[--model DIR] [--out DIR] [--fit-call] [--quick]",
  summary: "Simulate (once; cached in OUT/<genome>-s<seed>/) reads with pbsim from a real " +
    "genome, plant chimeras (distant, downstream, foldback, shared junctions), overlap them " +
    "with minimap2 -x ava-ont, call every read and score the callers against the truth: the " +
    "primary call, the model alone (label), the coverage rule and a yacrd-style gap rule " +
    "(coverage <= 4, -n 0.8). Prints a markdown table and writes OUT/<set>/bench.json. With " +
    "--fit-call, first fits the primary call's combiner on this read set and writes it beside " +
    "the model (call.json). Genomes: " +
    Object.entries(GENOMES).map(([k, g]) => `${k} (${g.what}; apt-get install ${g.pkg})`).join(
      ", ",
    ),
  options: {
    genome: { type: "string", help: "genome", default: READSET_DEFAULTS.genome },
    seed: {
      type: "string",
      help: "seed of the simulation",
      default: String(READSET_DEFAULTS.seed),
    },
    rate: {
      type: "string",
      help: "fraction of planted chimeras",
      default: String(READSET_DEFAULTS.rate),
    },
    depth: { type: "string", help: "sequencing depth", default: String(READSET_DEFAULTS.depth) },
    model: { type: "string", help: `model folder (default: the shipped one, ${DEFAULT_MODEL})` },
    out: { type: "string", help: "folder of the cached read sets", default: "runs/bench_paf" },
    "fit-call": { type: "boolean", help: "fit the primary call on this read set, save call.json" },
    quick: { type: "boolean", help: "a 400 kb slice of the genome at 15x: a smoke test" },
    ...BACKEND_OPTION,
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const opts = {
    genome: str(args, "genome")!,
    seed: num(args, "seed")!,
    rate: num(args, "rate")!,
    depth: num(args, "depth")!,
    ...(args.values.quick ? { genomeSlice: 400_000, depth: 15 } : {}),
  };
  if (!(opts.rate > 0 && opts.rate < 0.5)) {
    throw new UserError("--rate: expected a fraction in (0, 0.5)");
  }
  if (!(opts.depth > 0)) throw new UserError("--depth: expected a positive number");
  const out = str(args, "out")!;
  const set = await makeReadSet(out, opts, (s) => console.error(s));
  const truth = await readTruth(set.truth);
  const dir = await modelDir(str(args, "model") ?? DEFAULT_MODEL);
  const backend = await initBackend(args);
  const { model, meta } = await loadForInference(dir);
  const classify = pileClassifier(model, meta.input, dir);
  const columns = meta.input.kind === "pile" ? meta.input.columns : undefined;
  console.error(`calling ${truth.length} reads of ${readSetName(opts)} with ${dir} on ${backend}`);
  let started = performance.now();
  const result = await callsFromPaf(set.paf, { columns }, classify);
  const seconds = (performance.now() - started) / 1000;
  // fitting replaces call.json, so an old one is not read
  let callModel = args.values["fit-call"] ? null : await loadCallModel(dir);
  if (args.values["fit-call"]) {
    callModel = fitOnReadSet(
      result,
      truth,
      `deno task bench:paf --fit-call on ${readSetName(opts)}`,
    );
    console.error(
      `fitted the primary call: ${JSON.stringify(callModel.weights)}, threshold ` +
        `${callModel.threshold.toFixed(3)}; saved ${await saveCallModel(dir, callModel)}`,
    );
  }
  if (callModel) applyCallModel(result.calls, result.depth, callModel);
  model.dispose();
  const sets = callerSets(result);
  if (!callModel) delete sets.call;
  started = performance.now();
  const gaps = await gapRuleFromPaf(set.paf, { minCoverage: 4, notCoveredRatio: 0.8 });
  const gapSeconds = (performance.now() - started) / 1000;
  sets["gap rule (yacrd -c 4)"] = new Set(
    gaps.filter((g) => g.result.kind === "Chimeric").map((g) => g.readId),
  );
  const rows = Object.entries(sets).map(([name, s]) => scoreCaller(name, s, truth));
  const status: Record<string, number> = {};
  for (const c of result.calls) status[c.status] = (status[c.status] ?? 0) + 1;
  const kinds: Record<string, number> = {};
  for (const t of truth) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
  const report = {
    readSet: readSetName(opts),
    reads: truth.length,
    kinds,
    status,
    depth: result.depth,
    pafLines: result.lines,
    model: dir,
    callModel,
    seconds: { calls: seconds, gapRule: gapSeconds },
    rows,
  };
  await writeJsonAtomic(join(set.dir, "bench.json"), report);
  const tsv = [CALLS_HEADER.join("\t"), ...result.calls.map((c) => formatCall(c, 0.5))];
  await writeTextAtomic(join(set.dir, "calls.tsv"), tsv.join("\n") + "\n");
  console.log(`read set ${report.readSet}: ${truth.length} reads, ${JSON.stringify(kinds)}`);
  console.log(
    `statuses ${JSON.stringify(status)}; typical depth D ${result.depth.toFixed(1)}; ` +
      `calls in ${seconds.toFixed(1)} s, gap rule in ${gapSeconds.toFixed(1)} s\n`,
  );
  console.log(formatTable(rows));
  console.log(
    `\nwrote ${join(set.dir, "bench.json")} and the calls, ${join(set.dir, "calls.tsv")}`,
  );
});
