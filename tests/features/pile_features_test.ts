import assert from "node:assert/strict";
import { join } from "node:path";
import { curveFromCoverage, PILEOGRAM_DEFAULTS, renderGrey } from "../../lib/overlaps/pileogram.ts";
import {
  packFeatures,
  PILE_ABS_CHANNELS,
  pileFeatures,
  pileInput,
  profileFromGrey,
  profileFromPile,
  typicalDepth,
  unpackFeatures,
} from "../../lib/features/pile_features.ts";
import { median } from "../../lib/core/stats.ts";
import { depthGroup, PileSource, speciesPrefix } from "../../lib/features/pile_source.ts";
import { decodeGrey } from "../../lib/core/image.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { HAS_REAL_DATA, REAL_DATA } from "../fixtures.ts";

/** A random pile: levels that jump now and then, a valley, sometimes above the y axis. */
function randomPile(rng: () => number): Uint32Array {
  const n = Math.floor(80 + rng() * 3000);
  const raw = new Uint32Array(n);
  let v = Math.floor(10 + rng() * 200);
  for (let i = 0; i < n; i++) {
    if (rng() < 0.05) v = Math.max(0, Math.min(400, v + Math.floor((rng() - 0.5) * 60)));
    raw[i] = v;
  }
  if (rng() < 0.5) raw.fill(5, Math.floor(n * 0.4), Math.floor(n * 0.45));
  return raw;
}

Deno.test("profile: a flat pile reads back at its coverage, 4/3 px per unit, on the 0-300 axis", () => {
  for (const level of [4, 30, 75, 150, 299]) {
    const curve = curveFromCoverage(new Uint32Array(200).fill(level));
    const img = renderGrey(curve);
    // the line's centre (midway between its anti-aliased edges): coverage 0 at y = 450, 300
    // at y = 50; its ink adds up to its width (1 pt = 1.39 px)
    const x = 300;
    const inked: [number, number][] = [];
    for (let y = 50; y < 450; y++) {
      const d = (255 - img.data[y * 750 + x]) / 226;
      if (d > 0.01) inked.push([y, d]);
    }
    const [[t, dt], [b, db]] = [inked[0], inked[inked.length - 1]];
    const centre = (t + 1 - dt + b + db) / 2;
    assert.ok(Math.abs(centre - (450 - level * 4 / 3)) < 0.02, `centre ${centre} at ${level}`);
    const width = inked.reduce((a, [, d]) => a + d, 0);
    assert.ok(Math.abs(width - 100 / 72) < 0.02, `line width ${width}`);
    const p = profileFromGrey(img);
    assert.ok(Math.abs(p.top[x - 94] - level) < 0.1, `top ${p.top[x - 94]} vs ${level}`);
    assert.ok(Math.abs(p.bottom[x - 94] - level) < 0.1, `bottom ${p.bottom[x - 94]} vs ${level}`);
    assert.deepEqual(profileFromPile(curve).top[x - 94], level);
  }
});

Deno.test("pile features: the same from the PNG and from the pile that drew it", () => {
  const rng = mulberry32(5);
  for (let t = 0; t < 20; t++) {
    const curve = curveFromCoverage(randomPile(rng));
    const fromPile = pileFeatures(profileFromPile(curve));
    const fromPng = pileFeatures(profileFromGrey(renderGrey(curve)));
    const k = PILE_ABS_CHANNELS.length;
    for (let i = 0; i < fromPile.abs.length; i++) {
      const ch = PILE_ABS_CHANNELS[i % k];
      const [a, b] = [fromPile.abs[i], fromPng.abs[i]];
      // top and bottom agree within the raster's precision (1.5 units = 2 px); flags exactly
      // and the flags exactly (clipped where the top is clearly off the axis maximum)
      const top = fromPile.abs[i - (i % k)];
      if (ch === "top" || ch === "bottom") assert.ok(Math.abs(a - b) <= 1.5, `${ch} ${a} vs ${b}`);
      else if (ch === "valid" || top < 298) {
        assert.equal(a, b, `${ch} at group ${Math.floor(i / k)}`);
      }
    }
    assert.ok(Math.abs(fromPile.median - fromPng.median) <= 1.5);
    // and a pile 3 units higher is told apart
    const higher = curveFromCoverage(curve.data.map((v) => (v > 0 ? v + 3 : 0)));
    const shifted = pileFeatures(profileFromPile(higher));
    assert.ok(shifted.abs.some((v, i) => i % k === 0 && Math.abs(v - fromPng.abs[i]) > 2));
  }
});

Deno.test("pile features: coverage above the axis is clipped, outside the read not valid", () => {
  const raw = new Uint32Array(420).fill(100);
  raw.fill(500, 100, 150);
  const curve = curveFromCoverage(raw);
  for (const p of [profileFromPile(curve), profileFromGrey(renderGrey(curve))]) {
    const f = pileFeatures(p);
    const groups = f.abs.length / 4;
    const clipped = Array.from({ length: groups }, (_, j) => f.abs[j * 4 + 3]);
    const valid = Array.from({ length: groups }, (_, j) => f.abs[j * 4 + 2]);
    assert.ok(clipped.some((v) => v === 1));
    assert.equal(Math.max(...Array.from({ length: groups }, (_, j) => f.abs[j * 4])), 300);
    // 420 bins: the x axis runs to 450, so the last groups are past the read
    assert.equal(valid[0], 1);
    assert.equal(valid[groups - 1], 0);
    assert.ok(Math.abs(f.median - 100) < 0.05, `median ${f.median}`);
  }
});

