import { deepEqual, equal, ok } from "node:assert/strict";
import {
  findJunctions,
  foldbackPoint,
  keptPieces,
  piecesOf,
  type ReadOverlap,
} from "../../lib/clean/junctions.ts";

/** `n` same-strand overlaps of the read over [b, e), each with its own other read. */
function pile(b: number, e: number, n: number, key0: number): ReadOverlap[] {
  return Array.from({ length: n }, (_, i) => ({
    selfBegin: b,
    selfEnd: e,
    other: key0 + i,
    otherBegin: 0,
    otherEnd: e - b,
    strand: 1 as const,
  }));
}

Deno.test("junctions: a coverage gap is cut out, exactly", () => {
  const ovs = [...pile(0, 9800, 12, 0), ...pile(10200, 20000, 12, 100)];
  const js = findJunctions(20000, ovs);
  deepEqual(js, [{ begin: 9800, end: 10200, pos: 10000, kind: "gap", score: 1 }]);
  deepEqual(piecesOf(20000, js), [[0, 9800], [10200, 20000]]);
});

Deno.test("junctions: a valley (reads across it) is cut at the middle of its floor", () => {
  // 12x on each side of 10,000, two reads across it: the pile falls to 2 there
  const ovs = [
    ...pile(0, 10000, 12, 0),
    ...pile(10000, 20000, 12, 100),
    ...pile(9000, 11000, 2, 200),
  ];
  const js = findJunctions(20000, ovs);
  equal(js.length, 1);
  const [j] = js;
  deepEqual([j.begin, j.end, j.pos, j.kind], [10000, 10000, 10000, "valley"]);
  equal(j.score.toFixed(4), (10 / 12).toFixed(4));
  deepEqual(piecesOf(20000, js), [[0, 10000], [10000, 20000]]);
});

Deno.test("junctions: a foldback is cut at its mirror point", () => {
  // read = a (10 kb) + reverse complement of a's last 5 kb: J = 10,000. Three reads overlap
  // a's end: each maps to the forward arm (+) and, mirrored, to the back arm (-)
  const J = 10000;
  const ovs: ReadOverlap[] = [...pile(0, 10000, 10, 0), ...pile(10000, 15000, 10, 100)];
  for (const [k, start, len] of [[500, 6000, 4000], [501, 7000, 3000], [502, 8500, 1500]]) {
    ovs.push({
      selfBegin: start,
      selfEnd: J,
      other: k,
      otherBegin: 200,
      otherEnd: 200 + len,
      strand: 1,
    });
    ovs.push({
      selfBegin: 2 * J - J,
      selfEnd: 2 * J - start,
      other: k,
      otherBegin: 200,
      otherEnd: 200 + len,
      strand: -1,
    });
  }
  deepEqual(foldbackPoint(15000, ovs), { pos: J, support: 3 });
  const js = findJunctions(15000, ovs);
  deepEqual(js.map((j) => [j.begin, j.end, j.pos, j.kind]), [[J, J, J, "foldback"]]);
  ok(js[0].score > 0 && js[0].score <= 1);
});

Deno.test("junctions: a flat pile has none; a second weak dip is not kept", () => {
  deepEqual(findJunctions(20000, pile(0, 20000, 10, 0)), []);
  deepEqual(findJunctions(20000, []), []);
  // a gap, and a shallow dip (12 -> 9) elsewhere: only the gap
  const ovs = [
    ...pile(0, 9800, 12, 0),
    ...pile(10200, 20000, 9, 100),
    ...pile(10200, 15000, 3, 200),
    ...pile(15500, 20000, 3, 300),
  ];
  deepEqual(findJunctions(20000, ovs).map((j) => [j.begin, j.end, j.kind]), [[9800, 10200, "gap"]]);
});

Deno.test("pieces: coordinates, min length, trim keeps the longest", () => {
  const j = (begin: number, end: number) => ({
    begin,
    end,
    pos: (begin + end) >> 1,
    kind: "gap" as const,
    score: 1,
  });
  deepEqual(piecesOf(10000, [j(3000, 3500), j(8000, 8000)]), [[0, 3000], [3500, 8000], [
    8000,
    10000,
  ]]);
  deepEqual(piecesOf(10000, [j(0, 200)]), [[200, 10000]]);
  deepEqual(piecesOf(10000, []), [[0, 10000]]);
  const pieces = piecesOf(10000, [j(3000, 3500), j(9500, 9500)]);
  deepEqual(keptPieces(pieces, "split", 1000), [[0, 3000], [3500, 9500]]);
  deepEqual(keptPieces(pieces, "trim", 1000), [[3500, 9500]]);
  deepEqual(keptPieces([[0, 500]], "trim", 1000), []);
});
