import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { formatRegions, type ReadJunctions, splitReadFile } from "../../lib/clean/split.ts";
import { UserError } from "../../lib/core/errors.ts";
import { tempDir } from "../fixtures.ts";

const SEQ = "ACGT".repeat(1000); // 4,000 bp
const QUAL = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(33 + (i % 40))).join("");

/** A flagged read with junctions at the given [begin, end) regions. */
function flagged(id: string, len: number, regions: [number, number][]): ReadJunctions {
  return {
    readId: id,
    readLen: len,
    intervals: [],
    junctions: regions.map(([begin, end]) => ({
      begin,
      end,
      pos: (begin + end) >> 1,
      kind: end > begin ? "gap" : "valley",
      score: 0.9,
    })),
  };
}

const JUNCTIONS = new Map([
  ["chim", flagged("chim", 4000, [[1500, 1700], [3500, 3500]])],
  ["gone", flagged("gone", 4000, [[900, 3100]])],
]);

Deno.test("split: pieces named ID:BEGIN-END in the read's coordinates, FASTQ qualities kept", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const input = join(dir, "in.fq.gz");
    const recs = ["chim desc", "plain", "gone", "stranger"].map((h) =>
      `@${h}\n${SEQ}\n+\n${QUAL}\n`
    );
    await Deno.writeFile(input, gzipSync(new TextEncoder().encode(recs.join(""))));
    const out = join(dir, "out.fq.gz");
    const paf = new Set(["chim", "plain", "gone", "absent1", "absent2"]);
    const s = await splitReadFile(input, out, paf, JUNCTIONS, { mode: "split", minLength: 1000 });
    const text = new TextDecoder().decode(gunzipSync(await Deno.readFile(out)));
    equal(
      text,
      `@chim:0-1500 desc\n${SEQ.slice(0, 1500)}\n+\n${QUAL.slice(0, 1500)}\n` +
        `@chim:1700-3500 desc\n${SEQ.slice(1700, 3500)}\n+\n${QUAL.slice(1700, 3500)}\n` +
        `@plain\n${SEQ}\n+\n${QUAL}\n` +
        `@stranger\n${SEQ}\n+\n${QUAL}\n`,
    );
    deepEqual(s, {
      format: "fastq",
      reads: 4,
      flagged: 2,
      cut: 2,
      pieces: 2,
      dropped: 3, // chim 3500-4000, gone 0-900 and 3100-4000
      removed: 1,
      basesIn: 16000,
      basesOut: 1500 + 1800 + 8000,
      notInPaf: 1,
      missingReads: 2,
    });
  } finally {
    await cleanup();
  }
});

Deno.test("split: trim keeps the longest piece; FASTA plain out; min length 0 keeps all", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const input = join(dir, "in.fa");
    await Deno.writeTextFile(
      input,
      `>chim\n${SEQ.slice(0, 2000)}\n${SEQ.slice(2000)}\n>plain\nAC\n`,
    );
    const out = join(dir, "out.fa");
    await splitReadFile(input, out, new Set(["chim"]), JUNCTIONS, { mode: "trim" });
    equal(await Deno.readTextFile(out), `>chim:1700-3500\n${SEQ.slice(1700, 3500)}\n>plain\nAC\n`);
    await splitReadFile(input, out, new Set(["chim"]), JUNCTIONS, { minLength: 0 });
    equal(
      (await Deno.readTextFile(out)).split("\n").filter((l) => l.startsWith(">")).join(" "),
      ">chim:0-1500 >chim:1700-3500 >chim:3500-4000 >plain",
    );
  } finally {
    await cleanup();
  }
});

Deno.test("split: a malformed record fails naming file and line, and leaves no output", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const input = join(dir, "in.fa");
    await Deno.writeTextFile(input, `>plain\nACGT\n>bad\nAC#GT\n`);
    const out = join(dir, "out.fa");
    await rejects(
      splitReadFile(input, out, new Set(), JUNCTIONS),
      (e: Error) =>
        e instanceof UserError &&
        e.message === `${input}:4: not a sequence line (only letters, '-', '*', '.')`,
    );
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["in.fa"]);
  } finally {
    await cleanup();
  }
});

Deno.test("split: the regions TSV, one row per junction, reads in id order", () => {
  equal(
    formatRegions(JUNCTIONS.values()),
    "read\tbegin\tend\tkind\tscore\nchim\t1500\t1700\tgap\t0.900\nchim\t3500\t3500\tvalley\t0.900\n" +
      "gone\t900\t3100\tgap\t0.900\n",
  );
});
