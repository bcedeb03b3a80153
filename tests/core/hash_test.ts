import assert from "node:assert/strict";
import { byteHash, hashId, hashInts, sha256Hex, utf8Hash } from "../../lib/core/hash.ts";

// Bucket assignment (workflow/Snakefile) and cache keys depend on these values.
Deno.test("hashId: FNV-1a 32-bit of the UTF-16 code units (published test vectors)", () => {
  assert.equal(hashId(""), 0x811c9dc5);
  assert.equal(hashId("a"), 0xe40c292c);
  assert.equal(hashId("foobar"), 0xbf9cf968);
});

Deno.test("byteHash and utf8Hash equal hashId for ASCII names", () => {
  for (const id of ["read_1", "m54238_180628_014238/4194399/ccs", ""]) {
    const b = new TextEncoder().encode(`xx${id}yy`);
    assert.equal(byteHash(b, 2, 2 + id.length), hashId(id));
    assert.equal(utf8Hash(id), hashId(id));
  }
});

Deno.test("hashInts: a fixed mix of integers", () => {
  assert.equal(hashInts([]), 0x811c9dc5);
  assert.equal(hashInts([1, 2, 3]), hashInts([1, 2, 3]));
  assert.notEqual(hashInts([1, 2, 3]), hashInts([3, 2, 1]));
});

Deno.test("sha256Hex: lower-case hex of the digest", async () => {
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
