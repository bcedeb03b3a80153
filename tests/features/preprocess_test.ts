import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { listDataset } from "../../lib/data/dataset.ts";
import {
  flipHorizontal,
  ImageCache,
  loadImage,
  resizeGrey,
} from "../../lib/features/preprocess.ts";
import { decodeGrey, toGreyOnWhite } from "../../lib/core/image.ts";
import { type FeatureSource } from "../../lib/features/source.ts";
import { batches } from "../../lib/features/batches.ts";
import { UserError } from "../../lib/core/errors.ts";
import {
  chartSvg,
  fixtureCurve,
  HAS_REAL_DATA,
  makeDataset,
  REAL_DATA,
  svgToPng,
  tempDir,
} from "../fixtures.ts";
import { mulberry32 } from "../../lib/core/random.ts";

async function chartFile(dir: string, name = "c.png"): Promise<string> {
  const path = join(dir, name);
  await Deno.writeFile(path, await svgToPng(chartSvg(fixtureCurve("chimeric", mulberry32(1)))));
  return path;
}

Deno.test("loadImage gives size*size floats in [0,1]: white background near 1, ink darker", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = await chartFile(dir);
    for (const resize of ["area", "nearest"] as const) {
      const img = await loadImage(path, { size: 64, resize });
      assert.equal(img.length, 64 * 64);
      assert.ok(img.every((v) => v >= 0 && v <= 1));
      assert.equal(img[0], 1);
      assert.ok(Math.min(...img) < 0.95, `${resize} keeps some ink`);
    }
  } finally {
    await cleanup();
  }
});

Deno.test("area resize averages exactly; nearest picks pixels", () => {
  // 4x2 image: left half black, right half white -> 2x2 area = [0, 1; 0, 1].
  const img = { width: 4, height: 2, data: new Uint8Array([0, 0, 255, 255, 0, 0, 255, 255]) };
  assert.deepEqual([...resizeGrey(img, 2, "area")], [0, 1, 0, 1]);
  // 1-pixel dark line in a 4x4 image: area keeps it as grey, nearest may lose it.
  const line = { width: 4, height: 4, data: new Uint8Array(16).fill(255) };
  line.data[0] = 0;
  const area = resizeGrey(line, 2, "area");
  assert.equal(area[0], 0.75);
  assert.deepEqual([...resizeGrey(line, 2, "nearest")], [1, 1, 1, 1]);
});

Deno.test("toGreyOnWhite uses PIL weights and flattens alpha onto white", () => {
  assert.deepEqual([...toGreyOnWhite(new Uint8Array([0, 0, 255, 255]), 1, 4)], [29]);
  assert.deepEqual([...toGreyOnWhite(new Uint8Array([0, 0, 0, 0]), 1, 4)], [255]);
  assert.deepEqual([...toGreyOnWhite(new Uint8Array([100, 255]), 1, 2)], [100]);
  assert.deepEqual([...toGreyOnWhite(new Uint8Array([7]), 1, 1)], [7]);
});

Deno.test("flipHorizontal mirrors rows and is its own inverse", () => {
  const img = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...flipHorizontal(img, 3)], [3, 2, 1, 6, 5, 4, 9, 8, 7]);
  assert.deepEqual(flipHorizontal(flipHorizontal(img, 3), 3), img);
});

Deno.test("images of other sizes, bit depths and channel layouts decode", async () => {
  const grey16 = await sharp({
    create: { width: 40, height: 30, channels: 3, background: "#808080" },
  })
    .greyscale().png({ force: true }).toColourspace("grey16").toBuffer();
  const rgb = await sharp({
    create: { width: 100, height: 60, channels: 3, background: "#000000" },
  }).png()
    .toBuffer();
  const palette = await sharp({
    create: { width: 20, height: 20, channels: 3, background: "#ff0000" },
  })
    .png({ palette: true }).toBuffer();
  const jpeg = await sharp({
    create: { width: 20, height: 20, channels: 3, background: "#ffffff" },
  }).jpeg()
    .toBuffer();
  for (const [name, buf] of Object.entries({ grey16, rgb, palette, jpeg })) {
    const g = await decodeGrey(new Uint8Array(buf), name);
    assert.ok(g.width > 0 && g.data.length === g.width * g.height, name);
  }
  assert.equal((await decodeGrey(new Uint8Array(grey16))).data[0], 128);
  assert.equal((await decodeGrey(new Uint8Array(rgb))).data[0], 0);
});

