import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import {
  comparisonSheet,
  synthChart,
  synthThroughput,
  writeSynthDataset,
} from "../../lib/synth/synth.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { SYNTH_CLASSES } from "../../lib/synth/options.ts";
import { poisson, simulateSample } from "../../lib/synth/simulate.ts";
import { simulateReads, writeReadsFasta } from "../../lib/synth/reads.ts";
import { coverage, renderPng } from "../../lib/overlaps/pileogram.ts";
import { callsFromPaf } from "../../lib/calls/calls.ts";
import { ruleScore } from "../../lib/overlaps/coverage_rule.ts";

const SMALL = { genomeLength: 400_000, species: 2 };

Deno.test("synth: charts are deterministic per seed and differ between seeds", async () => {
  const a = simulateSample({ ...SMALL, seed: 11 });
  const b = simulateSample({ ...SMALL, seed: 11 });
  const c = simulateSample({ ...SMALL, seed: 12 });
  for (const cls of SYNTH_CLASSES) {
    const ca = synthChart(a, cls, 3), cb = synthChart(b, cls, 3), cc = synthChart(c, cls, 3);
    assert.deepEqual(ca.intervals, cb.intervals);
    assert.equal(ca.read.id, cb.read.id);
    assert.deepEqual(await renderPng(ca.curve), await renderPng(cb.curve));
    assert.notDeepEqual(ca.intervals, cc.intervals);
    assert.equal(ca.read.cls, cls);
  }
  // a chart does not depend on which other charts were drawn before it
  synthChart(a, "regular", 0);
  assert.deepEqual(synthChart(a, "repeat", 5).intervals, synthChart(b, "repeat", 5).intervals);
  const tp = await synthThroughput(6, { ...SMALL });
  assert.equal(tp.charts, 6);
  assert.ok(tp.chartsPerSecond > 0);
  const r = mulberry32(1);
  const mean = Array.from({ length: 2000 }, () => poisson(r, 2)).reduce((s, x) => s + x) / 2000;
  assert.ok(Math.abs(mean - 2) < 0.15);
});

Deno.test("synth: classes have their shapes and the coverage rule separates chimeras", () => {
  const s = simulateSample({ seed: 5 });
  const scores: Record<string, number[]> = {};
  for (let i = 0; i < 60; i++) {
    for (const cls of SYNTH_CLASSES) {
      const ch = synthChart(s, cls, i);
      assert.ok(ch.read.length >= 3000);
      assert.equal(ch.read.fragments.length > 1, cls === "chimeric");
      // the rule reads the raw pile (the valid-region step cuts hard gaps away)
      const raw = coverage(ch.read.length, ch.intervals);
      (scores[cls] ??= []).push(ruleScore(raw, ch.curve.median).score);
    }
  }
  const pos = scores.chimeric, neg = [...scores.regular, ...scores.repeat];
  let auc = 0;
  for (const p of pos) for (const n of neg) auc += p > n ? 1 : p === n ? 0.5 : 0;
  auc /= pos.length * neg.length;
  assert.ok(auc > 0.7, `rule AUC on synthetic charts ${auc}`);
  const called = (xs: number[]) => xs.filter((x) => x >= 0.6).length / xs.length;
  assert.ok(called(pos) > 0.35, `chimeric called ${called(pos)}`);
  assert.ok(called(neg) < 0.15, `non-chimeric called ${called(neg)}`);
});

Deno.test("writeSynthDataset: class folders, real-like PNGs, truth.csv", async () => {
  const dir = await Deno.makeTempDir();
  const rows = await writeSynthDataset(dir, { ...SMALL, perClass: 2, seed: 3 });
  assert.equal(rows.length, 6);
  for (const cls of SYNTH_CLASSES) {
    const files = [...Deno.readDirSync(join(dir, cls))].map((e) => e.name).sort();
    assert.equal(files.length, 2);
    for (const f of files) {
      assert.match(f, /^s\d+_\d+\.png$/);
      const meta = await sharp(join(dir, cls, f)).metadata();
      assert.deepEqual([meta.width, meta.height, meta.channels], [750, 500, 4]);
    }
  }
  const truth = (await Deno.readTextFile(join(dir, "truth.csv"))).trim().split("\n");
  assert.equal(truth[0], "file,class,read_id,read_len,n_overlaps,median,rule_score,fragments");
  assert.equal(truth.length, 7);
  const sheet = await comparisonSheet(dir, dir, { perClass: 2, tileWidth: 60 });
  const meta = await sharp(sheet).metadata();
  assert.deepEqual([meta.width, meta.height], [2 * 2 * 64 + 20, 3 * 44]);
  assert.deepEqual(
    truth.slice(1).map((l) => l.split(",")[1]).sort(),
    ["chimeric", "chimeric", "regular", "regular", "repeat", "repeat"],
  );
  await Deno.remove(dir, { recursive: true });
});

