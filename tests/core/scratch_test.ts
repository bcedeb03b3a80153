import assert from "node:assert/strict";
import { Scratch } from "../../lib/core/scratch.ts";

Deno.test("Scratch: a name's buffer is reused and grown; views have the asked length", () => {
  const s = new Scratch();
  const a = s.f64("a", 10);
  assert.equal(a.length, 10);
  a.fill(7);
  // a smaller request is a view of the same memory
  const a2 = s.f64("a", 4);
  assert.equal(a2.length, 4);
  assert.equal(a2.buffer, a.buffer);
  assert.deepEqual([...a2], [7, 7, 7, 7]);
  // a larger one grows (at least doubling), so the old view no longer aliases it
  const a3 = s.f64("a", 11);
  assert.equal(a3.length, 11);
  assert.notEqual(a3.buffer, a.buffer);
  assert.ok(a3.buffer.byteLength >= 20 * 8);
  // names and types are separate buffers
  const b = s.f64("b", 4);
  assert.notEqual(b.buffer, a3.buffer);
  assert.ok(s.f32("a", 3) instanceof Float32Array);
  assert.ok(s.i32("a", 3) instanceof Int32Array);
  assert.ok(s.u32("a", 3) instanceof Uint32Array);
  assert.ok(s.u8("a", 3) instanceof Uint8Array);
  assert.equal(s.u8("z", 0).length, 0);
});
