/**
 * `deno task bench:split`: the cleaning benchmark on a simulated read set with planted chimeras
 * (the read sets of `deno task bench:paf`): planted chimeras cut, distance from the true
 * junction, bases of the non-chimeric reads kept, throughput; with --assembly, miniasm on the
 * raw and the cleaned reads, contigs mapped to the reference (contigs, N50, misjoins).
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { statOrNull, writeJsonAtomic, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { loadForInference, modelDir } from "../model/modelio.ts";
import { DEFAULT_MODEL, pileClassifier } from "../calls/classify.ts";
import { callsFromPaf } from "../calls/calls.ts";
import { loadCallModel } from "../calls/primary_call.ts";
import { makeReadSet, READSET_DEFAULTS, readSetName, readTruth } from "../bench/readset.ts";
import { GENOMES } from "../bench/pbsim.ts";
import { loadGenome } from "../bench/pbsim.ts";
import { isFlagged, junctionsOf, piecesKept, type SplitMode, splitReadFile } from "../clean/mod.ts";
import {
  type AssemblyScore,
  formatSplitScore,
  gfaContigs,
  misjoins,
  n50,
  scoreSplit,
} from "../bench/split_bench.ts";

const SPEC = {
  usage: "deno task bench:split [--genome NAME] [--seed N] [--quick] [--mode split|trim] " +
    "[--min-length N] [--assembly] [--model DIR] [--out DIR]",
  summary: "Cut the reads the primary call flags in a simulated read set (made and cached as " +
    "by `deno task bench:paf`) and score the cut against the planted junctions: chimeras cut " +
    "within --tolerance of the true junction, median distance, bases of the non-chimeric " +
    "reads kept, throughput. With --assembly, also assemble the raw and the cleaned reads " +
    "with miniasm (overlaps: minimap2 -x ava-ont), map the contigs to the reference with " +
    "minimap2 -x asm5, and count contigs, N50 and misjoins. Writes OUT/<set>/split.json. " +
    `Genomes: ${Object.keys(GENOMES).join(", ")}.`,
  options: {
    genome: { type: "string", help: "genome", default: READSET_DEFAULTS.genome },
    seed: { type: "string", help: "seed of the simulation", default: "2" },
    quick: { type: "boolean", help: "a 400 kb slice of the genome at 15x: a smoke test" },
    mode: { type: "string", help: "split or trim", default: "split" },
    "min-length": { type: "string", help: "drop pieces shorter than this", default: "1000" },
    tolerance: {
      type: "string",
      help: "cut within this distance of the truth (bp)",
      default: "1000",
    },
    assembly: { type: "boolean", help: "compare miniasm assemblies of raw and cleaned reads" },
    model: { type: "string", help: `model folder (default: the shipped one, ${DEFAULT_MODEL})` },
    out: { type: "string", help: "folder of the cached read sets", default: "runs/bench_paf" },
    ...BACKEND_OPTION,
  },
} as const;

/** Run a tool, its stdout to `stdoutPath` (written through a temp file). */
async function tool(cmd: string, args: string[], stdoutPath: string): Promise<void> {
  if (await statOrNull(stdoutPath)) return;
  const tmp = `${stdoutPath}.part`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  let out: Deno.CommandStatus;
  let err = "";
  try {
    const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
    const errText = new Response(child.stderr).text();
    await child.stdout.pipeTo(file.writable);
    out = await child.status;
    err = await errText;
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof Deno.errors.NotFound) {
      throw new UserError(`${cmd} is not installed (apt-get install ${cmd})`);
    }
    throw e;
  }
  if (!out.success) {
    await Deno.remove(tmp).catch(() => {});
    throw new UserError(`${cmd} failed: ${err.trim().split("\n").slice(-3).join(" ")}`);
  }
  await Deno.rename(tmp, stdoutPath);
}

/** Assemble reads with miniasm (overlaps given or made), map contigs to the genome, score. */
async function assemble(
  dir: string,
  name: string,
  reads: string,
  paf: string | null,
  genomeFa: string,
  genomeLength: number,
  log: (s: string) => void,
): Promise<AssemblyScore> {
  const ovl = paf ?? join(dir, `${name}.ovl.paf`);
  const gfa = join(dir, `${name}.gfa`);
  if (!paf) {
    // the cleaned reads are rewritten on every run: their overlaps and assembly too
    for (const f of [ovl, gfa]) await Deno.remove(f).catch(() => {});
    log(`overlapping ${name} reads (minimap2 -x ava-ont -t 2)`);
    await tool("minimap2", ["-x", "ava-ont", "-t", "2", reads, reads], ovl);
  }
  log(`assembling ${name} reads (miniasm)`);
  await tool("miniasm", ["-f", reads, ovl], gfa);
  const contigs = gfaContigs(await Deno.readTextFile(gfa));
  const fa = join(dir, `${name}.contigs.fa`);
  await writeTextAtomic(fa, contigs.map((c) => `>${c.name}\n${c.seq}\n`).join(""));
  const map = join(dir, `${name}.asm5.paf`);
  await Deno.remove(map).catch(() => {});
  await tool("minimap2", ["-x", "asm5", "-t", "2", genomeFa, fa], map);
  const { mapped, bad } = misjoins(await Deno.readTextFile(map), { genomeLength });
  const lengths = contigs.map((c) => c.seq.length);
  return {
    contigs: contigs.length,
    totalLength: lengths.reduce((a, b) => a + b, 0),
    n50: n50(lengths),
    mapped: mapped.size,
    misjoins: bad.size,
  };
}

