/**
 * `deno task data:synth --out DIR --per-class N [--seed N]`: write labelled synthetic
 * pile-o-grams (chimeric / regular / repeat) and truth.csv; optionally the simulated reads as
 * FASTA/FASTQ for a minimap2 round trip.
 * @module
 */
import { join } from "node:path";
import { num, parseCommand, runMain, str } from "./args.ts";
import { statOrNull } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { ProgressBar } from "../core/progress.ts";
import { requireDir, writeFileAtomic } from "../core/fs.ts";
import { comparisonSheet, writeSynthDataset } from "../synth/synth.ts";
import { SYNTH_DEFAULTS } from "../synth/options.ts";
import { writeReadsFasta } from "../synth/reads.ts";

const SPEC = {
  usage: "deno task data:synth --out DIR --per-class N [--seed N] [--reads-fasta FILE]",
  summary: "Simulate genomes with planted repeats, long reads and chimeras, derive each read's " +
    "overlaps from the known positions and draw its pile-o-gram like the real ones. Writes " +
    "DIR/{chimeric,regular,repeat}/<species>_<id>.png and DIR/truth.csv. Deterministic per " +
    "seed. With --reads-fasta, also writes a read set with planted chimeras as FASTA (FASTQ " +
    "with --fastq) and its truth (FILE.truth.csv), for minimap2 -x ava-ont.",
  options: {
    out: { type: "string", help: "output folder for the charts" },
    "per-class": { type: "string", help: "charts per class" },
    seed: { type: "string", help: "random seed", default: String(SYNTH_DEFAULTS.seed) },
    species: {
      type: "string",
      help: "number of simulated species",
      default: String(SYNTH_DEFAULTS.species),
    },
    "reads-fasta": { type: "string", help: "also write simulated reads (with chimeras) here" },
    fastq: { type: "boolean", help: "write the reads as FASTQ instead of FASTA" },
    "genome-length": {
      type: "string",
      help: "genome length per species for --reads-fasta (bp)",
      default: "300000",
    },
    "chimera-rate": {
      type: "string",
      help: "fraction of reads made chimeric for --reads-fasta",
      default: "0.05",
    },
    compare: {
      type: "string",
      help: "folder of real charts (class sub-folders): also write DIR/synth_vs_real.png, a " +
        "side-by-side picture check",
    },
    quiet: { type: "boolean", help: "no progress bar" },
  },
} as const;

/** Run the command with `args`. */
export async function main(args: string[] = Deno.args): Promise<void> {
  const a = parseCommand(SPEC, args);
  const out = str(a, "out");
  const perClass = num(a, "per-class");
  const fasta = str(a, "reads-fasta");
  const seed = num(a, "seed") ?? SYNTH_DEFAULTS.seed;
  const species = num(a, "species") ?? SYNTH_DEFAULTS.species;
  if (!fasta && (!out || perClass === undefined)) {
    throw new UserError("give --out DIR and --per-class N (or --reads-fasta FILE); see --help");
  }
  if (perClass !== undefined && (!Number.isInteger(perClass) || perClass < 1)) {
    throw new UserError(`--per-class: expected a positive integer, got ${perClass}`);
  }
  if (!Number.isInteger(species) || species < 1) {
    throw new UserError(`--species: expected a positive integer, got ${species}`);
  }
  if (out && perClass !== undefined) {
    const info = await statOrNull(out);
    if (info && !info.isDirectory) throw new UserError(`${out}: exists and is not a folder`);
    const bar = a.values.quiet ? null : new ProgressBar(perClass * 3, { label: "data:synth" });
    const t0 = performance.now();
    const compare = str(a, "compare");
    if (compare) await requireDir(compare, "folder of real charts");
    const rows = await writeSynthDataset(out, {
      perClass,
      seed,
      species,
      onChart: () => bar?.tick(),
    });
    bar?.done();
    const s = (performance.now() - t0) / 1000;
    console.log(
      `wrote ${rows.length} charts (${perClass} per class) and ${join(out, "truth.csv")} ` +
        `in ${s.toFixed(1)} s (${(rows.length / s).toFixed(0)} charts/s)`,
    );
    if (compare) {
      const sheet = join(out, "synth_vs_real.png");
      await writeFileAtomic(sheet, await comparisonSheet(compare, out, { seed }));
      console.log(`side-by-side check (real left, synthetic right): ${sheet}`);
    }
  }
  if (fasta) {
    const genomeLength = num(a, "genome-length") ?? 300000;
    const chimeraRate = num(a, "chimera-rate") ?? 0.05;
    const truth = await writeReadsFasta(fasta, `${fasta}.truth.csv`, {
      seed,
      species: Math.min(species, 2),
      genomeLength,
      chimeraRate,
      fastq: Boolean(a.values.fastq),
    });
    const nChim = truth.filter((t) => t.cls === "chimeric").length;
    console.log(
      `wrote ${truth.length} reads (${nChim} planted chimeras) to ${fasta} and their truth to ` +
        `${fasta}.truth.csv`,
    );
  }
}

if (import.meta.main) await runMain(() => main());