Deno.test("bad input: missing, folder, zero-byte, non-image, truncated PNG each name the file", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const good = await chartFile(dir);
    const bytes = await Deno.readFile(good);
    await Deno.writeFile(join(dir, "zero.png"), new Uint8Array());
    await Deno.writeTextFile(join(dir, "text.png"), "this is not a png");
    await Deno.writeFile(join(dir, "trunc.png"), bytes.slice(0, Math.floor(bytes.length / 2)));
    const cases: [string, RegExp][] = [
      [join(dir, "missing.png"), /missing\.png: file not found/],
      [join(dir, "zero.png"), /zero\.png: empty file/],
      [join(dir, "text.png"), /text\.png: not a readable PNG\/JPEG image/],
      [join(dir, "trunc.png"), /trunc\.png: not a readable PNG\/JPEG image/],
    ];
    for (const [path, re] of cases) {
      await assert.rejects(loadImage(path), (e: Error) => {
        assert.ok(e instanceof UserError, path);
        assert.match(e.message, re);
        return true;
      });
    }
  } finally {
    await cleanup();
  }
});

Deno.test("cache: memory hits, then disk hits in a new cache, same pixels as a fresh decode", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = await chartFile(dir);
    const cacheDir = join(dir, "cache");
    const a = new ImageCache({ size: 32, dir: cacheDir });
    const first = await a.get(path);
    await a.get(path);
    assert.deepEqual(a.stats, { memoryHits: 1, diskHits: 0, decoded: 1 });
    const b = new ImageCache({ size: 32, dir: cacheDir });
    const fromDisk = await b.get(path);
    assert.deepEqual(b.stats, { memoryHits: 0, diskHits: 1, decoded: 0 });
    assert.deepEqual(fromDisk, first);
    const fresh = await loadImage(path, { size: 32 });
    assert.ok(fresh.every((v, i) => Math.abs(v - first[i]) <= 0.5 / 255 + 1e-6));
    const other = new ImageCache({ size: 32, resize: "nearest", dir: cacheDir });
    await other.get(path);
    assert.equal(other.stats.decoded, 1, "options are part of the key");
  } finally {
    await cleanup();
  }
});

Deno.test("cache: memory holds at most memoryBytes, dropping the least recently used", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const [a, b, c] = await Promise.all(["a.png", "b.png", "c.png"].map((n) => chartFile(dir, n)));
    const cache = new ImageCache({ size: 32, memoryBytes: 2 * 32 * 32 }); // room for two
    for (const p of [a, b, a, c]) await cache.get(p); // c drops b (a was used after b)
    assert.deepEqual(cache.stats, { memoryHits: 1, diskHits: 0, decoded: 3 });
    assert.equal(cache.memoryUsed, 2 * 32 * 32);
    await cache.get(a);
    await cache.get(c);
    assert.deepEqual(cache.stats, { memoryHits: 3, diskHits: 0, decoded: 3 });
    await cache.get(b);
    assert.deepEqual(cache.stats, { memoryHits: 3, diskHits: 0, decoded: 4 }, "b was dropped");
    const none = new ImageCache({ size: 32, memoryBytes: 0 });
    await none.get(a);
    await none.get(a);
    assert.deepEqual(none.stats, { memoryHits: 0, diskHits: 0, decoded: 2 });
    assert.equal(none.memoryUsed, 0);
  } finally {
    await cleanup();
  }
});

