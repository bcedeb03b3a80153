/**
 * One-pass, byte-level PAF engine for genome-scale overlap files: a plain or gzipped file
 * (detected by its magic bytes) or stdin is read once in large chunks, the 12 mandatory
 * columns are parsed straight from the bytes into one reused {@link PafLine} (no strings, no
 * per-line objects), read names are interned once, and each read's overlap intervals are kept
 * in growable typed arrays until the piles come out. With `bucket: {k, K}` only the reads whose
 * {@link hashId} mod K is k are gathered, so memory is bounded by the bucket. A malformed line
 * is re-parsed with lib/paf.ts parsePafLine, so the messages (file, line, problem) are the same.
 * @module
 */
import { createGunzip } from "node:zlib";
import { UserError } from "../core/errors.ts";
import { byteHash, hashId } from "../core/hash.ts";
import { type PafRecord, parsePafLine } from "./paf.ts";
import type { PileogramOptions } from "./pileogram.ts";

/** Options of the byte-level reader. */
export interface PafEngineOptions {
  /** Bytes read (or decompressed) per chunk. */
  chunkSize?: number;
}

/** Defaults of the byte-level reader. */
export const PAF_ENGINE_DEFAULTS: Required<PafEngineOptions> = { chunkSize: 1 << 20 };

export { hashId };

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

/**
 * One parsed PAF line, reused for every line: the line's bytes (`buf[start..end)`, no newline
 * or "\r"), name byte ranges and the numeric columns.
 */
export class PafLine {
  /** Buffer holding the line. */
  buf: Uint8Array = new Uint8Array(0);
  /** First byte of the line. */
  start = 0;
  /** End of the line (exclusive, before "\r\n"). */
  end = 0;
  /** 1-based line number. */
  lineNo = 0;
  /** Query name bytes [qNameStart, qNameEnd). */
  qNameStart = 0;
  /** End of the query name. */
  qNameEnd = 0;
  /** FNV-1a of the query name's bytes ({@link byteHash}). */
  qHash = 0;
  /** Query length. */
  qLen = 0;
  /** Query start. */
  qStart = 0;
  /** Query end. */
  qEnd = 0;
  /** Strand byte: 43 "+" or 45 "-". */
  strand = 43;
  /** Target name bytes [tNameStart, tNameEnd). */
  tNameStart = 0;
  /** End of the target name. */
  tNameEnd = 0;
  /** FNV-1a of the target name's bytes. */
  tHash = 0;
  /** Target length. */
  tLen = 0;
  /** Target start. */
  tStart = 0;
  /** Target end. */
  tEnd = 0;
  /** Matching bases. */
  matches = 0;
  /** Alignment block length. */
  blockLen = 0;
  /** Mapping quality. */
  mapq = 0;
  /** Scratch for the nine numeric columns while a line is parsed. */
  readonly cols: Float64Array = new Float64Array(9);

  /** Whether query and target are the same sequence (a self-mapping). */
  isSelf(): boolean {
    const { buf, qNameStart: a, qNameEnd: b, tNameStart: c, tNameEnd: d } = this;
    if (b - a !== d - c) return false;
    for (let i = 0; i < b - a; i++) if (buf[a + i] !== buf[c + i]) return false;
    return true;
  }
}

/** Options of a scan. */
export interface ScanOptions extends PafEngineOptions {
  /** Awaited after each input chunk's lines (e.g. to write what they produced). */
  afterChunk?: () => Promise<void>;
}

/** What a scan read. */
export interface ScanResult {
  /** Lines in the input (blank ones included). */
  lines: number;
  /** PAF records (non-blank lines). */
  records: number;
  /** Bytes after decompression. */
  bytes: number;
}

const TAB = 9, NL = 10, CR = 13;

/**
 * Parse the 12 columns of the line at `buf[s..)` (bytes up to `lim`) into `v`, hashing the names
 * on the way; one loop per field, no calls. Returns the index of the byte that ends column 12
 * (a tab, "\n", "\r" or `lim`), or -1 when the fast path cannot read the line (blank or
 * malformed; then {@link slowLine} decides with parsePafLine).
 */
