/**
 * Pile-o-grams: per-read coverage from overlaps as the Raven assembler computes it (one value
 * per 16 bp bin, each overlap shrunk by one bin at each end, summed with a sweep), and charts
 * drawn like the real images (Raven's matplotlib plotter: 750x500, one anti-aliased blue line
 * on white, no axes, y fixed from 0 to 300 coverage, higher values clipped). As Raven did for
 * the training charts, only the valid region is kept: the longest run of bins with coverage
 * >= 4; the rest is set to 0, and a read whose run is shorter than 78 bins (1,260 bp) has no
 * valid pile (see ../shared/docs/provenance.md).
 *
 * Geometry measured on the real PNGs: the axes box spans x 93.75..675 and y 50..450 pixels
 * (matplotlib 1.x default subplot margins 0.125/0.9/0.1/0.9), x runs from bin 0 to the
 * axis maximum matplotlib 1.x's AutoLocator rounds the last bin up to (no x margins), the
 * line is 1 pt wide (1.39 px at 100 dpi) and is clipped at the axes box. The line is stroked by
 * lib/overlaps/raster.ts.
 * @module
 */
import { selectKth } from "../core/stats.ts";
import type { Scratch } from "../core/scratch.ts";
import { type GreyImage, loadSharp, toGreyOnWhite } from "../core/image.ts";
import { strokePolyline } from "./raster.ts";

/** Options for coverage and chart drawing. */
export interface PileogramOptions {
  /** Bin size as a power of two (Raven: 4, i.e. 16 bp bins). */
  binShift?: number;
  /**
   * Raven's valid region: bins outside the longest run at or above this coverage are zeroed
   * (0 keeps everything).
   */
  validMinCoverage?: number;
  /** Shortest valid region, in bins, for a read to have a pile (Raven: 1,260 bp = 78 bins). */
  minValidBins?: number;
  /** y axis maximum in coverage (the real charts: 0-300, 4/3 px per unit). */
  yMax?: number;
  /** Image width in pixels. */
  width?: number;
  /** Image height in pixels. */
  height?: number;
  /** Axes box as fractions of the figure: left, right, bottom, top (matplotlib 1.x defaults). */
  axes?: [number, number, number, number];
  /** Line width in pixels (1 pt at 100 dpi). */
  lineWidth?: number;
  /** zlib level of the PNG encoder (0-9); 9 is smallest, 1 is fastest. */
  pngCompression?: number;
}

/** Defaults: Raven's coverage, valid region and the real images' geometry. */
export const PILEOGRAM_DEFAULTS: Required<PileogramOptions> = {
  binShift: 4,
  validMinCoverage: 4,
  minValidBins: 78,
  yMax: 300,
  width: 750,
  height: 500,
  axes: [0.125, 0.9, 0.1, 0.9],
  lineWidth: 100 / 72,
  pngCompression: 6,
};

/** A read's coverage curve with the values the chart needs. */
export interface PileCurve {
  /** Coverage per bin (zero outside the valid region). */
  data: Uint32Array;
  /** First bin of the valid region. */
  begin: number;
  /** One past the last bin of the valid region (begin === end: no valid region). */
  end: number;
  /** Median coverage over the valid region (Raven: upper median; if 0, of the covered bins). */
  median: number;
  /** y axis maximum of the chart. */
  yMax: number;
  /** Whether the valid region is at least minValidBins long (else Raven drops the read). */
  valid: boolean;
}

/**
 * Raw Raven coverage of a read of `readLen` bp from overlap intervals given as flat
 * [begin0, end0, begin1, end1, ...] read coordinates: bins (begin>>4)+1 .. (end>>4)-1
 * (exclusive) get +1 each, summed with a difference array. With `scratch` the result is a
 * scratch buffer (valid until the next call with it).
 */
export function coverage(
  readLen: number,
  intervals: ArrayLike<number>,
  opts: PileogramOptions = {},
  scratch?: Scratch,
): Uint32Array {
  const shift = opts.binShift ?? PILEOGRAM_DEFAULTS.binShift;
  const n = Math.max(0, Math.floor(readLen) >> shift);
  const diff = scratch ? scratch.i32("coverage.diff", n + 1).fill(0) : new Int32Array(n + 1);
  for (let k = 0; k + 1 < intervals.length; k += 2) {
    const b = Math.max(0, (intervals[k] >> shift) + 1);
    const e = Math.min(n, (intervals[k + 1] >> shift) - 1);
    if (e <= b) continue;
    diff[b]++;
    diff[e]--;
  }
  const out = scratch ? scratch.u32("coverage.raw", n) : new Uint32Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    c += diff[i];
    out[i] = c;
  }
  return out;
}

