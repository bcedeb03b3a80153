import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import {
  chartInk,
  chartSvg,
  coverage,
  curveFromCoverage,
  medianCoverage,
  niceAxisMax,
  pileCurve,
  renderGrey,
  renderPng,
  validRegion,
} from "../../lib/overlaps/pileogram.ts";
import { HAS_REAL_DATA, REAL_DATA } from "../fixtures.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { Scratch } from "../../lib/core/scratch.ts";

Deno.test("coverage: 16 bp bins, each interval shrunk by one bin at each end", () => {
  // 10 bins; [0,160) covers bins 1..8; [32,100) covers bins 3..4; [150,160) covers nothing
  assert.deepEqual(
    [...coverage(160, [0, 160, 32, 100, 150, 160])],
    [0, 1, 1, 2, 2, 1, 1, 1, 1, 0],
  );
  // bins past the read end are dropped; reversed or empty intervals add nothing
  assert.deepEqual([...coverage(64, [0, 1000, 40, 20])], [0, 1, 1, 1]);
  assert.equal(coverage(15, [0, 15]).length, 0);
  // the sweep equals the naive per-bin count
  const iv: number[] = [];
  let x = 7;
  for (let k = 0; k < 200; k++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const a = x % 5000;
    iv.push(a, a + (x >> 8) % 3000);
  }
  const fast = coverage(6000, iv);
  for (let b = 0; b < fast.length; b++) {
    let n = 0;
    for (let k = 0; k < iv.length; k += 2) {
      if (b >= (iv[k] >> 4) + 1 && b < (iv[k + 1] >> 4) - 1) n++;
    }
    assert.equal(fast[b], n, `bin ${b}`);
  }
});

Deno.test("medianCoverage: counting (coverage), selection (others) and scratch give one answer", () => {
  const rng = mulberry32(11);
  const scratch = new Scratch();
  for (let t = 0; t < 200; t++) {
    const n = 1 + Math.floor(rng() * 60);
    // small counts (counted), or one huge outlier among them (selected: max > 4 x length)
    const v = Uint32Array.from({ length: n }, () => Math.floor(rng() * 30));
    if (t % 3 === 0) v[Math.floor(rng() * n)] = 100_000;
    const begin = Math.floor(rng() * n), end = begin + Math.floor(rng() * (n - begin + 1));
    const sorted = [...v.subarray(begin, end)].sort((a, b) => a - b);
    const want = end > begin ? sorted[(end - begin) >> 1] : 0;
    assert.equal(medianCoverage(v, begin, end), want, `case ${t}`);
    assert.equal(medianCoverage(v, begin, end, scratch), want, `case ${t}, scratch`);
    assert.equal(medianCoverage([...v], begin, end), want, `case ${t}, plain array`);
  }
});

Deno.test("validRegion, median, and curve from coverage", () => {
  assert.deepEqual(validRegion([0, 5, 5, 1, 6, 6, 6, 0], 4), [4, 7]);
  assert.deepEqual(validRegion([0, 1], 4), [0, 0]);
  assert.equal(medianCoverage([5, 1, 3, 2]), 3); // upper median, as Raven's nth_element
  assert.equal(medianCoverage([]), 0);
  const c = curveFromCoverage(Uint32Array.from([0, 5, 5, 1, 6, 6, 6, 0]), { validMinCoverage: 4 });
  assert.deepEqual([...c.data], [0, 0, 0, 0, 6, 6, 6, 0]);
  // the fixed 0-300 axis; a 3-bin run is shorter than Raven's 78 bins: not a valid pile
  assert.deepEqual([c.begin, c.end, c.median, c.yMax, c.valid], [4, 7, 6, 300, false]);
  const raw = Uint32Array.from([0, 5, 5, 1, 6, 6, 6, 0]);
  const d = curveFromCoverage(raw, { validMinCoverage: 0 });
  assert.equal(d.median, 5);
  // by default the valid-region step applies, on a copy: the raw pile is left as it was
  assert.deepEqual([...curveFromCoverage(raw).data], [0, 0, 0, 0, 6, 6, 6, 0]);
  assert.deepEqual([...raw], [0, 5, 5, 1, 6, 6, 6, 0]);
  const long = new Uint32Array(100).fill(9);
  assert.equal(curveFromCoverage(long).valid, true);
  assert.equal(curveFromCoverage(long.subarray(0, 77).slice()).valid, false);
  assert.equal(curveFromCoverage(long.subarray(0, 78).slice()).valid, true);
});

