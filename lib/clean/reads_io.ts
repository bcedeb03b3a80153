/**
 * Streaming FASTA / FASTQ: records read one at a time from a plain or gzipped file (gzip found
 * by its magic bytes, read with node:zlib through lib/overlaps/paf_engine.ts `inputChunks`, concatenated
 * members included), and a writer that buffers records into a temp file beside the output
 * (gzipped when the output ends in `.gz`) and renames it into place only when closed, so an
 * interrupted run leaves no partial output file. A malformed record is a UserError naming the
 * file and line.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { Duplex } from "node:stream";
import { createGzip } from "node:zlib";
import { inputChunks } from "../overlaps/paf_engine.ts";
import { UserError } from "../core/errors.ts";

/** The two read formats. */
export type ReadFormat = "fasta" | "fastq";

/** One read record. */
export interface ReadRecord {
  /** Read id: the header up to the first space or tab. */
  id: string;
  /** The rest of the header after the id (with its leading space), or "". */
  description: string;
  /** Sequence (FASTA lines joined). */
  seq: string;
  /** Qualities (FASTQ only). */
  qual?: string;
  /** 1-based line of the record's header. */
  line: number;
}

/** Sequence lines may hold letters, gaps and stops only. */
const SEQ_OK = /^[A-Za-z*.\-]*$/;

/** Lines of a (possibly gzipped) text file, with their 1-based numbers. */
async function* lines(path: string): AsyncGenerator<[string, number]> {
  const dec = new TextDecoder();
  let rest = "";
  let n = 0;
  for await (const chunk of inputChunks(path)) {
    const text = rest + dec.decode(chunk, { stream: true });
    let p = 0;
    for (;;) {
      const nl = text.indexOf("\n", p);
      if (nl < 0) break;
      let e = nl;
      if (e > p && text.charCodeAt(e - 1) === 13) e--;
      yield [text.slice(p, e), ++n];
      p = nl + 1;
    }
    rest = text.slice(p);
  }
  rest += dec.decode();
  if (rest.length) yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++n];
}

/** Split a header line (without its marker) into id and description. */
function header(text: string, path: string, line: number): [string, string] {
  const m = /[ \t]/.exec(text);
  const id = m ? text.slice(0, m.index) : text;
  if (!id) throw new UserError(`${path}:${line}: a record header without a read id`);
  return [id, m ? text.slice(m.index) : ""];
}

/**
 * Stream the records of a FASTA or FASTQ file (plain or gzipped; the format from its first
 * character, `>` or `@`). `onFormat` is told the format before the first record. FASTQ records
 * are four lines (header, sequence, `+`, qualities of the sequence's length).
 */
export async function* readRecords(
  path: string,
  onFormat?: (f: ReadFormat) => void,
): AsyncGenerator<ReadRecord> {
  const it = lines(path);
  let format: ReadFormat | null = null;
  let cur: ReadRecord | null = null;
  let parts: string[] = [];
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    const [text, n] = next.value;
    if (format === null) {
      if (text === "") continue;
      if (text[0] === ">") format = "fasta";
      else if (text[0] === "@") format = "fastq";
      else {
        throw new UserError(`${path}:${n}: not FASTA or FASTQ (a record starts with '>' or '@')`);
      }
      onFormat?.(format);
    }
    if (format === "fasta") {
      if (text[0] === ">") {
        if (cur) {
          cur.seq = parts.join("");
          yield cur;
        }
        const [id, description] = header(text.slice(1), path, n);
        cur = { id, description, seq: "", line: n };
        parts = [];
      } else if (text === "") continue;
      else {
        if (!cur) throw new UserError(`${path}:${n}: sequence before the first '>' header`);
        if (!SEQ_OK.test(text)) {
          throw new UserError(`${path}:${n}: not a sequence line (only letters, '-', '*', '.')`);
        }
        parts.push(text);
      }
      continue;
    }
    // FASTQ: four lines per record
    if (text === "") continue;
    if (text[0] !== "@") throw new UserError(`${path}:${n}: expected a FASTQ header ('@')`);
    const [id, description] = header(text.slice(1), path, n);
    const seqL = await it.next(), plusL = await it.next(), qualL = await it.next();
    if (seqL.done || plusL.done || qualL.done) {
      throw new UserError(`${path}:${n}: truncated FASTQ record (four lines expected)`);
    }
    const [seq, sn] = seqL.value, [plus, pn] = plusL.value, [qual, qn] = qualL.value;
    if (!SEQ_OK.test(seq)) throw new UserError(`${path}:${sn}: not a sequence line`);
    if (plus[0] !== "+") throw new UserError(`${path}:${pn}: expected the FASTQ '+' line`);
    if (qual.length !== seq.length) {
      throw new UserError(
        `${path}:${qn}: ${qual.length} qualities for a sequence of ${seq.length} bases`,
      );
    }
    yield { id, description, seq, qual, line: n };
  }
  if (cur) {
    cur.seq = parts.join("");
    yield cur;
  }
}

/** Text of one record in `format` (FASTA sequence on one line). */
export function formatRecord(
  format: ReadFormat,
  name: string,
  seq: string,
  qual?: string,
): string {
  if (format === "fastq") return `@${name}\n${seq}\n+\n${qual ?? "I".repeat(seq.length)}\n`;
  return `>${name}\n${seq}\n`;
}

/** A streaming, atomic writer of records (see the module doc). */
export interface RecordWriter {
  /** Queue text; flushed in ~1 MiB writes. */
  write(text: string): Promise<void>;
  /** Flush, close and rename the temp file into place. */
  close(): Promise<void>;
  /** Close and remove the temp file (after an error). */
  abort(): Promise<void>;
  /** The temp file being written. */
  readonly tmp: string;
}

/** Options of the record writer. */
export interface WriterOptions {
  /**
   * zlib level of a gzipped output: 3 is several times faster than zlib's usual 6 on reads, for
   * slightly larger files (README, Clean reads out).
   */
  gzipLevel?: number;
}

/** Defaults of the record writer. */
export const WRITER_DEFAULTS: Required<WriterOptions> = { gzipLevel: 3 };

/** Open a writer for `path` (gzip when it ends in `.gz`), through a temp file beside it. */
export async function openWriter(path: string, opts: WriterOptions = {}): Promise<RecordWriter> {
  const o = { ...WRITER_DEFAULTS, ...opts };
  await Deno.mkdir(dirname(path) || ".", { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID()}.part`);
  const file = await Deno.open(tmp, { write: true, createNew: true });
  const enc = new TextEncoder();
  let sink: WritableStreamDefaultWriter<Uint8Array>;
  let piped: Promise<void> = Promise.resolve();
  if (path.endsWith(".gz")) {
    const gz = Duplex.toWeb(createGzip({ level: o.gzipLevel })) as unknown as {
      readable: ReadableStream<Uint8Array>;
      writable: WritableStream<Uint8Array>;
    };
    piped = gz.readable.pipeTo(file.writable);
    sink = gz.writable.getWriter();
  } else sink = file.writable.getWriter();
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    if (!buf.length) return;
    const text = buf.join("");
    buf = [];
    size = 0;
    await sink.write(enc.encode(text));
  };
  let done = false;
  return {
    tmp,
    async write(text: string) {
      buf.push(text);
      size += text.length;
      if (size >= 1 << 20) await flush();
    },
    async close() {
      await flush();
      await sink.close();
      await piped;
      done = true;
      await Deno.rename(tmp, path);
    },
    async abort() {
      if (!done) {
        await sink.abort().catch(() => {});
        await piped.catch(() => {});
      }
      await Deno.remove(tmp).catch(() => {});
    },
  };
}
