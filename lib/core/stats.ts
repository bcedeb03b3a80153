/**
 * Small statistics shared across stages.
 * @module
 */

/** Median of some numbers (mean of the middle two for an even count); `empty` when there are none. */
export function median(v: ArrayLike<number>, empty = 0): number {
  const s = Float64Array.from(v).sort();
  if (s.length === 0) return empty;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
