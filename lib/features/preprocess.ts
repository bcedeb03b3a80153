/**
 * Image preprocessing as in the thesis: decode, flatten alpha onto white, greyscale, resize to
 * a square, rescale to [0, 1]; horizontal-flip augmentation; a cache of resized images (memory
 * and disk, keyed by file content and options); and a seeded batch generator in the spirit of
 * Keras `ImageDataGenerator.flow_from_directory`.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { LABELS, type Sample } from "../data/dataset.ts";
import { readFileOrFail, writeFileAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";
import { mulberry32, shuffleInPlace } from "../core/random.ts";
import { hashInts, sha256Hex } from "../core/hash.ts";
import { mapPool } from "../core/pool.ts";

/** Resize kernels: `area` averages every source pixel a target pixel covers (keeps a 1-pixel
 * line as a grey trace); `nearest` picks one source pixel (the Keras `load_img` default). */
export type ResizeKernel = "area" | "nearest";

/** Options of image preprocessing. */
export interface PreprocessOptions {
  /** Side of the square output in pixels. */
  size?: number;
  /** Resize kernel. */
  resize?: ResizeKernel;
}

/** Preprocessing defaults: 224x224 like the thesis, area resize (it trains better: see README). */
export const PREPROCESS_DEFAULTS: Required<PreprocessOptions> = { size: 224, resize: "area" };

/** A decoded greyscale image, 8 bits per pixel, row-major. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Why an image could not be used, for the bad-input report. */
export interface ImageProblem {
  /** The file. */
  path: string;
  /** What is wrong with it. */
  reason: string;
}

/** Decode an image file (PNG/JPEG, any bit depth, with or without alpha) to 8-bit grey on white. */
export async function decodeGrey(path: string | Uint8Array, name = "<buffer>"): Promise<GreyImage> {
  const file = typeof path === "string" ? path : name;
  const bytes = typeof path === "string" ? await readFileOrFail(path) : path;
  if (bytes.length === 0) throw new UserError(`${file}: empty file (0 bytes)`);
  let raw: { data: Uint8Array; info: sharp.OutputInfo };
  try {
    // Decoding to raw pixels is cheap in libvips; greyscale and alpha are done in JS (faster
    // than libvips' colour pipeline for these small images).
    raw = await sharp(bytes, { failOn: "error" }).raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    throw new UserError(`${file}: not a readable PNG/JPEG image (${msg})`);
  }
  const { width, height, channels } = raw.info;
  return { width, height, data: toGreyOnWhite(raw.data, width * height, channels) };
}

/**
 * Interleaved 8-bit pixels (grey, grey+alpha, RGB or RGBA) to grey on a white background, with
 * PIL's `convert("L")` arithmetic (ITU-R 601-2 weights in 16-bit fixed point, as Keras uses),
 * then alpha blended over white (rounded).
 */
export function toGreyOnWhite(px: Uint8Array, n: number, channels: number): Uint8Array {
  const out = new Uint8Array(n);
  const alpha = channels === 2 || channels === 4;
  for (let i = 0, j = 0; i < n; i++, j += channels) {
    const v = channels >= 3
      ? (px[j] * 19595 + px[j + 1] * 38470 + px[j + 2] * 7471 + 0x8000) >> 16
      : px[j];
    const a = alpha ? px[j + channels - 1] : 255;
    out[i] = a === 255 ? v : ((v * a + 255 * (255 - a) + 127) / 255) | 0;
  }
  return out;
}

