/**
 * The coverage-curve representation of the first compact models: the line of a pile-o-gram read
 * back from its image in box heights, one value per column group (the default input is now the
 * pile in coverage units, lib/features/pile_features.ts). Raven's plotter (matplotlib, figsize 7.5x5,
 * 100 dpi) draws the axes box at x 12.5%..90% and y 10%..90% of the image, with y = 0 on the
 * bottom edge and coverage 300 on the top edge (a fixed axis: ../shared/docs/provenance.md).
 * For each output column this module reports, with heights as fractions of that box:
 * `top` (highest ink), `bottom` (lowest ink), `valid` (the read's span, from its first to its
 * last inked column), `clipped` (the line runs above the box, so that column has no ink) and
 * `level` (`top` relative to the median `top` over the read's span, divided by
 * {@link LEVEL_CAP} and capped at 1).
 * @module
 */
import { CachedSource, decodeGrey, type GreyImage, type SourceCacheOptions } from "./preprocess.ts";
import { UserError } from "../core/errors.ts";

/** Options of curve extraction. */
export interface CurveOptions {
  /** Output length: the box's columns are grouped into this many (145 = fours at 750 wide). */
  columns?: number;
  /** Left edge of the axes box, as a fraction of the image width. */
  left?: number;
  /** Right edge of the axes box, as a fraction of the image width. */
  right?: number;
  /** Top edge of the axes box (the clip value), as a fraction of the image height. */
  top?: number;
  /** Bottom edge of the axes box (coverage 0), as a fraction of the image height. */
  bottom?: number;
  /** Darkness (0..1, 1 - grey) from which a pixel counts as ink. */
  inkThreshold?: number;
}

/** Curve defaults: Raven's matplotlib layout, 145 columns (groups of 4 of the 581 at 750x500). */
export const CURVE_DEFAULTS: Required<CurveOptions> = {
  columns: 145,
  left: 0.125,
  right: 0.9,
  top: 0.1,
  bottom: 0.9,
  inkThreshold: 0.25,
};

/** Channel names of a curve, in storage order (per column: top, bottom, valid, clipped, level). */
export const CURVE_CHANNELS = ["top", "bottom", "valid", "clipped", "level"] as const;

/** `level` is top / median top, divided by this and capped at 1 (so 4x the median and above). */
export const LEVEL_CAP = 4;

/** Smallest median top height used for `level` (a read flat at zero has level 0 throughout). */
const MIN_MEDIAN = 0.02;

/** Number of channels per curve column. */
export const CURVE_CHANNEL_COUNT = CURVE_CHANNELS.length;

/** Smallest image side accepted (below this no chart can be read). */
export const MIN_CURVE_IMAGE_SIDE = 32;

/** The pixel box of the axes in an image of the given size (columns [x0, x1), rows). */
export interface CurveBox {
  /** First column of the box. */
  x0: number;
  /** One past the last column of the box. */
  x1: number;
  /** Row of coverage 0 (height 0). */
  zeroRow: number;
  /** Row of the clip value (height 1). */
  clipRow: number;
}

/** The axes box in pixels for a `width`x`height` image (750x500: columns 94..674, rows 449..50). */
export function curveBox(width: number, height: number, opts: CurveOptions = {}): CurveBox {
  const o = { ...CURVE_DEFAULTS, ...opts };
  return {
    x0: Math.round(o.left * width),
    x1: Math.round(o.right * width),
    // The zero line sits on the box edge; matplotlib draws it in the pixel row just above.
    zeroRow: Math.max(0, Math.round(o.bottom * height) - 1),
    clipRow: Math.round(o.top * height),
  };
}

/**
 * Read the curve back from a decoded grey image (dark line on a light background). Returns
 * `columns * 5` floats, column-major by position ([columns, channels], the NWC layout of a
 * tfjs conv1d input). Throws UserError naming `name` when the image is too small or has no
 * ink inside the axes box.
 */
