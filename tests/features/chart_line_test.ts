import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import {
  chartBox,
  LEVEL_CAP,
  LINE_CHANNEL_COUNT,
  LINE_DEFAULTS,
  lineFromGrey,
  LineSource,
  loadLine,
} from "../../lib/features/chart_line.ts";
import { flipSequence, shiftSequence } from "../../lib/features/sequence.ts";
import { UserError } from "../../lib/core/errors.ts";
import { HAS_REAL_DATA, REAL_DATA as REAL } from "../fixtures.ts";

const W = 750;
const H = 500;
const box = chartBox(W, H);

/** A Raven-like chart: a 1-px blue polyline through (column, height 0..1 of the box) points. */
async function chart(points: [number, number][], opts: { w?: number; h?: number } = {}) {
  const w = opts.w ?? W;
  const h = opts.h ?? H;
  const b = chartBox(w, h);
  // Pixel centres: column c is x = c + 0.5, the zero row is y = zeroRow + 0.5.
  const pts = points.map(([c, v]) => `${c + 0.5},${b.zeroRow + 0.5 - v * (b.zeroRow - b.clipRow)}`)
    .join(" ");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<polyline points="${pts}" fill="none" stroke="blue" stroke-width="1"/></svg>`;
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

const at = (x: Float32Array, j: number, ch: number) => x[j * LINE_CHANNEL_COUNT + ch];
/** Output column (of the default count) whose group of box columns holds image column `c`. */
const col = (c: number) => {
  const span = box.x1 - box.x0;
  let j = 0;
  while (Math.floor(((j + 1) * span) / LINE_DEFAULTS.columns) <= c - box.x0) j++;
  return j;
};

Deno.test("chartBox: Raven's 750x500 layout", () => {
  assert.deepEqual(box, { x0: 94, x1: 675, zeroRow: 449, clipRow: 50 });
});

Deno.test("curve of a plateau: heights, span and padding", async () => {
  const png = await chart([[94, 0], [150, 0], [150, 0.5], [500, 0.5], [500, 0], [600, 0]]);
  const x = await loadLine(png);
  assert.equal(x.length, LINE_DEFAULTS.columns * LINE_CHANNEL_COUNT);
  for (const j of [col(200), col(300), col(450)]) {
    assert.ok(Math.abs(at(x, j, 0) - 0.5) < 0.01, `top ${at(x, j, 0)}`);
    assert.ok(Math.abs(at(x, j, 1) - 0.5) < 0.01, `bottom ${at(x, j, 1)}`);
    assert.equal(at(x, j, 2), 1);
    assert.equal(at(x, j, 3), 0);
    assert.ok(Math.abs(at(x, j, 4) - 1 / LEVEL_CAP) < 0.01, `level ${at(x, j, 4)}`);
  }
  // The vertical step at column 150 spans 0..0.5; flat zero ends keep the read's span valid.
  assert.ok(at(x, col(150), 0) > 0.49 && at(x, col(150), 1) < 0.01);
  assert.ok(at(x, col(120), 0) < 0.01 && at(x, col(120), 2) === 1);
  assert.ok(at(x, col(560), 2) === 1);
  // After the read's last column: padding.
  for (const ch of [0, 1, 2, 3]) assert.equal(at(x, col(650), ch), 0);
});

Deno.test("curve above the clip value is marked clipped at height 1", async () => {
  const png = await chart([[94, 0], [100, 0.3], [300, 0.3], [320, 1.5], [360, 1.5], [380, 0.3], [
    600,
    0.3,
  ]]);
  const x = await loadLine(png);
  const j = col(340);
  assert.equal(at(x, j, 3), 1);
  assert.equal(at(x, j, 0), 1);
  assert.equal(at(x, j, 1), 1);
  assert.equal(at(x, j, 2), 1);
  assert.equal(at(x, col(200), 3), 0);
});

Deno.test("curve of a smaller chart is read in the same box fractions", async () => {
  const w = 600;
  const h = 400;
  const b = chartBox(w, h);
  const png = await chart([[b.x0, 0.25], [b.x1 - 1, 0.25]], { w, h });
  const x = await loadLine(png, { columns: 100 });
  assert.equal(x.length, 100 * LINE_CHANNEL_COUNT);
  for (const j of [0, 50, 99]) assert.ok(Math.abs(at(x, j, 0) - 0.25) < 0.02);
});

Deno.test("lineFromGrey on a raster: exact heights, pooled top/bottom", () => {
  const data = new Uint8Array(W * H).fill(255);
  for (let c = box.x0; c < box.x1; c++) data[249 * W + c] = 0; // height 200/399
  data[100 * W + box.x0] = 0; // column pair 0: a second, higher pixel
  const x = lineFromGrey({ width: W, height: H, data });
  assert.ok(Math.abs(at(x, 0, 0) - 349 / 399) < 1e-6);
  assert.ok(Math.abs(at(x, 0, 1) - 200 / 399) < 1e-6);
  assert.ok(Math.abs(at(x, 5, 0) - 200 / 399) < 1e-6);
  assert.equal(at(x, LINE_DEFAULTS.columns - 1, 2), 1);
  // level: top over the median top (200/399 almost everywhere), divided by LEVEL_CAP.
  assert.ok(Math.abs(at(x, 5, 4) - 1 / LEVEL_CAP) < 1e-6);
  assert.ok(Math.abs(at(x, 0, 4) - 349 / 200 / LEVEL_CAP) < 1e-6);
  assert.throws(
    () => lineFromGrey({ width: W, height: H, data: new Uint8Array(W * H).fill(255) }, {}, "x.png"),
    /^UserError: x.png: no curve/,
  );
});

Deno.test("flipSequence mirrors columns and is its own inverse", () => {
  const x = Float32Array.from({ length: 3 * 4 }, (_, i) => i);
  const f = flipSequence(x, 3, 4);
  assert.deepEqual([...f.slice(0, 4)], [8, 9, 10, 11]);
  assert.deepEqual([...flipSequence(f, 3, 4)], [...x]);
  const c = Float32Array.from({ length: 2 * LINE_CHANNEL_COUNT }, (_, i) => i);
  assert.deepEqual([...flipSequence(c, 2, 5)], [5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
});

Deno.test("shiftSequence moves whole columns along the read and fills with zeros", () => {
  const x = Float32Array.from({ length: 4 * 2 }, (_, i) => i + 1);
  assert.deepEqual([...shiftSequence(x, 1, 2)], [0, 0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...shiftSequence(x, -2, 2)], [5, 6, 7, 8, 0, 0, 0, 0]);
  assert.deepEqual([...shiftSequence(x, 0, 2)], [...x]);
  assert.deepEqual([...shiftSequence(x, 9, 2)], new Array(8).fill(0));
  assert.equal(x[0], 1, "input unchanged");
});

Deno.test("bad images: UserError naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const blank = join(dir, "blank.png");
    await Deno.writeFile(blank, await chart([]));
    const text = join(dir, "notes.png");
    await Deno.writeTextFile(text, "not an image");
    const tiny = join(dir, "tiny.png");
    await Deno.writeFile(tiny, await chart([[1, 0.5], [5, 0.5]], { w: 16, h: 16 }));
    for (
      const [p, why] of [
        [blank, /no curve found/],
        [text, /not a readable/],
        [tiny, /too small/],
        [join(dir, "missing.png"), /not found/],
      ] as const
    ) {
      await assert.rejects(() => loadLine(p), (e: Error) => {
        assert.ok(e instanceof UserError);
        assert.ok(e.message.startsWith(p), e.message);
        assert.match(e.message, why);
        return true;
      });
    }
    const good = join(dir, "good.png");
    await Deno.writeFile(good, await chart([[94, 0.4], [600, 0.4]]));
    const src = new LineSource({ dir: join(dir, "cache") });
    assert.deepEqual(src.shape, [LINE_DEFAULTS.columns, LINE_CHANNEL_COUNT]);
    const { images, problems } = await src.getMany([good, blank, text]);
    assert.ok(images[0] instanceof Float32Array && images[1] === null && images[2] === null);
    assert.deepEqual(problems.map((p) => p.path).sort(), [blank, text].sort());
    // Disk cache: a fresh source reads the same curve back.
    const fresh = new LineSource({ dir: join(dir, "cache") });
    const again = await fresh.get(good);
    assert.deepEqual([...again], [...images[0]!]);
    assert.deepEqual(fresh.stats, { memoryHits: 0, diskHits: 1, decoded: 0 });
    // fromGrey gives the curve of an image decoded elsewhere (charts drawn from overlaps).
    const grey = await sharp(await Deno.readFile(good)).flatten({ background: "#fff" })
      .greyscale().raw().toBuffer({ resolveWithObject: true });
    const direct = src.fromGrey(
      { width: grey.info.width, height: grey.info.height, data: new Uint8Array(grey.data) },
      "drawn",
    );
    assert.deepEqual([...direct], [...again]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "real pile-o-grams: curves start at the box edge and stay in range",
  ignore: !HAS_REAL_DATA,
  async fn() {
    for (const cls of ["chimeric", "regular", "repeat"]) {
      const names: string[] = [];
      for await (const e of Deno.readDir(join(REAL, cls))) {
        names.push(e.name);
        if (names.length >= 5) break;
      }
      for (const n of names) {
        const x = await loadLine(join(REAL, cls, n));
        assert.equal(at(x, 0, 2), 1, `${cls}/${n}: read starts at the left edge`);
        for (const v of x) assert.ok(v >= 0 && v <= 1);
        for (let j = 0; j < LINE_DEFAULTS.columns; j++) {
          assert.ok(at(x, j, 1) <= at(x, j, 0) + 1e-6, `${cls}/${n}: bottom <= top`);
        }
      }
    }
  },
});
