import assert from "node:assert/strict";
import { join } from "node:path";
import { scanPaf } from "../../lib/overlaps/paf_scan.ts";
import { parsePafLine } from "../../lib/overlaps/paf.ts";
import { UserError } from "../../lib/core/errors.ts";
import { tempDir } from "../fixtures.ts";
import { randomPaf } from "./paf_fixture.ts";

Deno.test("scanPaf: same errors as parsePafLine; odd numbers, CRLF and blank lines", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const good = "a\t100\t0\t50\t+\tb\t100\t0\t50\t50\t50\t60";
    const bad = "a\t100\t0\t500\t+\tb\t100\t0\t50\t50\t50\t60";
    const p = join(dir, "bad.paf");
    await Deno.writeTextFile(p, `${good}\r\n\n  \n${good.replace("\t0\t", "\t1e1\t")}\n${bad}\n`);
    let expected = "";
    try {
      parsePafLine(bad, p, 5);
    } catch (e) {
      expected = (e as Error).message;
    }
    const starts: number[] = [];
    await assert.rejects(
      scanPaf(p, (v) => void starts.push(v.qStart)),
      (e: Error) => e instanceof UserError && e.message === expected,
    );
    assert.deepEqual(starts, [0, 10], "1e1 is read as parsePafLine reads it");
    assert.match(expected, /bad\.paf:5: malformed PAF line: query interval 0-500/);
  } finally {
    await cleanup();
  }
});

Deno.test("scanPaf: a truncated last line names the file and the line", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = randomPaf(2000);
    const cut = join(dir, "cut.paf");
    await Deno.writeTextFile(cut, text.slice(0, text.length - 30));
    await assert.rejects(scanPaf(cut, () => {}), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /cut\.paf:2000: malformed PAF line: .*no newline at the end/);
      return true;
    });
  } finally {
    await cleanup();
  }
});
