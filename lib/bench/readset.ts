/**
 * A realistic read set with planted chimeras, for the calls-from-overlaps benchmark: long reads
 * simulated by Debian's `pbsim` (CLR model, accuracy about 0.9) from a real genome that a
 * Debian package ships, four kinds of planted chimeras, and minimap2's all-vs-all overlaps.
 * Seeded and cached: `DIR/reads.fa`, `DIR/truth.tsv`, `DIR/ovl.paf`.
 *
 * Kinds (truth.tsv `kind`): `distant` (two reads from loci at least 100 kb apart joined),
 * `downstream` (a read joined to one starting 2-30 kb past its end, same strand), `foldback` (a
 * read followed by the reverse complement of its own end), `shared` (reads simulated across a
 * junction contig: a genome piece joined to a distant one, several reads per junction, so that
 * no coverage gap marks it). `junction` is the 0-based position in the read where the second
 * piece starts.
 * @module
 */
import { join } from "node:path";

import { statOrNull, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { mulberry32, type Rng } from "../core/random.ts";
import {
  loadGenome,
  pbsim,
  refToRead,
  reverseComplement,
  run,
  type SimulatedRead,
} from "./pbsim.ts";

/** Kinds of planted chimera. */
export const CHIMERA_KINDS = ["distant", "downstream", "foldback", "shared"] as const;

/** A kind of planted chimera, or "none". */
export type ReadKind = (typeof CHIMERA_KINDS)[number] | "none";

/** Options of the read set. */
export interface ReadSetOptions {
  /** Genome name (a key of GENOMES). */
  genome?: string;
  /** Seed of pbsim and of the planting. */
  seed?: number;
  /** Sequencing depth. */
  depth?: number;
  /** Fraction of the reads that are planted chimeras (split evenly between the kinds). */
  rate?: number;
  /** pbsim's mean read accuracy. */
  accuracy?: number;
  /** Mean and standard deviation of read lengths (bp). */
  lengthMean?: number;
  lengthSd?: number;
  /** Use only the first this many bp of the genome (0: all; quick runs). */
  genomeSlice?: number;
  /** Reads per shared junction. */
  readsPerJunction?: number;
  /** minimap2 threads. */
  threads?: number;
}

/** Defaults: about 25x of 9 kb reads at 90 % accuracy, 5 % chimeras. */
export const READSET_DEFAULTS: Required<ReadSetOptions> = {
  genome: "ecoli",
  seed: 1,
  depth: 25,
  rate: 0.05,
  accuracy: 0.9,
  lengthMean: 9000,
  lengthSd: 6000,
  genomeSlice: 0,
  readsPerJunction: 6,
  threads: 2,
};

/** The truth of one read of the set. */
export interface ReadTruth {
  id: string;
  kind: ReadKind;
  /** Where the second piece starts, in read coordinates (-1 for kind none). */
  junction: number;
  /** Read length. */
  length: number;
  /** Where the pieces came from, e.g. `+1200-9800|+400000-409000`. */
  source: string;
}

/** A read set on disk. */
export interface ReadSet {
  dir: string;
  reads: string;
  truth: string;
  paf: string;
}

/** Pick and remove a random element matching `ok` (null when none does). */
function take<T>(pool: T[], rng: Rng, ok: (x: T) => boolean = () => true): T | null {
  const fits: number[] = [];
  for (let i = 0; i < pool.length; i++) if (ok(pool[i])) fits.push(i);
  if (fits.length === 0) return null;
  return pool.splice(fits[Math.floor(rng() * fits.length)], 1)[0];
}

/** The piece text of a read for truth.tsv. */
const where = (r: SimulatedRead) => `${r.strand}${r.refStart}-${r.refEnd}`;

/**
 * Plant chimeras into simulated reads: returns the reads (sequence and truth), the originals
 * of joined reads removed, shared-junction reads added. Deterministic per seed.
 */
export async function plantChimeras(
  genome: string,
  reads: SimulatedRead[],
  o: Required<ReadSetOptions>,
): Promise<{ seq: string; truth: ReadTruth }[]> {
  const rng = mulberry32(o.seed * 7919 + 17);
  const pool = reads.filter((r) => r.seq.length >= 2000);
  const nChimeras = Math.round(o.rate * pool.length);
  const per = Math.floor(nChimeras / CHIMERA_KINDS.length);
  const out: { seq: string; kind: ReadKind; junction: number; source: string }[] = [];
  const G = genome.length;
  // `per` reads joined to a partner that `fits` them; a read without one goes back
  const join = (kind: ReadKind, fits: (a: SimulatedRead, x: SimulatedRead) => boolean) => {
    for (let k = 0; k < per; k++) {
      const a = take(pool, rng);
      if (!a) break;
      const b = take(pool, rng, (x) => fits(a, x));
      if (!b) {
        pool.push(a);
        continue;
      }
      out.push({
        seq: a.seq + b.seq,
        kind,
        junction: a.seq.length,
        source: `${where(a)}|${where(b)}`,
      });
    }
  };
  join("distant", (a, x) => Math.abs(x.refStart - a.refStart) > 100_000);
  join("downstream", (a, x) => {
    if (x.strand !== a.strand) return false;
    const gap = a.strand === "+" ? x.refStart - a.refEnd : a.refStart - x.refEnd;
    return gap >= 2000 && gap <= 30_000;
  });
  for (let k = 0; k < per; k++) {
    const a = take(pool, rng);
    if (!a) break;
    const len = Math.round(a.seq.length * (0.3 + 0.6 * rng()));
    const back = reverseComplement(a.seq.slice(a.seq.length - len));
    out.push({
      seq: a.seq + back,
      kind: "foldback",
      junction: a.seq.length,
      source: `${where(a)}|fold${len}`,
    });
  }
  // shared junctions: contigs X|Y simulated at a depth that gives about readsPerJunction
  // reads across each junction
  const flank = 15_000;
  const contigs: { name: string; seq: string; x: number; y: number }[] = [];
  const nJunctions = Math.max(1, Math.round(per / o.readsPerJunction));
  for (let j = 0; j < nJunctions; j++) {
    const x = flank + Math.floor(rng() * (G - 2 * flank));
    let y = x;
    while (Math.abs(y - x) < 200_000 && G > 450_000) {
      y = flank + Math.floor(rng() * (G - 2 * flank));
    }
    contigs.push({
      name: `j${j}`,
      seq: genome.slice(x - flank, x) + genome.slice(y, y + flank),
      x,
      y,
    });
  }
  // about 4 in 5 of the reads over a point have 1 kb on both sides of it
  const sims = await pbsim(contigs, o.readsPerJunction / 0.8, o, o.seed + 1000);
  sims.forEach((rs, j) => {
    for (const r of rs) {
      // keep reads with at least 1 kb on both sides of the junction
      if (r.refStart > flank - 1000 || r.refEnd < flank + 1000) continue;
      const c = contigs[j];
      out.push({
        seq: r.seq,
        kind: "shared",
        junction: refToRead(r, flank),
        source: `${r.strand}${c.x - flank + r.refStart}-${c.x}|${c.y}-${c.y + r.refEnd - flank}`,
      });
    }
  });
  for (const r of pool) out.push({ seq: r.seq, kind: "none", junction: -1, source: where(r) });
  // shuffle, then name in order
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.map((r, i) => {
    const id = `r${String(i + 1).padStart(6, "0")}`;
    return {
      seq: r.seq,
      truth: { id, kind: r.kind, junction: r.junction, length: r.seq.length, source: r.source },
    };
  });
}

/** truth.tsv text. */
export function formatTruth(truth: ReadTruth[]): string {
  return [
    "read_id\tkind\tjunction\tlength\tsource",
    ...truth.map((t) => `${t.id}\t${t.kind}\t${t.junction}\t${t.length}\t${t.source}`),
  ].join("\n") + "\n";
}

/** Read truth.tsv; a UserError naming the file and line when it is malformed. */
export async function readTruth(path: string): Promise<ReadTruth[]> {
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  return lines.slice(1).map((l, i) => {
    const [id, kind, junction, length, source] = l.split("\t");
    if (!(["none", ...CHIMERA_KINDS] as string[]).includes(kind) || source === undefined) {
      throw new UserError(
        `${path}:${i + 2}: not a truth line (read_id, kind, junction, length, source)`,
      );
    }
    return {
      id,
      kind: kind as ReadKind,
      junction: Number(junction),
      length: Number(length),
      source,
    };
  });
}

/** The folder of a read set: `genome-s<seed>` (plus the settings that differ from defaults). */
export function readSetName(opts: ReadSetOptions = {}): string {
  const o = { ...READSET_DEFAULTS, ...opts };
  const extra = [
    o.depth !== READSET_DEFAULTS.depth ? `d${o.depth}` : "",
    o.rate !== READSET_DEFAULTS.rate ? `r${o.rate}` : "",
    o.genomeSlice ? `g${o.genomeSlice}` : "",
  ].filter(Boolean).join("-");
  return `${o.genome}-s${o.seed}${extra ? "-" + extra : ""}`;
}

/** Make (or reuse) the read set under `root`; `log` gets progress lines. */
export async function makeReadSet(
  root: string,
  opts: ReadSetOptions = {},
  log: (s: string) => void = () => {},
): Promise<ReadSet> {
  const o = { ...READSET_DEFAULTS, ...opts };
  const dir = join(root, readSetName(o));
  const set = {
    dir,
    reads: join(dir, "reads.fa"),
    truth: join(dir, "truth.tsv"),
    paf: join(dir, "ovl.paf"),
  };
  await Deno.mkdir(dir, { recursive: true });
  if (!(await statOrNull(set.truth)) || !(await statOrNull(set.reads))) {
    log(`simulating reads (pbsim, ${o.depth}x, accuracy ${o.accuracy}) from ${o.genome}`);
    const genome = await loadGenome(o.genome, o.genomeSlice);
    const [reads] = await pbsim(genome, o.depth, o, o.seed);
    const planted = await plantChimeras(genome, reads, o);
    await writeTextAtomic(set.reads, planted.map((r) => `>${r.truth.id}\n${r.seq}\n`).join(""));
    await writeTextAtomic(set.truth, formatTruth(planted.map((r) => r.truth)));
  }
  if (!(await statOrNull(set.paf))) {
    log(`overlapping reads (minimap2 -x ava-ont -t ${o.threads})`);
    const tmp = `${set.paf}.part`;
    await run(
      "minimap2",
      ["-x", "ava-ont", "-t", String(o.threads), set.reads, set.reads],
      undefined,
      tmp,
    );
    await Deno.rename(tmp, set.paf);
  }
  return set;
}
