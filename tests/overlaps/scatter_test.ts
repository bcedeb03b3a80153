import assert from "node:assert/strict";
import { join } from "node:path";
import { bucketOf } from "../../lib/overlaps/buckets.ts";
import { scanPaf } from "../../lib/overlaps/paf_scan.ts";
import { bucketFile, scatterPaf } from "../../lib/overlaps/scatter.ts";
import { tempDir } from "../fixtures.ts";
import { collect, randomPaf } from "./paf_fixture.ts";

Deno.test("scatterPaf: each line in its query's and its target's bucket, once", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const p = join(dir, "o.paf");
    const text = randomPaf(1500, 50);
    await Deno.writeTextFile(p, text);
    const K = 3;
    const r = await scatterPaf(p, K, join(dir, "b"), { blockSize: 1 << 16 });
    assert.equal(r.lines, 1500);
    const lines = text.trimEnd().split("\n");
    for (let k = 0; k < K; k++) {
      const f = join(dir, "b", bucketFile(k));
      assert.deepEqual(r.files[k], f);
      const got: string[] = [];
      await scanPaf(
        f,
        (v) => void got.push(new TextDecoder().decode(v.buf.subarray(v.start, v.end))),
      );
      const want = lines.filter((l) => {
        const c = l.split("\t");
        return bucketOf(c[0], K) === k || bucketOf(c[5], K) === k;
      });
      assert.deepEqual(got, want, `bucket ${k}`);
      assert.equal(r.perBucket[k], want.length);
      // the bucket's piles are the full file's piles of its reads
      const full = (await collect(p, { bucket: { k, K } })).map((x) => JSON.stringify(x));
      assert.deepEqual(
        (await collect(f, { bucket: { k, K } })).map((x) => JSON.stringify(x)),
        full,
      );
    }
    assert.deepEqual([...Deno.readDirSync(join(dir, "b"))].map((e) => e.name).sort(), [
      "bucket-0.paf.gz",
      "bucket-1.paf.gz",
      "bucket-2.paf.gz",
    ]);
  } finally {
    await cleanup();
  }
});
