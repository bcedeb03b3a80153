/**
 * Simulated reads as sequences: genomes with the simulated repeat layout, reads sampled from
 * them with sequencing errors and reverse strands, written as FASTA with their truth (for the
 * split-reads and cleaning tests).
 * @module
 */

import { writeTextAtomic } from "../core/fs.ts";
import { mulberry32, type Rng } from "../core/random.ts";

import { fragmentText } from "./synth.ts";
import {
  type Fragment,
  type SimRead,
  type SimSample,
  type SynthClass,
  type SynthOptions,
} from "./options.ts";
import { repeatCopiesIn, simulateRead, simulateSample, subSeed } from "./simulate.ts";

// ---------------------------------------------------------------- reads as sequences

/** Options of writing simulated reads as FASTA/FASTQ. */
export interface ReadsFastaOptions extends SynthOptions {
  /** Fraction of the population made chimeric (planted chimeras). */
  chimeraRate?: number;
  /** Per-base error rate (substitutions, insertions, deletions in equal parts). */
  errorRate?: number;
  /** Divergence between copies of a repeat family. */
  repeatDivergence?: number;
  /** Write FASTQ instead of FASTA. */
  fastq?: boolean;
}

/** Defaults for sequence output: a small genome suited to a quick minimap2 round trip. */
export const READS_FASTA_DEFAULTS = {
  chimeraRate: 0.05,
  errorRate: 0.03,
  repeatDivergence: 0.005,
  fastq: false,
};

/** Truth of one read written as sequence. */
export interface ReadTruth {
  /** Read id (the FASTA name). */
  id: string;
  /** True class: planted chimera, repeat-covering, or regular. */
  cls: SynthClass;
  /** Read length. */
  length: number;
  /** Fragments. */
  fragments: string;
}

const BASES = "ACGT";

/** Genome sequences of a sample's species: random bases with each family's copies planted. */
export function genomeSequences(sample: SimSample, divergence = 0.005): Uint8Array[] {
  const rng = mulberry32(subSeed(sample.opts.seed, 7_000_000));
  return sample.species.map((sp) => {
    const g = new Uint8Array(sp.length);
    for (let i = 0; i < g.length; i++) g[i] = BASES.charCodeAt(Math.floor(rng() * 4));
    for (const fam of sp.families) {
      if (fam.length === 0) continue;
      const len = fam[0].end - fam[0].start;
      const unit = new Uint8Array(len);
      for (let i = 0; i < len; i++) unit[i] = BASES.charCodeAt(Math.floor(rng() * 4));
      for (const c of fam) {
        for (let i = 0; i < len; i++) {
          g[c.start + i] = rng() < divergence ? BASES.charCodeAt(Math.floor(rng() * 4)) : unit[i];
        }
      }
    }
    return g;
  });
}

const COMP: Record<number, number> = { 65: 84, 67: 71, 71: 67, 84: 65 };

/** The sequence of a read with sequencing errors. */
function readSequence(rng: Rng, read: SimRead, genomes: Uint8Array[], errorRate: number): string {
  const parts: number[] = [];
  for (const f of read.fragments) {
    let src: Uint8Array;
    if (f.species < 0) {
      src = new Uint8Array(f.end - f.start);
      for (let i = 0; i < src.length; i++) src[i] = BASES.charCodeAt(Math.floor(rng() * 4));
    } else {
      src = genomes[f.species].slice(f.start, f.end);
      if (f.strand === "-") src = src.reverse().map((b) => COMP[b]);
    }
    for (let i = 0; i < src.length; i++) {
      const r = rng();
      if (r < errorRate / 3) parts.push(BASES.charCodeAt(Math.floor(rng() * 4))); // substitution
      else if (r < 2 * errorRate / 3) continue; // deletion
      else if (r < errorRate) parts.push(src[i], BASES.charCodeAt(Math.floor(rng() * 4)));
      else parts.push(src[i]);
    }
  }
  return new TextDecoder().decode(Uint8Array.from(parts));
}

/** Simulate a read population with planted chimeras as sequences, with each read's truth. */
export function simulateReads(
  opts: ReadsFastaOptions = {},
): { sample: SimSample; reads: SimRead[]; genomes: Uint8Array[] } {
  const o = { ...READS_FASTA_DEFAULTS, ...opts };
  const sample = simulateSample(opts);
  const genomes = genomeSequences(sample, o.repeatDivergence);
  const rng = mulberry32(subSeed(sample.opts.seed, 8_000_000));
  const reads: SimRead[] = [];
  for (const sp of sample.species) {
    for (let i = 0; i < sp.starts.length; i++) {
      const id = `${sp.code}_${reads.length + 1}`;
      if (rng() < o.chimeraRate) {
        const r = simulateRead(rng, sample, "chimeric", id);
        reads.push(r);
        continue;
      }
      const f: Fragment = {
        species: sp.index,
        start: sp.starts[i],
        end: sp.ends[i],
        strand: rng() < 0.5 ? "+" : "-",
      };
      const cls = repeatCopiesIn(sp, f.start, f.end, sample.opts.minOverlap).length
        ? "repeat"
        : "regular";
      reads.push({ id, cls, fragments: [f], length: f.end - f.start });
    }
  }
  return { sample, reads, genomes };
}

/** Write simulated reads to `path` (FASTA or FASTQ) and their truth to `truthPath` (CSV). */
export async function writeReadsFasta(
  path: string,
  truthPath: string,
  opts: ReadsFastaOptions = {},
): Promise<ReadTruth[]> {
  const o = { ...READS_FASTA_DEFAULTS, ...opts };
  const { sample, reads, genomes } = simulateReads(opts);
  const rng = mulberry32(subSeed(sample.opts.seed, 9_000_000));
  const chunks: string[] = [];
  const truth: ReadTruth[] = [];
  for (const r of reads) {
    const seq = readSequence(rng, r, genomes, o.errorRate);
    chunks.push(
      o.fastq ? `@${r.id}\n${seq}\n+\n${"5".repeat(seq.length)}\n` : `>${r.id}\n${seq}\n`,
    );
    truth.push({ id: r.id, cls: r.cls, length: seq.length, fragments: fragmentText(r, sample) });
  }
  await writeTextAtomic(path, chunks.join(""));
  const csv = [
    "read_id,class,read_len,fragments",
    ...truth.map((t) => `${t.id},${t.cls},${t.length},${t.fragments}`),
  ];
  await writeTextAtomic(truthPath, csv.join("\n") + "\n");
  return truth;
}
