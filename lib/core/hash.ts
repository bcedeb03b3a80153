/**
 * Content hashes, one implementation each: SHA-256 as hex (cache keys, duplicate files, weight
 * file names) and 32-bit FNV-1a (read-id buckets, name tables, position-seeded randomness).
 * Bucket assignment and cache keys depend on these values: they must never change.
 * @module
 */

/** FNV-1a 32-bit offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a 32-bit prime. */
export const FNV_PRIME = 0x01000193;

/** FNV-1a hash of a string's UTF-16 code units: THE read id hash (buckets, shards). */
export function hashId(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/** FNV-1a over the bytes `buf[s..e)` (equals {@link hashId} of the string for ASCII names). */
export function byteHash(buf: Uint8Array, s = 0, e = buf.length): number {
  let h = FNV_OFFSET;
  for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
  return h >>> 0;
}

/** FNV-1a over a string's UTF-8 bytes (as the PAF engine hashes read names). */
export function utf8Hash(s: string): number {
  return byteHash(new TextEncoder().encode(s));
}

/** An FNV-1a mix of integers with an extra shift per step (a seed from positions). */
export function hashInts(xs: readonly number[]): number {
  let h = FNV_OFFSET;
  for (const x of xs) h = Math.imul(h ^ (x >>> 0), FNV_PRIME) ^ (h >>> 15);
  return h;
}

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of some bytes. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(d));
}
