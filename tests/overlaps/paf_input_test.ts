import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { scanPaf } from "../../lib/overlaps/paf_scan.ts";
import { UserError } from "../../lib/core/errors.ts";
import { tempDir } from "../fixtures.ts";
import { randomPaf } from "./paf_fixture.ts";

Deno.test("PAF input: a truncated or corrupt gzip, a missing file, a folder name the input", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = randomPaf(2000);
    const gz = gzipSync(new TextEncoder().encode(text));
    const trunc = join(dir, "trunc.paf.gz");
    await Deno.writeFile(trunc, gz.subarray(0, gz.length >> 1));
    await assert.rejects(
      scanPaf(trunc, () => {}),
      (e: Error) =>
        e instanceof UserError && /trunc\.paf\.gz: truncated or corrupt gzip/.test(e.message),
    );
    const corrupt = join(dir, "corrupt.paf.gz");
    const c = gz.slice();
    c.fill(0, 100, 140);
    await Deno.writeFile(corrupt, c);
    await assert.rejects(
      scanPaf(corrupt, () => {}),
      (e: Error) =>
        e instanceof UserError && /corrupt\.paf\.gz: truncated or corrupt gzip/.test(e.message),
    );
    await assert.rejects(scanPaf(join(dir, "none.paf"), () => {}), /none\.paf: file not found/);
    await assert.rejects(scanPaf(dir, () => {}), /expected a file, found a folder/);
  } finally {
    await cleanup();
  }
});
