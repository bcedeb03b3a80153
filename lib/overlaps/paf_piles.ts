/**
 * Per-read piles from a PAF input in one pass: each read's overlap intervals are kept in
 * growable typed arrays until the piles come out ({@link PileGatherer}). With `bucket: {k, K}`
 * only the reads whose hashId (lib/core/hash.ts) mod K is k are gathered, so memory is bounded by the bucket.
 * @module
 */
import { type Bucket, bucketOf, bucketOfBytes } from "./buckets.ts";
import { NameTable } from "./name_table.ts";
import type { PafEngineOptions } from "./paf_input.ts";
import { type PafLine, scanPaf } from "./paf_scan.ts";
import type { PileogramOptions } from "./pileogram.ts";

/** Options for reading per-read piles from a PAF file. */
export interface PafPilesOptions extends PileogramOptions, PafEngineOptions {
  /** Reads with fewer overlaps are listed as too_few_overlaps, not drawn or called. */
  minOverlaps?: number;
  /** Only these reads (all when absent); those absent from the file come out with 0 overlaps. */
  reads?: Iterable<string>;
  /** Only the reads of this bucket (hashId(id) % K === k); all when absent. */
  bucket?: Bucket;
  /** Called once the file has been read: reads gathered (piles to come) and lines read. */
  onIndexed?: (reads: number, lines: number) => void;
}

/** Defaults for PAF piles. */
export const PAF_PILES_DEFAULTS = { minOverlaps: 3 };

/** One read's overlaps gathered from a PAF file. */
export interface PafPile {
  /** Read id. */
  readId: string;
  /** Read length (from the PAF). */
  readLen: number;
  /** Number of overlaps (PAF lines naming the read, self-mappings excluded). */
  nOverlaps: number;
  /**
   * Overlap intervals on the read (flat begin/end pairs, in file order); empty when too few
   * overlaps. A view into one buffer shared by all the piles of a file.
   */
  intervals: Int32Array;
  /** Whether the read has at least minOverlaps overlaps. */
  enough: boolean;
}

/** The intervals of a pile without any. */
const NONE = new Int32Array(0);

/** A growable Int32Array. */
class Int32Grow {
  a: Int32Array;
  n = 0;
  constructor(cap = 1024) {
    this.a = new Int32Array(cap);
  }
  /** Make room for `k` more values. */
  reserve(k: number): void {
    if (this.n + k <= this.a.length) return;
    const b = new Int32Array(Math.max(this.a.length * 2, this.n + k));
    b.set(this.a.subarray(0, this.n));
    this.a = b;
  }
}

/**
 * Gathers the overlap intervals of the reads of one bucket (or all reads) from PAF lines:
 * each line adds its query interval to the query's pile and its target interval to the
 * target's; self-mappings are skipped. Then {@link PileGatherer.piles} yields them.
 */
export class PileGatherer {
  private table = new NameTable();
  private readLen = new Int32Grow();
  private count = new Int32Grow();
  /** (read, begin, end) per interval, in file order. */
  private obs = new Int32Grow(3 << 12);
  private frozen: boolean;
  private requested = 0;
  private lastQ = new Uint8Array(256);
  private lastQLen = -1;
  private lastQIdx = -1;
  private lastQHash = 0;
  private opts: PafPilesOptions;

  /** A gatherer for the reads selected by `opts` (bucket, reads). */
  constructor(opts: PafPilesOptions = {}) {
    this.opts = opts;
    this.frozen = opts.reads !== undefined;
    if (opts.reads) {
      for (const id of opts.reads) {
        if (opts.bucket && bucketOf(id, opts.bucket.K) !== opts.bucket.k) continue;
        const before = this.table.size;
        const idx = this.table.addString(id);
        if (idx === before) this.newRead(0);
      }
      this.requested = this.table.size;
    }
  }

  private newRead(len: number): void {
    this.readLen.reserve(1);
    this.readLen.a[this.readLen.n++] = len;
    this.count.reserve(1);
    this.count.a[this.count.n++] = 0;
  }

  /** Index of the read named `buf[s..e)`, or -1 when it is not gathered. */
  private index(buf: Uint8Array, s: number, e: number, h: number, len: number): number {
    const b = this.opts.bucket;
    if (b && b.K > 1 && bucketOfBytes(buf, s, e, h, b.K) !== b.k) return -1;
    let idx = this.table.find(buf, s, e, h);
    if (idx < 0) {
      if (this.frozen) return -1;
      idx = this.table.add(buf, s, e, h);
      this.newRead(len);
    } else if (this.readLen.a[idx] === 0) this.readLen.a[idx] = len;
    return idx;
  }

