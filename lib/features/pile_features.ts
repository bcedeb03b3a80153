/**
 * The model's input in coverage units: a read's pile, column group by column group across the
 * chart's x axis, with its depth context. The same features come from two places:
 * - from a pile-o-gram PNG, by inverting the plot (pixel row to coverage on the fixed 0-300 y
 *   axis, 4/3 px per unit of coverage), see {@link profileFromGrey};
 * - from overlaps, straight from the pile (no raster drawn and read back), see
 *   {@link profileFromPile}.
 * Both give a per-pixel-column {@link ColumnProfile} (top and bottom of the line, in coverage);
 * {@link pileFeatures} groups it into `columns` groups and {@link pileInput} scales it by the
 * data set's typical depth D (the median of per-read medians, {@link typicalDepth}), so that a
 * repeat shoulder at 2 x D and a valley at D / 3 mean the same on any data set.
 * @module
 */
import { type GreyImage } from "../core/image.ts";
import { UserError } from "../core/errors.ts";
import { median, medianInPlace } from "../core/stats.ts";
import type { Scratch } from "../core/scratch.ts";
import {
  niceAxisMax,
  type PileCurve,
  PILEOGRAM_DEFAULTS,
  type PileogramOptions,
} from "../overlaps/pileogram.ts";

/** Options of the pile features. */
export interface PileFeatureOptions {
  /** Column groups across the chart's axes box (145 = fours of the 581 at 750 wide). */
  columns?: number;
  /** Darkness (0..1) from which a pixel of a PNG counts as ink. */
  inkThreshold?: number;
  /** Coverage from which a column counts towards the read's median (Raven's valid level). */
  medianMinCoverage?: number;
  /** Relative coverage (to D, or to the read's median) is capped here, then divided by it / 2. */
  relativeCap?: number;
}

/** Defaults: the chart geometry of lib/overlaps/pileogram.ts, 145 column groups. */
export const PILE_FEATURE_DEFAULTS: Required<PileFeatureOptions> = {
  columns: 145,
  inkThreshold: 0.25,
  medianMinCoverage: 4,
  relativeCap: 8,
};

/** Channels of the stored (absolute) features per column group, in storage order. */
export const PILE_ABS_CHANNELS = ["top", "bottom", "valid", "clipped"] as const;

/** Channels of the model input per column group, in storage order. */
export const PILE_CHANNELS = ["top_d", "bottom_d", "valid", "clipped", "top_read"] as const;

/** Number of model-input channels per column group. */
export const PILE_CHANNEL_COUNT = PILE_CHANNELS.length;

/** The line of a chart per pixel column of its axes box, in coverage units. */
export interface ColumnProfile {
  /** Highest coverage the line reaches in the column (NaN where the read is not). */
  top: Float32Array;
  /** Lowest coverage the line reaches in the column (NaN where the read is not). */
  bottom: Float32Array;
  /** 1 where the line runs above the y axis maximum in the column. */
  clipped: Uint8Array;
  /** The y axis maximum (coverage at the top of the box). */
  yMax: number;
}

/** A read's features in coverage units, before the depth context is applied. */
export interface PileFeatures {
  /** `columns * 4` floats: top, bottom (coverage), valid, clipped per column group. */
  abs: Float32Array;
  /** The read's median coverage over the columns at or above medianMinCoverage (0 if none). */
  median: number;
}

/** The axes box of a chart in pixels: columns [x0, x1), the y of coverage 0 and of yMax. */
interface Box {
  x0: number;
  x1: number;
  /** y (pixel edge) of coverage 0: the bottom edge of the box. */
  yZero: number;
  /** y (pixel edge) of yMax: the top edge of the box. */
  yTop: number;
  /** Left end of the x axis (x of bin 0), in pixels. */
  xAxis: number;
}

function chartBox(opts: PileogramOptions): Box {
  const [l, r, b, t] = opts.axes ?? PILEOGRAM_DEFAULTS.axes;
  const width = opts.width ?? PILEOGRAM_DEFAULTS.width;
  const height = opts.height ?? PILEOGRAM_DEFAULTS.height;
  return {
    x0: Math.round(l * width),
    x1: Math.round(r * width),
    yZero: Math.round((1 - b) * height),
    yTop: Math.round((1 - t) * height),
    xAxis: l * width,
  };
}

