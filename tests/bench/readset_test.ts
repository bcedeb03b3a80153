import assert from "node:assert/strict";
import { plantChimeras, READSET_DEFAULTS } from "../../lib/bench/readset.ts";
import { type SimulatedRead } from "../../lib/bench/pbsim.ts";
import { parseFasta, parsePbsim, refToRead, reverseComplement } from "../../lib/bench/pbsim.ts";
import { formatTable, scoreCaller } from "../../lib/bench/paf_bench.ts";
import { mulberry32 } from "../../lib/core/random.ts";

const HAS_PBSIM = (() => {
  try {
    return new Deno.Command("pbsim", { stdout: "null", stderr: "null" }).outputSync() !== null;
  } catch {
    return false;
  }
})();

/** A random genome of `n` bases. */
function genome(n: number, seed = 1): string {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => "ACGT"[Math.floor(rng() * 4)]).join("");
}

/** An error-free read of genome[start, end) on `strand`. */
function exactRead(g: string, start: number, end: number, strand: "+" | "-"): SimulatedRead {
  const fwd = g.slice(start, end);
  return {
    seq: strand === "+" ? fwd : reverseComplement(fwd),
    refStart: start,
    refEnd: end,
    strand,
    refRow: fwd,
    readRow: fwd,
  };
}

Deno.test("pbsim output: reads and alignments parsed; reference to read coordinates", () => {
  const maf = "a\ns chr 100 6 + 1000 AC-GTAA\ns S1_1 0 6 + 6 ACTG-AA\n\n" +
    "a\ns chr 200 4 + 1000 ACGT\ns S1_2 0 4 - 4 ACGT\n";
  const fq = "@S1_1\nACTGAA\n+S1_1\n!!!!!!\n@S1_2\nACGT\n+S1_2\n!!!!\n";
  const [a, b] = parsePbsim(fq, maf);
  assert.deepEqual([a.refStart, a.refEnd, a.strand, a.seq], [100, 106, "+", "ACTGAA"]);
  assert.equal(b.strand, "-");
  // ref 103 is the 4th reference base: columns A C - G -> the read has A C T G before it
  assert.equal(refToRead(a, 103), 4);
  assert.equal(refToRead(a, 100), 0);
  // on the - strand the read runs the other way
  assert.equal(refToRead(b, 201), 3);
  assert.equal(reverseComplement("AACGTN"), "NACGTT");
  assert.deepEqual(parseFasta(">x desc\nAC\ngt\n>y\nT\n"), [
    { name: "x", seq: "ACGT" },
    { name: "y", seq: "T" },
  ]);
});

Deno.test({
  name: "plantChimeras: junctions where the pieces meet, of each kind",
  ignore: !HAS_PBSIM,
  fn: async () => {
    const g = genome(600_000, 3);
    const rng = mulberry32(4);
    const reads: SimulatedRead[] = [];
    for (let i = 0; i < 400; i++) {
      const s = Math.floor(rng() * 590_000);
      const len = 3000 + Math.floor(rng() * 6000);
      reads.push(exactRead(g, s, Math.min(600_000, s + len), rng() < 0.5 ? "+" : "-"));
    }
    const o = { ...READSET_DEFAULTS, rate: 0.2, seed: 2, readsPerJunction: 4 };
    const out = await plantChimeras(g, reads, o);
    const kinds = new Map<string, number>();
    for (const r of out) kinds.set(r.truth.kind, (kinds.get(r.truth.kind) ?? 0) + 1);
    for (const k of ["distant", "downstream", "foldback"]) assert.equal(kinds.get(k), 20, k);
    assert.ok((kinds.get("shared") ?? 0) >= 4, `shared ${kinds.get("shared")}`);
    const locate = (piece: string) => {
      const f = g.indexOf(piece);
      return f >= 0
        ? { at: f, strand: "+" }
        : { at: g.indexOf(reverseComplement(piece)), strand: "-" };
    };
    for (const { seq, truth } of out) {
      assert.equal(truth.length, seq.length);
      if (truth.kind === "none") {
        assert.equal(truth.junction, -1);
        continue;
      }
      const [left, right] = [seq.slice(0, truth.junction), seq.slice(truth.junction)];
      if (truth.kind === "foldback") {
        assert.equal(right, reverseComplement(left.slice(left.length - right.length)));
      } else if (truth.kind === "distant" || truth.kind === "downstream") {
        const a = locate(left), b = locate(right);
        assert.ok(a.at >= 0 && b.at >= 0, truth.source);
        if (truth.kind === "distant") assert.ok(Math.abs(a.at - b.at) > 100_000);
        else {
          assert.equal(a.strand, b.strand);
          const gap = a.strand === "+" ? b.at - (a.at + left.length) : a.at - (b.at + right.length);
          assert.ok(gap >= 2000 && gap <= 30_000, `gap ${gap}`);
        }
      } else {
        // pbsim reads carry errors: a read's two sides map near two loci 200 kb+ apart
        assert.ok(truth.junction >= 500 && truth.junction <= seq.length - 500, truth.source);
        const [x, y] = truth.source.split("|");
        const end = Number(x.split("-")[1]), start = Number(y.split("-")[0]);
        assert.ok(Math.abs(end - start) >= 200_000, truth.source);
      }
    }
  },
});

Deno.test("scoreCaller: precision, recall, F1 and recall per kind by hand", () => {
  const t = (id: string, kind: "none" | "distant" | "shared") => ({
    id,
    kind,
    junction: kind === "none" ? -1 : 10,
    length: 100,
    source: "",
  });
  const truth = [
    t("a", "distant"),
    t("b", "distant"),
    t("c", "shared"),
    t("d", "none"),
    t("e", "none"),
  ];
  const r = scoreCaller("x", new Set(["a", "c", "d"]), truth);
  assert.equal(r.precision, 2 / 3);
  assert.equal(r.recall, 2 / 3);
  assert.equal(r.f1, 2 / 3);
  assert.equal(r.called, 3);
  assert.equal(r.recallByKind.distant, 0.5);
  assert.equal(r.recallByKind.shared, 1);
  assert.ok(Number.isNaN(r.recallByKind.foldback));
  assert.match(
    formatTable([r]),
    /\| x \| 0\.667 \| 0\.667 \| 0\.667 \| 0\.500 \| n\/a \| n\/a \| 1\.000 \|/,
  );
});
