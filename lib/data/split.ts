/**
 * Train/test splitting and k-fold assignment: stratified by label and grouped by read id, so
 * the same read never sits on both sides.
 * @module
 */
import type { ManifestRow, Sample } from "./dataset.ts";
import { mulberry32, shuffleInPlace } from "../core/random.ts";

/** Options for a train/test split. */
export interface SplitOptions {
  /** Fraction of each label that goes to the test split. */
  testFraction?: number;
  /** Seed of the shuffle (same seed, same split). */
  seed?: number;
}

/** Default split options (the thesis: 75/25). */
export const SPLIT_DEFAULTS: Required<Omit<SplitOptions, "seed">> = { testFraction: 0.25 };

/**
 * Group samples by read id and bucket the groups into strata by their set of labels (a read
 * present in two class folders with different labels forms its own stratum). Groups and
 * strata come out in a deterministic order.
 */
export function groupStrata(samples: Sample[]): Sample[][][] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) {
    const g = groups.get(s.readId);
    if (g) g.push(s);
    else groups.set(s.readId, [s]);
  }
  const strata = new Map<string, Sample[][]>();
  for (const id of [...groups.keys()].sort()) {
    const g = groups.get(id)!;
    const key = [...new Set(g.map((s) => s.label))].sort().join("+");
    const st = strata.get(key);
    if (st) st.push(g);
    else strata.set(key, [g]);
  }
  return [...strata.keys()].sort().map((k) => strata.get(k)!);
}

/** Split samples into train and test, stratified by label and grouped by read id. */
export function splitSamples(samples: Sample[], opts: SplitOptions = {}): ManifestRow[] {
  const o = { ...SPLIT_DEFAULTS, seed: 0, ...opts };
  if (!(o.testFraction > 0 && o.testFraction < 1)) {
    throw new RangeError(`testFraction must be between 0 and 1, got ${o.testFraction}`);
  }
  const rng = mulberry32(o.seed);
  const rows: ManifestRow[] = [];
  for (const stratum of groupStrata(samples)) {
    shuffleInPlace(stratum, rng);
    const nTest = Math.round(stratum.length * o.testFraction);
    stratum.forEach((group, i) => {
      for (const s of group) rows.push({ ...s, split: i < nTest ? "test" : "train" });
    });
  }
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Assign every sample to one of `k` folds, stratified by label and grouped by read id.
 * Returns fold indices aligned with `samples`.
 */
export function kFoldIndices(samples: Sample[], k: number, seed = 0): number[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer >= 2, got ${k}`);
  const rng = mulberry32(seed);
  const foldOf = new Map<Sample, number>();
  let offset = 0;
  for (const stratum of groupStrata(samples)) {
    shuffleInPlace(stratum, rng);
    stratum.forEach((group, i) => {
      for (const s of group) foldOf.set(s, (i + offset) % k);
    });
    offset = (offset + stratum.length) % k;
  }
  return samples.map((s) => foldOf.get(s)!);
}

/** The train/validation rows of fold `fold`: samples of that fold are "test", the rest "train". */
export function foldSplit(samples: Sample[], folds: number[], fold: number): ManifestRow[] {
  return samples.map((s, i) => ({ ...s, split: folds[i] === fold ? "test" : "train" }));
}
