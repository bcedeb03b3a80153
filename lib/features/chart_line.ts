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
 * {@link LEVEL_CAP} and capped at 1). {@link lineRows} reads the same line at pixel
 * resolution from any chart, for comparing charts with each other (lib/labels/).
 * @module
 */
import { decodeGrey, type GreyImage, loadSharp } from "../core/image.ts";
import { CachedSource, type SourceCacheOptions } from "./source.ts";
import { UserError } from "../core/errors.ts";
import { median } from "../core/stats.ts";
import { flipSequence, shiftSequence } from "./sequence.ts";

/** Options of curve extraction. */
export interface LineOptions {
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
export const LINE_DEFAULTS: Required<LineOptions> = {
  columns: 145,
  left: 0.125,
  right: 0.9,
  top: 0.1,
  bottom: 0.9,
  inkThreshold: 0.25,
};

/** Channel names of a curve, in storage order (per column: top, bottom, valid, clipped, level). */
export const LINE_CHANNELS = ["top", "bottom", "valid", "clipped", "level"] as const;

/** `level` is top / median top, divided by this and capped at 1 (so 4x the median and above). */
export const LEVEL_CAP = 4;

/** Smallest median top height used for `level` (a read flat at zero has level 0 throughout). */
const MIN_MEDIAN = 0.02;

/** Number of channels per curve column. */
export const LINE_CHANNEL_COUNT = LINE_CHANNELS.length;

/** Smallest image side accepted (below this no chart can be read). */
export const MIN_CHART_SIDE = 32;

/** The pixel box of the axes in an image of the given size (columns [x0, x1), rows). */
export interface ChartBox {
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
export function chartBox(width: number, height: number, opts: LineOptions = {}): ChartBox {
  const o = { ...LINE_DEFAULTS, ...opts };
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
export function lineFromGrey(
  img: GreyImage,
  opts: LineOptions = {},
  name = "<image>",
): Float32Array {
  const o = { ...LINE_DEFAULTS, ...opts };
  const { width: w, height: h, data } = img;
  if (w < MIN_CHART_SIDE || h < MIN_CHART_SIDE) {
    throw new UserError(
      `${name}: image is ${w}x${h}, too small for a pile-o-gram (at least ` +
        `${MIN_CHART_SIDE}x${MIN_CHART_SIDE})`,
    );
  }
  if (data.length !== w * h) throw new UserError(`${name}: pixel buffer does not match ${w}x${h}`);
  const box = chartBox(w, h, o);
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
  const out = new Float32Array(o.columns * LINE_CHANNEL_COUNT);
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
    const k = j * LINE_CHANNEL_COUNT;
    out[k] = top;
    out[k + 1] = valid ? bottom : 0;
    out[k + 2] = valid;
    out[k + 3] = clipped;
  }
  // level: top relative to the read's median top over its span.
  const tops: number[] = [];
  for (let j = 0; j < o.columns; j++) {
    if (out[j * LINE_CHANNEL_COUNT + 2]) tops.push(out[j * LINE_CHANNEL_COUNT]);
  }
  const scale = 1 / (Math.max(median(tops, NaN), MIN_MEDIAN) * LEVEL_CAP);
  for (let j = 0; j < o.columns; j++) {
    const k = j * LINE_CHANNEL_COUNT;
    out[k + 4] = Math.min(1, out[k] * scale);
  }
  return out;
}

/** Decode an image file (or its bytes) and read its curve; bad images throw UserError. */
export async function loadLine(
  path: string | Uint8Array,
  opts: LineOptions = {},
  name = "<buffer>",
): Promise<Float32Array> {
  const file = typeof path === "string" ? path : name;
  return lineFromGrey(await decodeGrey(path, file), opts, file);
}

/** Options of the curve feature source. */
export interface LineSourceOptions extends LineOptions, SourceCacheOptions {}

/**
 * Curves of image files for training and classification: a cached feature source of shape
 * [columns, 5], stored as Float32.
 */
export class LineSource extends CachedSource {
  readonly options: Required<LineOptions>;

  /** Create a source for one curve setting. */
  constructor(opts: LineSourceOptions = {}) {
    const { dir, concurrency, ...rest } = opts;
    super({ dir, concurrency });
    this.options = { ...LINE_DEFAULTS, ...rest };
  }

  /** Input shape of one sample: [columns, 5]. */
  get shape(): number[] {
    return [this.options.columns, LINE_CHANNEL_COUNT];
  }

  /** The curve mirrored left-right. */
  flip(x: Float32Array): Float32Array {
    return flipSequence(x, this.options.columns, LINE_CHANNEL_COUNT);
  }

  /** The curve moved `by` columns (zero fill). */
  shift(x: Float32Array, by: number): Float32Array {
    return shiftSequence(x, by, LINE_CHANNEL_COUNT);
  }

  /** The curve of a decoded image. */
  fromGrey(img: GreyImage, name: string): Float32Array {
    return lineFromGrey(img, this.options, name);
  }

  protected get cacheTag(): string {
    const o = this.options;
    return `curve|${o.columns}|${o.left}|${o.right}|${o.top}|${o.bottom}|${o.inkThreshold}|v3`;
  }

  protected encode(x: Float32Array): Uint8Array {
    return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  }

  protected decode(stored: Uint8Array): Float32Array | null {
    const size = this.options.columns * LINE_CHANNEL_COUNT;
    if (stored.length !== size * 4) return null;
    return new Float32Array(stored.buffer.slice(stored.byteOffset, stored.byteOffset + size * 4));
  }
}

/**
 * The drawn line of any line chart at pixel resolution (near-duplicate search,
 * lib/labels/): a pixel's ink is how far its most saturated channel is
 * from white (255 - min(R, G, B)), composited on white by its alpha; in each column the
 * line's row (`rows[x]`) is the ink-weighted mean row of the pixels with at least 1/8 ink
 * (NaN where the column has none). Any line colour on white works.
 */
export async function lineRows(
  image: Uint8Array | string,
): Promise<{ rows: Float32Array; height: number }> {
  const { data, info } = await (await loadSharp())(image).raw({ depth: "uchar" }).toBuffer({
    resolveWithObject: true,
  });
  const { width: w, height: h, channels: ch } = info;
  const colour = ch >= 3;
  const alpha = ch === 2 || ch === 4;
  const ws = new Float64Array(w);
  const ys = new Float64Array(w);
  for (let y = 0, k = 0; y < h; y++) {
    for (let x = 0; x < w; x++, k += ch) {
      let v = data[k];
      if (colour) v = Math.min(v, data[k + 1], data[k + 2]);
      let dark = 255 - v;
      if (alpha) dark = (dark * data[k + ch - 1]) / 255;
      if (dark >= 32) (ws[x] += dark, ys[x] += dark * y);
    }
  }
  return { rows: Float32Array.from(ws, (v, x) => (v > 0 ? ys[x] / v : NaN)), height: h };
}
