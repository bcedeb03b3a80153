import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { tempDir } from "../fixtures.ts";
import { tinyPileModel } from "../pile_model_fixture.ts";
import { browser, checkPictures, CHROMIUM, exists } from "../notebook/jupyter_browser.ts";
import { assertUserError, ROOT, runCli } from "./run.ts";

const ENV = { CHIMERA_THREADS: "1" };
const SEQ = "ACGTTGCA".repeat(2500); // 20 kb
const QUAL = Array.from({ length: 20000 }, (_, i) => String.fromCharCode(35 + (i % 30))).join("");

/**
 * A PAF where read "chim" has a coverage gap at [9800, 10200) (12 overlaps on each side) and
 * "plain" is covered flat; each of the 36 partners has one overlap (too few to be called).
 */
function pafText(): string {
  const lines: string[] = [];
  const line = (q: string, qb: number, qe: number, t: string) =>
    `${q}\t20000\t${qb}\t${qe}\t+\t${t}\t${qe - qb}\t0\t${qe - qb}\t${qe - qb}\t${qe - qb}\t60`;
  for (let i = 0; i < 12; i++) {
    lines.push(line("chim", 0, 9800, `a${i}`), line("chim", 10200, 20000, `b${i}`));
    lines.push(line("plain", 0, 20000, `c${i}`));
  }
  return lines.join("\n") + "\n";
}

/** The fixture: PAF, gzipped FASTQ reads (chim, plain, and one the PAF lacks), a model. */
async function fixture(dir: string) {
  const paf = join(dir, "ovl.paf");
  await Deno.writeTextFile(paf, pafText());
  const reads = join(dir, "reads.fq.gz");
  const fq = ["chim", "plain", "stranger"].map((id) => `@${id}\n${SEQ}\n+\n${QUAL}\n`).join("");
  await Deno.writeFile(reads, gzipSync(new TextEncoder().encode(fq)));
  const model = await tinyPileModel(join(dir, "model"));
  // a primary call that follows the coverage rule's score (the tiny model is untrained)
  await Deno.writeTextFile(
    join(model, "call.json"),
    JSON.stringify({
      inputs: ["logit_p_model", "rule_score", "log2_relative_depth", "log2_relative_floor"],
      weights: [-5, 0, 10, 0, 0],
      threshold: 0.5,
      fittedRate: 0.05,
      fittedOn: "test",
    }),
  );
  return { paf, reads, model };
}

Deno.test("split-reads: flagged reads cut at the gap, gz FASTQ in and out, regions, counts", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { paf, reads, model } = await fixture(dir);
    const out = join(dir, "clean.fq.gz");
    const regions = join(dir, "regions.tsv");
    const r = await runCli("split_reads", [
      "--paf",
      paf,
      "--in",
      reads,
      "--out",
      out,
      "--model",
      model,
      "--regions",
      regions,
      "--report",
      join(dir, "report.html"),
      // the evidence shared over two threads (the cuts expected below are those of one thread)
      "--threads",
      "2",
    ], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(out)));
    assert.equal(
      text,
      `@chim:0-9800\n${SEQ.slice(0, 9800)}\n+\n${QUAL.slice(0, 9800)}\n` +
        `@chim:10200-20000\n${SEQ.slice(10200)}\n+\n${QUAL.slice(10200)}\n` +
        `@plain\n${SEQ}\n+\n${QUAL}\n@stranger\n${SEQ}\n+\n${QUAL}\n`,
    );
    assert.equal(
      await Deno.readTextFile(regions),
      "read\tbegin\tend\tkind\tscore\nchim\t9800\t10200\tgap\t1.000\n",
    );
    assert.match(r.stderr, new RegExp(`warning: 36 reads of ${paf} are not in ${reads}`));
    assert.match(
      r.stderr,
      /3 reads \(fastq\) in [\d.]+ s: 1 flagged by the primary call, 1 cut into 2 pieces \(0 shorter than 1000 bp dropped, 0 reads left with none\); 1 reads absent from the PAF passed through unchanged; 59600 of 60000 bases/,
    );
    // trim, plain FASTA out of the same reads
    const fa = join(dir, "clean.fa");
    const t = await runCli("split_reads", [
      "--paf",
      paf,
      "--in",
      reads,
      "--out",
      fa,
      "--model",
      model,
      "--mode",
      "trim",
      "--min-length",
      "9900",
      "--quiet",
    ], { env: ENV });
    assert.equal(t.code, 0, t.stderr);
    assert.equal(
      (await Deno.readTextFile(fa)).split("\n").filter((l) => l[0] === "@").join(" "),
      "@plain @stranger",
      "FASTQ in, FASTQ out (the extension does not choose the format)",
    );
  } finally {
    await cleanup();
  }
});

