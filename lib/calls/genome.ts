/**
 * Genome scale by buckets (the workflow in workflow/Snakefile): the pieces that make the calls
 * of K bucket processes equal one process's calls. The data set's typical depth D is global:
 * each bucket first lists its called reads' medians ({@link readMedians}, `classify
 * --medians-only`), {@link depthFromMedianFiles} takes D from all of them, and each bucket is
 * then called with that D (`classify --depth D`); {@link mergeCallFiles} joins the bucket
 * calls into one TSV sorted by read id.
 * @module
 */
import type { CallsOptions } from "./calls.ts";
import { EvidenceThreads } from "./evidence.ts";
import { type PafPile, pilesFromPaf } from "../overlaps/paf_engine.ts";
import { typicalDepth } from "../features/pile_features.ts";
import { readTextOrFail } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

/** Header of a medians TSV. */
export const MEDIANS_HEADER = ["read_id", "median"] as const;

/** One called read's median coverage (the values D is the median of). */
export interface ReadMedian {
  /** Read id. */
  readId: string;
  /** Median coverage (pile features' median, as in the calls). */
  median: number;
}

/**
 * The medians of the reads a calls run would call (status ok), without the model: the same
 * piles and evidence as callsFromPaf, sorted by read id.
 */
export async function readMedians(paf: string, opts: CallsOptions = {}): Promise<ReadMedian[]> {
  const out: ReadMedian[] = [];
  // helper threads start now and load while the file is read
  const threads = new EvidenceThreads(Math.max(1, opts.threads ?? 1));
  try {
    const enough: PafPile[] = [];
    for await (const pile of pilesFromPaf(paf, opts)) {
      if (pile.enough) enough.push(pile);
      else opts.onRead?.();
    }
    for (const call of await threads.calls(enough, opts, opts.onRead)) {
      if (call.status === "ok" && call.median !== null) {
        out.push({ readId: call.readId, median: call.median });
      }
    }
  } finally {
    threads.stop();
  }
  return out.sort((a, b) => (a.readId < b.readId ? -1 : a.readId > b.readId ? 1 : 0));
}

/** A medians TSV (header, one read a line; numbers in full so D comes out exact). */
export function formatMedians(medians: ReadMedian[]): string {
  return [MEDIANS_HEADER.join("\t"), ...medians.map((m) => `${m.readId}\t${m.median}`)]
    .join("\n") + "\n";
}

/** Parse a medians TSV; a UserError names the file and line of a bad row. */
export function parseMedians(text: string, file: string): number[] {
  const lines = text.split("\n");
  if (lines[0].trimEnd() !== MEDIANS_HEADER.join("\t")) {
    throw new UserError(`${file}:1: not a medians TSV (expected the header read_id<TAB>median)`);
  }
  const out: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].trimEnd();
    if (!l) continue;
    const cols = l.split("\t");
    const m = Number(cols[1]);
    if (cols.length !== 2 || cols[1] === "" || !Number.isFinite(m)) {
      throw new UserError(`${file}:${i + 1}: expected read_id<TAB>median, got "${l.slice(0, 60)}"`);
    }
    out.push(m);
  }
  return out;
}

/** The data set's typical depth D from the medians TSVs of all buckets. */
export async function depthFromMedianFiles(files: string[]): Promise<number> {
  const all: number[] = [];
  for (const f of files) {
    for (const m of parseMedians(await readTextOrFail(f, "medians TSV"), f)) {
      all.push(m);
    }
  }
  if (all.every((m) => !(m > 0))) {
    throw new UserError(`no called read in ${files.length} medians file(s): D is undefined`);
  }
  return typicalDepth(all);
}

/**
 * Join calls TSVs (each with the same header) into one: one header, rows sorted by read id.
 * A UserError names a file whose header differs and a read id found twice.
 */
export async function mergeCallFiles(files: string[]): Promise<string> {
  let header: string | null = null;
  const rows: [string, string][] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const lines = (await readTextOrFail(f, "calls TSV")).split("\n");
    const h = lines[0].trimEnd();
    if (header === null) header = h;
    else if (h !== header) throw new UserError(`${f}:1: header differs from ${files[0]}'s`);
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i];
      if (!l) continue;
      const id = l.slice(0, l.indexOf("\t") < 0 ? l.length : l.indexOf("\t"));
      const before = seen.get(id);
      if (before) throw new UserError(`${f}:${i + 1}: read ${id} is also in ${before}`);
      seen.set(id, f);
      rows.push([id, l]);
    }
  }
  if (header === null) throw new UserError("no calls TSV given");
  rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [header, ...rows.map((r) => r[1])].join("\n") + "\n";
}
