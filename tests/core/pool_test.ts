import assert from "node:assert/strict";
import { mapPool } from "../../lib/core/pool.ts";

Deno.test("mapPool keeps order and bounds concurrency", async () => {
  let inFlight = 0, peak = 0;
  const out = await mapPool([5, 1, 3, 2], 2, async (x) => {
    peak = Math.max(peak, ++inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 30, 20]);
  assert.equal(peak, 2);
});