function fastCols(buf: Uint8Array, s: number, lim: number, v: PafLine): number {
  const nums = v.cols;
  let p = s, c = 0, h = 0x811c9dc5;
  while (p < lim) {
    c = buf[p];
    if (c === TAB || c === NL) break;
    h = Math.imul(h ^ c, 0x01000193);
    p++;
  }
  if (p === s || c !== TAB || p >= lim) return -1;
  v.qNameStart = s;
  v.qNameEnd = p;
  v.qHash = h >>> 0;
  p++;
  for (let f = 0; f < 3; f++) {
    const from = p;
    let n = 0;
    while (p < lim) {
      const d = buf[p] - 48;
      if (d >>> 0 > 9) break;
      n = n * 10 + d;
      p++;
    }
    if (p === from || p >= lim || buf[p] !== TAB) return -1;
    nums[f] = n;
    p++;
  }
  c = buf[p];
  if ((c !== 43 && c !== 45) || p + 1 >= lim || buf[p + 1] !== TAB) return -1;
  v.strand = c;
  p += 2;
  const t0 = p;
  h = 0x811c9dc5;
  while (p < lim) {
    c = buf[p];
    if (c === TAB || c === NL) break;
    h = Math.imul(h ^ c, 0x01000193);
    p++;
  }
  if (p === t0 || c !== TAB || p >= lim) return -1;
  v.tNameStart = t0;
  v.tNameEnd = p;
  v.tHash = h >>> 0;
  p++;
  for (let f = 3; f < 9; f++) {
    const from = p;
    let n = 0;
    while (p < lim) {
      const d = buf[p] - 48;
      if (d >>> 0 > 9) break;
      n = n * 10 + d;
      p++;
    }
    if (p === from) return -1;
    if (f < 8) {
      if (p >= lim || buf[p] !== TAB) return -1;
      p++;
    } else if (p < lim && (c = buf[p]) !== TAB && c !== NL && c !== CR) return -1;
    nums[f] = n;
  }
  for (let f = 0; f < 9; f++) if (nums[f] > 0x7fffffff) return -1;
  const qLen = nums[0], qStart = nums[1], qEnd = nums[2];
  const tLen = nums[3], tStart = nums[4], tEnd = nums[5];
  if (qStart > qEnd || qEnd > qLen || tStart > tEnd || tEnd > tLen) return -1;
  v.qLen = qLen;
  v.qStart = qStart;
  v.qEnd = qEnd;
  v.tLen = tLen;
  v.tStart = tStart;
  v.tEnd = tEnd;
  v.matches = nums[6];
  v.blockLen = nums[7];
  v.mapq = nums[8];
  return p;
}
const DECODER = new TextDecoder();

/**
 * The slow path for a line the fast path could not read: parsePafLine throws the usual
 * UserError, or accepts it (numbers such as "1e3" or "+5" that Number reads) and its values
 * are copied into `v`; names keep their byte ranges (the fields between the tabs).
 */
function slowLine(
  buf: Uint8Array,
  s: number,
  e: number,
  v: PafLine,
  file: string,
  lineNo: number,
  last: boolean,
): number {
  const text = DECODER.decode(buf.subarray(s, e));
  if (text.trim() === "") return 0;
  let r: PafRecord;
  try {
    r = parsePafLine(text, file, lineNo);
  } catch (err) {
    if (last && err instanceof UserError) {
      throw new UserError(
        `${err.message} (the last line has no newline at the end: is the file truncated?)`,
      );
    }
    throw err;
  }
  const tabs: number[] = [];
  for (let i = s; i < e && tabs.length < 6; i++) if (buf[i] === TAB) tabs.push(i);
  v.qNameStart = s;
  v.qNameEnd = tabs[0];
  v.tNameStart = tabs[4] + 1;
  v.tNameEnd = tabs[5];
  v.qHash = byteHash(buf, v.qNameStart, v.qNameEnd);
  v.tHash = byteHash(buf, v.tNameStart, v.tNameEnd);
  v.qLen = r.qLen;
  v.qStart = r.qStart;
  v.qEnd = r.qEnd;
  v.strand = r.strand === "+" ? 43 : 45;
  v.tLen = r.tLen;
  v.tStart = r.tStart;
  v.tEnd = r.tEnd;
  v.matches = r.matches;
  v.blockLen = r.blockLen;
  v.mapq = r.mapq;
  return 1;
}

/** The name a path is reported under. */
export function inputLabel(path: string): string {
  return path === "-" ? "<stdin>" : path;
}

/** A byte source read with `read(buf)` (a file or stdin), closed when done. */
interface ByteSource {
  /** Read into `buf`; the number of bytes, or null at the end. */
  read(buf: Uint8Array): Promise<number | null>;
  /** Release the source. */
  close(): void;
}

/** Open a path (or "-" for stdin) for reading; a UserError names a missing file or folder. */
async function openInput(path: string): Promise<ByteSource> {
  if (path === "-") return { read: (b) => Deno.stdin.read(b), close: () => {} };
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new UserError(`${path}: expected a file, found a folder`);
    return await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new UserError(`${path}: file not found`);
    throw err;
  }
}

/**
 * Read the next chunk into `buf` (a fresh buffer of `size` bytes when absent), filling it as far
 * as the source gives before its end; a view of the bytes read, or null at the end.
 */
