/**
 * `deno task pileogram --paf FILE --out DIR`: draw one pile-o-gram PNG per read from a PAF file
 * of all-vs-all overlaps (minimap2 -x ava-ont), as Raven computed and drew the training charts:
 * the valid-region step, then the fixed 0-300 y axis.
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { statOrNull, writeFileAtomic, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { ProgressBar } from "../core/progress.ts";
import {
  coverage,
  curveFromCoverage,
  PAF_PILES_DEFAULTS,
  PILEOGRAM_DEFAULTS,
  pilesFromPaf,
  renderPng,
} from "../overlaps/pileogram.ts";
import { ruleScore } from "../overlaps/coverage_rule.ts";

const SPEC = {
  usage: "deno task pileogram --paf FILE --out DIR [--reads ID,...] [--min-overlaps N] " +
    "[--y-max N] [--rule-tsv FILE]",
  summary: "Draw one pile-o-gram (750x500 PNG, Raven's coverage chart) per read of a PAF file " +
    "of all-vs-all overlaps, as the training charts were made: coverage per 16 bp bin, only " +
    "the longest run at coverage >= 4 kept (the rest drawn at 0), y axis fixed at 0-300. " +
    "Reads with too few overlaps, or without a 1,260 bp run at coverage >= 4 (Raven drops " +
    "those), are listed in DIR/not_drawn.tsv with the reason instead of drawn. The PAF file " +
    "is streamed. With --rule-tsv, also writes the coverage-valley rule's call per read.",
  options: {
    paf: { type: "string", help: "PAF file of overlaps (minimap2 -x ava-ont reads reads)" },
    out: { type: "string", help: "output folder for <read_id>.png" },
    reads: { type: "string", help: "comma-separated read ids to draw (default: all)" },
    "min-overlaps": {
      type: "string",
      help: "draw only reads with at least this many overlaps",
      default: String(PAF_PILES_DEFAULTS.minOverlaps),
    },
    "y-max": {
      type: "string",
      help: "top of the y axis, in coverage (the real charts: 300)",
      default: String(PILEOGRAM_DEFAULTS.yMax),
    },
    "rule-tsv": {
      type: "string",
      help: "also write the coverage rule's call per read here (TSV: read_id, n_overlaps, " +
        "median, rule_score, rule_call; too-few reads get status too_few_overlaps)",
    },
    "no-images": { type: "boolean", help: "write no PNGs (with --rule-tsv: calls only)" },
    quiet: { type: "boolean", help: "no progress bar" },
  },
} as const;

/** A read id made safe as a file name. */
export function safeFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Run the command with `args`. */
export async function main(args: string[] = Deno.args): Promise<void> {
  const a = parseCommand(SPEC, args);
  const paf = str(a, "paf", true)!;
  const ruleTsv = str(a, "rule-tsv");
  const images = !a.values["no-images"];
  const out = str(a, "out", images);
  const minOverlaps = num(a, "min-overlaps") ?? PAF_PILES_DEFAULTS.minOverlaps;
  const yMax = num(a, "y-max")!;
  if (!(yMax > 0)) {
    throw new UserError(`--y-max: expected a positive number, got ${str(a, "y-max")}`);
  }
  const readsArg = str(a, "reads");
  const reads = readsArg ? readsArg.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  const info = await statOrNull(paf);
  if (!info) throw new UserError(`${paf}: file not found`);
  if (!info.isFile) throw new UserError(`${paf}: expected a PAF file, found a folder`);
  if (out) {
    const outInfo = await statOrNull(out);
    if (outInfo && !outInfo.isDirectory) throw new UserError(`${out}: exists and is not a folder`);
    await Deno.mkdir(out, { recursive: true });
  }
  const tsv = ["read_id\tn_overlaps\tmedian\trule_score\trule_call\tstatus"];
  let bar: ProgressBar | null = null;
  const seen = new Set<string>();
  const skipped: string[] = [];
  let drawn = 0;
  const inFlight: Promise<void>[] = [];
  for await (
    const pile of pilesFromPaf(paf, {
      minOverlaps,
      reads,
      onIndexed: (n) => {
        if (!a.values.quiet) bar = new ProgressBar(n, { label: "pileogram" });
      },
    })
  ) {
    seen.add(pile.readId);
    const raw = pile.enough ? coverage(pile.readLen, pile.intervals) : null;
    const curve = raw ? curveFromCoverage(raw, { yMax }) : null;
    if (!curve?.valid) {
      const why = curve ? "invalid" : "too_few_overlaps";
      skipped.push(`${pile.readId}\t${pile.nOverlaps}\t${why}`);
      tsv.push(`${pile.readId}\t${pile.nOverlaps}\t\t\t\t${why}`);
      (bar as ProgressBar | null)?.tick();
      continue;
    }
    if (ruleTsv) {
      // the rule reads the raw pile (the valid-region step cuts hard gaps away)
      const r = ruleScore(raw!, curve.median);
      tsv.push(
        `${pile.readId}\t${pile.nOverlaps}\t${curve.median}\t${r.score.toFixed(3)}\t` +
          `${r.chimeric ? "chimeric" : "non_chimeric"}\tok`,
      );
    }
    if (images) {
      const file = join(out!, `${safeFileName(pile.readId)}.png`);
      inFlight.push(renderPng(curve, { yMax }).then((png) => writeFileAtomic(file, png)));
      if (inFlight.length >= 4) await inFlight.shift();
      drawn++;
    }
    (bar as ProgressBar | null)?.tick();
  }
  await Promise.all(inFlight);
  (bar as ProgressBar | null)?.done();
  for (const id of reads ?? []) {
    if (seen.has(id)) continue;
    skipped.push(`${id}\t0\ttoo_few_overlaps`);
    tsv.push(`${id}\t0\t\t\t\ttoo_few_overlaps`);
  }
  if (ruleTsv) await writeTextAtomic(ruleTsv, tsv.join("\n") + "\n");
  if (skipped.length && out) {
    await writeTextAtomic(
      join(out, "not_drawn.tsv"),
      ["read_id\tn_overlaps\treason", ...skipped].join("\n") + "\n",
    );
  }
  const few = skipped.filter((l) => l.endsWith("too_few_overlaps")).length;
  console.log(
    (images ? `wrote ${drawn} pile-o-grams to ${out}` : `read ${seen.size} reads`) +
      (ruleTsv ? `; coverage-rule calls in ${ruleTsv}` : "") +
      (skipped.length
        ? `; not drawn: ${few} with fewer than ${minOverlaps} overlaps, ` +
          `${skipped.length - few} without 1,260 bp at coverage >= 4` +
          (out ? ` (listed in ${join(out, "not_drawn.tsv")})` : "")
        : ""),
  );
}

if (import.meta.main) await runMain(() => main());
