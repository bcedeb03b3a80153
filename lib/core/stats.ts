/**
 * Small statistics shared across stages: medians by selection (quickselect, expected linear
 * time: they run once per read on genome-scale inputs) rather than by sorting.
 * @module
 */

/** Median of some numbers (mean of the middle two for an even count); `empty` when there are none. */
export function median(v: ArrayLike<number>, empty = 0): number {
  if (v.length === 0) return empty;
  return medianInPlace(Float64Array.from(v));
}

/**
 * The k-th smallest value (0-based) of `v[0..n)`, reordering `v` in place: afterwards `v[k]`
 * holds it, smaller or equal values lie before it and greater or equal ones after it.
 * NaN is not allowed.
 */
export function selectKth(v: Float64Array, k: number, n: number = v.length): number {
  if (!(k >= 0 && k < n)) throw new RangeError(`selectKth: k ${k} outside [0, ${n})`);
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    // median of three as the pivot, moved to v[hi]
    const mid = (lo + hi) >> 1;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[mid] < v[hi]) swap(v, mid, hi);
    const pivot = v[hi];
    // Hoare-style partition around the pivot
    let i = lo - 1, j = hi;
    while (true) {
      do i++; while (v[i] < pivot);
      do j--; while (j > lo && v[j] > pivot);
      if (i >= j) break;
      swap(v, i, j);
    }
    swap(v, i, hi);
    if (i === k) return v[k];
    if (i < k) lo = i + 1;
    else hi = i - 1;
  }
  return v[k];
}

/** Swap two entries of an array. */
function swap(v: Float64Array, a: number, b: number): void {
  const t = v[a];
  v[a] = v[b];
  v[b] = t;
}

/**
 * Median of `v[0..n)` (0 when empty): the middle value, or the mean of the two middle ones when
 * `n` is even; `v` is reordered in place.
 */
export function medianInPlace(v: Float64Array, n: number = v.length): number {
  if (n === 0) return 0;
  const m = n >> 1;
  const upper = selectKth(v, m, n);
  if (n % 2) return upper;
  // the lower middle is the largest of the values before the upper one
  let lower = -Infinity;
  for (let i = 0; i < m; i++) if (v[i] > lower) lower = v[i];
  return (lower + upper) / 2;
}