Deno.test("niceAxisMax rounds like matplotlib 1.x autoscaling", () => {
  assert.equal(niceAxisMax(1000), 1000);
  assert.equal(niceAxisMax(1001), 1200);
  assert.equal(niceAxisMax(2001), 2500);
  assert.equal(niceAxisMax(99), 100);
  assert.equal(niceAxisMax(730), 800);
});

/** A plateau curve of `n` bins at `level`, with optional spike. */
function plateau(n: number, level: number, spike = 0): ReturnType<typeof pileCurve> {
  const raw = new Uint32Array(n).fill(level);
  raw.fill(0, 0, Math.floor(n / 20));
  raw[n - 1] = 0;
  if (spike) raw.fill(spike, Math.floor(n / 2), Math.floor(n / 2) + 20);
  return curveFromCoverage(raw);
}

Deno.test("renderPng: 750x500 RGBA, opaque white, blue ink in the axes box, y clipped", async () => {
  const curve = plateau(1002, 10, 1000);
  const png = await renderPng(curve);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [750, 500, 4]);
  let minX = 1e9, maxX = -1, minY = 1e9, maxY = -1;
  for (let y = 0; y < 500; y++) {
    for (let x = 0; x < 750; x++) {
      const i = (y * 750 + x) * 4;
      assert.equal(data[i + 3], 255);
      assert.equal(data[i + 2], 255, "blue channel is always full");
      assert.equal(data[i], data[i + 1]);
      if (data[i] < 255) {
        minX = Math.min(minX, x), maxX = Math.max(maxX, x);
        minY = Math.min(minY, y), maxY = Math.max(maxY, y);
      }
    }
  }
  // as measured on the real images: ink from x=94, zero line in row 449, clip at row 50
  assert.deepEqual([minX, minY, maxY], [94, 50, 449]);
  // bins 0..1001 on an axis rounded up to 1200: the line ends 5/6 of the way across
  assert.ok(Math.abs(maxX - (93.75 + 581.25 * 1001 / 1200)) <= 1.5, `maxX ${maxX}`);
  // the plateau at 10 on the fixed 0-300 axis is a 1.39 px line around y = 450 - 10 * 4/3
  const col = 300;
  const rows: number[] = [];
  for (let y = 0; y < 500; y++) if (data[(y * 750 + col) * 4] < 255) rows.push(y);
  assert.deepEqual(rows, [435, 436, 437]); // centre 436.67, half width 0.69
  const inkSum = rows.reduce((s, y) => s + 1 - data[(y * 750 + col) * 4] / 255, 0);
  assert.ok(Math.abs(inkSum - 100 / 72) < 0.05, `line width ${inkSum}`);
  // the zero line is half clipped, like the real images (value 77 in row 449)
  const z = data[(449 * 750 + 100) * 4];
  assert.ok(Math.abs(z - 77) <= 2, `zero line ${z}`);
});

Deno.test("chart ink and grey are consistent; SVG is well formed", () => {
  const c = plateau(500, 8);
  const ink = chartInk(c);
  const grey = renderGrey(c);
  assert.equal(grey.data.length, 750 * 500);
  // Ink c is drawn as RGB (v, v, 255) with v = round(255 (1 - c)); grey by the PIL weights.
  let inked = 0;
  for (let i = 0; i < ink.length; i++) {
    const v = Math.round(255 * (1 - ink[i]));
    const expect = ink[i] > 0 ? (v * (19595 + 38470) + 255 * 7471 + 0x8000) >> 16 : 255;
    if (grey.data[i] !== expect) assert.fail(`pixel ${i}: ink ${ink[i]}, grey ${grey.data[i]}`);
    if (ink[i] > 0) inked++;
  }
  assert.ok(inked > 500, `${inked} inked pixels`);
  assert.match(chartSvg(c), /^<svg .*<polyline .*<\/svg>$/s);
});

Deno.test({
  name: "renderPng matches the geometry of real images (zero line, left edge)",
  ignore: !HAS_REAL_DATA,
  fn: async () => {
    const f = join(REAL_DATA, "regular", [...Deno.readDirSync(join(REAL_DATA, "regular"))][0].name);
    const { data, info } = await sharp(f).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [750, 500]);
    let minX = 1e9, maxY = -1;
    for (let y = 0; y < 500; y++) {
      for (let x = 0; x < 750; x++) {
        if (data[(y * 750 + x) * info.channels] < 250) {
          minX = Math.min(minX, x);
          maxY = Math.max(maxY, y);
        }
      }
    }
    assert.deepEqual([minX, maxY], [94, 449]);
  },
});
