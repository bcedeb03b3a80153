import assert from "node:assert/strict";
import { hamming, lineDistance, nearLinePairs } from "../../lib/labels/fingerprint.ts";
import { lineRows } from "../../lib/features/chart_line.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { drawPng, H, W } from "./label_fixture.ts";

Deno.test("lineRows follows the drawn line", async () => {
  const ys = Array.from({ length: 100 }, () => 120);
  const c = await lineRows(await drawPng(ys));
  assert.equal(c.height, H);
  assert.equal(c.rows.length, W);
  assert.ok(Number.isNaN(c.rows[5]) && Number.isNaN(c.rows[W - 5]));
  assert.ok(Math.abs(c.rows[W / 2] - 120) < 1.5, String(c.rows[W / 2]));
});

Deno.test("lineDistance counts differing inked columns", () => {
  const a = Float32Array.from([NaN, 10, 10, 10, NaN]);
  assert.equal(lineDistance(a, a), 0);
  assert.equal(lineDistance(a, Float32Array.from([NaN, 10, 13, 11, NaN])), 100 / 3);
  assert.equal(lineDistance(a, Float32Array.from([5, 10, 10, 10, NaN])), 25);
  assert.equal(lineDistance(a, Float32Array.from([1, 2])), 100);
});

Deno.test("nearLinePairs equals brute force", () => {
  const rng = mulberry32(3);
  const base = Array.from(
    { length: 30 },
    () => Float32Array.from({ length: 60 }, () => rng() * 50),
  );
  const curves = [...base];
  for (let k = 0; k < 20; k++) {
    const c = Float32Array.from(base[k % 30]);
    for (let t = 0; t < k % 6; t++) c[Math.floor(rng() * 60)] = rng() < 0.3 ? NaN : rng() * 50;
    curves.push(c);
  }
  for (const t of [0, 2, 5, 10]) {
    const brute: [number, number, number][] = [];
    for (let i = 0; i < curves.length; i++) {
      for (let j = i + 1; j < curves.length; j++) {
        const d = lineDistance(curves[i], curves[j]);
        if (d <= t) brute.push([i, j, d]);
      }
    }
    assert.deepEqual(nearLinePairs(curves, t, 50), brute, `threshold ${t}`);
  }
});

Deno.test("hamming counts differing bits", () => {
  assert.equal(hamming(Uint32Array.from([0b1011, 0xffffffff]), Uint32Array.from([0, 0])), 35);
});
