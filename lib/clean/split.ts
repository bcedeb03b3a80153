/**
 * Clean reads out: the reads the primary call flags are cut at their junctions and written as
 * pieces `ID:BEGIN-END` (0-based, end exclusive, the read's own coordinates; FASTQ keeps the
 * pieces' qualities), pieces shorter than the minimum length dropped; every other read is
 * written unchanged. The read file is streamed record by record; memory holds the calls and
 * the flagged reads' junctions only.
 * @module
 */
import type { ReadCall } from "../calls/calls.ts";
import {
  findJunctions,
  type Junction,
  type JunctionOptions,
  keptPieces,
  type Piece,
  piecesOf,
} from "./junctions.ts";
import { overlapsOf } from "./overlaps.ts";
import { formatRecord, openWriter, type ReadFormat, readRecords } from "./reads_io.ts";

/** What to do with a flagged read: all pieces, or only the longest. */
export type SplitMode = "split" | "trim";

/** Options of the cleaning. */
export interface SplitOptions {
  /** `split` keeps every piece, `trim` the longest. */
  mode?: SplitMode;
  /** Pieces shorter than this are dropped (bp). */
  minLength?: number;
  /** Junction finding options. */
  junctions?: JunctionOptions;
}

/** Defaults of the cleaning (yacrd's split and scrubb keep 1 kb pieces too). */
export const SPLIT_DEFAULTS: Required<Omit<SplitOptions, "junctions">> = {
  mode: "split",
  minLength: 1000,
};

/** A flagged read's junctions. */
export interface ReadJunctions {
  readId: string;
  readLen: number;
  junctions: Junction[];
  /** Its coverage intervals on the read (flat begin/end pairs), for pictures. */
  intervals: number[];
}

/** What a cleaning run did. */
export interface SplitSummary {
  /** Format of the reads. */
  format: ReadFormat | null;
  /** Records read. */
  reads: number;
  /** Reads the call flags (of those in the read file). */
  flagged: number;
  /** Flagged reads with at least one junction found. */
  cut: number;
  /** Pieces written, and pieces dropped as too short. */
  pieces: number;
  dropped: number;
  /** Flagged reads of which no piece was kept. */
  removed: number;
  /** Bases read and written. */
  basesIn: number;
  basesOut: number;
  /** Reads absent from the PAF (written unchanged). */
  notInPaf: number;
  /** Reads of the PAF absent from the read file. */
  missingReads: number;
}

/** Whether the primary call flags a read (without a primary call: the coverage rule's call). */
export function isFlagged(c: ReadCall): boolean {
  return c.call !== undefined ? c.call : c.ruleCall === true;
}

/** The junctions of the flagged reads, from one more pass over the PAF input. */
export async function junctionsOf(
  paf: string,
  flagged: readonly ReadCall[],
  opts: JunctionOptions = {},
): Promise<Map<string, ReadJunctions>> {
  const ovs = await overlapsOf(paf, flagged.map((c) => c.readId));
  const out = new Map<string, ReadJunctions>();
  for (const c of flagged) {
    const w = ovs.get(c.readId)!;
    const len = w.readLen || c.readLen;
    const intervals: number[] = [];
    for (const o of w.overlaps) intervals.push(o.selfBegin, o.selfEnd);
    out.set(c.readId, {
      readId: c.readId,
      readLen: len,
      junctions: findJunctions(len, w.overlaps, opts),
      intervals,
    });
  }
  return out;
}

/** The pieces a flagged read keeps under `opts`. */
export function piecesKept(r: ReadJunctions, opts: SplitOptions = {}): Piece[] {
  const o = { ...SPLIT_DEFAULTS, ...opts };
  return keptPieces(piecesOf(r.readLen, r.junctions), o.mode, o.minLength);
}

/** `--regions` TSV: read, begin, end, kind, score per junction, reads in id order. */
export function formatRegions(junctions: Iterable<ReadJunctions>): string {
  const rows = ["read\tbegin\tend\tkind\tscore"];
  const list = [...junctions].sort((a, b) => (a.readId < b.readId ? -1 : 1));
  for (const r of list) {
    for (const j of r.junctions) {
      rows.push(`${r.readId}\t${j.begin}\t${j.end}\t${j.kind}\t${j.score.toFixed(3)}`);
    }
  }
  return rows.join("\n") + "\n";
}

/**
 * Stream `inPath` to `outPath` (see the module doc): flagged reads (`junctions`) cut, the rest
 * unchanged; `pafReads` are the ids the PAF names (for the counts). The output appears only
 * when complete; `onTemp` is told the temp file (to remove it when interrupted).
 */
export async function splitReadFile(
  inPath: string,
  outPath: string,
  pafReads: ReadonlySet<string>,
  junctions: ReadonlyMap<string, ReadJunctions>,
  opts: SplitOptions = {},
  onTemp?: (tmp: string | null) => void,
): Promise<SplitSummary> {
  const s: SplitSummary = {
    format: null,
    reads: 0,
    flagged: 0,
    cut: 0,
    pieces: 0,
    dropped: 0,
    removed: 0,
    basesIn: 0,
    basesOut: 0,
    notInPaf: 0,
    missingReads: 0,
  };
  const w = await openWriter(outPath);
  onTemp?.(w.tmp);
  let seen = 0;
  try {
    for await (const r of readRecords(inPath, (f) => (s.format = f))) {
      const fmt = s.format!;
      s.reads++;
      s.basesIn += r.seq.length;
      if (pafReads.has(r.id)) seen++;
      else s.notInPaf++;
      const j = junctions.get(r.id);
      if (!j) {
        await w.write(formatRecord(fmt, r.id + r.description, r.seq, r.qual));
        s.basesOut += r.seq.length;
        continue;
      }
      s.flagged++;
      if (j.junctions.length) s.cut++;
      // the read file's length is the truth (the PAF's may differ on a bad input)
      const rj = r.seq.length === j.readLen ? j : { ...j, readLen: r.seq.length };
      const all = piecesOf(rj.readLen, rj.junctions);
      const kept = piecesKept(rj, opts);
      s.dropped += all.length - kept.length;
      if (!kept.length) s.removed++;
      for (const [b, e] of kept) {
        await w.write(
          formatRecord(
            fmt,
            `${r.id}:${b}-${e}${r.description}`,
            r.seq.slice(b, e),
            r.qual?.slice(b, e),
          ),
        );
        s.pieces++;
        s.basesOut += e - b;
      }
    }
    await w.close();
  } catch (err) {
    await w.abort();
    throw err;
  } finally {
    onTemp?.(null);
  }
  s.missingReads = pafReads.size - seen;
  return s;
}
