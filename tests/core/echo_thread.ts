/**
 * A helper thread for tests/core/threads_test.ts: doubles the numbers it is sent (moving the
 * answer's buffer back) and throws on a negative first number.
 * @module
 */
import { serveRequests } from "../../lib/core/threads.ts";

serveRequests<Float64Array, Float64Array>((x) => {
  if (x[0] < 0) throw new Error(`negative first number ${x[0]}`);
  const result = x.map((v) => 2 * v);
  return { result, transfer: [result.buffer] };
});