async function readChunk(
  src: ByteSource,
  size: number,
  buf = new Uint8Array(size),
): Promise<Uint8Array | null> {
  let n = 0;
  while (n < size) {
    const got = await src.read(buf.subarray(n));
    if (got === null) break;
    n += got;
    // a pipe gives what is there: hand it on rather than wait for a full chunk
    if (n >= 1 << 16 && got < size - n) break;
  }
  return n === 0 ? null : buf.subarray(0, n);
}

/**
 * Stream the decompressed bytes of a PAF input in chunks: a path or "-" (stdin), gunzipped
 * when it starts with the gzip magic bytes (1f 8b; concatenated gzip members are read as one
 * stream). Plain input is read straight into one reused chunk-sized buffer (no stream
 * machinery per 64 KiB, no allocation per chunk), so a chunk is valid only until the next one
 * is asked for. A truncated or corrupt gzip is a UserError naming the input.
 */
export async function* inputChunks(
  path: string,
  opts: PafEngineOptions = {},
): AsyncGenerator<Uint8Array> {
  const { chunkSize } = { ...PAF_ENGINE_DEFAULTS, ...opts };
  const src = await openInput(path);
  const label = inputLabel(path);
  try {
    let head: Uint8Array = new Uint8Array(0);
    while (head.length < 2) {
      const value = await readChunk(src, chunkSize);
      if (!value) break;
      head = head.length ? concat(head, value) : value;
    }
    if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) {
      if (head.length) yield head;
      const buf = new Uint8Array(chunkSize);
      while (true) {
        const value = await readChunk(src, chunkSize, buf);
        if (!value) return;
        yield value;
      }
    }
    yield* gunzipChunks(head, src, label, chunkSize);
  } finally {
    try {
      src.close();
    } catch { /* already closed */ }
  }
}

