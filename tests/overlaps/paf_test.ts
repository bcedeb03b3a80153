import assert from "node:assert/strict";
import { join } from "node:path";
import { formatPafLine, parsePafLine, readLines, readPaf } from "../../lib/overlaps/paf.ts";
import { UserError } from "../../lib/core/errors.ts";

const LINE = "r1\t10000\t100\t9000\t+\tr2\t12000\t3000\t11900\t8000\t9000\t0\ttp:A:S\tcm:i:900";

Deno.test("parsePafLine reads the 12 columns and keeps tags", () => {
  const r = parsePafLine(LINE, "x.paf", 1);
  assert.equal(r.qName, "r1");
  assert.equal(r.qLen, 10000);
  assert.equal(r.qStart, 100);
  assert.equal(r.qEnd, 9000);
  assert.equal(r.strand, "+");
  assert.equal(r.tName, "r2");
  assert.deepEqual([r.tLen, r.tStart, r.tEnd, r.matches, r.blockLen, r.mapq], [
    12000,
    3000,
    11900,
    8000,
    9000,
    0,
  ]);
  assert.equal(r.tags, "tp:A:S\tcm:i:900");
  assert.equal(formatPafLine(r), LINE);
  assert.equal(parsePafLine(LINE.split("\t").slice(0, 12).join("\t")).tags, "");
});

Deno.test("parsePafLine: malformed lines are UserErrors naming file, line and problem", () => {
  const cols = LINE.split("\t");
  const bad = (c: string[], re: RegExp) =>
    assert.throws(() => parsePafLine(c.join("\t"), "ovl.paf", 7), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /^ovl\.paf:7: /);
      assert.match(e.message, re);
      return true;
    });
  bad(cols.slice(0, 11), /at least 12 tab-separated columns, found 11/);
  bad(["r1 10000 100 9000 + r2 12000 3000 11900 8000 9000 0"], /found 1/);
  bad(cols.map((c, i) => i === 2 ? "1x0" : c), /column 3 \(query start\)/);
  bad(cols.map((c, i) => i === 7 ? "-5" : c), /column 8 \(target start\)/);
  bad(cols.map((c, i) => i === 4 ? "*" : c), /strand/);
  bad(cols.map((c, i) => i === 3 ? "20000" : c), /query interval 100-20000 does not fit/);
  bad(cols.map((c, i) => i === 8 ? "100" : c), /target interval 3000-100/);
  bad(cols.map((c, i) => i === 0 ? "" : c), /empty sequence name/);
});

Deno.test("readLines streams CRLF, blank and unterminated lines with numbers", async () => {
  const dir = await Deno.makeTempDir();
  const p = join(dir, "a.txt");
  await Deno.writeTextFile(p, "a\r\nbb\n\nccc");
  const got: [string, number][] = [];
  for await (const l of readLines(p, { chunkSize: 2 })) got.push(l);
  assert.deepEqual(got, [["a", 1], ["bb", 2], ["", 3], ["ccc", 4]]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readPaf: records in order, blank lines skipped, bad line reported by number", async () => {
  const dir = await Deno.makeTempDir();
  const p = join(dir, "ovl.paf");
  await Deno.writeTextFile(p, `${LINE}\n\n${LINE.replace("r1", "r3")}\nr4\t5\n`);
  const names: string[] = [];
  await assert.rejects(
    async () => {
      for await (const r of readPaf(p, { chunkSize: 16 })) names.push(r.qName);
    },
    (e: Error) => e instanceof UserError && e.message.startsWith(`${p}:4: malformed PAF line`),
  );
  assert.deepEqual(names, ["r1", "r3"]);
  await assert.rejects(async () => {
    for await (const _ of readPaf(join(dir, "missing.paf"))) { /* nothing */ }
  }, /missing\.paf: file not found/);
  await assert.rejects(async () => {
    for await (const _ of readPaf(dir)) { /* nothing */ }
  }, /expected a file, found a folder/);
  await Deno.remove(dir, { recursive: true });
});