/** Raven's valid region: the longest run of bins with coverage >= `minCoverage` ([0,0] if none). */
export function validRegion(data: ArrayLike<number>, minCoverage: number): [number, number] {
  let best: [number, number] = [0, 0];
  let i = 0;
  const n = data.length;
  while (i < n) {
    if (data[i] < minCoverage) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && data[j] >= minCoverage) j++;
    if (j - i > best[1] - best[0]) best = [i, j];
    i = j;
  }
  return best;
}

/**
 * Raven's median of `data[begin..end)`: the element at index size/2 after sorting (0 if empty).
 * Coverage (a Uint32Array of small counts) is counted rather than selected.
 */
export function medianCoverage(
  data: ArrayLike<number>,
  begin = 0,
  end = data.length,
  scratch?: Scratch,
): number {
  if (end <= begin) return 0;
  const len = end - begin, k = len >> 1;
  if (data instanceof Uint32Array) {
    let max = 0;
    for (let i = begin; i < end; i++) if (data[i] > max) max = data[i];
    if (max <= 4 * len) {
      const count = scratch
        ? scratch.u32("coverage.count", max + 1).fill(0)
        : new Uint32Array(max + 1);
      for (let i = begin; i < end; i++) count[data[i]]++;
      for (let v = 0, seen = 0;; v++) {
        seen += count[v];
        if (seen > k) return v;
      }
    }
  }
  const v = scratch ? scratch.f64("coverage.median", len) : new Float64Array(len);
  for (let i = 0; i < len; i++) v[i] = data[begin + i];
  return selectKth(v, k);
}

/** A read's chart curve: coverage, invalid ends zeroed, median and y range. */
export function pileCurve(
  readLen: number,
  intervals: ArrayLike<number>,
  opts: PileogramOptions = {},
): PileCurve {
  return curveFromCoverage(coverage(readLen, intervals, opts), opts);
}

/**
 * Finish a raw coverage array into a chart curve (a copy with the invalid ends zeroed, median,
 * y range); `raw` is left as it is. With `scratch` the curve's data is a scratch buffer.
 */
export function curveFromCoverage(
  raw: Uint32Array,
  opts: PileogramOptions = {},
  scratch?: Scratch,
): PileCurve {
  // options read one by one: a spread of a caller's large options object costs more per read
  // than the rest of this function
  const validMinCoverage = opts.validMinCoverage ?? PILEOGRAM_DEFAULTS.validMinCoverage;
  const minValidBins = opts.minValidBins ?? PILEOGRAM_DEFAULTS.minValidBins;
  let begin = 0;
  let end = raw.length;
  const data = scratch ? scratch.u32("curve.data", raw.length) : new Uint32Array(raw.length);
  data.set(raw);
  if (validMinCoverage > 0) {
    [begin, end] = validRegion(raw, validMinCoverage);
    data.fill(0, 0, begin);
    data.fill(0, end);
  }
  let median = medianCoverage(data, begin, end, scratch);
  if (median === 0) {
    // mostly uncovered (e.g. a long junk end): Raven's y range would collapse, use the
    // median of the covered bins instead
    const covered = Array.from(data.subarray(begin, end)).filter((v) => v > 0);
    median = medianCoverage(covered);
  }
  const valid = end - begin >= minValidBins && end > begin;
  return { data, begin, end, median, yMax: opts.yMax ?? PILEOGRAM_DEFAULTS.yMax, valid };
}

/**
 * Upper x limit matplotlib 1.x autoscaling picks for data 0..`vmax`: the AutoLocator
 * (MaxNLocator, 9 bins, steps 1/2/5/10) rounds the range out to whole ticks.
 */
export function niceAxisMax(vmax: number): number {
  if (!(vmax > 0)) return 1;
  const nbins = 9;
  const scale = 10 ** Math.floor(Math.log10(vmax / nbins));
  const rawStep = vmax / nbins / scale;
  let step = 10 * scale;
  let bestMax = vmax;
  for (const s of [1, 2, 5, 10]) {
    if (s < rawStep) continue;
    step = s * scale;
    bestMax = step * nbins;
    if (bestMax >= vmax) break;
  }
  const extra = Math.floor((bestMax - vmax) / step + 1e-9);
  return step * (nbins - extra);
}

/**
 * The chart's polyline in pixel coordinates (x, y pairs, y down), one vertex per bin with runs
 * of equal values reduced to their end points (the drawn line is identical).
 */