/**
 * The line of a pile's chart per pixel column, straight from the pile: the polyline through
 * the bins (as lib/overlaps/pileogram.ts draws it, bin i at x = x0 + i * xs), seen as a PNG reader sees
 * the drawn line. A column gets the values the centre line takes within `reach` of it
 * (`reach` = lineWidth / 2 - inkThreshold: how far the line's ink spills into a neighbouring
 * column enough to count), a part of the line above yMax counts as yMax and marks the column
 * clipped, and a column where the line lies wholly above the box gets no value (as in a PNG,
 * where it has no ink) until the gaps between the first and the last inked column are filled
 * as clipped. With `scratch` the profile's arrays are scratch buffers (valid until the next call).
 */
export function profileFromPile(
  curve: PileCurve,
  opts: PileogramOptions & PileFeatureOptions = {},
  scratch?: Scratch,
): ColumnProfile {
  // options read one by one: a spread of a caller's large options object costs more per read
  // than a short read's line
  const lineWidth = opts.lineWidth ?? PILEOGRAM_DEFAULTS.lineWidth;
  const inkThreshold = opts.inkThreshold ?? PILE_FEATURE_DEFAULTS.inkThreshold;
  const [axLeft, axRight] = opts.axes ?? PILEOGRAM_DEFAULTS.axes;
  const width = opts.width ?? PILEOGRAM_DEFAULTS.width;
  const box = chartBox(opts);
  const span = box.x1 - box.x0;
  const top = (scratch ? scratch.f32("profile.top", span) : new Float32Array(span)).fill(NaN);
  const bottom = (scratch ? scratch.f32("profile.bottom", span) : new Float32Array(span)).fill(NaN);
  const clipped = scratch ? scratch.u8("profile.clipped", span).fill(0) : new Uint8Array(span);
  const d = curve.data;
  const n = d.length;
  const yMax = curve.yMax;
  // a line whose centre is this close above the box still inks its top row
  const over = (lineWidth / 2 - inkThreshold) * yMax / (box.yZero - box.yTop);
  const reach = lineWidth / 2 - inkThreshold;
  const xs = (axRight - axLeft) * width / niceAxisMax(Math.max(1, n - 1));
  const left = box.xAxis - box.x0;
  const ceiling = yMax + over;
  // each segment between consecutive bins (or the single point of a one-bin read), over the
  // columns within reach of its x range; a column takes the segment's values within reach
  for (let i = 0; i < Math.max(1, n - 1); i++) {
    const xa = left + i * xs;
    const di = d[i], step = i + 1 < n ? d[i + 1] - di : 0;
    // a run of flat segments puts the same value in every column it reaches: one pass
    let last = i;
    if (step === 0) { while (last + 2 < n && d[last + 2] === di) last++; }
    const xb = n > 1 ? left + last * xs + xs : xa;
    const c0 = Math.max(0, Math.ceil(xa - 1 - reach)),
      c1 = Math.min(span - 1, Math.floor(xb + reach));
    i = last;
    for (let c = c0; c <= c1; c++) {
      const lo = Math.max(xa, c - reach), hi = Math.min(xb, c + 1 + reach);
      if (hi < lo) continue;
      // the line's values at both ends of the part within reach (linear between the bins)
      const va = step === 0 ? di : di + step * (lo - xa) / xs;
      const vb = step === 0 ? di : di + step * (hi - xa) / xs;
      const vlo = va < vb ? va : vb, vhi = va < vb ? vb : va;
      if (vhi < 0 || vlo > ceiling) continue;
      if (vhi >= yMax) clipped[c] = 1;
      const t = Math.min(vhi, yMax), b = Math.max(0, Math.min(vlo, yMax));
      if (!(top[c] >= t)) top[c] = t;
      if (!(bottom[c] <= b)) bottom[c] = b;
    }
  }
  fillClipped(top, bottom, clipped, yMax);
  return { top, bottom, clipped, yMax };
}