Deno.test("pileInput: coverage relative to D and to the read's median, capped", () => {
  const abs = new Float32Array([50, 25, 1, 0, 400, 100, 1, 1]);
  const x = pileInput({ abs, median: 50 }, 25);
  // top/D = 2 -> 2/4; bottom/D = 1 -> 0.25; valid; clipped; top/median = 1 -> 0.25
  assert.deepEqual([...x.slice(0, 5)], [0.5, 0.25, 1, 0, 0.25]);
  // 400/25 = 16 capped at 8 -> 2; 100/25 = 4 -> 1; 400/50 = 8 -> 2
  assert.deepEqual([...x.slice(5)], [2, 1, 1, 1, 2]);
  // no depth: relative channels are 0
  assert.deepEqual([...pileInput({ abs, median: 0 }, 0).slice(0, 5)], [0, 0, 1, 0, 0]);
});

Deno.test("typicalDepth and median: the median of positive medians", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([]), 0);
  assert.equal(typicalDepth([0, 40, 10, 0, 30]), 30);
  assert.equal(typicalDepth([0, 0]), 0);
});

Deno.test("packFeatures round trip; a stored form of another length is refused", () => {
  const f = { abs: new Float32Array(145 * 4).map((_, i) => i), median: 42 };
  assert.deepEqual(unpackFeatures(packFeatures(f), 145), f);
  assert.equal(unpackFeatures(packFeatures(f), 100), null);
});

Deno.test("profileFromGrey: a chart of another size or without a line is a clear error", () => {
  assert.throws(
    () => profileFromGrey({ width: 100, height: 80, data: new Uint8Array(8000) }, {}, "x.png"),
    /x.png: image is 100x80, not a 750x500 pile-o-gram/,
  );
  const white = { width: 750, height: 500, data: new Uint8Array(750 * 500).fill(255) };
  assert.throws(() => profileFromGrey(white, {}, "w.png"), /w.png: no curve found/);
});

Deno.test("depthGroup: species prefix, else folder", () => {
  assert.equal(depthGroup("/d/chimeric/bs_123.png"), "prefix:bs");
  assert.equal(depthGroup("/d/regular/bs_9.png"), "prefix:bs");
  assert.equal(depthGroup("/d/x/read.png"), "dir:/d/x");
  assert.equal(speciesPrefix("/d/chimeric/bs_123.png"), "bs");
  assert.equal(speciesPrefix("/d/x_y/read.png"), null, "the folder's name does not count");
});

Deno.test("PileSource: D per species group from the files used together", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { encodePng, renderRgba } = await import("../../lib/overlaps/pileogram.ts");
    const paths: string[] = [];
    const levels: Record<string, number[]> = { aa: [20, 30, 40], bb: [100, 200, 120] };
    for (const [sp, ls] of Object.entries(levels)) {
      for (const [i, l] of ls.entries()) {
        const curve = curveFromCoverage(new Uint32Array(300).fill(l));
        const p = join(dir, `${sp}_${i}.png`);
        await Deno.writeFile(p, await encodePng(renderRgba(curve), 750, 500));
        paths.push(p);
      }
    }
    const src = new PileSource();
    const { images, problems } = await src.getMany(paths);
    assert.equal(problems.length, 0);
    assert.ok(Math.abs(src.depthOf(paths[0])! - 30) < 0.2);
    assert.ok(Math.abs(src.depthOf(paths[3])! - 120) < 0.2);
    // the aa read at 40 sits at 4/3 D: channel top_d = (4/3) / 4
    assert.ok(Math.abs(images[2]![0] - 40 / 30 / 4) < 0.01);
    // a flat read is at its own median everywhere: top_read = 1/4
    assert.ok(Math.abs(images[2]![4] - 0.25) < 0.01);
    assert.deepEqual(src.shape, [145, 5]);
    assert.deepEqual(src.flip(src.flip(images[1]!)), images[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "real charts: flat stretches sit at whole coverage units on the 0-300 axis",
  ignore: !HAS_REAL_DATA,
  fn: async () => {
    // Under a 0-300 axis (4/3 px per unit) the line's flat stretches read back at integers;
    // a chart scaled to 3x its median would put them anywhere between.
    let near = 0, all = 0;
    for (const cls of ["regular", "repeat", "chimeric"]) {
      const files = [...Deno.readDirSync(join(REAL_DATA, cls))].map((e) => e.name).sort()
        .slice(0, 15);
      for (const f of files) {
        const p = profileFromGrey(await decodeGrey(join(REAL_DATA, cls, f)));
        for (let c = 1; c + 1 < p.top.length; c++) {
          const v = p.top[c];
          // flat: the same reading across three columns, top = bottom
          if (!(v > 4 && v < 290) || p.top[c - 1] !== v || p.top[c + 1] !== v) continue;
          if (Math.abs(p.bottom[c] - v) > 0.01) continue;
          all++;
          if (Math.abs(v - Math.round(v)) < 0.2) near++;
        }
      }
    }
    assert.ok(all > 1000, `${all} flat columns`);
    assert.ok(near / all > 0.9, `${near} of ${all} flat columns at whole units`);
  },
});

Deno.test("PILEOGRAM_DEFAULTS: Raven's valid region and the fixed axis", () => {
  assert.equal(PILEOGRAM_DEFAULTS.validMinCoverage, 4);
  assert.equal(PILEOGRAM_DEFAULTS.minValidBins, 78);
  assert.equal(PILEOGRAM_DEFAULTS.yMax, 300);
});
