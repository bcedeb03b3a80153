import assert from "node:assert/strict";
import { HelperThread } from "../../lib/core/threads.ts";

const ECHO = new URL("./echo_thread.ts", import.meta.url);

Deno.test("HelperThread: answers in order, moves transferred buffers, reports a handler's error", async () => {
  const h = new HelperThread<Float64Array, Float64Array>(ECHO);
  try {
    const a = Float64Array.of(1, 2, 3), b = Float64Array.of(10);
    const [ra, rb] = await Promise.all([h.request(a, [a.buffer]), h.request(b)]);
    assert.deepEqual(Array.from(ra), [2, 4, 6]);
    assert.deepEqual(Array.from(rb), [20]);
    // a transferred buffer has left this thread; a copied one has not
    assert.equal(a.byteLength, 0);
    assert.equal(b.length, 1);
    await assert.rejects(h.request(Float64Array.of(-1)), /helper thread: negative first number -1/);
    // the helper goes on serving after an error
    assert.deepEqual(Array.from(await h.request(Float64Array.of(4))), [8]);
  } finally {
    h.stop();
  }
});

Deno.test("HelperThread: requests after stop, and to a module that fails as it loads, are rejected", async () => {
  const h = new HelperThread<Float64Array, Float64Array>(ECHO);
  h.stop();
  await assert.rejects(h.request(Float64Array.of(1)), /stopped/);
  const bad = new HelperThread<Float64Array, Float64Array>(
    new URL("./broken_thread.ts", import.meta.url),
  );
  try {
    await assert.rejects(
      bad.request(Float64Array.of(1)),
      /broken_thread\.ts: .*broken helper module/,
    );
  } finally {
    bad.stop();
  }
});