await runMain(async () => {
  const args = parseCommand(SPEC);
  const opts = {
    genome: str(args, "genome")!,
    seed: num(args, "seed")!,
    ...(args.values.quick ? { genomeSlice: 400_000, depth: 15 } : {}),
  };
  const mode = str(args, "mode") as SplitMode;
  if (mode !== "split" && mode !== "trim") throw new UserError("--mode: split or trim");
  const minLength = num(args, "min-length")!;
  const tolerance = num(args, "tolerance")!;
  const log = (s: string) => console.error(s);
  const set = await makeReadSet(str(args, "out")!, opts, log);
  const truth = await readTruth(set.truth);
  const dir = await modelDir(str(args, "model") ?? DEFAULT_MODEL);
  const backend = await initBackend(args);
  const { model, meta } = await loadForInference(dir);
  const callModel = await loadCallModel(dir);
  log(`calling ${truth.length} reads of ${readSetName(opts)} with ${dir} on ${backend}`);
  let t0 = performance.now();
  const result = await callsFromPaf(set.paf, {
    columns: meta.input.kind === "pile" ? meta.input.columns : undefined,
    depthContext: meta.input.kind === "pile" ? meta.input.depth : undefined,
    callModel: callModel ?? undefined,
  }, pileClassifier(model, meta.input, dir));
  model.dispose();
  const callSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const flagged = result.calls.filter(isFlagged);
  const junctions = await junctionsOf(set.paf, flagged);
  const junctionSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const clean = join(set.dir, `clean.${mode}.fa`);
  const summary = await splitReadFile(
    set.reads,
    clean,
    new Set(result.calls.map((c) => c.readId)),
    junctions,
    { mode, minLength },
  );
  const writeSeconds = (performance.now() - t0) / 1000;
  const score = scoreSplit(truth, junctions, (r) => piecesKept(r, { mode, minLength }), {
    tolerance,
  });
  const report: Record<string, unknown> = {
    readSet: readSetName(opts),
    reads: truth.length,
    flagged: flagged.length,
    mode,
    minLength,
    summary,
    score,
    seconds: { calls: callSeconds, junctions: junctionSeconds, write: writeSeconds },
  };
  console.log(`read set ${readSetName(opts)}: ${truth.length} reads, ${flagged.length} flagged`);
  console.log(
    `calls ${callSeconds.toFixed(1)} s, junctions ${junctionSeconds.toFixed(1)} s ` +
      `(${result.lines} PAF lines), reads written ${writeSeconds.toFixed(1)} s ` +
      `(${(summary.reads / writeSeconds).toFixed(0)} reads/s)\n`,
  );
  console.log(formatSplitScore(score));
  if (args.values.assembly) {
    const genome = await loadGenome(opts.genome, opts.genomeSlice ?? 0);
    const genomeFa = join(set.dir, "genome.fa");
    if (!(await statOrNull(genomeFa))) await writeTextAtomic(genomeFa, `>genome\n${genome}\n`);
    const raw = await assemble(set.dir, "raw", set.reads, set.paf, genomeFa, genome.length, log);
    const cleaned = await assemble(
      set.dir,
      `clean.${mode}`,
      clean,
      null,
      genomeFa,
      genome.length,
      log,
    );
    report.assembly = { raw, cleaned };
    const row = (n: string, a: AssemblyScore) =>
      `| ${n} | ${a.contigs} | ${a.totalLength} | ${a.n50} | ${a.mapped} | ${a.misjoins} |`;
    console.log(
      [
        "",
        "| miniasm on | contigs | total bp | N50 | mapped | misjoins |",
        "|---|---|---|---|---|---|",
        row("raw reads", raw),
        row(`cleaned reads (${mode})`, cleaned),
      ].join("\n"),
    );
  }
  await writeJsonAtomic(join(set.dir, "split.json"), report);
  console.log(`\nwrote ${join(set.dir, "split.json")}`);
});
