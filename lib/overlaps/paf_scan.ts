/**
 * PAF lines parsed straight from the input's bytes: the 12 mandatory columns into one reused
 * {@link PafLine} (no strings, no per-line objects), the names hashed on the way. A malformed
 * line is re-parsed with lib/overlaps/paf.ts parsePafLine, so the messages (file, line, problem)
 * are the same.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { byteHash } from "../core/hash.ts";
import { type PafRecord, parsePafLine } from "./paf.ts";
import { DECODER, inputChunks, inputLabel, type PafEngineOptions } from "./paf_input.ts";

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
