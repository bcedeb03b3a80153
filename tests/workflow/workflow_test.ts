import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { writeReadsFasta } from "../../lib/synth/reads.ts";
import { tempDir } from "../fixtures.ts";
import { ROOT, runCli } from "../cli/run.ts";
import { tinyPileModel } from "../pile_model_fixture.ts";

/** Whether `cmd arg` runs. */
function has(cmd: string, arg = "--version"): boolean {
  try {
    return new Deno.Command(cmd, { args: [arg], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const HAS_TOOLS = has("snakemake") && has("minimap2") && has("seqkit", "version");
const SNAKEFILE = join(ROOT, "workflow", "Snakefile");

/** Run snakemake in `cwd`; asserts it succeeds and returns its output. */
async function snakemake(cwd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("snakemake", {
    args: ["-s", SNAKEFILE, ...args],
    cwd,
    // Snakemake 7.21 needs USER on the SLURM path
    env: { USER: Deno.env.get("USER") || "ci", CHIMERA_THREADS: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text.slice(-3000));
  return text;
}

Deno.test({
  name: "workflow: ~400 gzipped FASTQ reads, 4 shards x 3 buckets = one process; SLURM dry-run",
  ignore: !HAS_TOOLS,
  fn: async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const fq = join(dir, "reads.fq");
      const truth = await writeReadsFasta(fq, join(dir, "truth.csv"), {
        // ~400 short-ish reads at ~20x: a few seconds of minimap2
        species: 2,
        genomeLength: 70_000,
        readMedian: [5000, 6000],
        depth: [20, 25],
        fastq: true,
      });
      assert.ok(truth.length >= 300 && truth.length <= 500, `${truth.length} reads`);
      const reads = join(dir, "reads.fq.gz");
      await Deno.writeFile(reads, gzipSync(await Deno.readFile(fq)));
      const model = await tinyPileModel(join(dir, "model"));
      // one process: all-vs-all overlaps, then classify
      const mm = await new Deno.Command("minimap2", {
        args: ["-t", "2", "-x", "ava-ont", reads, reads],
        stdout: "piped",
        stderr: "null",
      }).output();
      assert.ok(mm.success);
      const paf = join(dir, "ovl.paf");
      await Deno.writeFile(paf, mm.stdout);
      const one = join(dir, "one.tsv");
      const r = await runCli(
        "classify",
        ["--paf", paf, "--model", model, "--quiet", "--out", one],
        {
          env: { CHIMERA_THREADS: "1" },
        },
      );
      assert.equal(r.code, 0, r.stderr);
      const config = [
        `reads=${reads}`,
        "out=OUT",
        "shards=4",
        "buckets=3",
        `model=${model}`,
        `deno=${Deno.execPath()}`,
        "minimap2_threads=1",
      ];
      await snakemake(dir, ["--cores", "2", "--config", ...config]);
      const expected = await Deno.readTextFile(one);
      assert.equal(expected.trimEnd().split("\n").length, truth.length + 1);
      assert.equal(await Deno.readTextFile(join(dir, "OUT", "calls.tsv")), expected);
      // the paf= entry point on a cluster profile: a dry run plans chunks, scatter, buckets
      const plan = await snakemake(dir, [
        "-n",
        "--profile",
        join(ROOT, "workflow", "profiles", "slurm"),
        "--config",
        `paf=${paf}`,
        "out=OUT2",
        `model=${model}`,
      ]);
      for (const job of ["split_paf", "chunk_scatter", "medians", "depth", "classify", "merge"]) {
        assert.match(plan, new RegExp(`\\n${job}\\s+\\d+`), job);
      }
    } finally {
      await cleanup();
    }
  },
});
