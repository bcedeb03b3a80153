/**
 * Shared by the PAF engine tests: random PAF text and the piles of a PAF input as an array.
 * @module
 */
import { mulberry32 } from "../../lib/core/random.ts";
import { type PafPile, type PafPilesOptions, pilesFromPaf } from "../../lib/overlaps/paf_piles.ts";

/** A PAF text of `n` random overlaps among `reads` reads (with tags, some self-mappings). */
export function randomPaf(n: number, reads = 60, seed = 3): string {
  const rng = mulberry32(seed);
  const len = (i: number) => 2000 + (i * 7919) % 9000;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const q = Math.floor(rng() * reads), t = i % 97 === 0 ? q : Math.floor(rng() * reads);
    const [ql, tl] = [len(q), len(t)];
    const qs = Math.floor(rng() * ql / 2), ts = Math.floor(rng() * tl / 2);
    const qe = qs + Math.floor(rng() * (ql - qs)), te = ts + Math.floor(rng() * (tl - ts));
    lines.push(
      `read_${q}\t${ql}\t${qs}\t${qe}\t${rng() < 0.5 ? "+" : "-"}\tread_${t}\t${tl}\t${ts}\t${te}` +
        `\t${qe - qs}\t${te - ts}\t${Math.floor(rng() * 61)}\ttp:A:S\tcm:i:${i}\tdv:f:0.05`,
    );
  }
  return lines.join("\n") + "\n";
}

/** All the piles of a PAF input. */
export async function collect(path: string, opts: PafPilesOptions = {}): Promise<PafPile[]> {
  const out: PafPile[] = [];
  for await (const p of pilesFromPaf(path, opts)) out.push(p);
  return out;
}
