import assert from "node:assert/strict";
import { ruleScore } from "../../lib/overlaps/coverage_rule.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { Scratch } from "../../lib/core/scratch.ts";

const flat = (n: number, v: number) =>
  Array.from({ length: n }, (_, i) => i < 3 || i >= n - 3 ? 0 : v);

Deno.test("ruleScore: a flat plateau with ramps has no dip", () => {
  const c = flat(200, 20);
  for (let i = 3; i < 20; i++) c[i] = i; // ramp up
  const r = ruleScore(c, 20);
  assert.equal(r.score, 0);
  assert.equal(r.chimeric, false);
});

Deno.test("ruleScore: a valley to zero between two humps scores 1", () => {
  const c = flat(200, 20);
  c.fill(0, 90, 100);
  const r = ruleScore(c, 20);
  assert.equal(r.score, 1);
  assert.ok(r.at >= 90 && r.at < 100);
  assert.equal(r.chimeric, true);
});

Deno.test("ruleScore: shallow dips, one-bin notches and repeat spikes do not call", () => {
  const shallow = flat(200, 20);
  shallow.fill(14, 80, 120);
  assert.ok(Math.abs(ruleScore(shallow, 20).score - 0.3) < 1e-9);
  const notch = flat(200, 20);
  notch[100] = 0;
  assert.equal(ruleScore(notch, 20).score, 0);
  // two spikes with the plateau between: shoulders are capped at the median
  const spikes = flat(200, 20);
  spikes.fill(90, 40, 60);
  spikes.fill(90, 140, 160);
  assert.equal(ruleScore(spikes, 20).score, 0);
  assert.equal(ruleScore([], 0).score, 0);
  assert.equal(ruleScore(flat(50, 5), 0).chimeric, false);
});

Deno.test("ruleScore: threshold and width are options", () => {
  const c = flat(200, 20);
  c.fill(10, 95, 99);
  assert.equal(ruleScore(c, 20).score, 0.5);
  assert.equal(ruleScore(c, 20, { threshold: 0.4 }).chimeric, true);
  assert.equal(ruleScore(c, 20, { minDipBins: 8 }).score, 0);
});

/** The rule by its definition: smooth, cap, then the first deepest min(max left, max right) - value. */
function ruleByDefinition(data: number[], median: number, w: number, capTimes: number) {
  let first = 0, last = data.length - 1;
  while (first <= last && data[first] === 0) first++;
  while (last >= first && data[last] === 0) last--;
  if (median <= 0 || last - first < 2) return { score: 0, at: -1, floor: 0 };
  const n = last - first + 1, half = Math.floor(w / 2);
  const s = Array.from({ length: n }, (_, i) => {
    const win = data.slice(
      first + Math.max(0, i - half),
      first + Math.min(n - 1, i + w - 1 - half) + 1,
    );
    return Math.min(Math.max(...win), capTimes * median);
  });
  let best = 0, at = -1, floor = 0;
  for (let i = 0; i < n; i++) {
    const depth = Math.min(Math.max(...s.slice(0, i + 1)), Math.max(...s.slice(i))) - s[i];
    if (depth > best) [best, at, floor] = [depth, first + i, s[i]];
  }
  return { score: best / median, at, floor };
}

Deno.test("ruleScore equals the rule's definition, ties going to the first deepest dip", () => {
  const rng = mulberry32(5);
  for (let t = 0; t < 300; t++) {
    const n = 3 + Math.floor(rng() * 80);
    // few levels, so that equal depths (ties) are common; zero ends trimmed as in a pile
    const c = Array.from({ length: n }, () => Math.floor(rng() * 6) * 4);
    const median = 1 + Math.floor(rng() * 12);
    const w = 1 + Math.floor(rng() * 4);
    const want = ruleByDefinition(c, median, w, 1.5);
    const got = ruleScore(c, median, { minDipBins: w, shoulderCap: 1.5 }, new Scratch());
    assert.deepEqual({ score: got.score, at: got.at, floor: got.floor }, want, `case ${t}`);
  }
});