/** Columns without ink between the first and the last inked one: the line is above the box. */
function fillClipped(top: Float32Array, bottom: Float32Array, clipped: Uint8Array, yMax: number) {
  let first = -1, last = -1;
  for (let c = 0; c < top.length; c++) {
    if (Number.isNaN(top[c])) continue;
    if (first < 0) first = c;
    last = c;
  }
  for (let c = first; c >= 0 && c <= last; c++) {
    if (Number.isNaN(top[c])) {
      top[c] = bottom[c] = yMax;
      clipped[c] = 1;
    }
  }
}

/**
 * The line of a chart per pixel column, read back from its decoded grey pixels: in each column
 * the highest and lowest inked rows, refined to the line's centre with the ink's coverage of
 * the edge rows (the line is `lineWidth` px thick), then pixel rows to coverage on the chart's
 * fixed y axis (`yMax`, 0-300 on the real charts). A line at 0 (clipped by the box's bottom edge)
 * reads 0; a column inside the read with no ink, or with the box's top row more than half
 * inked, is clipped (reads yMax).
 * Throws UserError naming `name` when the image does not have the chart's size or has no line.
 */
export function profileFromGrey(
  img: GreyImage,
  opts: PileogramOptions & PileFeatureOptions = {},
  name = "<image>",
): ColumnProfile {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  const f = { ...PILE_FEATURE_DEFAULTS, ...opts };
  const { width: w, height: h, data } = img;
  if (w !== o.width || h !== o.height) {
    throw new UserError(
      `${name}: image is ${w}x${h}, not a ${o.width}x${o.height} pile-o-gram (draw charts ` +
        "with `deno task pileogram`)",
    );
  }
  if (data.length !== w * h) throw new UserError(`${name}: pixel buffer does not match ${w}x${h}`);
  const box = chartBox(o);
  const span = box.x1 - box.x0;
  const yMax = o.yMax;
  const perUnit = (box.yZero - box.yTop) / yMax;
  const hw = o.lineWidth / 2;
  // darkness of a pixel: 0 on white, 1 on the line's full colour (blue reads 29 in grey)
  const full = 255 - 29;
  const dark = (v: number) => Math.min(1, Math.max(0, (255 - v) / full));
  const top = new Float32Array(span).fill(NaN);
  const bottom = new Float32Array(span).fill(NaN);
  const clipped = new Uint8Array(span);
  let first = -1;
  for (let c = 0; c < span; c++) {
    const x = box.x0 + c;
    let t = -1, b = -1;
    for (let y = box.yTop; y < box.yZero; y++) {
      if (dark(data[y * w + x]) >= f.inkThreshold) {
        if (t < 0) t = y;
        b = y;
      }
    }
    if (t < 0) continue;
    if (first < 0) first = c;
    const cov = (y: number) => Math.max(0, (box.yZero - y) / perUnit);
    // centre of the line below its top edge, above its bottom edge
    const topEdge = t + 1 - dark(data[t * w + x]);
    const botEdge = b + dark(data[b * w + x]);
    // the box's top row more than half inked: the line runs on above the box
    const over = t === box.yTop && dark(data[t * w + x]) > 0.5;
    top[c] = over ? yMax : Math.min(yMax, cov(topEdge + hw));
    bottom[c] = b === box.yZero - 1 ? 0 : Math.min(yMax, cov(botEdge - hw));
    if (over) clipped[c] = 1;
  }
  if (first < 0) throw new UserError(`${name}: no curve found (no ink in the chart area)`);
  fillClipped(top, bottom, clipped, yMax);
  return { top, bottom, clipped, yMax };
}

/**
 * A read's median coverage from its column profile: the median over its pixel columns at or
 * above medianMinCoverage of the line's mid height (0 when there are none).
 */
