/**
 * The simulation behind the synthetic charts: genomes with planted repeat families, long reads
 * with log-normal lengths, chimeras joined from distant loci, junk or another species, and each
 * read's overlaps derived from the known positions.
 * @module
 */

import { mulberry32, type Rng } from "../core/random.ts";

import {
  type Fragment,
  type RepeatCopy,
  type SimRead,
  type SimSample,
  type SimSpecies,
  SYNTH_DEFAULTS,
  type SynthClass,
  type SynthOptions,
} from "./options.ts";

const uni = (rng: Rng, [a, b]: [number, number]) => a + (b - a) * rng();
const randInt = (rng: Rng, a: number, b: number) => a + Math.floor(rng() * (b - a + 1));

/** A standard normal deviate (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Derive an independent seed from a seed and a stream index (deterministic). */
export function subSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function readLength(
  rng: Rng,
  sp: { readMedian: number; readSigma: number },
  o: SimSample["opts"],
  min = o.minReadLength,
) {
  const l = sp.readMedian * Math.exp(sp.readSigma * gaussian(rng));
  return Math.round(Math.min(o.maxReadLength, Math.max(min, l)));
}

const SHORT_READS = { readMedian: 2500, readSigma: 0.5 };

/** Simulate the species (genomes, repeats, read populations) of a sample. */
export function simulateSample(opts: SynthOptions = {}): SimSample {
  const o = { ...SYNTH_DEFAULTS, ...opts, chart: { ...opts.chart } };
  const rng = mulberry32(subSeed(o.seed, 0));
  const species: SimSpecies[] = [];
  for (let s = 0; s < o.species; s++) {
    const G = o.genomeLength;
    const depth = Math.exp(uni(rng, [Math.log(o.depth[0]), Math.log(o.depth[1])]));
    const readMedian = uni(rng, o.readMedian);
    const readSigma = uni(rng, o.readSigma);
    // repeats: families of copies at random non-overlapping places
    // family counts are per 1.5 Mb of genome
    const nFam = Math.max(
      1,
      Math.round(randInt(rng, o.repeatFamilies[0], o.repeatFamilies[1]) * G / 1_500_000),
    );
    const repeats: RepeatCopy[] = [];
    const families: RepeatCopy[][] = [];
    for (let f = 0; f < nFam; f++) {
      const len = Math.round(
        Math.exp(uni(rng, [Math.log(o.repeatLength[0]), Math.log(o.repeatLength[1])])),
      );
      const copies = randInt(rng, o.repeatCopies[0], o.repeatCopies[1]);
      const fam: RepeatCopy[] = [];
      for (let c = 0, tries = 0; c < copies && tries < 100; tries++) {
        const start = Math.floor(rng() * (G - len));
        const clash = repeats.some((r) => start < r.end + 2000 && r.start < start + len + 2000);
        if (clash) continue;
        const copy = { family: f, start, end: start + len };
        repeats.push(copy);
        fam.push(copy);
        c++;
      }
      families.push(fam);
    }
    repeats.sort((a, b) => a.start - b.start);
    const sp = { readMedian, readSigma };
    const nReads = Math.round(G * depth / (readMedian * Math.exp(readSigma ** 2 / 2)));
    const pairs: [number, number][] = [];
    let maxLen = 0;
    for (let i = 0; i < nReads; i++) {
      const short = rng() < o.shortReads;
      const len = Math.min(
        G,
        readLength(rng, short ? SHORT_READS : sp, o, o.minPopulationReadLength),
      );
      const start = Math.floor(rng() * (G - len + 1));
      pairs.push([start, start + len]);
      maxLen = Math.max(maxLen, len);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    species.push({
      code: `s${s}`,
      index: s,
      length: G,
      depth,
      readMedian,
      readSigma,
      starts: Int32Array.from(pairs, (p) => p[0]),
      ends: Int32Array.from(pairs, (p) => p[1]),
      maxLen,
      repeats,
      families,
      detection: families.map(() => uni(rng, o.repeatDetection)),
    });
  }
  return { opts: o, species };
}

/** First index with starts[i] >= x. */
function lowerBound(a: Int32Array, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Call `fn(start, end)` for every population read of `sp` intersecting [a, b). */
function forReadsIn(sp: SimSpecies, a: number, b: number, fn: (s: number, e: number) => void) {
  const hi = lowerBound(sp.starts, b);
  for (let i = lowerBound(sp.starts, a - sp.maxLen); i < hi; i++) {
    if (sp.ends[i] > a) fn(sp.starts[i], sp.ends[i]);
  }
}

/** Whether genome interval [a,b) shares at least `min` bp with a repeat copy. */
export function repeatCopiesIn(sp: SimSpecies, a: number, b: number, min: number): RepeatCopy[] {
  return sp.repeats.filter((r) => Math.min(b, r.end) - Math.max(a, r.start) >= min);
}

/** Pick a genome interval of `len` bp in `sp`, avoiding (or requiring) repeats. */
function placeFragment(
  rng: Rng,
  sp: SimSpecies,
  len: number,
  o: SimSample["opts"],
  want: "any" | "none" | "repeat",
): Fragment {
  len = Math.min(len, sp.length);
  let start = 0;
  for (let tries = 0; tries < 200; tries++) {
    if (want === "repeat" && sp.repeats.length > 0) {
      // put a repeat copy (of a family with several copies) somewhere in the read
      const multi = sp.families.filter((f) => f.length >= 3);
      const fam = (multi.length ? multi : sp.families.filter((f) => f.length >= 2))[
        Math.floor(rng() * Math.max(1, multi.length || sp.families.length))
      ];
      if (!fam || fam.length === 0) break;
      const r = fam[Math.floor(rng() * fam.length)];
      const rl = r.end - r.start;
      start = r.start - Math.floor(rng() * (len + rl * 0.6)) + Math.floor(rl * 0.2);
    } else start = Math.floor(rng() * (sp.length - len + 1));
    start = Math.max(0, Math.min(sp.length - len, start));
    const reps = repeatCopiesIn(sp, start, start + len, o.minOverlap);
    if (
      want === "any" || (want === "none" && reps.length === 0) || (want === "repeat" && reps.length)
    ) {
      break;
    }
  }
  return { species: sp.index, start, end: start + len, strand: rng() < 0.5 ? "+" : "-" };
}

/** Simulate one read of class `cls` (deterministic per `rng` state). */
export function simulateRead(rng: Rng, sample: SimSample, cls: SynthClass, id: string): SimRead {
  const o = sample.opts;
  const sp = sample.species[Math.floor(rng() * sample.species.length)];
  const L = readLength(rng, sp, o);
  let fragments: Fragment[];
  if (cls !== "chimeric") {
    fragments = [placeFragment(rng, sp, L, o, cls === "regular" ? "none" : "repeat")];
  } else {
    const nFrag = rng() < 0.1 ? 3 : 2;
    const cuts = Array.from({ length: nFrag - 1 }, () => 0.12 + 0.76 * rng()).sort();
    const bounds = [0, ...cuts.map((c) => Math.round(c * L)), L];
    fragments = [];
    const junkAt = rng() < o.junkFraction ? Math.floor(rng() * nFrag) : -1;
    for (let k = 0; k < nFrag; k++) {
      const len = Math.max(300, bounds[k + 1] - bounds[k]);
      if (k === junkAt) {
        fragments.push({ species: -1, start: 0, end: len, strand: "+" });
        continue;
      }
      let other = sp;
      if (k > 0 && rng() < o.crossSpecies && sample.species.length > 1) {
        other = sample.species[
          (sp.index + 1 + Math.floor(rng() * (sample.species.length - 1))) %
          sample.species.length
        ];
      }
      let f = placeFragment(rng, other, len, o, rng() < 0.8 ? "none" : "any");
      // distant loci: re-place when it lands near the previous fragment of the same genome
      for (let t = 0; t < 20 && fragments.some((g) => near(g, f)); t++) {
        f = placeFragment(rng, other, len, o, "any");
      }
      fragments.push(f);
    }
  }
  const length = fragments.reduce((s, f) => s + f.end - f.start, 0);
  return { id, cls, fragments, length };
}

function near(a: Fragment, b: Fragment): boolean {
  return a.species === b.species && a.species >= 0 &&
    Math.max(a.start, b.start) < Math.min(a.end, b.end) + 50_000;
}

/**
 * Overlap intervals of a read in its own coordinates (flat begin/end pairs), derived from the
 * known positions of the population reads: true overlaps, repeat-induced overlaps between
 * copies of a family, ends trimmed (ramps at read ends and chimeric junctions).
 */
export function readOverlaps(rng: Rng, sample: SimSample, read: SimRead): number[] {
  const o = sample.opts;
  const L = read.length;
  // Alignments stop short of a read end (and of a chimeric junction) at a few places where
  // the read's quality drops: each end gets 1..6 stop points spread over its ramp, and every
  // overlap reaching that end stops at one of them (the real ramps rise in a few big steps).
  const rampStops = (len: number): number[] => {
    const shape = 0.4 + 1.6 * rng();
    const k = 1 + Math.floor(rng() * 6);
    return [len * 0.02 * rng(), ...Array.from({ length: k }, () => len * rng() ** shape)];
  };
  const trimAt = (stops: number[]) => stops[Math.floor(rng() * stops.length)] + 60 * rng();
  const endRamp = () => rampStops(uni(rng, o.endRamp) * L * (rng() < 0.15 ? 0.2 : 1));
  const readEnds = [endRamp(), endRamp()];
  // low-quality spots of this read: most overlaps over them break (narrow dips)
  const spots: number[] = [];
  for (let k = 0, n = poisson(rng, o.badSpots); k < n; k++) spots.push(rng() * L);
  const out: number[] = [];
  const emit = (x: number, y: number) => {
    for (const p of spots) {
      if (p > x + 100 && p < y - 100 && rng() < 0.6) {
        const g = 40 + 300 * rng();
        emit(x, p - g / 2);
        emit(p + g / 2, y);
        return;
      }
    }
    if (y - x >= o.minOverlap * 0.5) out.push(Math.round(x), Math.round(y));
  };
  let off = 0;
  for (let k = 0; k < read.fragments.length; k++) {
    const f = read.fragments[k];
    const flen = f.end - f.start;
    // at a junction, alignments also stop short of a dead zone (adapter, low quality)
    const junction = () =>
      rampStops(flen * uni(rng, [0.02, 0.3])).map((x) => x + L * o.junctionGap * rng());
    const leftStops = k === 0 ? readEnds[0] : junction();
    const rightStops = k === read.fragments.length - 1 ? readEnds[1] : junction();
    if (f.species < 0) {
      off += flen;
      continue;
    }
    const sp = sample.species[f.species];
    const push = (a: number, b: number, edgeTrim: number) => {
      // genome [a,b) inside the fragment -> read coordinates
      let x = f.strand === "+" ? off + a - f.start : off + f.end - b;
      let y = x + (b - a);
      // every alignment stops short of the read's low-quality ends (and junctions): the
      // ones reaching an end, and the ones starting inside the low-quality stretch
      const exp = () => -Math.log(1 - rng()) * edgeTrim;
      x = Math.max(x + exp(), off + trimAt(leftStops));
      y = Math.min(y - exp(), off + flen - trimAt(rightStops));
      if (y - x > 1000 && rng() < o.chainBreak) {
        // a broken chain: two pieces with a short gap, or overlapping a little
        const p = x + 500 + (y - x - 1000) * rng();
        const g = -400 + 800 * rng();
        emit(x, p - g / 2);
        emit(p + g / 2, y);
      } else emit(x, y);
    };
    forReadsIn(sp, f.start, f.end, (s, e) => {
      const a = Math.max(s, f.start), b = Math.min(e, f.end);
      if (b - a >= o.minOverlap) push(a, b, o.innerTrim);
    });
    // repeat-induced overlaps: reads over other copies of the same family
    for (const c of repeatCopiesIn(sp, f.start, f.end, o.minOverlap)) {
      const ua = Math.max(c.start, f.start) - c.start, ub = Math.min(c.end, f.end) - c.start;
      const det = sp.detection[c.family];
      const edge = (c.end - c.start) * 0.08;
      for (const c2 of sp.families[c.family]) {
        if (c2 === c) continue;
        forReadsIn(sp, c2.start, c2.end, (s, e) => {
          const va = Math.max(s, c2.start) - c2.start, vb = Math.min(e, c2.end) - c2.start;
          const sa = Math.max(ua, va), sb = Math.min(ub, vb);
          if (sb - sa >= o.minOverlap && rng() < det) push(c.start + sa, c.start + sb, edge);
        });
      }
    }
    off += flen;
  }
  // some chimeric junctions are bridged by a few reads (similar chimeras, repeats at the
  // junction): the valley then does not reach zero
  if (read.fragments.length > 1 && rng() < o.bridged) {
    const depth = out.length / 2 / Math.max(1, read.fragments.length);
    const n = Math.round(depth * uni(rng, [0.05, 0.5]));
    let j = 0;
    for (let k = 0; k < read.fragments.length - 1; k++) {
      j += read.fragments[k].end - read.fragments[k].start;
      for (let b = 0; b < n; b++) {
        const x = Math.max(0, j - L * 0.3 * rng()), y = Math.min(L, j + L * 0.3 * rng());
        if (y - x >= o.minOverlap) out.push(Math.round(x), Math.round(y));
      }
    }
  }
  return out;
}

/** A Poisson deviate with mean `mean` (Knuth; small means). */
export function poisson(rng: Rng, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

/** Probabilities of the plateauHeight quantiles. */
export const PLATEAU_PROBS = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/** Inverse CDF by linear interpolation of quantiles `q` at PLATEAU_PROBS (tails stretched). */
export function quantile(q: number[], u: number): number {
  const ps = [0, ...PLATEAU_PROBS, 1];
  const qs = [q[0] * 0.6, ...q, q[q.length - 1] * 1.1];
  let k = 1;
  while (k < ps.length - 1 && u > ps[k]) k++;
  const t = (u - ps[k - 1]) / (ps[k] - ps[k - 1]);
  return qs[k - 1] + t * (qs[k] - qs[k - 1]);
}