  /** Index of the query read, with a cache of the previous line's query (files sorted by it). */
  private queryIndex(v: PafLine): number {
    const { buf, qNameStart: s, qNameEnd: e } = v;
    const len = e - s;
    if (len === this.lastQLen && v.qHash === this.lastQHash) {
      const q = this.lastQ;
      let j = 0;
      while (j < len && q[j] === buf[s + j]) j++;
      if (j === len) {
        const idx = this.lastQIdx;
        if (idx >= 0 && this.readLen.a[idx] === 0) this.readLen.a[idx] = v.qLen;
        return idx;
      }
    }
    const idx = this.index(buf, s, e, v.qHash, v.qLen);
    if (len <= this.lastQ.length) {
      // a plain loop: subarray + set would allocate a view per line
      const q = this.lastQ;
      for (let j = 0; j < len; j++) q[j] = buf[s + j];
      this.lastQLen = len;
      this.lastQHash = v.qHash;
      this.lastQIdx = idx;
    } else this.lastQLen = -1;
    return idx;
  }

  /** Add one PAF line. */
  add(v: PafLine): void {
    // different hashes: different names, no byte compare needed
    if (v.qHash === v.tHash && v.isSelf()) return;
    const q = this.queryIndex(v);
    const t = this.index(v.buf, v.tNameStart, v.tNameEnd, v.tHash, v.tLen);
    const obs = this.obs;
    obs.reserve(6);
    const a = obs.a, count = this.count.a;
    let n = obs.n;
    if (q >= 0) {
      count[q]++;
      a[n] = q;
      a[n + 1] = v.qStart;
      a[n + 2] = v.qEnd;
      n += 3;
    }
    if (t >= 0) {
      count[t]++;
      a[n] = t;
      a[n + 1] = v.tStart;
      a[n + 2] = v.tEnd;
      n += 3;
    }
    obs.n = n;
  }

  /** Number of reads gathered (requested ones included). */
  get reads(): number {
    return this.table.size;
  }

  /**
   * The piles: requested reads that no line names first (0 overlaps), then reads with too few
   * overlaps, then the rest, each group sorted by id; intervals in file order.
   */
  *piles(): Generator<PafPile> {
    const minOverlaps = this.opts.minOverlaps ?? PAF_PILES_DEFAULTS.minOverlaps;
    const names = this.table.names;
    const count = this.count.a, readLen = this.readLen.a;
    const order = names.map((_, i) => i).sort((a, b) =>
      names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0
    );
    for (const i of order) {
      if (i < this.requested && count[i] === 0) {
        yield { readId: names[i], readLen: 0, nOverlaps: 0, intervals: NONE, enough: false };
      }
    }
    for (const i of order) {
      if (count[i] > 0 && count[i] < minOverlaps) {
        yield {
          readId: names[i],
          readLen: readLen[i],
          nOverlaps: count[i],
          intervals: NONE,
          enough: false,
        };
      }
    }
    // group the intervals by read (a stable counting sort, so file order within a read)
    const n = names.length;
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i] + (count[i] >= minOverlaps ? count[i] : 0);
    const fill = start.slice(0, n);
    const grouped = new Int32Array(2 * start[n]);
    const obs = this.obs.a;
    for (let j = 0; j < this.obs.n; j += 3) {
      const r = obs[j];
      if (count[r] < minOverlaps) continue;
      const at = 2 * fill[r]++;
      grouped[at] = obs[j + 1];
      grouped[at + 1] = obs[j + 2];
    }
    this.obs = new Int32Grow(3);
    for (const i of order) {
      if (count[i] < minOverlaps || count[i] === 0) continue;
      yield {
        readId: names[i],
        readLen: readLen[i],
        nOverlaps: count[i],
        intervals: grouped.subarray(2 * start[i], 2 * start[i + 1]),
        enough: true,
      };
    }
  }
}

/**
 * Stream the piles of the reads of a PAF input (a path, or "-" for stdin; plain or gzip) in
 * one pass. Memory: the intervals of the gathered reads (12 bytes each, two per line), so
 * bounded by `bucket`. Order: see {@link PileGatherer.piles}.
 */
export async function* pilesFromPaf(
  path: string,
  opts: PafPilesOptions = {},
): AsyncGenerator<PafPile> {
  const g = new PileGatherer(opts);
  const { lines } = await scanPaf(path, (v) => g.add(v), opts);
  opts.onIndexed?.(g.reads, lines);
  yield* g.piles();
}
