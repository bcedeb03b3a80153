import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import type { ReadCall } from "../../lib/calls/calls.ts";
import { junctionsOf, yacrdReport } from "../../lib/clean/mod.ts";
import { HAS_YACRD, tempDir, YACRD } from "../fixtures.ts";

/** A call of a read: flagged or not by the primary call. */
const call = (readId: string, flagged: boolean): ReadCall => ({
  readId,
  readLen: 0,
  nOverlaps: 3,
  status: "ok",
  median: 10,
  ruleScore: 0,
  ruleCall: false,
  pChimeric: 0.5,
  pCall: flagged ? 0.9 : 0.1,
  call: flagged,
});

/** Lines of a yacrd report by read: [type, length, regions]. */
function byRead(text: string): Map<string, [string, string, string[]]> {
  const m = new Map<string, [string, string, string[]]>();
  for (const l of text.trimEnd().split("\n")) {
    const [type, read, len, regions] = l.split("\t");
    m.set(read, [type, len, regions ? regions.split(";") : []]);
  }
  return m;
}

Deno.test({
  name: "yacrd format: yacrd's test data; with yacrd's calls the report is yacrd's own",
  ignore: !HAS_YACRD,
  fn: async () => {
    const paf = join(YACRD, "reads.paf");
    const truth = byRead(await Deno.readTextFile(join(YACRD, "truth.yacrd")));
    // the calls say Chimeric exactly where yacrd did
    const calls = [...truth].map(([id, [type]]) => call(id, type === "Chimeric"));
    const flagged = calls.filter((c) => c.call);
    const junctions = await junctionsOf(paf, flagged);
    const text = await yacrdReport(paf, calls, junctions);
    const ours = byRead(text);
    deepEqual([...ours.keys()].sort(), [...truth.keys()].sort(), "one line per read of the PAF");
    let same = 0, extra = 0;
    for (const [id, [type, len, regions]] of truth) {
      const [t2, l2, r2] = ours.get(id)!;
      equal(t2, type, id);
      equal(l2, len, id);
      // yacrd's regions are all there; a flagged read's junction is added where none holds it
      for (const r of regions) ok(r2.includes(r), `${id}: ${r} missing from ${r2.join(";")}`);
      if (r2.length === regions.length) same++;
      else extra++;
      for (const r of r2) ok(/^\d+,\d+,\d+$/.test(r), r);
    }
    // every Chimeric read of yacrd has an inner gap, which holds its junction
    equal(extra, 0);
    equal(same, truth.size);
    // so the text equals yacrd's expected report, line for line once sorted
    const sorted = (t: string) => t.trimEnd().split("\n").sort();
    deepEqual(sorted(text), sorted(await Deno.readTextFile(join(YACRD, "truth.yacrd"))));
  },
});

Deno.test("yacrd format: a flagged read's valley becomes a zero-length region; NotBad when not flagged", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // read v (20 kb): 12 overlaps on each side of 10,000 and two across it; read p: flat
    const lines: string[] = [];
    const line = (q: string, qb: number, qe: number, t: string) =>
      `${q}\t20000\t${qb}\t${qe}\t+\t${t}\t${qe - qb}\t0\t${qe - qb}\t${qe - qb}\t${qe - qb}\t60`;
    for (let i = 0; i < 12; i++) {
      lines.push(line("v", 0, 10000, `a${i}`), line("v", 10000, 20000, `b${i}`));
      lines.push(line("p", 0, 20000, `c${i}`));
    }
    lines.push(line("v", 9000, 11000, "x0"), line("v", 9000, 11000, "x1"));
    const paf = join(dir, "ovl.paf");
    await Deno.writeTextFile(paf, lines.join("\n") + "\n");
    const calls = [call("v", true), call("p", false)];
    const text = await yacrdReport(paf, calls, await junctionsOf(paf, [calls[0]]));
    const m = byRead(text);
    deepEqual(m.get("v"), ["Chimeric", "20000", ["0,10000,10000"]]);
    deepEqual(m.get("p"), ["NotBad", "20000", []]);
    // the partners: one overlap each, covering part of their length
    deepEqual(m.get("a0"), ["NotBad", "10000", []]);
  } finally {
    await cleanup();
  }
});
