/**
 * The bytes of a PAF input: a path or "-" (stdin), plain or gzipped (told by its magic bytes),
 * read once in large chunks; the name an input is reported under.
 * @module
 */
import { createGunzip } from "node:zlib";
import { UserError } from "../core/errors.ts";

/** Options of the byte-level reader. */
export interface PafEngineOptions {
  /** Bytes read (or decompressed) per chunk. */
  chunkSize?: number;
}

/** Defaults of the byte-level reader. */
export const PAF_ENGINE_DEFAULTS: Required<PafEngineOptions> = { chunkSize: 1 << 20 };

/** UTF-8 decoder of the engine's names and lines (whole buffers only, no stream state). */
export const DECODER: TextDecoder = new TextDecoder();

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

/** `a` then `b` in a new array. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}