/** Resize a grey image to `size`x`size` and rescale to [0, 1] as Float32. */
export function resizeGrey(img: GreyImage, size: number, kernel: ResizeKernel): Float32Array {
  const out = new Float32Array(size * size);
  const { width: w, height: h, data } = img;
  if (kernel === "nearest") {
    // PIL/Keras nearest: source index floor((i + 0.5) * scale).
    for (let y = 0; y < size; y++) {
      const sy = Math.min(h - 1, Math.floor((y + 0.5) * h / size));
      for (let x = 0; x < size; x++) {
        const sx = Math.min(w - 1, Math.floor((x + 0.5) * w / size));
        out[y * size + x] = data[sy * w + sx] / 255;
      }
    }
    return out;
  }
  // Exact area averaging with fractional pixel coverage (PIL BOX / OpenCV INTER_AREA),
  // separable: first along rows, then along columns.
  const xw = areaWeights(w, size);
  const yw = areaWeights(h, size);
  const tmp = new Float32Array(h * size);
  for (let y = 0; y < h; y++) {
    const src = y * w;
    for (let x = 0; x < size; x++) {
      const { start, weights } = xw[x];
      let acc = 0;
      for (let i = 0; i < weights.length; i++) acc += data[src + start + i] * weights[i];
      tmp[y * size + x] = acc;
    }
  }
  for (let y = 0; y < size; y++) {
    const { start, weights } = yw[y];
    for (let x = 0; x < size; x++) {
      let acc = 0;
      for (let j = 0; j < weights.length; j++) acc += tmp[(start + j) * size + x] * weights[j];
      out[y * size + x] = acc / 255;
    }
  }
  return out;
}

/** Per output pixel, the first source index and the normalised coverage weights. */
function areaWeights(src: number, dst: number): { start: number; weights: Float64Array }[] {
  const scale = src / dst;
  const result = [];
  for (let i = 0; i < dst; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    const start = Math.floor(a);
    const end = Math.min(src, Math.ceil(b));
    const weights = new Float64Array(end - start);
    for (let k = start; k < end; k++) {
      weights[k - start] = (Math.min(b, k + 1) - Math.max(a, k)) / scale;
    }
    result.push({ start, weights });
  }
  return result;
}

/** Flip a square `size`x`size` image left-right (returns a new array). */
export function flipHorizontal(img: Float32Array, size: number): Float32Array {
  const out = new Float32Array(img.length);
  for (let y = 0; y < size; y++) {
    const r = y * size;
    for (let x = 0; x < size; x++) out[r + x] = img[r + size - 1 - x];
  }
  return out;
}

/** Decode, greyscale, resize and rescale one image file to a [0,1] Float32 `size*size` array. */
export async function loadImage(path: string, opts: PreprocessOptions = {}): Promise<Float32Array> {
  const o = { ...PREPROCESS_DEFAULTS, ...opts };
  return resizeGrey(await decodeGrey(path), o.size, o.resize);
}

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

/** Options of the image cache. */
export interface CacheOptions extends PreprocessOptions, SourceCacheOptions {}

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

/**
 * The thesis image pipeline as a cached source: images resized and stored 8-bit (memory, then
 * disk, then decoding), returned as Float32 in [0, 1].
 */
export class ImageCache extends CachedSource {
  readonly options: Required<PreprocessOptions>;

  /** Create a cache for one preprocessing setting. */
  constructor(opts: CacheOptions = {}) {
    super(opts);
    this.options = {
      size: opts.size ?? PREPROCESS_DEFAULTS.size,
      resize: opts.resize ?? PREPROCESS_DEFAULTS.resize,
    };
  }

  /** Input shape of one image: [size, size, 1]. */
  get shape(): number[] {
    return [this.options.size, this.options.size, 1];
  }

  /** The image mirrored left-right. */
  flip(x: Float32Array): Float32Array {
    return flipHorizontal(x, this.options.size);
  }

  /** The resized image of a decoded one, at the 8-bit precision `get` returns (as trained). */
  fromGrey(img: GreyImage): Float32Array {
    return this.decode(this.encode(resizeGrey(img, this.options.size, this.options.resize)))!;
  }

  protected get cacheTag(): string {
    return `image|${this.options.size}|${this.options.resize}|v2`;
  }

  protected encode(x: Float32Array): Uint8Array {
    const q = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) q[i] = Math.round(x[i] * 255);
    return q;
  }

  protected decode(q: Uint8Array): Float32Array | null {
    if (q.length !== this.options.size ** 2) return null;
    const f = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) f[i] = q[i] / 255;
    return f;
  }
}

/** One batch: inputs stacked (NHWC), one-hot labels [non_chimeric, chimeric]. */
export interface Batch {
  /** Inputs, `n * prod(shape)` floats. */
  x: Float32Array;
  /** One-hot labels, `n * 2` floats. */
  y: Float32Array;
  /** Number of samples in the batch. */
  n: number;
  /** Position of the batch in the stream (0-based step number). */
  step: number;
  /** Source files of the batch, in order. */
  paths: string[];
}

