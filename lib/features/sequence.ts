/**
 * Transforms of the 1-D model inputs ([columns, channels], column-major by position: the pile
 * of lib/features/pile_features.ts and the chart line of lib/features/chart_line.ts): mirror
 * and shift, for flip augmentation, flip-averaged prediction and shift augmentation.
 * @module
 */

/** Mirror a sequence input left-right (`columns` positions of `channels` values; returns a new array). */
export function flipSequence(
  x: Float32Array,
  columns: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(x.length);
  for (let j = 0; j < columns; j++) {
    const s = (columns - 1 - j) * channels;
    for (let c = 0; c < channels; c++) out[j * channels + c] = x[s + c];
  }
  return out;
}

/**
 * Move a sequence input `by` columns along the read (positive: to the right), filling the columns it
 * leaves with zeros (no read there); returns a new array.
 */
export function shiftSequence(
  x: Float32Array,
  by: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(x.length);
  const d = Math.trunc(by) * channels;
  if (Math.abs(d) >= x.length) return out;
  if (d >= 0) out.set(x.subarray(0, x.length - d), d);
  else out.set(x.subarray(-d));
  return out;
}
