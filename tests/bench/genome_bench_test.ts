import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSynthOverlaps } from "../../lib/bench/genome_bench.ts";
import { readPaf } from "../../lib/overlaps/paf.ts";
import { pilesFromPaf } from "../../lib/overlaps/paf_engine.ts";
import { tempDir } from "../fixtures.ts";

Deno.test("writeSynthOverlaps: valid PAF, each pair once with the first name as query, seeded", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const a = join(dir, "a.paf"), b = join(dir, "b.paf"), c = join(dir, "c.paf");
    const n = await writeSynthOverlaps(a, { reads: 200, seed: 3 });
    assert.equal(await writeSynthOverlaps(b, { reads: 200, seed: 3 }), n);
    assert.deepEqual(await Deno.readFile(b), await Deno.readFile(a), "same seed, same bytes");
    await writeSynthOverlaps(c, { reads: 200, seed: 4 });
    assert.notDeepEqual(await Deno.readFile(c), await Deno.readFile(a));
    const pairs = new Set<string>();
    let lines = 0;
    for await (const r of readPaf(a)) {
      lines++;
      assert.ok(r.qName < r.tName, `${r.qName} sorts before ${r.tName}`);
      assert.equal(r.qEnd - r.qStart, r.tEnd - r.tStart);
      assert.ok(r.qEnd - r.qStart >= 500, "shortest overlap");
      const key = `${r.qName} ${r.tName} ${r.qStart} ${r.qEnd} ${r.tStart} ${r.tEnd}`;
      assert.ok(!pairs.has(key), key);
      pairs.add(key);
    }
    assert.equal(lines, n);
    let reads = 0;
    for await (const _ of pilesFromPaf(a, { minOverlaps: 1 })) reads++;
    assert.equal(reads, 200);
  } finally {
    await cleanup();
  }
});
