import { deepEqual, equal } from "node:assert/strict";
import { gfaContigs, misjoins, n50, scoreSplit } from "../../lib/bench/split_bench.ts";
import { piecesKept, type ReadJunctions } from "../../lib/clean/split.ts";
import type { ReadTruth } from "../../lib/bench/readset.ts";

const t = (id: string, kind: ReadTruth["kind"], junction: number, length: number): ReadTruth => ({
  id,
  kind,
  junction,
  length,
  source: "",
});
const rj = (id: string, len: number, pos: number[]): ReadJunctions => ({
  readId: id,
  readLen: len,
  intervals: [],
  junctions: pos.map((p) => ({ begin: p, end: p, pos: p, kind: "valley", score: 1 })),
});

Deno.test("split score: cut within tolerance, median distance, bases of plain reads kept", () => {
  const truth = [
    t("d", "distant", 5000, 10000),
    t("f", "foldback", 6000, 9000),
    t("s", "shared", 4000, 8000),
    t("p", "none", -1, 10000),
    t("q", "none", -1, 5000),
  ];
  const js = new Map([
    ["d", rj("d", 10000, [5010])],
    ["f", rj("f", 9000, [7500])],
    ["p", rj("p", 10000, [500])],
  ]);
  const s = scoreSplit(truth, js, (r) => piecesKept(r, { minLength: 1000 }));
  deepEqual(s.all, { chimeras: 3, cut: 1, cutAnywhere: 2, medianDistance: 755 });
  deepEqual(s.byKind.shared, { chimeras: 1, cut: 0, cutAnywhere: 0, medianDistance: NaN });
  deepEqual([s.plainReads, s.plainFlagged, s.plainBases, s.plainBasesKept], [2, 1, 15000, 14500]);
  equal(s.keptFraction, 14500 / 15000);
});

Deno.test("assembly: N50, GFA contigs, misjoins on a circular genome", () => {
  equal(n50([100, 400, 300, 200]), 300);
  deepEqual(gfaContigs("H\tVN:Z:1.0\nS\tutg1\tACGT\tLN:i:4\nL\tx\nS\tutg2\tGG\n"), [
    { name: "utg1", seq: "ACGT" },
    { name: "utg2", seq: "GG" },
  ]);
  const line = (q: string, qs: number, qe: number, s: string, ts: number, te: number) =>
    `${q}\t200000\t${qs}\t${qe}\t${s}\tg\t1000000\t${ts}\t${te}\t1\t1\t60\ttp:A:P`;
  const paf = [
    // c1: two pieces 10 kb apart on the contig and on the genome: fine
    line("c1", 0, 50000, "+", 100000, 150000),
    line("c1", 60000, 100000, "+", 160000, 200000),
    // c2: the second piece maps 500 kb away: a misjoin
    line("c2", 0, 50000, "+", 100000, 150000),
    line("c2", 60000, 100000, "+", 660000, 700000),
    // c3: across the origin of the circular genome: fine
    line("c3", 0, 50000, "+", 940000, 990000),
    line("c3", 60000, 100000, "+", 0, 40000),
    // c4: pieces on both strands: a misjoin; c5: one piece
    line("c4", 0, 50000, "+", 100000, 150000),
    line("c4", 60000, 100000, "-", 50000, 90000),
    line("c5", 0, 50000, "-", 100000, 150000),
  ].join("\n");
  const m = misjoins(paf, { genomeLength: 1_000_000 });
  deepEqual([...m.bad].sort(), ["c2", "c4"]);
  equal(m.mapped.size, 5);
  // without the circle, c3 is a misjoin too
  deepEqual([...misjoins(paf).bad].sort(), ["c2", "c3", "c4"]);
});
