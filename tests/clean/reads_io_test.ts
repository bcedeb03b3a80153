import { deepEqual, equal, rejects } from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { openWriter, type ReadRecord, readRecords } from "../../lib/clean/reads_io.ts";
import { UserError } from "../../lib/core/errors.ts";
import { tempDir } from "../fixtures.ts";

async function all(path: string): Promise<{ format: string | null; recs: ReadRecord[] }> {
  let format: string | null = null;
  const recs: ReadRecord[] = [];
  for await (const r of readRecords(path, (f) => (format = f))) recs.push(r);
  return { format, recs };
}

Deno.test("reads: FASTA with wrapped lines and descriptions, plain and gzipped", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = ">r1 first read\nACGT\nAC\n\n>r2\r\nGGGG\r\n>r3\tx\n";
    const plain = join(dir, "r.fa"), gz = join(dir, "r.fa.gz");
    await Deno.writeTextFile(plain, text);
    await Deno.writeFile(gz, gzipSync(new TextEncoder().encode(text)));
    const want = [
      { id: "r1", description: " first read", seq: "ACGTAC", line: 1 },
      { id: "r2", description: "", seq: "GGGG", line: 5 },
      { id: "r3", description: "\tx", seq: "", line: 7 },
    ];
    for (const p of [plain, gz]) deepEqual(await all(p), { format: "fasta", recs: want });
  } finally {
    await cleanup();
  }
});

Deno.test("reads: FASTQ records keep their qualities", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const p = join(dir, "r.fq.gz");
    await Deno.writeFile(
      p,
      gzipSync(new TextEncoder().encode("@a x\nACGT\n+\n!#%&\n@b\nTT\n+b\nII\n")),
    );
    deepEqual(await all(p), {
      format: "fastq",
      recs: [
        { id: "a", description: " x", seq: "ACGT", qual: "!#%&", line: 1 },
        { id: "b", description: "", seq: "TT", qual: "II", line: 5 },
      ],
    });
  } finally {
    await cleanup();
  }
});

Deno.test("reads: a malformed record is a UserError naming file and line", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const cases: [string, RegExp][] = [
      ["ACGT\n", /r\.txt:1: not FASTA or FASTQ/],
      [">a\nACGT\n>\nAC\n", /r\.txt:3: a record header without a read id/],
      [">a\nAC GT\n", /r\.txt:2: not a sequence line/],
      ["@a\nACGT\n+\nII\n", /r\.txt:4: 2 qualities for a sequence of 4 bases/],
      ["@a\nACGT\n-\nIIII\n", /r\.txt:3: expected the FASTQ '\+' line/],
      ["@a\nACGT\n+\n", /r\.txt:1: truncated FASTQ record/],
      ["@a\nACGT\n+\nIIII\nACGT\n", /r\.txt:5: expected a FASTQ header/],
    ];
    const p = join(dir, "r.txt");
    for (const [text, re] of cases) {
      await Deno.writeTextFile(p, text);
      await rejects(all(p), (e: Error) => e instanceof UserError && re.test(e.message), text);
    }
  } finally {
    await cleanup();
  }
});

Deno.test("writer: the output appears only when closed; gz out; abort leaves nothing", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, "o.fa.gz");
    const w = await openWriter(out);
    await w.write(">a\nAC\n");
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [w.tmp.split("/").at(-1)]);
    await w.close();
    equal(new TextDecoder().decode(gunzipSync(await Deno.readFile(out))), ">a\nAC\n");
    const w2 = await openWriter(join(dir, "p.fa"));
    await w2.write(">b\nGG\n");
    await w2.abort();
    deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["o.fa.gz"]);
  } finally {
    await cleanup();
  }
});
