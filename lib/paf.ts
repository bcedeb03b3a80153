/**
 * Streaming reader for PAF (minimap2's Pairwise mApping Format): 12 mandatory tab-separated
 * columns and optional SAM-like tags. Files are read line by line, never loaded whole, and a
 * malformed line is a UserError naming the file and the line number.
 * @module
 */
import { UserError } from "./fsutil.ts";

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
  const cols = line.split("\t");
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
    tags: cols.length > 12 ? cols.slice(12).join("\t") : "",
  };
}

/** Stream the lines of a text file with their 1-based numbers (no trailing "\r" or "\n"). */
export async function* readLines(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<[string, number]> {
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
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      let start = 0;
      let nl = text.indexOf("\n", start);
      while (nl >= 0) {
        lineNo++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield [text.slice(start, end), lineNo];
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      rest = text.slice(start);
    }
    rest += decoder.decode();
    if (rest.length > 0) {
      lineNo++;
      yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest, lineNo];
    }
  } finally {
    file.close();
  }
}

/** Stream the records of a PAF file; blank lines are skipped, malformed ones throw UserError. */
export async function* readPaf(
  path: string,
  opts: PafReadOptions = {},
): AsyncGenerator<PafRecord> {
  for await (const [line, lineNo] of readLines(path, opts)) {
    if (line.trim() === "") continue;
    yield parsePafLine(line, path, lineNo);
  }
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
