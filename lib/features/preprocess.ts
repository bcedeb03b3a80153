/**
 * Image preprocessing as in the thesis: decode, flatten alpha onto white, greyscale, resize to
 * a square, rescale to [0, 1]; horizontal-flip augmentation; a cache of resized images (memory
 * and disk, keyed by file content and options); and a seeded batch generator in the spirit of
 * Keras `ImageDataGenerator.flow_from_directory`.
 * @module
 */

import { CachedSource, type SourceCacheOptions } from "./source.ts";
import { decodeGrey, type GreyImage } from "../core/image.ts";

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

/** Options of the image cache. */
export interface CacheOptions extends PreprocessOptions, SourceCacheOptions {}

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
