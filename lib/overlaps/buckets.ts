/**
 * Read-id buckets: a read is in bucket hashId(id) mod K, computed from its id or from its name's
 * bytes (whose FNV-1a equals hashId for ASCII names); "k/K" names a bucket on the command line.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { hashId } from "../core/hash.ts";
import { DECODER } from "./paf_input.ts";

/** A bucket of reads: those whose hashId mod K is k. */
export interface Bucket {
  /** This bucket (0 <= k < K). */
  k: number;
  /** Number of buckets. */
  K: number;
}

/** Parse "k/K" (a command-line bucket); a UserError names the flag when it is malformed. */
export function parseBucket(text: string, flag = "--bucket"): Bucket {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN, K = m ? Number(m[2]) : NaN;
  if (!m || !(K >= 1) || !(k < K)) {
    throw new UserError(`${flag}: expected k/K with 0 <= k < K (e.g. 0/4), got "${text}"`);
  }
  return { k, K };
}

/** The bucket of a read id. */
export function bucketOf(id: string, K: number): number {
  return hashId(id) % K;
}

/** Whether `buf[s..e)` is all ASCII (then byteHash equals hashId). */
function isAscii(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] > 127) return false;
  return true;
}

/** The bucket of the name `buf[s..e)` whose byte hash is `h`. */
export function bucketOfBytes(
  buf: Uint8Array,
  s: number,
  e: number,
  h: number,
  K: number,
): number {
  return (isAscii(buf, s, e) ? h : hashId(DECODER.decode(buf.subarray(s, e)))) % K;
}
