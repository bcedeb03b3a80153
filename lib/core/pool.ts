/**
 * The one way to run async work with bounded concurrency (file decoding, PNG encoding: sharp
 * and libvips run them on their own threads). Threads of our own: lib/core/threads.ts, and the
 * wasm backend's convolution helper (lib/backend/kernels/pool.ts).
 * @module
 */

/** Run `fn` over `items` with at most `limit` calls in flight; results keep input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