/** Gunzip `head` and the rest of `src`, yielding decompressed chunks. */
async function* gunzipChunks(
  head: Uint8Array,
  src: ByteSource,
  label: string,
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  const gz = createGunzip({ chunkSize: Math.min(chunkSize, 1 << 18) });
  let feedError: unknown = null;
  let stop = false;
  const feed = (async () => {
    try {
      let chunk: Uint8Array | null = head;
      while (chunk && !stop) {
        if (!gz.write(chunk)) {
          await new Promise((r) => {
            gz.once("drain", r);
            gz.once("close", r);
          });
        }
        chunk = await readChunk(src, 1 << 18);
      }
      gz.end();
    } catch (err) {
      feedError = err;
      gz.destroy(err as Error);
    }
  })();
  let out = 0;
  try {
    for await (const c of gz) {
      out += (c as Uint8Array).length;
      yield c as Uint8Array;
    }
  } catch (err) {
    if (feedError) throw feedError;
    throw new UserError(
      `${label}: truncated or corrupt gzip data after ${out} decompressed bytes ` +
        `(${(err as Error).message})`,
    );
  } finally {
    stop = true;
    gz.destroy();
    await feed;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

/**
 * Read a PAF input once and call `onLine` for every record with the one reused {@link PafLine}
 * (valid only during the call). Blank lines are skipped; a malformed line throws a UserError
 * naming the input and the line, a truncated last line (no newline, too few columns) too.
 */
export async function scanPaf(
  path: string,
  onLine: (line: PafLine) => void,
  opts: ScanOptions = {},
): Promise<ScanResult> {
  const label = inputLabel(path);
  const v = new PafLine();
  let lineNo = 0, records = 0, bytes = 0;
  let carry = new Uint8Array(1 << 16);
  let carryLen = 0;
  const handle = (buf: Uint8Array, s: number, e: number, last: boolean) => {
    lineNo++;
    if (e > s && buf[e - 1] === CR) e--;
    let r = fastCols(buf, s, e, v) < 0 ? -1 : 1;
    if (r < 0) r = slowLine(buf, s, e, v, label, lineNo, last);
    if (r === 0) return;
    v.buf = buf;
    v.start = s;
    v.end = e;
    v.lineNo = lineNo;
    records++;
    onLine(v);
  };
  for await (const chunk of inputChunks(path, opts)) {
    bytes += chunk.length;
    let p = 0;
    if (carryLen > 0) {
      const nl = chunk.indexOf(NL);
      const take = nl < 0 ? chunk.length : nl;
      if (carryLen + take > carry.length) {
        const bigger = new Uint8Array(Math.max(carry.length * 2, carryLen + take));
        bigger.set(carry.subarray(0, carryLen));
        carry = bigger;
      }
      carry.set(chunk.subarray(0, take), carryLen);
      carryLen += take;
      if (nl < 0) continue;
      handle(carry, 0, carryLen, false);
      carryLen = 0;
      p = nl + 1;
    }
    // whole lines end at or before the chunk's last newline: parse the columns first, then
    // walk to the newline (a JS loop over the tags beats indexOf's call for ~60 bytes)
    const lim = chunk.lastIndexOf(NL, chunk.length - 1) + 1;
    while (p < lim) {
      const q = fastCols(chunk, p, lim, v);
      let nl = q < 0 ? p : q;
      while (chunk[nl] !== NL) nl++;
      if (q < 0) handle(chunk, p, nl, false);
      else {
        let e = nl;
        if (e > p && chunk[e - 1] === CR) e--;
        v.buf = chunk;
        v.start = p;
        v.end = e;
        v.lineNo = ++lineNo;
        records++;
        onLine(v);
      }
      p = nl + 1;
    }
    if (p < chunk.length) {
      const rest = chunk.length - p;
      if (rest > carry.length) carry = new Uint8Array(rest * 2);
      carry.set(chunk.subarray(p));
      carryLen = rest;
    }
    await opts.afterChunk?.();
  }
  if (carryLen > 0) handle(carry, 0, carryLen, true);
  return { lines: lineNo, records, bytes };
}

// ---------------------------------------------------------------- interned names, piles

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

const ENCODER = new TextEncoder();

/**
 * Read names interned once: an open-addressing table over the names' bytes (FNV-1a of the
 * bytes, which equals {@link hashId} for ASCII names), each name decoded to a string once.
 * A slot holds (hash, index + 1, arena offset, length) side by side, so a probe touches one
 * cache line before the bytes are compared.
 */
export class NameTable {
  /** Decoded names by index. */
  readonly names: string[] = [];
  private slots = new Int32Array(4 << 12);
  private arena = new Uint8Array(1 << 16);
  private arenaLen = 0;

  /** Number of names. */
  get size(): number {
    return this.names.length;
  }

  /** Index of the name `buf[s..e)` with byte hash `h`, or -1. */
  find(buf: Uint8Array, s: number, e: number, h: number): number {
    const slots = this.slots, arena = this.arena;
    const mask = (slots.length >> 2) - 1;
    const len = e - s, hh = h | 0;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const at = i << 2;
      const id = slots[at + 1];
      if (id === 0) return -1;
      if (slots[at] !== hh || slots[at + 3] !== len) continue;
      const o = slots[at + 2];
      let j = 0;
      while (j < len && arena[o + j] === buf[s + j]) j++;
      if (j === len) return id - 1;
    }
  }

  /** Add the name `buf[s..e)` (not yet in the table) with byte hash `h`; returns its index. */
  add(buf: Uint8Array, s: number, e: number, h: number, name?: string): number {
    const idx = this.names.length;
    const len = e - s;
    if (this.arenaLen + len > this.arena.length) {
      const b = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      b.set(this.arena.subarray(0, this.arenaLen));
      this.arena = b;
    }
    this.arena.set(buf.subarray(s, e), this.arenaLen);
    this.names.push(name ?? DECODER.decode(buf.subarray(s, e)));
    if ((idx + 1) * 2 > this.slots.length >> 2) this.grow();
    this.place(this.slots, h | 0, idx + 1, this.arenaLen, len);
    this.arenaLen += len;
    return idx;
  }

  /** Add a name given as a string (when not there yet); returns its index. */
  addString(name: string): number {
    const b = ENCODER.encode(name);
    const h = byteHash(b, 0, b.length);
    const found = this.find(b, 0, b.length, h);
    return found >= 0 ? found : this.add(b, 0, b.length, h, name);
  }

  private place(slots: Int32Array, h: number, id: number, off: number, len: number): void {
    const mask = (slots.length >> 2) - 1;
    let i = h & mask;
    while (slots[(i << 2) + 1] !== 0) i = (i + 1) & mask;
    const at = i << 2;
    slots[at] = h;
    slots[at + 1] = id;
    slots[at + 2] = off;
    slots[at + 3] = len;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] !== 0) this.place(slots, old[at], old[at + 1], old[at + 2], old[at + 3]);
    }
    this.slots = slots;
  }
}

export { byteHash };

/** Whether `buf[s..e)` is all ASCII (then byteHash equals hashId). */
function isAscii(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] > 127) return false;
  return true;
}

/** The bucket of the name `buf[s..e)` whose byte hash is `h`. */
export function bucketOfBytes(buf: Uint8Array, s: number, e: number, h: number, K: number) {
  return (isAscii(buf, s, e) ? h : hashId(DECODER.decode(buf.subarray(s, e)))) % K;
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
