/**
 * Plots to files: an SVG string rendered to PNG (sharp), and a plot saved as SVG and PNG side by
 * side, atomically.
 * @module
 */

import sharp from "sharp";
import { writeFileAtomic, writeTextAtomic } from "../core/fs.ts";

import { PLOT_DEFAULTS } from "./options.ts";

// ---------------------------------------------------------------------------------------------
// Output

/** Rasterise an SVG string to PNG bytes with sharp (`density` in dpi, 72 = 1x). */
export async function svgToPng(svg: string, density = PLOT_DEFAULTS.density): Promise<Uint8Array> {
  const buf = await sharp(new TextEncoder().encode(svg), { density }).png().toBuffer();
  return new Uint8Array(buf);
}

/** Paths written by `savePlot`. */
export interface SavedPlot {
  svg: string;
  png: string;
}

/** Write `svg` to `<base>.svg` and its rasterisation to `<base>.png`, both atomically. */
export async function savePlot(
  svg: string,
  base: string,
  opts: { density?: number } = {},
): Promise<SavedPlot> {
  const out = { svg: `${base}.svg`, png: `${base}.png` };
  await writeTextAtomic(out.svg, svg);
  await writeFileAtomic(out.png, await svgToPng(svg, opts.density));
  return out;
}
