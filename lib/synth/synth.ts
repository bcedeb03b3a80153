/**
 * Labelled synthetic pile-o-grams from the simulation (simulate.ts): one chart per read drawn
 * like the real ones, the labelled folder with truth.csv, a side-by-side sheet of the classes,
 * and chart throughput for `deno task bench`. Everything is deterministic per seed.
 * @module
 */
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic, writeTextAtomic } from "../core/fs.ts";
import { mulberry32 } from "../core/random.ts";
import { mapPool } from "../core/pool.ts";
import { type PileCurve, pileCurve, renderPng } from "../overlaps/pileogram.ts";
import { ruleScore } from "../overlaps/coverage_rule.ts";

import { quantile, readOverlaps, simulateRead, simulateSample, subSeed } from "./simulate.ts";
import {
  type SimRead,
  type SimSample,
  SYNTH_CLASSES,
  type SynthClass,
  type SynthOptions,
} from "./options.ts";
/** One synthetic chart with its truth. */
export interface SynthChart {
  /** The read. */
  read: SimRead;
  /** Its overlap intervals (flat pairs). */
  intervals: number[];
  /** Its coverage curve. */
  curve: PileCurve;
}

/** Simulate the `index`-th chart of class `cls` (deterministic per seed, class and index). */
export function synthChart(sample: SimSample, cls: SynthClass, index: number): SynthChart {
  const rng = mulberry32(subSeed(sample.opts.seed, 1 + SYNTH_CLASSES.indexOf(cls) * 1e6 + index));
  const id = String(index + 1 + SYNTH_CLASSES.indexOf(cls) * 1_000_000);
  const read = simulateRead(rng, sample, cls, "");
  const sp = read.fragments.find((f) => f.species >= 0)?.species ?? 0;
  read.id = `${sample.species[sp].code}_${id}`;
  const intervals = readOverlaps(rng, sample, read);
  const curve = pileCurve(read.length, intervals, sample.opts.chart);
  const ph = sample.opts.plateauHeight;
  if (ph) curve.yMax = Math.max(1, curve.median / quantile(ph[cls], rng()));
  return { read, intervals, curve };
}

/** Describe a read's fragments, e.g. `s0:1200-9000+;junk:2500`. */
export function fragmentText(read: SimRead, sample: SimSample): string {
  return read.fragments.map((f) =>
    f.species < 0
      ? `junk:${f.end - f.start}`
      : `${sample.species[f.species].code}:${f.start}-${f.end}${f.strand}`
  ).join(";");
}

/** Options of writing a synthetic data set. */
export interface WriteSynthOptions extends SynthOptions {
  /** Charts per class. */
  perClass: number;
  /** PNG encodes in flight at once. */
  concurrency?: number;
  /** Called after each chart. */
  onChart?: (done: number, total: number) => void;
}

/** One row of truth.csv. */
export interface TruthRow {
  /** Path relative to the output folder. */
  file: string;
  /** Class folder. */
  cls: SynthClass;
  /** Read id. */
  readId: string;
  /** Read length. */
  readLen: number;
  /** Number of overlaps. */
  nOverlaps: number;
  /** Median coverage. */
  median: number;
  /** Coverage-rule score. */
  ruleScore: number;
  /** Fragments. */
  fragments: string;
}

/**
 * Write `dir/{chimeric,regular,repeat}/<species>_<id>.png` and `dir/truth.csv`; returns the
 * truth rows. Files are written atomically; PNG encodes overlap (libvips threads).
 */