/** Options of the batch generator. */
export interface BatchOptions {
  /** Samples per batch. */
  batchSize?: number;
  /** Shuffle each pass (training) or keep order (evaluation). */
  shuffle?: boolean;
  /** Random horizontal flips with probability 0.5 (training augmentation). */
  flip?: boolean;
  /** Random shifts of up to this many positions either way, where the source can shift. */
  shift?: number;
  /** Seed of shuffles and flips. */
  seed?: number;
  /** Number of passes over the samples; Infinity for an endless stream. */
  epochs?: number;
  /** First step to yield: skips earlier batches without loading them (resume). */
  startStep?: number;
  /** Called with each unreadable sample (dropped from its batch, never silently). */
  onProblem?: (p: ImageProblem) => void;
}

/** Defaults of the batch generator (the thesis: batches of 32, shuffled, flipped). */
export const BATCH_DEFAULTS: Required<Omit<BatchOptions, "onProblem">> = {
  batchSize: 32,
  shuffle: true,
  flip: true,
  shift: 0,
  seed: 0,
  epochs: 1,
  startStep: 0,
};

/** One-hot vector index of a label: 1 for chimeric, 0 for non_chimeric. */
export function labelIndex(label: Sample["label"]): number {
  return LABELS.indexOf(label);
}

/** Number of batches in one pass over `n` samples. */
export function batchesPerPass(n: number, batchSize: number): number {
  return Math.ceil(n / batchSize);
}

/** A deterministic hash of integers to [0, 1) (position-based randomness that can be skipped). */
function hash01(...xs: number[]): number {
  return mulberry32(hashInts(xs))();
}

/**
 * Yield batches of preprocessed samples with one-hot labels, as a stream of passes over the
 * samples (each pass reshuffled, seeded by seed and pass number; the last batch of a pass may
 * be smaller, as in Keras), each sample flipped and shifted at random when asked. Batch k is
 * the same for the same seed whatever `startStep` is, so an interrupted run resumes exactly.
 * Unreadable samples go to `onProblem` and are dropped from their batch; nothing crashes
 * mid-epoch.
 */
export async function* batches(
  samples: Sample[],
  source: FeatureSource,
  opts: BatchOptions = {},
): AsyncGenerator<Batch> {
  const o = { ...BATCH_DEFAULTS, ...opts };
  if (samples.length === 0) return;
  const per = batchesPerPass(samples.length, o.batchSize);
  const item = source.shape.reduce((a, b) => a * b, 1);
  await source.prepare?.(samples.map((s) => s.path));
  const reported = new Set<string>();
  let orderPass = -1;
  let order: Sample[] = samples;
  for (let step = o.startStep; step < per * o.epochs; step++) {
    const pass = Math.floor(step / per);
    if (pass !== orderPass) {
      order = o.shuffle
        ? shuffleInPlace([...samples], mulberry32(hash01(o.seed, pass) * 2 ** 32))
        : samples;
      orderPass = pass;
    }
    const start = (step - pass * per) * o.batchSize;
    const chunk = order.slice(start, start + o.batchSize);
    const { images, problems } = await source.getMany(chunk.map((s) => s.path));
    for (const p of problems) {
      if (!reported.has(p.path)) o.onProblem?.(p);
      reported.add(p.path);
    }
    const n = images.filter((x) => x !== null).length;
    const x = new Float32Array(n * item);
    const y = new Float32Array(n * 2);
    const paths: string[] = [];
    let k = 0;
    chunk.forEach((s, i) => {
      const img = images[i];
      if (!img) return;
      const flip = o.flip && hash01(o.seed, pass, start + i, 7) < 0.5;
      let v = flip ? source.flip(img) : img;
      if (o.shift > 0 && source.shift) {
        const by = Math.floor(hash01(o.seed, pass, start + i, 11) * (2 * o.shift + 1)) - o.shift;
        if (by !== 0) v = source.shift(v, by);
      }
      x.set(v, k * item);
      y[k * 2 + labelIndex(s.label)] = 1;
      paths.push(s.path);
      k++;
    });
    yield { x, y, n, step, paths };
  }
}
