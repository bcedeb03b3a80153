import assert from "node:assert/strict";
import { parseBucket } from "../../lib/overlaps/buckets.ts";

Deno.test("parseBucket reads k/K and names the flag otherwise", () => {
  assert.deepEqual(parseBucket("2/5"), { k: 2, K: 5 });
  for (const bad of ["5/5", "1", "a/b", "-1/3", "0/0"]) {
    assert.throws(() => parseBucket(bad), /--bucket/);
  }
});