export async function writeSynthDataset(dir: string, opts: WriteSynthOptions): Promise<TruthRow[]> {
  const sample = simulateSample(opts);
  const concurrency = opts.concurrency ?? 4;
  const jobs: [SynthClass, number][] = [];
  for (let i = 0; i < opts.perClass; i++) for (const c of SYNTH_CLASSES) jobs.push([c, i]);
  let done = 0;
  const rows = await mapPool(jobs, concurrency, async ([cls, i]): Promise<TruthRow> => {
    const ch = synthChart(sample, cls, i);
    const file = `${cls}/${ch.read.id}.png`;
    const png = await renderPng(ch.curve, sample.opts.chart);
    await writeFileAtomic(join(dir, file), png);
    opts.onChart?.(++done, jobs.length);
    return {
      file,
      cls,
      readId: ch.read.id,
      readLen: ch.read.length,
      nOverlaps: ch.intervals.length / 2,
      median: ch.curve.median,
      ruleScore: Math.round(ruleScore(ch.curve.data, ch.curve.median).score * 1000) / 1000,
      fragments: fragmentText(ch.read, sample),
    };
  });
  const header = "file,class,read_id,read_len,n_overlaps,median,rule_score,fragments";
  const lines = rows.map((r) =>
    [r.file, r.cls, r.readId, r.readLen, r.nOverlaps, r.median, r.ruleScore, r.fragments].join(",")
  );
  await writeTextAtomic(join(dir, "truth.csv"), [header, ...lines].join("\n") + "\n");
  return rows;
}

// ---------------------------------------------------------------- side-by-side check

/** Options of the real-vs-synthetic comparison sheet. */
export interface ComparisonOptions {
  /** Charts per class from each side. */
  perClass?: number;
  /** Seed of the random picks. */
  seed?: number;
  /** Width of one tile in pixels (height is 2/3 of it). */
  tileWidth?: number;
}

/**
 * A side-by-side picture check: one row per class, `perClass` random real charts on the left
 * (grey frames) and synthetic ones on the right (red frames), as one PNG.
 */
export async function comparisonSheet(
  realRoot: string,
  synthRoot: string,
  opts: ComparisonOptions = {},
): Promise<Uint8Array> {
  const n = opts.perClass ?? 4;
  const rng = mulberry32(opts.seed ?? 1);
  const w = opts.tileWidth ?? 300, h = Math.round(w * 2 / 3);
  const gap = 20;
  const tiles: sharp.OverlayOptions[] = [];
  for (const [row, cls] of SYNTH_CLASSES.entries()) {
    for (const [side, root] of [[0, realRoot], [1, synthRoot]] as const) {
      const files = [...Deno.readDirSync(join(root, cls))]
        .filter((e) => e.isFile && e.name.endsWith(".png")).map((e) => e.name).sort();
      for (let k = 0; k < n && files.length; k++) {
        const f = files[Math.floor(rng() * files.length)];
        const tile = await sharp(join(root, cls, f)).resize(w, h, { kernel: "lanczos3" })
          .extend({
            top: 2,
            bottom: 2,
            left: 2,
            right: 2,
            background: side ? "#f08080" : "#888888",
          }).png().toBuffer();
        tiles.push({
          input: tile,
          left: (side * n + k) * (w + 4) + side * gap,
          top: row * (h + 4),
        });
      }
    }
  }
  const sheet = await sharp({
    create: {
      width: 2 * n * (w + 4) + gap,
      height: SYNTH_CLASSES.length * (h + 4),
      channels: 4,
      background: "#ffffff",
    },
  }).composite(tiles).png().toBuffer();
  return new Uint8Array(sheet);
}

/** Charts per second of simulate + draw + PNG encode in memory (for `deno task bench`). */
export async function synthThroughput(
  charts = 300,
  opts: SynthOptions & { concurrency?: number } = {},
): Promise<{ charts: number; seconds: number; chartsPerSecond: number }> {
  const sample = simulateSample(opts);
  const warm = synthChart(sample, "regular", 0);
  await renderPng(warm.curve, sample.opts.chart);
  const t0 = performance.now();
  const indices = Array.from({ length: charts }, (_, i) => i);
  await mapPool(indices, opts.concurrency ?? 4, async (i) => {
    const ch = synthChart(sample, SYNTH_CLASSES[i % 3], i);
    await renderPng(ch.curve, sample.opts.chart);
  });
  const seconds = (performance.now() - t0) / 1000;
  return { charts, seconds, chartsPerSecond: charts / seconds };
}
