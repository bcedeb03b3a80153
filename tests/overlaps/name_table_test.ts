import assert from "node:assert/strict";
import { byteHash, hashId } from "../../lib/core/hash.ts";
import { NameTable } from "../../lib/overlaps/name_table.ts";

Deno.test("hashId, byteHash and NameTable agree", () => {
  const t = new NameTable();
  const enc = new TextEncoder();
  for (let i = 0; i < 5000; i++) {
    const b = enc.encode(`r${i}`);
    assert.equal(byteHash(b, 0, b.length), hashId(`r${i}`));
    assert.equal(t.addString(`r${i}`), i);
  }
  for (let i = 0; i < 5000; i += 777) {
    const b = enc.encode(`r${i}`);
    assert.equal(t.find(b, 0, b.length, byteHash(b, 0, b.length)), i);
  }
  assert.equal(t.addString("r42"), 42);
});
