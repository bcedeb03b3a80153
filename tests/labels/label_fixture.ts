/**
 * Shared by the label-cleaning tests: small pile-o-gram-like PNGs (a blue polyline on white, drawn
 * with sharp), a folder of them with planted problems, samples and a key for issues.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { listDataset, type ManifestRow, type Sample } from "../../lib/data/dataset.ts";
import { type LabelIssue } from "../../lib/labels/issues.ts";
import { mulberry32, type Rng } from "../../lib/core/random.ts";

/** Chart width and height of the fixture PNGs. */
export const W = 300, H = 200;

/** A random walk of `n` y values inside the chart. */
function randomCurve(rng: Rng, n = 100): number[] {
  const ys: number[] = [];
  let y = 40 + rng() * 100;
  for (let i = 0; i < n; i++) {
    y = Math.min(H - 10, Math.max(10, y + (rng() - 0.5) * 30));
    ys.push(y);
  }
  return ys;
}

/** The y values as a blue polyline on white, an SVG document. */
function curveSvg(ys: number[]): string {
  const pts = ys.map((y, i) => `${(20 + (i * (W - 40)) / (ys.length - 1)).toFixed(2)},${y}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">` +
    `<rect width="${W}" height="${H}" fill="white"/>` +
    `<polyline points="${pts.join(" ")}" fill="none" stroke="#0000ff" stroke-width="1"/></svg>`;
}

/** The y values drawn as a PNG (a pile-o-gram-like chart). */
export async function drawPng(ys: number[], compressionLevel = 6): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(new TextEncoder().encode(curveSvg(ys))).ensureAlpha().png({ compressionLevel })
      .toBuffer(),
  );
}

/** A fixture folder with planted problems. */
export interface Planted {
  dir: string;
  rows: ManifestRow[];
  /** p(chimeric) per absolute path. */
  oof: Map<string, number>;
  flipped: string[];
}

/**
 * 3 classes x 12 images with planted problems:
 * - regular/ec_dupa.png == regular/ec_dupb.png (byte-identical, same class)
 * - chimeric/sc_both.png == repeat/sc_both.png (byte-identical, cross-label, same read id)
 * - chimeric/cn_conf.png vs regular/cn_conf.png (same read id, different images)
 * - repeat/lf_pix1.png vs repeat/lf_pix2.png (same pixels, different PNG compression)
 * - regular/pa_near1.png vs regular/pa_near2.png (a few points moved)
 * - two flipped labels with confident out-of-fold predictions.
 */
export async function plantFixture(): Promise<Planted> {
  const dir = await Deno.makeTempDir({ prefix: "labels_test_" });
  const rng = mulberry32(42);
  const files = new Map<string, Uint8Array>();
  for (const cls of ["chimeric", "regular", "repeat"]) {
    for (let i = 0; i < 12; i++) {
      files.set(`${cls}/bs_${cls}${i}.png`, await drawPng(randomCurve(rng)));
    }
  }
  const dup = await drawPng(randomCurve(rng));
  files.set("regular/ec_dupa.png", dup);
  files.set("regular/ec_dupb.png", dup);
  const both = await drawPng(randomCurve(rng));
  files.set("chimeric/sc_both.png", both);
  files.set("repeat/sc_both.png", both);
  files.set("chimeric/cn_conf.png", await drawPng(randomCurve(rng)));
  files.set("regular/cn_conf.png", await drawPng(randomCurve(rng)));
  const pix = randomCurve(rng);
  files.set("repeat/lf_pix1.png", await drawPng(pix, 9));
  files.set("repeat/lf_pix2.png", await drawPng(pix, 1));
  const near = randomCurve(rng);
  files.set("regular/pa_near1.png", await drawPng(near));
  const moved = near.map((y, i) => (i >= 50 && i < 53 ? Math.max(10, y - 25) : y));
  files.set("regular/pa_near2.png", await drawPng(moved));
  for (const cls of ["chimeric", "regular", "repeat"]) await Deno.mkdir(join(dir, cls));
  for (const [rel, bytes] of files) await Deno.writeFile(join(dir, rel), bytes);
  const { samples } = await listDataset(dir);
  const rows = samples.map((s) => ({ ...s, split: "train" as const }));
  // Out-of-fold predictions: confident and right, except two flipped labels.
  const flipped = [join(dir, "chimeric/bs_chimeric3.png"), join(dir, "regular/bs_regular5.png")];
  const oof = new Map<string, number>();
  const prng = mulberry32(7);
  for (const r of rows) {
    const right = r.label === "chimeric" ? 0.75 + 0.2 * prng() : 0.05 + 0.2 * prng();
    // A flipped label gets a confident prediction for the other class.
    oof.set(r.path, flipped.includes(r.path) ? (r.label === "chimeric" ? 0.03 : 0.97) : right);
  }
  return { dir, rows, oof, flipped };
}

/** An issue as "kind:class/file,..." (the last two path parts). */
export const key = (i: LabelIssue): string =>
  `${i.kind}:${i.files.map((f) => f.split("/").slice(-2).join("/"))}`;

/** A sample at `path` in class folder `cls`, its read id the file stem. */
export function sample(path: string, cls: string): Sample {
  return {
    path,
    cls,
    label: cls === "chimeric" ? "chimeric" : "non_chimeric",
    readId: path.replace(/^.*\//, "").replace(/\.png$/, ""),
  };
}