export function curveFromGrey(
  img: GreyImage,
  opts: CurveOptions = {},
  name = "<image>",
): Float32Array {
  const o = { ...CURVE_DEFAULTS, ...opts };
  const { width: w, height: h, data } = img;
  if (w < MIN_CURVE_IMAGE_SIDE || h < MIN_CURVE_IMAGE_SIDE) {
    throw new UserError(
      `${name}: image is ${w}x${h}, too small for a pile-o-gram (at least ` +
        `${MIN_CURVE_IMAGE_SIDE}x${MIN_CURVE_IMAGE_SIDE})`,
    );
  }
  if (data.length !== w * h) throw new UserError(`${name}: pixel buffer does not match ${w}x${h}`);
  const box = curveBox(w, h, o);
  const span = box.x1 - box.x0;
  const range = box.zeroRow - box.clipRow;
  if (span < o.columns || range <= 0) {
    throw new UserError(
      `${name}: image is ${w}x${h}, its chart area (${span} columns) is narrower than the ` +
        `${o.columns} curve columns`,
    );
  }
  // Per source column: highest and lowest inked row (-1 when the column has no ink).
  const limit = 255 * (1 - o.inkThreshold);
  const topRow = new Int32Array(span).fill(-1);
  const bottomRow = new Int32Array(span).fill(-1);
  let first = -1;
  let last = -1;
  for (let c = 0; c < span; c++) {
    const x = box.x0 + c;
    for (let y = 0; y < h; y++) {
      if (data[y * w + x] < limit) {
        if (topRow[c] < 0) topRow[c] = y;
        bottomRow[c] = y;
      }
    }
    if (topRow[c] >= 0) {
      if (first < 0) first = c;
      last = c;
    }
  }
  if (first < 0) throw new UserError(`${name}: no curve found (no ink in the chart area)`);
  const height = (row: number) => Math.min(1, Math.max(0, (box.zeroRow - row) / range));
  const out = new Float32Array(o.columns * CURVE_CHANNEL_COUNT);
  for (let j = 0; j < o.columns; j++) {
    const a = Math.floor((j * span) / o.columns);
    const b = Math.floor(((j + 1) * span) / o.columns);
    let top = 0;
    let bottom = 1;
    let valid = 0;
    let clipped = 0;
    for (let c = a; c < b; c++) {
      if (c < first || c > last) {
        bottom = Math.min(bottom, 0);
        continue;
      }
      valid = 1;
      if (topRow[c] < 0) {
        // Inside the read's span but no ink: the line is above the clip value.
        clipped = 1;
        top = 1;
      } else {
        top = Math.max(top, height(topRow[c]));
        bottom = Math.min(bottom, height(bottomRow[c]));
      }
    }
    const k = j * CURVE_CHANNEL_COUNT;
    out[k] = top;
    out[k + 1] = valid ? bottom : 0;
    out[k + 2] = valid;
    out[k + 3] = clipped;
  }
  // level: top relative to the read's median top over its span.
  const tops: number[] = [];
  for (let j = 0; j < o.columns; j++) {
    if (out[j * CURVE_CHANNEL_COUNT + 2]) tops.push(out[j * CURVE_CHANNEL_COUNT]);
  }
  tops.sort((a, b) => a - b);
  const mid = tops.length >> 1;
  const median = tops.length % 2 ? tops[mid] : (tops[mid - 1] + tops[mid]) / 2;
  const scale = 1 / (Math.max(median, MIN_MEDIAN) * LEVEL_CAP);
  for (let j = 0; j < o.columns; j++) {
    const k = j * CURVE_CHANNEL_COUNT;
    out[k + 4] = Math.min(1, out[k] * scale);
  }
  return out;
}

/** Decode an image file (or its bytes) and read its curve; bad images throw UserError. */
export async function loadCurve(
  path: string | Uint8Array,
  opts: CurveOptions = {},
  name = "<buffer>",
): Promise<Float32Array> {
  const file = typeof path === "string" ? path : name;
  return curveFromGrey(await decodeGrey(path, file), opts, file);
}

/** Mirror a curve left-right (`columns` positions of `channels` values; returns a new array). */
export function flipCurve(
  x: Float32Array,
  columns: number,
  channels: number = CURVE_CHANNEL_COUNT,
): Float32Array {
  const out = new Float32Array(x.length);
  for (let j = 0; j < columns; j++) {
    const s = (columns - 1 - j) * channels;
    for (let c = 0; c < channels; c++) out[j * channels + c] = x[s + c];
  }
  return out;
}

/**
 * Move a curve `by` columns along the read (positive: to the right), filling the columns it
 * leaves with zeros (no read there); returns a new array.
 */
export function shiftCurve(
  x: Float32Array,
  by: number,
  channels: number = CURVE_CHANNEL_COUNT,
): Float32Array {
  const out = new Float32Array(x.length);
  const d = Math.trunc(by) * channels;
  if (Math.abs(d) >= x.length) return out;
  if (d >= 0) out.set(x.subarray(0, x.length - d), d);
  else out.set(x.subarray(-d));
  return out;
}

/** Options of the curve feature source. */
export interface CurveSourceOptions extends CurveOptions, SourceCacheOptions {}

/**
 * Curves of image files for training and classification: a cached feature source of shape
 * [columns, 5], stored as Float32.
 */
export class CurveSource extends CachedSource {
  readonly options: Required<CurveOptions>;

  /** Create a source for one curve setting. */
  constructor(opts: CurveSourceOptions = {}) {
    const { dir, concurrency, ...rest } = opts;
    super({ dir, concurrency });
    this.options = { ...CURVE_DEFAULTS, ...rest };
  }

  /** Input shape of one sample: [columns, 5]. */
  get shape(): number[] {
    return [this.options.columns, CURVE_CHANNEL_COUNT];
  }

  /** The curve mirrored left-right. */
  flip(x: Float32Array): Float32Array {
    return flipCurve(x, this.options.columns);
  }

  /** The curve moved `by` columns (zero fill). */
  shift(x: Float32Array, by: number): Float32Array {
    return shiftCurve(x, by);
  }

  /** The curve of a decoded image. */
  fromGrey(img: GreyImage, name: string): Float32Array {
    return curveFromGrey(img, this.options, name);
  }

  protected get cacheTag(): string {
    const o = this.options;
    return `curve|${o.columns}|${o.left}|${o.right}|${o.top}|${o.bottom}|${o.inkThreshold}|v3`;
  }

  protected encode(x: Float32Array): Uint8Array {
    return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  }

  protected decode(stored: Uint8Array): Float32Array | null {
    const size = this.options.columns * CURVE_CHANNEL_COUNT;
    if (stored.length !== size * 4) return null;
    return new Float32Array(stored.buffer.slice(stored.byteOffset, stored.byteOffset + size * 4));
  }
}
