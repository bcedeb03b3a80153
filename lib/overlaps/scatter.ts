/**
 * Scatter a PAF input into K gzipped bucket files by read-id hash (the workflow's shuffle):
 * each line goes to its query's bucket and its target's bucket (once when they are the
 * same), so bucket k holds every overlap of the reads with hashId(id) % K === k. minimap2's
 * ava presets report each pair once, so a read's overlaps are spread over all shards'
 * outputs; after the scatter, gathering bucket k of every shard gives all of them.
 * @module
 */
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { bucketOfBytes, type PafEngineOptions, scanPaf } from "./paf_engine.ts";

/** Options of the scatter. */
export interface ScatterOptions extends PafEngineOptions {
  /** gzip level of the bucket files (1: fast; they are intermediate files). */
  level?: number;
  /** Bytes buffered per bucket before it is compressed and written (one gzip member). */
  blockSize?: number;
}

/** Defaults of the scatter. */
export const SCATTER_DEFAULTS = { level: 1, blockSize: 1 << 20 };

/** The file name of bucket `k`. */
export function bucketFile(k: number): string {
  return `bucket-${k}.paf.gz`;
}

/** What a scatter wrote. */
export interface ScatterResult {
  /** Input lines read. */
  lines: number;
  /** Lines written per bucket. */
  perBucket: number[];
  /** The bucket files, by bucket. */
  files: string[];
}

/**
 * Scatter the PAF input `path` (a file or "-") into `outDir`/bucket-<k>.paf.gz for k < K.
 * Each file is written beside its final name and renamed at the end, so an interrupted run
 * leaves no bucket file; every bucket file exists (a valid empty gzip when no line is in it).
 */
export async function scatterPaf(
  path: string,
  K: number,
  outDir: string,
  opts: ScatterOptions = {},
): Promise<ScatterResult> {
  const o = { ...SCATTER_DEFAULTS, ...opts };
  await Deno.mkdir(outDir, { recursive: true });
  const block = Math.max(1 << 16, Math.min(o.blockSize, Math.floor((64 << 20) / K)));
  const tag = crypto.randomUUID();
  const files = Array.from({ length: K }, (_, k) => join(outDir, bucketFile(k)));
  const temps = files.map((_, k) => join(outDir, `.${bucketFile(k)}.${tag}.tmp`));
  const handles: Deno.FsFile[] = [];
  const bufs = Array.from({ length: K }, () => new Uint8Array(block));
  const fill = new Array<number>(K).fill(0);
  const perBucket = new Array<number>(K).fill(0);
  // compressed members waiting to be written (a few blocks per input chunk at most)
  let pending: { k: number; bytes: Uint8Array }[] = [];
  const flushSync = (k: number) => {
    if (fill[k] === 0) return;
    pending.push({ k, bytes: gzipSync(bufs[k].subarray(0, fill[k]), { level: o.level }) });
    fill[k] = 0;
  };
  const put = (k: number, buf: Uint8Array, s: number, e: number) => {
    perBucket[k]++;
    const n = e - s + 1;
    if (fill[k] + n > block) flushSync(k);
    if (n > block) {
      // a line longer than a block: a member of its own
      const line = new Uint8Array(n);
      line.set(buf.subarray(s, e));
      line[n - 1] = 10;
      pending.push({ k, bytes: gzipSync(line, { level: o.level }) });
      return;
    }
    bufs[k].set(buf.subarray(s, e), fill[k]);
    bufs[k][fill[k] + n - 1] = 10;
    fill[k] += n;
  };
  const writeOut = async () => {
    const now = pending;
    pending = [];
    for (const p of now) await writeAll(handles[p.k], p.bytes);
  };
  try {
    for (const t of temps) handles.push(await Deno.open(t, { write: true, createNew: true }));
    const { lines } = await scanPaf(path, (v) => {
      const { buf } = v;
      const qb = bucketOfBytes(buf, v.qNameStart, v.qNameEnd, v.qHash, K);
      const tb = bucketOfBytes(buf, v.tNameStart, v.tNameEnd, v.tHash, K);
      put(qb, buf, v.start, v.end);
      if (tb !== qb) put(tb, buf, v.start, v.end);
    }, { ...opts, afterChunk: writeOut });
    for (let k = 0; k < K; k++) flushSync(k);
    await writeOut();
    for (let k = 0; k < K; k++) {
      if (perBucket[k] === 0) await writeAll(handles[k], gzipSync(new Uint8Array(0)));
    }
    for (const h of handles.splice(0)) h.close();
    for (let k = 0; k < K; k++) await Deno.rename(temps[k], files[k]);
    return { lines, perBucket, files };
  } finally {
    for (const h of handles) h.close();
    for (const t of temps) await Deno.remove(t).catch(() => {});
  }
}

/** Write all of `bytes` to `file`. */
async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}
