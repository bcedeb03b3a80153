import { deepEqual, equal } from "node:assert/strict";
import { join } from "node:path";
import { formatPafLine, type PafRecord } from "../../lib/overlaps/paf.ts";
import {
  badRegions,
  formatYacrdLine,
  GAP_RULE_DEFAULTS,
  gapRule,
  gapRuleFromPaf,
} from "../../lib/overlaps/gap_rule.ts";
import { HAS_YACRD, YACRD } from "../fixtures.ts";

Deno.test("gap rule: an inner gap makes a read Chimeric", () => {
  const r = gapRule(1000, [0, 400, 10, 420, 600, 1000, 650, 990]);
  equal(r.kind, "Chimeric");
  deepEqual(r.regions, [[180, 420, 600]]);
});

Deno.test("gap rule: touching overlaps leave a zero-length region", () => {
  const r = gapRule(1000, [20, 500, 500, 980]);
  equal(r.kind, "Chimeric");
  deepEqual(r.regions, [[20, 0, 20], [0, 500, 500], [20, 980, 1000]]);
  // overlaps touching at a read end leave none
  deepEqual(gapRule(1000, [0, 500, 500, 1000]).regions, [[0, 500, 500]]);
  deepEqual(gapRule(1000, [0, 1000]), { kind: "NotBad", regions: [] });
});

Deno.test("gap rule: mostly uncovered is NotCovered, the ends alone NotBad", () => {
  deepEqual(gapRule(1000, [100, 250, 120, 260]), {
    kind: "NotCovered",
    regions: [[100, 0, 100], [740, 260, 1000]],
  });
  equal(gapRule(1000, [100, 900]).kind, "NotBad");
  // exactly n of the length is not more than n
  equal(gapRule(1000, [100, 300], { notCoveredRatio: 0.8 }).kind, "NotBad");
  equal(gapRule(1000, [], GAP_RULE_DEFAULTS).kind, "NotCovered");
});

Deno.test("gap rule: bad means coverage <= c, with momentary drops at touching ends", () => {
  // coverage 2 everywhere, dropping to 1 for a moment at 300 and at 500
  const iv = [0, 300, 0, 500, 300, 1000, 500, 1000];
  deepEqual(badRegions(1000, iv, 0), []);
  deepEqual(badRegions(1000, iv, 1), [[300, 300], [500, 500]]);
  // coverage 2 over [0,300), 1 over [300,500), 2 over [500,1000)
  deepEqual(badRegions(1000, [0, 300, 0, 500, 500, 1000, 500, 1000], 1), [[300, 500]]);
  deepEqual(gapRule(1000, [0, 300, 0, 500, 500, 1000, 500, 1000], { minCoverage: 1 }), {
    kind: "Chimeric",
    regions: [[200, 300, 500]],
  });
  // never above c: all of the read is one bad region
  deepEqual(badRegions(1000, [0, 1000, 100, 800], 2), [[0, 1000]]);
  // empty intervals add nothing
  deepEqual(badRegions(1000, [0, 1000, 400, 400], 0), []);
});

Deno.test("gap rule: yacrd's report line", () => {
  equal(
    formatYacrdLine("r1", 1000, { kind: "Chimeric", regions: [[20, 0, 20], [0, 500, 500]] }),
    "Chimeric\tr1\t1000\t20,0,20;0,500,500",
  );
  equal(formatYacrdLine("r2", 50, { kind: "NotBad", regions: [] }), "NotBad\tr2\t50\t");
});

Deno.test("gap rule from a PAF file: both reads of each line get their interval", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = (q: string, qs: number, qe: number, t: string, ts: number, te: number) =>
      formatPafLine(
        {
          qName: q,
          qLen: 1000,
          qStart: qs,
          qEnd: qe,
          strand: "+",
          tName: t,
          tLen: 1000,
          tStart: ts,
          tEnd: te,
          matches: 100,
          blockLen: 200,
          mapq: 0,
          tags: "",
        } satisfies PafRecord,
      );
    const paf = join(dir, "x.paf");
    await Deno.writeTextFile(
      paf,
      [rec("a", 0, 500, "b", 500, 1000), rec("a", 500, 1000, "c", 0, 500)].join("\n") + "\n",
    );
    const got = (await gapRuleFromPaf(paf)).map((g) =>
      formatYacrdLine(g.readId, g.readLen, g.result)
    );
    deepEqual(got, [
      "Chimeric\ta\t1000\t0,500,500",
      "NotBad\tb\t1000\t500,0,500",
      "NotBad\tc\t1000\t500,500,1000",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "gap rule reproduces yacrd's own test report (reads.paf, -c 0 -n 0.8)",
  ignore: !HAS_YACRD,
  fn: async () => {
    const got =
      (await gapRuleFromPaf(join(YACRD, "reads.paf"), { minCoverage: 0, notCoveredRatio: 0.8 }))
        .map((g) => formatYacrdLine(g.readId, g.readLen, g.result)).sort();
    const want = (await Deno.readTextFile(join(YACRD, "truth.yacrd"))).split("\n")
      .filter((l) => l !== "").sort();
    equal(got.length, want.length);
    deepEqual(got, want);
  },
});
