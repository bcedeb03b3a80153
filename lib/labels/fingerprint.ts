/**
 * Fingerprints of labelled images for duplicate search: file SHA-256, pixel SHA-256, the chart
 * line at pixel resolution (lib/features/chart_line.ts `lineRows`) with its distance and a
 * pruned pair search, and the perceptual difference hash (dHash) with its Hamming distance.
 * @module
 */

import sharp from "sharp";
import type { Sample } from "../data/dataset.ts";

import { sha256Hex } from "../core/hash.ts";
import { lineRows } from "../features/chart_line.ts";
import { mapPool } from "../core/pool.ts";

import { UserError } from "../core/errors.ts";

import { CLEAN_DEFAULTS, type CleanOptions, type Fingerprint } from "./issues.ts";

// ---------------------------------------------------------------------------------------
// Hashing

/**
 * Difference hash of an image: flattened on white, greyscale, resized (area-averaged) to
 * (size+1) x size; bit (y, x) is set when pixel (x, y) is brighter than pixel (x+1, y).
 */
export async function dHash(
  image: Uint8Array | string,
  size = CLEAN_DEFAULTS.hashSize,
): Promise<Uint32Array> {
  const { data, info } = await sharp(image)
    .flatten({ background: "#ffffff" })
    .greyscale()
    .resize(size + 1, size, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ch = info.channels;
  const w = size + 1;
  const bits = new Uint32Array(Math.ceil((size * size) / 32));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = data[(y * w + x) * ch];
      const b = data[(y * w + x + 1) * ch];
      if (a > b) {
        const i = y * size + x;
        bits[i >>> 5] |= 1 << (i & 31);
      }
    }
  }
  return bits;
}

/**
 * Distance of two curves (same width): the percentage of columns, among those with ink in
 * either image, where the rows differ by more than `tolerance` pixels or only one image
 * has ink. 0 for two images without any ink; 100 for curves of different widths.
 */
export function lineDistance(
  a: Float32Array,
  b: Float32Array,
  tolerance = CLEAN_DEFAULTS.curveTolerance,
): number {
  if (a.length !== b.length) return 100;
  let inked = 0, diff = 0;
  for (let x = 0; x < a.length; x++) {
    const u = a[x], v = b[x];
    if (u !== u && v !== v) continue; // NaN: no ink in either
    inked++;
    if (!(Math.abs(u - v) <= tolerance)) diff++;
  }
  return inked ? (100 * diff) / inked : 0;
}

/**
 * Every pair (i < j) of curves within `maxDistance` percent of differing columns, sorted by
 * (i, j); the third element is the distance. `height` is the image height in pixels. Exact
 * (same pairs as comparing all), but pruned: curves are swept in order of mean row (a
 * column without ink counts as row `height`), and a pair is only scanned when its bounds
 * allow it: a differing column moves a column sum by at most `height`, an agreeing one by
 * at most `tolerance`, so the L1 gap between 16 segment sums and the gap in inked column
 * counts bound the number of differing columns from below.
 */
export function nearLinePairs(
  curves: readonly Float32Array[],
  maxDistance: number,
  height: number,
  tolerance = CLEAN_DEFAULTS.curveTolerance,
): [number, number, number][] {
  if (maxDistance < 0 || curves.length < 2) return [];
  const S = 16;
  const n = curves.length;
  const seg = new Float64Array(n * S);
  const inked = new Int32Array(n), first = new Int32Array(n), last = new Int32Array(n);
  const mean = new Float64Array(n);
  curves.forEach((c, i) => {
    first[i] = c.length;
    last[i] = -1;
    for (let x = 0; x < c.length; x++) {
      const v = c[x] === c[x] ? c[x] : height;
      seg[i * S + Math.floor((x * S) / c.length)] += v;
      mean[i] += v / c.length;
      if (c[x] === c[x]) (inked[i]++, first[i] = Math.min(first[i], x), last[i] = x);
    }
  });
  const order = Array.from(curves.keys()).sort((a, b) => mean[a] - mean[b]);
  const window = tolerance + (maxDistance / 100) * height + 1e-6;
  const out: [number, number, number][] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const ci = curves[i];
    for (let m = k + 1; m < order.length; m++) {
      const j = order[m];
      if (mean[j] - mean[i] > window) break;
      const cj = curves[j];
      if (cj.length !== ci.length) continue;
      // Columns with ink in either <= min(width, inked_i + inked_j).
      const cols = Math.min(ci.length, inked[i] + inked[j]);
      const maxDiff = (maxDistance / 100) * cols + 1e-9;
      if (Math.abs(inked[i] - inked[j]) > maxDiff) continue;
      let l1 = 0;
      for (let s = 0; s < S; s++) l1 += Math.abs(seg[i * S + s] - seg[j * S + s]);
      if ((l1 - tolerance * cols) / height > maxDiff) continue;
      let diff = 0;
      const lo = Math.min(first[i], first[j]), hi = Math.max(last[i], last[j]);
      for (let x = lo; x <= hi && diff <= maxDiff; x++) {
        const u = ci[x], v = cj[x];
        if (u !== u && v !== v) continue;
        if (!(Math.abs(u - v) <= tolerance)) diff++;
      }
      if (diff > maxDiff) continue;
      const d = lineDistance(ci, cj, tolerance);
      if (d <= maxDistance) out.push(i < j ? [i, j, d] : [j, i, d]);
    }
  }
  return out.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** SHA-256 of the decoded pixels (8-bit RGBA), so re-encoded copies of one picture match. */
export async function pixelHash(image: Uint8Array | string): Promise<string> {
  const { data, info } = await sharp(image).ensureAlpha().raw({ depth: "uchar" }).toBuffer({
    resolveWithObject: true,
  });
  const head = new TextEncoder().encode(`${info.width}x${info.height}x${info.channels}:`);
  const all = new Uint8Array(head.length + data.length);
  all.set(head);
  all.set(data, head.length);
  return await sha256Hex(all);
}

/** Hamming distance between two hashes of the same length. */
export function hamming(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let v = a[i] ^ b[i];
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    d += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return d;
}

/** A hash as lower-case hex (word 0 first, each word little-endian by bit index). */
export function hashHex(h: Uint32Array): string {
  return Array.from(h, (w) => w.toString(16).padStart(8, "0")).join("");
}

/**
 * Fingerprint every sample (file SHA-256, and the drawn curve or the dHash), reading each
 * file once. Throws a
 * UserError naming the file when it cannot be read or decoded.
 */
export function fingerprintImages(
  samples: readonly Sample[],
  opts: Pick<CleanOptions, "nearMethod" | "hashSize" | "concurrency" | "onProgress"> = {},
): Promise<Fingerprint[]> {
  const o = { ...CLEAN_DEFAULTS, ...opts };
  let done = 0;
  return mapPool(samples, opts.concurrency ?? CLEAN_DEFAULTS.concurrency, async (s) => {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(s.path);
    } catch (err) {
      throw new UserError(`${s.path}: cannot read image (${(err as Error).message})`);
    }
    const fp: Fingerprint = { sha256: await sha256Hex(bytes) };
    try {
      if (o.nearMethod === "dhash") {
        fp.dhash = await dHash(bytes, o.hashSize);
        fp.bits = o.hashSize * o.hashSize;
      } else {
        const c = await lineRows(bytes);
        fp.curve = c.rows;
        fp.height = c.height;
      }
    } catch (err) {
      throw new UserError(`${s.path}: cannot decode image (${(err as Error).message})`);
    }
    opts.onProgress?.(++done, samples.length);
    return fp;
  });
}