Deno.test({
  name: "split-reads --report: the page shows the p_call histogram and the junction piles",
  ignore: !exists(CHROMIUM),
  fn: async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { paf, reads, model } = await fixture(dir);
      const report = join(dir, "report.html");
      const r = await runCli("split_reads", [
        "--paf",
        paf,
        "--in",
        reads,
        "--out",
        join(dir, "o.fq"),
        "--model",
        model,
        "--report",
        report,
        "--quiet",
      ], { env: ENV });
      assert.equal(r.code, 0, r.stderr);
      const html = await Deno.readTextFile(report);
      assert.ok(!/<script|<link|src="http/.test(html), "self-contained");
      const b = await browser();
      try {
        const page = await b.context.newPage();
        await page.goto(`file://${report}`);
        await checkPictures(page, "#p-call", { svg: 1 });
        await checkPictures(page, "#confident", { svg: 1 });
        assert.equal(await page.locator("#confident figure").count(), 1);
        assert.match(
          await page.locator("#confident figcaption").innerText(),
          /chim: p_call 0\.\d{3}; junctions gap 9800-10200/,
        );
        assert.equal(
          await page.locator("#confident svg line[stroke='#e15759']").count() +
              await page.locator("#confident svg [stroke='#e15759'] line").count() > 0,
          true,
        );
        assert.match(await page.locator("#counts").innerText(), /flagged chimeric\s+1/);
      } finally {
        await b.close();
      }
    } finally {
      await cleanup();
    }
  },
});

Deno.test("split-reads: bad input (--out is --in, malformed record, missing files)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { paf, reads, model } = await fixture(dir);
    const base = ["--paf", paf, "--model", model];
    assertUserError(
      await runCli("split_reads", [...base, "--in", reads, "--out", reads], { env: ENV }),
      /--out .* is the input file/,
    );
    const bad = join(dir, "bad.fa");
    await Deno.writeTextFile(bad, `>chim\n${SEQ}\n>plain\nAC1GT\n`);
    const out = join(dir, "never.fa");
    assertUserError(
      await runCli("split_reads", [...base, "--in", bad, "--out", out], { env: ENV }),
      new RegExp(`${bad}:4: not a sequence line`),
    );
    assert.ok(![...Deno.readDirSync(dir)].some((e) => e.name.includes("never")), "no output");
    assertUserError(
      await runCli("split_reads", [...base, "--in", join(dir, "nope.fa"), "--out", out], {
        env: ENV,
      }),
      /nope\.fa: file not found/,
    );
    assertUserError(
      await runCli("split_reads", [...base, "--in", reads, "--out", out, "--mode", "cut"], {
        env: ENV,
      }),
      /--mode: expected split or trim/,
    );
  } finally {
    await cleanup();
  }
});

Deno.test("split-reads: an interrupted run leaves no partial output", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { paf, model } = await fixture(dir);
    const fifo = join(dir, "reads.fa");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    const outDir = join(dir, "out");
    await Deno.mkdir(outDir);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}lib/cli/split_reads.ts`,
        "--paf",
        paf,
        "--in",
        fifo,
        "--out",
        join(outDir, "clean.fa"),
        "--model",
        model,
      ],
      env: { NO_COLOR: "1", ...ENV },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const err = new Response(child.stderr).text();
    const w = await Deno.open(fifo, { write: true });
    await w.write(new TextEncoder().encode(`>chim\n${SEQ}\n>plain\n${SEQ}\n`));
    // the temp file is there while the reads are streamed
    for (let i = 0; i < 600 && ![...Deno.readDirSync(outDir)].length; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal([...Deno.readDirSync(outDir)].length, 1, "a temp file while running");
    child.kill("SIGINT");
    const status = await child.status;
    w.close();
    await err;
    assert.equal(status.code, 130);
    assert.deepEqual([...Deno.readDirSync(outDir)], [], "nothing left behind");
  } finally {
    await cleanup();
  }
});

Deno.test("classify --paf --format yacrd: yacrd's report with the primary call's types", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { paf, model } = await fixture(dir);
    const out = join(dir, "calls.yacrd");
    const r = await runCli("classify", [
      "--paf",
      paf,
      "--model",
      model,
      "--format",
      "yacrd",
      "--out",
      out,
      "--quiet",
    ], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean);
    assert.equal(lines.length, 38);
    assert.ok(lines.includes("Chimeric\tchim\t20000\t400,9800,10200"));
    assert.ok(lines.includes("NotBad\tplain\t20000\t"));
    assert.ok(lines.includes("NotBad\ta0\t9800\t"));
    assertUserError(
      await runCli("classify", ["--paf", paf, "--model", model, "--format", "bed"], { env: ENV }),
      /--format: expected tsv or yacrd/,
    );
  } finally {
    await cleanup();
  }
});
