/**
 * Reads simulated from a real genome by Debian's `pbsim` (CLR model): the genome a Debian
 * package ships, FASTA and pbsim's FASTQ/MAF parsed, reference positions mapped onto reads, and
 * a runner for the external tools with clear errors when one is missing or fails.
 * @module
 */

import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readFileOrFail, statOrNull } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

import type { ReadSetOptions } from "./readset.ts";

/** Genomes the benchmark knows: a Debian package and the FASTA file it installs. */
export const GENOMES: Record<string, { pkg: string; path: string; what: string }> = {
  ecoli: {
    pkg: "bowtie-examples",
    path: "/usr/share/doc/bowtie/examples/genomes/NC_008253.fna.gz",
    what: "Escherichia coli 536, complete genome (4.94 Mb)",
  },
  "ecoli-k12": {
    pkg: "ragout-examples",
    path: "/usr/share/doc/ragout/examples/E.Coli/references/MG1655-K12.fasta.gz",
    what: "Escherichia coli K-12 MG1655, complete genome (4.64 Mb; more repeated sequence)",
  },
};

/** One simulated read with where it came from. */
export interface SimulatedRead {
  /** Sequence as sequenced (the read's own strand). */
  seq: string;
  /** Reference start and end (0-based, end exclusive) on the + strand. */
  refStart: number;
  refEnd: number;
  /** Strand the read was sequenced from. */
  strand: "+" | "-";
  /** The alignment's reference and read rows (read row on the + strand), with gaps. */
  refRow: string;
  readRow: string;
}

/** Reverse complement of a DNA string. */
export function reverseComplement(s: string): string {
  const c: Record<string, string> = { A: "T", C: "G", G: "C", T: "A", N: "N" };
  let out = "";
  for (let i = s.length - 1; i >= 0; i--) out += c[s[i]] ?? "N";
  return out;
}

/** The sequences of a FASTA text (names up to the first space). */
export function parseFasta(text: string): { name: string; seq: string }[] {
  const out: { name: string; seq: string }[] = [];
  for (const block of text.split(">").slice(1)) {
    const nl = block.indexOf("\n");
    const name = block.slice(0, nl < 0 ? block.length : nl).split(/\s/)[0];
    out.push({ name, seq: (nl < 0 ? "" : block.slice(nl + 1)).replace(/\s/g, "").toUpperCase() });
  }
  return out;
}

/** The genome as one sequence (contigs joined), from its Debian package. */
export async function loadGenome(name: string, slice = 0): Promise<string> {
  const g = GENOMES[name];
  if (!g) {
    throw new UserError(`unknown genome "${name}" (known: ${Object.keys(GENOMES).join(", ")})`);
  }
  if (!(await statOrNull(g.path))) {
    throw new UserError(`${g.path}: not there; install it with \`apt-get install ${g.pkg}\``);
  }
  const bytes = await readFileOrFail(g.path);
  const text = new TextDecoder().decode(g.path.endsWith(".gz") ? gunzipSync(bytes) : bytes);
  const seq = parseFasta(text).map((r) => r.seq).join("");
  return slice > 0 ? seq.slice(0, slice) : seq;
}

/** Reads of pbsim's FASTQ and MAF output (same order). */
export function parsePbsim(fastq: string, maf: string): SimulatedRead[] {
  const seqs: string[] = [];
  const fq = fastq.split("\n");
  for (let i = 0; i + 1 < fq.length; i += 4) if (fq[i].startsWith("@")) seqs.push(fq[i + 1]);
  const reads: SimulatedRead[] = [];
  const lines = maf.split("\n").filter((l) => l.startsWith("s "));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const r = lines[i].split(/\s+/), q = lines[i + 1].split(/\s+/);
    const start = Number(r[2]);
    reads.push({
      seq: seqs[i / 2],
      refStart: start,
      refEnd: start + Number(r[3]),
      strand: q[4] === "-" ? "-" : "+",
      refRow: r[6],
      readRow: q[6],
    });
  }
  return reads;
}

/** Where reference position `ref` falls in a read's own coordinates (via its alignment). */
export function refToRead(read: SimulatedRead, ref: number): number {
  let rp = read.refStart, qp = 0;
  for (let k = 0; k < read.refRow.length && rp < ref; k++) {
    if (read.refRow[k] !== "-") rp++;
    if (read.readRow[k] !== "-") qp++;
  }
  return read.strand === "+" ? qp : read.seq.length - qp;
}

/** Run a command; a clear error when it is missing or fails. */
export async function run(
  cmd: string,
  args: string[],
  cwd?: string,
  stdout?: string,
): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError(`${cmd} is not installed (apt-get install ${cmd})`);
    }
    throw err;
  }
  if (!out.success) {
    const msg = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    throw new UserError(`${cmd} failed: ${msg}`);
  }
  if (stdout) await Deno.writeFile(stdout, out.stdout);
}

/** Simulate reads from `seq` with pbsim in a temporary folder. */
export async function pbsim(
  seq: string | { name: string; seq: string }[],
  depth: number,
  o: Required<ReadSetOptions>,
  seed: number,
): Promise<SimulatedRead[][]> {
  const tmp = await Deno.makeTempDir({ prefix: "chimera-pbsim-" });
  try {
    const contigs = typeof seq === "string" ? [{ name: "chr", seq }] : seq;
    const fa = contigs.map((c) => `>${c.name}\n${c.seq}\n`).join("");
    await Deno.writeTextFile(join(tmp, "ref.fa"), fa);
    await run("pbsim", [
      "--data-type",
      "CLR",
      "--depth",
      String(depth),
      "--model_qc",
      "/usr/share/pbsim/models/model_qc_clr",
      "--accuracy-mean",
      String(o.accuracy),
      "--accuracy-sd",
      "0.02",
      "--length-mean",
      String(o.lengthMean),
      "--length-sd",
      String(o.lengthSd),
      "--length-min",
      "1000",
      "--length-max",
      "60000",
      "--seed",
      String(seed),
      "--prefix",
      "sd",
      "ref.fa",
    ], tmp);
    const out: SimulatedRead[][] = [];
    for (let i = 1; i <= contigs.length; i++) {
      const n = String(i).padStart(4, "0");
      const fq = await Deno.readTextFile(join(tmp, `sd_${n}.fastq`));
      const maf = await Deno.readTextFile(join(tmp, `sd_${n}.maf`));
      out.push(parsePbsim(fq, maf));
    }
    return out;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
