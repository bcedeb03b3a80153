/**
 * Test fixtures generated in code: small pile-o-gram-like PNGs in a thesis-layout folder, the
 * bad files the bad-input tests need, and a PAF file of simulated overlaps. Nothing binary is
 * committed.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { mulberry32 } from "../lib/core/random.ts";
import { synthChart } from "../lib/synth/synth.ts";
import { SYNTH_CLASSES } from "../lib/synth/options.ts";
import { simulateSample } from "../lib/synth/simulate.ts";

/** Path of the real data set, beside the project (absent in a user's clone). */
export const REAL_DATA = new URL("../../shared/data/original_data", import.meta.url).pathname;

/** Whether the real data set is available (tests that need it are ignored when it is not). */
export const HAS_REAL_DATA = (() => {
  try {
    return Deno.statSync(REAL_DATA).isDirectory;
  } catch {
    return false;
  }
})();

/** Render a coverage curve (values in [0,1]) as a blue line on white, like the real charts. */
export function chartSvg(curve: number[], width = 750, height = 500): string {
  const pts = curve.map((v, i) => {
    const x = 94 + (i / (curve.length - 1)) * 581;
    const y = 440 - v * 380;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<polyline points="${pts.join(" ")}" fill="none" stroke="#0000ff" stroke-width="1.5"/></svg>`;
}

/** A curve of the given class: regular (plateau), chimeric (deep valley) or repeat (spike). */
export function fixtureCurve(cls: string, rng: () => number, n = 120): number[] {
  const c: number[] = [];
  const mid = 0.3 + rng() * 0.4;
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    let v = Math.min(1, t * 8, (1 - t) * 8) * (0.45 + 0.05 * rng());
    if (cls === "chimeric" && Math.abs(t - mid) < 0.06) v *= 0.1;
    if (cls === "repeat" && Math.abs(t - mid) < 0.08) v = 1;
    c.push(v);
  }
  return c;
}

/** Encode an SVG as an RGBA PNG (like the real images). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).ensureAlpha().png().toBuffer());
}

/**
 * Write a thesis-layout data set `dir/{chimeric,regular,repeat}/sp_<id>.png` with `perClass`
 * images each; returns the folder. Deterministic per seed.
 */
export async function makeDataset(
  dir: string,
  perClass: number,
  seed = 1,
  classes = ["chimeric", "regular", "repeat"],
): Promise<string> {
  const rng = mulberry32(seed);
  let id = 0;
  for (const cls of classes) {
    await Deno.mkdir(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const png = await svgToPng(chartSvg(fixtureCurve(cls, rng)));
      await Deno.writeFile(join(dir, cls, `sp_${1000 + id++}.png`), png);
    }
  }
  return dir;
}

/** A fresh temporary folder, removed by the returned cleanup function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "chimera-test-" });
  return { dir, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * A PAF file of simulated overlaps (lib/synth/synth.ts): `perClass` reads of each class, each
 * overlapped by its simulated partners (one PAF line per overlap; each partner overlaps only
 * that read, so partners have too few overlaps to be called), plus "lone" with one overlap.
 * Returns each simulated read's class. Deterministic per seed.
 */
export async function writeSynthPaf(
  path: string,
  perClass: number,
  seed = 4,
): Promise<Map<string, string>> {
  const sample = simulateSample({ seed, species: 1, genomeLength: 300_000 });
  const truth = new Map<string, string>();
  const lines: string[] = [];
  for (const cls of SYNTH_CLASSES) {
    for (let i = 0; i < perClass; i++) {
      const { read, intervals } = synthChart(sample, cls, i);
      truth.set(read.id, cls);
      for (let k = 0; k + 1 < intervals.length; k += 2) {
        const [b, e] = [intervals[k], intervals[k + 1]];
        const len = e - b;
        lines.push(
          `${read.id}\t${read.length}\t${b}\t${e}\t+\t${read.id}~${k / 2}\t${len}\t0\t${len}\t` +
            `${len}\t${len}\t60`,
        );
      }
    }
  }
  lines.push("lone\t5000\t0\t2000\t-\tlone~0\t3000\t1000\t3000\t1900\t2000\t60");
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
  return truth;
}

/** yacrd's own test data (natir/yacrd 1.0 tests/) in ../shared/peers; absent in a clone. */
export const YACRD = new URL("../../shared/peers/yacrd", import.meta.url).pathname;

/** Whether yacrd's test data is there (tests that read it are ignored otherwise). */
export const HAS_YACRD: boolean = (() => {
  try {
    return Deno.statSync(`${YACRD}/truth.yacrd`).isFile;
  } catch {
    return false;
  }
})();
