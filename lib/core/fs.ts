/**
 * File-system helpers shared by every stage: atomic writes (temp file + rename, so an
 * interrupted run never leaves a half-written result), existence checks. Failures a user can fix are
 * {@link UserError}s (lib/core/errors.ts).
 * @module
 */
import { dirname, join } from "node:path";
import { UserError } from "./errors.ts";

/** Write bytes to `path` atomically: write a temp file beside it, then rename over it. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Write text to `path` atomically (UTF-8). */
export function writeTextAtomic(path: string, text: string): Promise<void> {
  return writeFileAtomic(path, new TextEncoder().encode(text));
}

/** Write a value as pretty JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeTextAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** Read a file's bytes; a UserError names the file when it is missing, a folder or unreadable. */
export async function readFileOrFail(path: string, what = "file"): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new UserError(`${path}: ${what} not found`);
    if (err instanceof Deno.errors.IsADirectory) {
      throw new UserError(`${path}: is a folder, expected a ${what}`);
    }
    throw new UserError(`${path}: cannot read (${(err as Error).message})`);
  }
}

/** Read a UTF-8 text file; a UserError names the file when it is missing or unreadable. */
export async function readTextOrFail(path: string, what = "file"): Promise<string> {
  return new TextDecoder().decode(await readFileOrFail(path, what));
}

/** Read and parse a JSON file, with a UserError naming the file when it is missing or bad. */
export async function readJson<T>(path: string): Promise<T> {
  const text = await readTextOrFail(path);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** File info for `path`, or null when nothing exists there (also when a parent is a file). */
export async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return null;
    }
    throw err;
  }
}

/** Throw a UserError unless `path` is an existing directory. */
export async function requireDir(path: string, what = "folder"): Promise<void> {
  const info = await statOrNull(path);
  if (!info) throw new UserError(`${path}: ${what} does not exist`);
  if (!info.isDirectory) throw new UserError(`${path}: expected a ${what}, found a file`);
}