export function profileMedian(
  profile: ColumnProfile,
  opts: PileFeatureOptions = {},
  scratch?: Scratch,
): number {
  const minCoverage = opts.medianMinCoverage ?? PILE_FEATURE_DEFAULTS.medianMinCoverage;
  const { top, bottom } = profile;
  const mids = scratch ? scratch.f64("profile.mids", top.length) : new Float64Array(top.length);
  let n = 0;
  for (let c = 0; c < top.length; c++) {
    const t = top[c];
    if (t >= minCoverage) mids[n++] = (t + bottom[c]) / 2;
  }
  return medianInPlace(mids, n);
}

/**
 * Group a column profile into `columns` groups (group j covers pixel columns
 * floor(j * span / columns) up to floor((j + 1) * span / columns)): top = highest, bottom =
 * lowest, valid = the read reaches the group, clipped = the line leaves the box there; and the
 * read's median coverage ({@link profileMedian}).
 */
export function pileFeatures(profile: ColumnProfile, opts: PileFeatureOptions = {}): PileFeatures {
  const o = { ...PILE_FEATURE_DEFAULTS, ...opts };
  const span = profile.top.length;
  const abs = new Float32Array(o.columns * PILE_ABS_CHANNELS.length);
  for (let j = 0; j < o.columns; j++) {
    const a = Math.floor((j * span) / o.columns), b = Math.floor(((j + 1) * span) / o.columns);
    let top = 0, bottom = Infinity, valid = 0, clipped = 0;
    for (let c = a; c < b; c++) {
      const t = profile.top[c];
      if (Number.isNaN(t)) continue;
      valid = 1;
      top = Math.max(top, t);
      bottom = Math.min(bottom, profile.bottom[c]);
      clipped ||= profile.clipped[c];
    }
    const k = j * PILE_ABS_CHANNELS.length;
    abs[k] = top;
    abs[k + 1] = valid ? bottom : 0;
    abs[k + 2] = valid;
    abs[k + 3] = clipped;
  }
  return { abs, median: profileMedian(profile, o) };
}

/**
 * The data set's typical depth D: the median of the per-read medians that are above zero
 * (reads without a valid region do not count). 0 when there are none.
 */
export function typicalDepth(medians: ArrayLike<number>): number {
  const pos: number[] = [];
  for (let i = 0; i < medians.length; i++) if (medians[i] > 0) pos.push(medians[i]);
  return median(pos);
}

/**
 * The model's input from a read's features and the data set's typical depth `depth`:
 * per column group top / D and bottom / D, valid, clipped, and top / the read's own median;
 * relative values are capped at relativeCap and divided by relativeCap / 2 (so 1 = half the cap).
 */
export function pileInput(
  f: PileFeatures,
  depth: number,
  opts: PileFeatureOptions = {},
): Float32Array {
  const o = { ...PILE_FEATURE_DEFAULTS, ...opts };
  const cols = f.abs.length / PILE_ABS_CHANNELS.length;
  const out = new Float32Array(cols * PILE_CHANNEL_COUNT);
  const half = o.relativeCap / 2;
  const rel = (v: number, ref: number) => (ref > 0 ? Math.min(o.relativeCap, v / ref) / half : 0);
  for (let j = 0; j < cols; j++) {
    const a = j * PILE_ABS_CHANNELS.length, k = j * PILE_CHANNEL_COUNT;
    out[k] = rel(f.abs[a], depth);
    out[k + 1] = rel(f.abs[a + 1], depth);
    out[k + 2] = f.abs[a + 2];
    out[k + 3] = f.abs[a + 3];
    out[k + 4] = rel(f.abs[a], f.median);
  }
  return out;
}

/** Stored form of a read's features: the absolute channels followed by the median. */
export function packFeatures(f: PileFeatures): Float32Array {
  const out = new Float32Array(f.abs.length + 1);
  out.set(f.abs);
  out[f.abs.length] = f.median;
  return out;
}

/** The features back from their stored form (null when the length does not fit `columns`). */
export function unpackFeatures(x: Float32Array, columns: number): PileFeatures | null {
  const n = columns * PILE_ABS_CHANNELS.length;
  if (x.length !== n + 1) return null;
  return { abs: x.slice(0, n), median: x[n] };
}
