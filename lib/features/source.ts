/**
 * Feature sources: what turns an image file into a model input, and the cached base every
 * representation shares (memory, then disk keyed by file content and options, then decoding;
 * unreadable files become problems, not crashes).
 * @module
 */

import { join } from "node:path";

import { readFileOrFail, writeFileAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

import { sha256Hex } from "../core/hash.ts";
import { mapPool } from "../core/pool.ts";

import { decodeGrey, type GreyImage, type ImageProblem } from "../core/image.ts";

/** Options shared by the cached feature sources. */
export interface SourceCacheOptions {
  /** Folder for the on-disk cache; none means memory only. */
  dir?: string;
  /** How many files to decode at once (sharp runs them on its thread pool). */
  concurrency?: number;
  /**
   * Most bytes of stored features kept in memory; beyond it the least recently used go (they
   * are read from the disk cache or decoded again). Default: SOURCE_CACHE_DEFAULTS.memoryBytes.
   */
  memoryBytes?: number;
}

/**
 * Defaults of the cached sources: 4 files decoded at once; 1 GiB of features in memory (the
 * 12,600 real charts take 632 MB as 224x224 8-bit images, far less as curves or piles).
 */
export const SOURCE_CACHE_DEFAULTS: Required<Omit<SourceCacheOptions, "dir">> = {
  concurrency: 4,
  memoryBytes: 1 << 30,
};

/** Cache statistics, for tests and progress lines. */
export interface CacheStats {
  memoryHits: number;
  diskHits: number;
  decoded: number;
}

/**
 * What the batch generator and the trainer need from an input pipeline: the per-sample input
 * shape, batched loading that reports unreadable files, the horizontal flip, and the features
 * of an image already decoded (charts drawn in memory from overlaps). `ImageCache` is the image
 * pipeline, `LineSource` (lib/features/chart_line.ts) the coverage-curve one.
 */
export interface FeatureSource {
  /** Input shape of one sample, without the batch dimension (e.g. [224, 224, 1]). */
  readonly shape: number[];
  /** Load many samples concurrently; unreadable ones come back as problems and null. */
  getMany(
    paths: string[],
    onEach?: () => void,
  ): Promise<{ images: (Float32Array | null)[]; problems: ImageProblem[] }>;
  /** The sample mirrored left-right. */
  flip(x: Float32Array): Float32Array;
  /** The sample moved `by` positions along the read (zero fill); absent: no shift augmentation. */
  shift?(x: Float32Array, by: number): Float32Array;
  /** Features of a decoded grey image; throws UserError naming `name` when it is unusable. */
  fromGrey(img: GreyImage, name: string): Float32Array;
  /**
   * Look at all the samples used together before any is loaded (the pile source computes each
   * group's typical depth from them); absent: nothing to prepare.
   */
  prepare?(paths: string[]): Promise<void>;
}

/**
 * The shared part of the feature sources: features computed from each file's decoded grey
 * image, kept in memory and on disk (`dir/<sha256 of file bytes and cacheTag>.bin`), loaded
 * several files at a time. Subclasses say how features are computed, stored and flipped.
 */
export abstract class CachedSource implements FeatureSource {
  readonly dir?: string;
  readonly concurrency: number;
  readonly memoryBytes: number;
  readonly stats: CacheStats = { memoryHits: 0, diskHits: 0, decoded: 0 };
  /** Stored features by path, least recently used first (a Map keeps insertion order). */
  #memory = new Map<string, Uint8Array>();
  #memoryUsed = 0;

  /** Set up the memory and disk cache. */
  constructor(opts: SourceCacheOptions = {}) {
    this.dir = opts.dir;
    this.concurrency = opts.concurrency ?? SOURCE_CACHE_DEFAULTS.concurrency;
    this.memoryBytes = opts.memoryBytes ?? SOURCE_CACHE_DEFAULTS.memoryBytes;
  }

  /** Bytes of features held in memory now. */
  get memoryUsed(): number {
    return this.#memoryUsed;
  }

  /** Keep `stored` in memory as the most recently used, dropping the oldest beyond the limit. */
  #remember(path: string, stored: Uint8Array): void {
    this.#forget(path);
    if (stored.byteLength > this.memoryBytes) return;
    this.#memory.set(path, stored);
    this.#memoryUsed += stored.byteLength;
    for (const [old] of this.#memory) {
      if (this.#memoryUsed <= this.memoryBytes) break;
      this.#forget(old);
    }
  }

  #forget(path: string): void {
    const old = this.#memory.get(path);
    if (!old) return;
    this.#memory.delete(path);
    this.#memoryUsed -= old.byteLength;
  }

  /** Input shape of one sample. */
  abstract get shape(): number[];
  /** The sample mirrored left-right. */
  abstract flip(x: Float32Array): Float32Array;
  /** Features of a decoded grey image; throws UserError naming `name` when it is unusable. */
  abstract fromGrey(img: GreyImage, name: string): Float32Array;
  /** Every option that changes the features, as text (keys the disk cache with the file). */
  protected abstract get cacheTag(): string;
  /** Features to their stored form (memory and disk). */
  protected abstract encode(x: Float32Array): Uint8Array;
  /** Stored form back to features (a new array); null when it does not fit the options. */
  protected abstract decode(stored: Uint8Array): Float32Array | null;

  /** The features of `path` (a new array each call). Throws UserError if it is unusable. */
  async get(path: string): Promise<Float32Array> {
    const mem = this.#memory.get(path);
    if (mem) {
      this.stats.memoryHits++;
      this.#remember(path, mem);
      return this.decode(mem)!;
    }
    const bytes = await readFileOrFail(path);
    let diskPath: string | undefined;
    if (this.dir) {
      diskPath = join(this.dir, `${await this.#key(bytes)}.bin`);
      try {
        const cached = await Deno.readFile(diskPath);
        const x = this.decode(cached);
        if (x) {
          this.stats.diskHits++;
          this.#remember(path, cached);
          return x;
        }
      } catch { /* not cached yet */ }
    }
    const stored = this.encode(this.fromGrey(await decodeGrey(bytes, path), path));
    this.stats.decoded++;
    this.#remember(path, stored);
    if (diskPath) await writeFileAtomic(diskPath, stored);
    return this.decode(stored)!;
  }

  /** Load many files concurrently; unusable ones are returned as problems, not thrown. */
  async getMany(
    paths: string[],
    onEach?: () => void,
  ): Promise<{ images: (Float32Array | null)[]; problems: ImageProblem[] }> {
    const problems: ImageProblem[] = [];
    const images = await mapPool(paths, this.concurrency, async (path) => {
      let image: Float32Array | null = null;
      try {
        image = await this.get(path);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        problems.push({ path, reason: err.message.replace(`${path}: `, "") });
      }
      onEach?.();
      return image;
    });
    return { images, problems };
  }

  async #key(bytes: Uint8Array): Promise<string> {
    const tag = new TextEncoder().encode(`|${this.cacheTag}`);
    const all = new Uint8Array(bytes.length + tag.length);
    all.set(bytes);
    all.set(tag, bytes.length);
    return await sha256Hex(all);
  }
}
