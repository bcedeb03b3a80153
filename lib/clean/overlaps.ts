/**
 * The overlaps of a few reads, with strands and the other read's coordinates (what junction
 * finding needs beyond the pile): one more pass over the PAF input with lib/overlaps/paf_engine.ts
 * `scanPaf`, lines kept only when the query's or the target's name hash is one of the wanted
 * reads' (then the name is compared), so memory is bounded by the wanted reads' overlaps.
 * @module
 */
import { type PafLine, scanPaf } from "../overlaps/paf_engine.ts";
import { utf8Hash } from "../core/hash.ts";
import type { ReadOverlap } from "./junctions.ts";

/** A wanted read's overlaps and length. */
export interface WantedOverlaps {
  readLen: number;
  overlaps: ReadOverlap[];
}

/**
 * Overlaps of the reads `ids` in a PAF input (path or "-"), by read id; each line adds to its
 * query and its target (self-mappings skipped). The other read is keyed by its name hash.
 */
export async function overlapsOf(
  paf: string,
  ids: Iterable<string>,
): Promise<Map<string, WantedOverlaps>> {
  const byHash = new Map<number, string[]>();
  const out = new Map<string, WantedOverlaps>();
  for (const id of ids) {
    const h = utf8Hash(id);
    const l = byHash.get(h);
    if (l) l.push(id);
    else byHash.set(h, [id]);
    out.set(id, { readLen: 0, overlaps: [] });
  }
  const dec = new TextDecoder();
  const lookup = (v: PafLine, s: number, e: number, h: number): WantedOverlaps | undefined => {
    const l = byHash.get(h);
    if (!l) return undefined;
    const name = dec.decode(v.buf.subarray(s, e));
    return l.includes(name) ? out.get(name) : undefined;
  };
  await scanPaf(paf, (v) => {
    const q = byHash.has(v.qHash) ? lookup(v, v.qNameStart, v.qNameEnd, v.qHash) : undefined;
    const t = byHash.has(v.tHash) ? lookup(v, v.tNameStart, v.tNameEnd, v.tHash) : undefined;
    if (!q && !t) return;
    if (v.isSelf()) return;
    const strand = v.strand === 45 ? -1 : 1;
    if (q) {
      q.readLen = v.qLen;
      q.overlaps.push({
        selfBegin: v.qStart,
        selfEnd: v.qEnd,
        other: v.tHash,
        otherBegin: v.tStart,
        otherEnd: v.tEnd,
        strand,
      });
    }
    if (t) {
      t.readLen = v.tLen;
      t.overlaps.push({
        selfBegin: v.tStart,
        selfEnd: v.tEnd,
        other: v.qHash,
        otherBegin: v.qStart,
        otherEnd: v.qEnd,
        strand,
      });
    }
  });
  return out;
}