/** A small read set with planted chimeras and one short repeat family (a quick minimap2 run). */
const READS = {
  seed: 3,
  species: 1,
  genomeLength: 80_000,
  depth: [15, 15] as [number, number],
  readMedian: [5000, 8000] as [number, number],
  chimeraRate: 0.15,
  repeatFamilies: [19, 19] as [number, number],
  repeatCopies: [3, 3] as [number, number],
  repeatLength: [2000, 4000] as [number, number],
};

Deno.test("writeReadsFasta: FASTA and FASTQ with truth, deterministic", async () => {
  const dir = await Deno.makeTempDir();
  const truth = await writeReadsFasta(join(dir, "r.fa"), join(dir, "r.csv"), READS);
  const fa = await Deno.readTextFile(join(dir, "r.fa"));
  const names = fa.split("\n").filter((l) => l.startsWith(">")).map((l) => l.slice(1));
  assert.deepEqual(names, truth.map((t) => t.id));
  assert.ok(truth.some((t) => t.cls === "chimeric") && truth.some((t) => t.cls === "regular"));
  const seqs = fa.split("\n").filter((l) => l && !l.startsWith(">"));
  assert.ok(seqs.every((s) => /^[ACGT]+$/.test(s)));
  assert.deepEqual(seqs.map((s) => s.length), truth.map((t) => t.length));
  const again = await writeReadsFasta(join(dir, "s.fq"), join(dir, "s.csv"), {
    ...READS,
    fastq: true,
  });
  assert.deepEqual(again, truth);
  const fq = (await Deno.readTextFile(join(dir, "s.fq"))).split("\n");
  assert.ok(fq[0].startsWith("@") && fq[2] === "+" && fq[3].length === fq[1].length);
  assert.equal(simulateReads(READS).reads.length, truth.length);
  await Deno.remove(dir, { recursive: true });
});

const HAS_MINIMAP2 = (() => {
  try {
    return new Deno.Command("minimap2", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "minimap2 round trip: planted chimeras are called by the coverage rule",
  ignore: !HAS_MINIMAP2,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const fa = join(dir, "reads.fa");
    const truth = await writeReadsFasta(fa, join(dir, "truth.csv"), READS);
    const out = await new Deno.Command("minimap2", {
      args: ["-t", "2", "-x", "ava-ont", fa, fa],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.ok(out.success);
    const paf = join(dir, "ovl.paf");
    await Deno.writeFile(paf, out.stdout);
    const cls = new Map(truth.map((t) => [t.id, t.cls]));
    let tp = 0, fp = 0, fn = 0, n = 0;
    for (const c of (await callsFromPaf(paf)).calls) {
      if (c.status !== "ok") continue;
      n++;
      const pos = cls.get(c.readId) === "chimeric";
      if (c.ruleCall && pos) tp++;
      else if (c.ruleCall) fp++;
      else if (pos) fn++;
    }
    const recall = tp / (tp + fn), precision = tp / Math.max(1, tp + fp);
    console.log(
      `round trip: ${n} reads called, recall ${recall.toFixed(2)}, ` +
        `precision ${precision.toFixed(2)} (coverage rule)`,
    );
    assert.ok(n > 0.9 * truth.length, `${n} of ${truth.length} reads have overlaps`);
    assert.ok(recall >= 0.5, `recall ${recall}`);
    assert.ok(precision >= 0.75, `precision ${precision}`);
    await Deno.remove(dir, { recursive: true });
  },
});
