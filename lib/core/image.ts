/**
 * Grey images: decoding any image file (or its bytes) flattened onto white and greyscaled, the
 * same conversion for raw RGBA pixels, and the problem record of an unreadable image.
 * @module
 */

import type sharp from "sharp";

import { readFileOrFail } from "./fs.ts";
import { UserError } from "./errors.ts";

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

/**
 * The sharp module, loaded on first use: loading it takes about a tenth of a second, which the
 * command-line tools that never touch an image (classify --paf, scatter) should not pay.
 */
export async function loadSharp(): Promise<typeof sharp> {
  return (await import("sharp")).default;
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
    raw = await (await loadSharp())(bytes, { failOn: "error" }).raw({ depth: "uchar" })
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