Deno.test("batches: shifts only where the source can shift, by at most the limit", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(dir, 2);
    const { samples } = await listDataset(dir);
    const base = new ImageCache({ size: 8 });
    const shifts: number[] = [];
    const source: FeatureSource = {
      shape: base.shape,
      getMany: (paths) => base.getMany(paths),
      flip: (x) => x,
      fromGrey: (img) => base.fromGrey(img),
      shift: (x, by) => {
        shifts.push(by);
        return x;
      },
    };
    const opts = { batchSize: 3, epochs: 3, seed: 2, shift: 2 };
    for await (const _ of batches(samples, source, opts));
    assert.ok(
      shifts.length > 0 && shifts.every((by) => by !== 0 && Math.abs(by) <= 2),
      `${shifts}`,
    );
    const first = [...shifts];
    shifts.length = 0;
    for await (const _ of batches(samples, source, opts));
    assert.deepEqual(shifts, first, "seeded");
    shifts.length = 0;
    for await (const _ of batches(samples, source, { ...opts, shift: 0 }));
    assert.equal(shifts.length, 0);
    // The image pipeline has no shift: asking for one changes nothing.
    const plain = [];
    for await (const b of batches(samples, base, { ...opts, shift: 3 })) plain.push(b.x);
    const none = [];
    for await (const b of batches(samples, base, { ...opts, shift: 0 })) none.push(b.x);
    assert.deepEqual(plain, none);
  } finally {
    await cleanup();
  }
});

Deno.test("batches: shuffled, one-hot, seeded; bad images reported once and skipped", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(dir, 4);
    await Deno.writeFile(join(dir, "regular", "broken.png"), new Uint8Array([137, 80, 78, 71]));
    const { samples } = await listDataset(dir);
    const cache = new ImageCache({ size: 16 });
    const problems: string[] = [];
    const seen: string[] = [];
    for await (
      const b of batches(samples, cache, {
        batchSize: 5,
        epochs: 2,
        seed: 1,
        onProblem: (p) => problems.push(p.path),
      })
    ) {
      assert.equal(b.x.length, b.n * 16 * 16);
      assert.ok(b.n <= 5);
      assert.equal(b.y.length, b.n * 2);
      for (let i = 0; i < b.n; i++) assert.equal(b.y[2 * i] + b.y[2 * i + 1], 1);
      seen.push(...b.paths);
    }
    assert.equal(problems.length, 1);
    assert.match(problems[0], /broken\.png$/);
    assert.equal(seen.length, 24);
    assert.equal(new Set(seen.slice(0, 12)).size, 12);
    // Resuming at a step yields exactly the batches a full run yields from there.
    const all = [];
    for await (const b of batches(samples, cache, { batchSize: 5, epochs: 2, seed: 1 })) {
      all.push(b);
    }
    const resumed = [];
    for await (
      const b of batches(samples, cache, { batchSize: 5, epochs: 2, seed: 1, startStep: 4 })
    ) {
      resumed.push(b);
    }
    assert.deepEqual(resumed, all.slice(4));
    const order = async (seed: number) => {
      const p: string[] = [];
      for await (const b of batches(samples, cache, { batchSize: 4, seed })) p.push(...b.paths);
      return p;
    };
    assert.deepEqual(await order(3), await order(3));
    assert.notDeepEqual(await order(3), await order(4));
  } finally {
    await cleanup();
  }
});

Deno.test({
  name:
    "real data: a sample of real charts preprocesses to 224x224 with the line kept by area resize",
  ignore: !HAS_REAL_DATA,
  fn: async () => {
    const { samples } = await listDataset(REAL_DATA);
    for (const s of samples.filter((_, i) => i % 2100 === 0)) {
      const area = await loadImage(s.path);
      const nearest = await loadImage(s.path, { resize: "nearest" });
      assert.equal(area.length, 224 * 224);
      const ink = (img: Float32Array) => img.reduce((a, v) => a + (1 - v), 0);
      assert.ok(ink(area) > 0, s.path);
      assert.ok(area.some((v) => v < 0.95), s.path);
      // Nearest drops parts of the thin line that area averaging keeps, in the same total ink.
      const columnsWithLine = (img: Float32Array) =>
        Array.from({ length: 224 }, (_, x) => x).filter((x) =>
          Array.from({ length: 224 }, (_, y) => img[y * 224 + x]).some((v) => v < 0.95)
        ).length;
      assert.ok(columnsWithLine(area) > columnsWithLine(nearest), s.path);
      assert.ok(Math.abs(ink(area) - ink(nearest)) < 0.25 * ink(area), s.path);
    }
  },
});
