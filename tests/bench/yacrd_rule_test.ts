import assert from "node:assert/strict";
import { join } from "node:path";
import { formatYacrdLine, gapRuleFromPaf } from "../../lib/overlaps/gap_rule.ts";
import { HAS_YACRD, YACRD } from "../fixtures.ts";

const SCRIPT = new URL("../../lib/bench/yacrd_rule.py", import.meta.url).pathname;

/** The Python reference's report on `paf` (-c `c`), its lines sorted, and its summary. */
async function pythonRule(paf: string, c: number): Promise<{ lines: string[]; chimeric: number }> {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "report.tsv");
    const r = await new Deno.Command("python3", {
      args: [SCRIPT, paf, "--out", out, "--coverage", String(c)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const summary = JSON.parse(new TextDecoder().decode(r.stdout));
    const lines = (await Deno.readTextFile(out)).split("\n").filter((l) => l !== "").sort();
    return { lines, chimeric: summary.chimeric };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the Python gap rule (bench reference) = lib/overlaps/gap_rule.ts on touching and gapped overlaps", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const line = (q: string, qs: number, qe: number, t: string) =>
      `${q}\t1000\t${qs}\t${qe}\t+\t${t}\t5000\t0\t${qe - qs}\t${qe - qs}\t${qe - qs}\t60`;
    // a: overlaps that touch at 500 (a zero-length region: Chimeric); b: a gap 400-600;
    // c: covered end to end; d: covered on 100 bases of 1000 (NotCovered)
    const paf = join(dir, "ovl.paf");
    await Deno.writeTextFile(
      paf,
      [
        line("a", 0, 500, "x1"),
        line("a", 500, 1000, "x2"),
        line("b", 0, 400, "x3"),
        line("b", 600, 1000, "x4"),
        line("c", 0, 700, "x5"),
        line("c", 300, 1000, "x6"),
        line("d", 450, 550, "x7"),
      ].join("\n") + "\n",
    );
    for (const c of [0, 1]) {
      const py = await pythonRule(paf, c);
      const ts = (await gapRuleFromPaf(paf, { minCoverage: c }))
        .map((g) => formatYacrdLine(g.readId, g.readLen, g.result)).sort();
      assert.deepEqual(py.lines, ts, `-c ${c}`);
    }
    const py = await pythonRule(paf, 0);
    assert.deepEqual(py.lines.filter((l) => /\t[abcd]\t/.test(l)), [
      "Chimeric\ta\t1000\t0,500,500",
      "Chimeric\tb\t1000\t200,400,600",
      "NotBad\tc\t1000\t",
      "NotCovered\td\t1000\t450,0,450;450,550,1000",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "the Python gap rule reproduces yacrd's own test report (reads.paf, -c 0)",
  ignore: !HAS_YACRD,
  fn: async () => {
    const py = await pythonRule(join(YACRD, "reads.paf"), 0);
    const want = (await Deno.readTextFile(join(YACRD, "truth.yacrd"))).split("\n")
      .filter((l) => l !== "").sort();
    assert.deepEqual(py.lines, want);
    assert.equal(py.chimeric, want.filter((l) => l.startsWith("Chimeric")).length);
  },
});
