/**
 * The transparent coverage-rule baseline (the yacrd / Raven idea): a read is chimeric when an
 * internal region's coverage falls far below the read's median. The score is the depth of the
 * deepest dip between two higher shoulders, relative to the median (0: no dip, 1: coverage
 * falls to zero inside the read).
 * @module
 */

import type { Scratch } from "../core/scratch.ts";

/** Options of the coverage rule. */
export interface RuleOptions {
  /** Call chimeric when the score is at least this. */
  threshold?: number;
  /** A dip must be at least this many bins wide (narrower notches are ignored). */
  minDipBins?: number;
  /** Shoulders count up to this multiple of the median (spikes do not deepen dips). */
  shoulderCap?: number;
}

/**
 * Defaults of the coverage rule, chosen on reads simulated with planted chimeras and overlapped
 * by minimap2 -x ava-ont, where junction dips are 2+ bins wide. `deno test -A
 * tests/synth/synth_test.ts` prints the rule's recall and precision on such reads (round trip).
 */
export const RULE_DEFAULTS: Required<RuleOptions> = {
  threshold: 0.6,
  minDipBins: 2,
  shoulderCap: 1,
};

/** The rule's verdict on one curve. */
export interface RuleResult {
  /** Dip depth relative to the median (0..shoulderCap). */
  score: number;
  /** Bin at the bottom of the deepest dip (-1 when there is none). */
  at: number;
  /** Coverage at the bottom of the deepest dip (smoothed as the rule reads it; 0 if none). */
  floor: number;
  /** score >= threshold. */
  chimeric: boolean;
}

/**
 * Score a coverage curve: over the read's covered span, smooth with a running maximum of
 * `minDipBins` bins, cap values at shoulderCap x median, and take the largest
 * min(max left, max right) - value, divided by the median. `scratch` spares the allocations.
 */
export function ruleScore(
  data: ArrayLike<number>,
  median: number,
  opts: RuleOptions = {},
  scratch?: Scratch,
): RuleResult {
  const threshold = opts.threshold ?? RULE_DEFAULTS.threshold;
  let first = 0;
  let last = data.length - 1;
  while (first <= last && data[first] === 0) first++;
  while (last >= first && data[last] === 0) last--;
  if (median <= 0 || last - first < 2) return { score: 0, at: -1, floor: 0, chimeric: false };
  const n = last - first + 1;
  const cap = (opts.shoulderCap ?? RULE_DEFAULTS.shoulderCap) * median;
  // running maximum over a centred window [i - half, i + w - 1 - half], so a dip must be wider
  // than the window to count (w is a few bins: a direct scan beats a deque)
  const w = Math.max(1, Math.floor(opts.minDipBins ?? RULE_DEFAULTS.minDipBins));
  const s = scratch ? scratch.f64("rule.smooth", n) : new Float64Array(n);
  runningMax(data, first, n, w, cap, s);
  // the deepest min(max left, max right) - s[i], both maxima including i: two pointers from the
  // ends, each step settling the side with the lower maximum (its other maximum is at least as
  // high); ties go to the lower index, as a left-to-right scan would take the first
  let best = 0;
  let at = -1;
  let floor = 0;
  let lmax = 0, rmax = 0;
  for (let l = 0, r = n - 1; l <= r;) {
    if (s[l] > lmax) lmax = s[l];
    if (s[r] > rmax) rmax = s[r];
    const i = lmax <= rmax ? l++ : r--;
    const depth = (lmax <= rmax ? lmax : rmax) - s[i];
    if (depth > best || (depth === best && best > 0 && first + i < at)) {
      best = depth;
      at = first + i;
      floor = s[i];
    }
  }
  const score = best / median;
  return { score, at, floor, chimeric: score >= threshold };
}

/**
 * The running maximum of `data[first..first + n)` over centred windows of `w` bins (the window
 * of bin i is [i - floor(w / 2), i + w - 1 - floor(w / 2)], cut at the ends), capped at `cap`,
 * into `s`. Windows of one or two bins (the default) take one pass without an inner loop.
 */
function runningMax(
  data: ArrayLike<number>,
  first: number,
  n: number,
  w: number,
  cap: number,
  s: Float64Array,
): void {
  if (w <= 2) {
    let prev = data[first];
    for (let i = 0; i < n; i++) {
      const v = data[first + i];
      const m = w === 2 && prev > v ? prev : v;
      s[i] = m < cap ? m : cap;
      prev = v;
    }
    return;
  }
  const half = Math.floor(w / 2);
  for (let i = 0; i < n; i++) {
    const a = i - half < 0 ? 0 : i - half;
    const b = i + (w - 1 - half) > n - 1 ? n - 1 : i + (w - 1 - half);
    let m = data[first + a];
    for (let j = a + 1; j <= b; j++) {
      const v = data[first + j];
      if (v > m) m = v;
    }
    s[i] = m < cap ? m : cap;
  }
}