export function chartPoints(curve: PileCurve, opts: PileogramOptions = {}): Float64Array {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  const d = curve.data;
  const n = d.length;
  const [l, r, b, t] = o.axes;
  const x0 = l * o.width;
  const xs = (r - l) * o.width / niceAxisMax(Math.max(1, n - 1));
  const y0 = (1 - b) * o.height;
  const ys = (t - b) * o.height / curve.yMax;
  const pts: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0 && i < n - 1 && d[i] === d[i - 1] && d[i] === d[i + 1]) continue;
    pts.push(x0 + i * xs, y0 - d[i] * ys);
  }
  if (n === 1) pts.push(x0 + xs, y0 - d[0] * ys);
  return Float64Array.from(pts);
}

/** The chart's ink: per-pixel line coverage in [0,1], row-major width x height. */
export function chartInk(curve: PileCurve, opts: PileogramOptions = {}): Float32Array {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  const [l, r, b, t] = o.axes;
  const clip: [number, number, number, number] = [
    Math.round(l * o.width),
    Math.round((1 - t) * o.height),
    Math.round(r * o.width),
    Math.round((1 - b) * o.height),
  ];
  return strokePolyline(chartPoints(curve, o), o.width, o.height, o.lineWidth, clip);
}

/** Ink to RGBA pixels: blue (0,0,255) blended over opaque white. */
export function inkToRgba(ink: Float32Array): Uint8Array {
  const out = new Uint8Array(ink.length * 4);
  const px = new Uint32Array(out.buffer);
  px.fill(0xffffffff);
  for (let i = 0; i < ink.length; i++) {
    const c = ink[i];
    if (c > 0) {
      const v = Math.round(255 * (1 - c));
      // little-endian RGBA: A<<24 | B<<16 | G<<8 | R
      px[i] = (0xffff0000 | (v << 8) | v) >>> 0;
    }
  }
  return out;
}

/** Render a curve's chart as RGBA pixels (width x height x 4). */
export function renderRgba(curve: PileCurve, opts: PileogramOptions = {}): Uint8Array {
  return inkToRgba(chartInk(curve, opts));
}

/** Render a curve's chart as grey-on-white pixels, as `decodeGrey` would read its PNG. */
export function renderGrey(curve: PileCurve, opts: PileogramOptions = {}): GreyImage {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  const rgba = renderRgba(curve, o);
  return { width: o.width, height: o.height, data: toGreyOnWhite(rgba, o.width * o.height, 4) };
}

/** Encode RGBA pixels as an 8-bit RGBA PNG. */
export async function encodePng(
  rgba: Uint8Array,
  width: number,
  height: number,
  compression = PILEOGRAM_DEFAULTS.pngCompression,
): Promise<Uint8Array> {
  const buf = await (await loadSharp())(rgba, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: compression, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Render a curve's chart as a PNG like the real images (750x500 RGBA). */
export function renderPng(curve: PileCurve, opts: PileogramOptions = {}): Promise<Uint8Array> {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  return encodePng(renderRgba(curve, o), o.width, o.height, o.pngCompression);
}

/** The chart as an SVG document (for notebooks; the PNG path does not use it). */
export function chartSvg(curve: PileCurve, opts: PileogramOptions = {}): string {
  const o = { ...PILEOGRAM_DEFAULTS, ...opts };
  const p = chartPoints(curve, o);
  const [l, r, b, t] = o.axes;
  const pts: string[] = [];
  for (let i = 0; i < p.length; i += 2) pts.push(`${p[i].toFixed(2)},${p[i + 1].toFixed(2)}`);
  const cx = l * o.width, cy = (1 - t) * o.height;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}">` +
    `<rect width="100%" height="100%" fill="white"/><clipPath id="ax"><rect x="${cx}" y="${cy}" ` +
    `width="${(r - l) * o.width}" height="${(t - b) * o.height}"/></clipPath>` +
    `<polyline clip-path="url(#ax)" points="${pts.join(" ")}" fill="none" stroke="#0000ff" ` +
    `stroke-width="${o.lineWidth.toFixed(3)}" stroke-linecap="square"/></svg>`;
}

// ---------------------------------------------------------------- from a PAF file to calls

// reading a PAF file into per-read piles: the one-pass byte-level engine (lib/overlaps/paf_engine.ts)
export {
  hashId,
  PAF_PILES_DEFAULTS,
  type PafPile,
  type PafPilesOptions,
  pilesFromPaf,
} from "./paf_engine.ts";
