/**
 * Streaming reader for PAF (minimap2's Pairwise mApping Format): 12 mandatory tab-separated
 * columns and optional SAM-like tags. Files are read line by line, never loaded whole, and a
 * malformed line is a UserError naming the file and the line number.
 * @module
 */
import { UserError } from "../core/errors.ts";

/** One PAF line: an overlap between a query read and a target read. */
export interface PafRecord {
  /** Query sequence name. */
  qName: string;
  /** Query sequence length. */
  qLen: number;
  /** Query start (0-based, inclusive). */
  qStart: number;
  /** Query end (0-based, exclusive). */
  qEnd: number;
  /** Relative strand: "+" or "-". */
  strand: "+" | "-";
  /** Target sequence name. */
  tName: string;
  /** Target sequence length. */
  tLen: number;
  /** Target start on the original strand (0-based, inclusive). */
  tStart: number;
  /** Target end on the original strand (0-based, exclusive). */
  tEnd: number;
  /** Number of matching bases in the mapping. */
  matches: number;
  /** Number of bases, including gaps, in the mapping. */
  blockLen: number;
  /** Mapping quality (0-255; 255 for missing). */
  mapq: number;
  /** Optional tags after column 12, tab-joined ("" when none). */
  tags: string;
}

/** Options for reading PAF files. */
export interface PafReadOptions {
  /** Bytes read per chunk. */
  chunkSize?: number;
}

/** Defaults for PAF reading. */
export const PAF_DEFAULTS: Required<PafReadOptions> = { chunkSize: 1 << 20 };

const INT_COLUMNS: [number, string][] = [
  [1, "query length"],
  [2, "query start"],
  [3, "query end"],
  [6, "target length"],
  [7, "target start"],
  [8, "target end"],
  [9, "number of matches"],
  [10, "alignment block length"],
  [11, "mapping quality"],
];

/** Parse one PAF line; throws a UserError naming `file` and `lineNo` when it is malformed. */
export function parsePafLine(line: string, file = "<paf>", lineNo = 0): PafRecord {
  const where = `${file}:${lineNo}`;
  // only the 12 mandatory columns are split; the tags are kept as one string
  const cols: string[] = [];
  let from = 0;
  let tags = "";
  for (let k = 0; k < 12; k++) {
    const tab = line.indexOf("\t", from);
    if (tab < 0) {
      cols.push(line.slice(from));
      break;
    }
    cols.push(line.slice(from, tab));
    from = tab + 1;
    if (k === 11) tags = line.slice(from);
  }
  if (cols.length < 12) {
    throw new UserError(
      `${where}: malformed PAF line: expected at least 12 tab-separated columns, found ${cols.length}`,
    );
  }
  const ints: number[] = new Array(12).fill(0);
  for (const [i, what] of INT_COLUMNS) {
    const s = cols[i];
    const n = Number(s);
    if (s === "" || !Number.isInteger(n) || n < 0) {
      throw new UserError(
        `${where}: malformed PAF line: column ${i + 1} (${what}) is "${
          s.slice(0, 40)
        }", expected a non-negative integer`,
      );
    }
    ints[i] = n;
  }
  const strand = cols[4];
  if (strand !== "+" && strand !== "-") {
    throw new UserError(
      `${where}: malformed PAF line: column 5 (strand) is "${strand}", expected + or -`,
    );
  }
  if (cols[0] === "" || cols[5] === "") {
    throw new UserError(`${where}: malformed PAF line: empty sequence name`);
  }
  if (ints[2] > ints[3] || ints[3] > ints[1]) {
    throw new UserError(
      `${where}: malformed PAF line: query interval ${ints[2]}-${ints[3]} does not fit length ${
        ints[1]
      }`,
    );
  }
  if (ints[7] > ints[8] || ints[8] > ints[6]) {
    throw new UserError(
      `${where}: malformed PAF line: target interval ${ints[7]}-${ints[8]} does not fit length ${
        ints[6]
      }`,
    );
  }
  return {
    qName: cols[0],
    qLen: ints[1],
    qStart: ints[2],
    qEnd: ints[3],
    strand,
    tName: cols[5],
    tLen: ints[6],
    tStart: ints[7],
    tEnd: ints[8],
    matches: ints[9],
    blockLen: ints[10],
    mapq: ints[11],
    tags,
  };
}

/** A chunk of consecutive lines of a file and the 1-based number of its first line. */
export interface LineChunk {
  /** The lines (no trailing "\r" or "\n"). */
  lines: string[];
  /** Number of the first line. */
  first: number;
}

/**
 * Stream the lines of a text file in chunks (one per read of `chunkSize` bytes): far less
 * per-line overhead than one async step per line, for multi-GB files.
 */
export async function* readLineChunks(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<LineChunk> {
  const { chunkSize } = { ...PAF_DEFAULTS, ...opts };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new UserError(`${path}: file not found`);
    if (err instanceof Deno.errors.IsADirectory) {
      throw new UserError(`${path}: expected a file, found a folder`);
    }
    throw err;
  }
  const decoder = new TextDecoder("utf-8");
  const buf = new Uint8Array(chunkSize);
  let rest = "";
  let lineNo = 0;
  const strip = (l: string) => l.charCodeAt(l.length - 1) === 13 ? l.slice(0, -1) : l;
  try {
    while (true) {
      let n: number | null;
      try {
        n = await file.read(buf);
      } catch (err) {
        if (err instanceof Deno.errors.IsADirectory) {
          throw new UserError(`${path}: expected a file, found a folder`);
        }
        throw err;
      }
      if (n === null) break;
      const parts = (rest + decoder.decode(buf.subarray(0, n), { stream: true })).split("\n");
      rest = parts.pop()!;
      if (parts.length === 0) continue;
      const first = lineNo + 1;
      lineNo += parts.length;
      yield { lines: parts.map(strip), first };
    }
    rest += decoder.decode();
    if (rest.length > 0) yield { lines: [strip(rest)], first: lineNo + 1 };
  } finally {
    file.close();
  }
}

/** Stream the lines of a text file with their 1-based numbers (no trailing "\r" or "\n"). */
export async function* readLines(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<[string, number]> {
  for await (const { lines, first } of readLineChunks(path, opts)) {
    for (let i = 0; i < lines.length; i++) yield [lines[i], first + i];
  }
}

/** Stream the records of a PAF file in batches; blank lines skipped, malformed ones throw. */
export async function* readPafBatches(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<PafRecord[]> {
  for await (const { lines, first } of readLineChunks(path, opts)) {
    const out: PafRecord[] = [];
    let error: unknown = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (line.length === 0 || line.trim() === "") continue;
      try {
        out.push(parsePafLine(line, path, first + i));
      } catch (err) {
        error = err;
        break;
      }
    }
    // the records before a malformed line still come out, then the error
    if (out.length) yield out;
    if (error) throw error;
  }
}

/** Stream the records of a PAF file; blank lines are skipped, malformed ones throw UserError. */
export async function* readPaf(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<PafRecord> {
  for await (const batch of readPafBatches(path, opts)) yield* batch;
}

/** Format a record as one PAF line (no newline). */
export function formatPafLine(r: PafRecord): string {
  const cols = [
    r.qName,
    r.qLen,
    r.qStart,
    r.qEnd,
    r.strand,
    r.tName,
    r.tLen,
    r.tStart,
    r.tEnd,
    r.matches,
    r.blockLen,
    r.mapq,
  ].join("\t");
  return r.tags ? `${cols}\t${r.tags}` : cols;
}
