import assert from "node:assert/strict";
import { ruleScore } from "../../lib/overlaps/coverage_rule.ts";

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
