import assert from "node:assert/strict";
import { decayWeights, gceTargets, mixupBatch } from "../../lib/train/optim.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { buildModel } from "../../lib/model/model.ts";

Deno.test("decayWeights shrinks every kernel, also of a second model built in the process", () => {
  // the second model's variables are named conv1/kernel_1, ... by tfjs
  for (let i = 0; i < 2; i++) {
    const m = buildModel("compact", { columns: 32, channels: 5, seed: 1 });
    const before = m.trainableWeights.map((w) => w.read().dataSync().slice());
    decayWeights(m, 0.1, 0.5); // kernels times 1 - 0.05
    const kernels = m.trainableWeights.filter((w) => /kernel/.test(w.name));
    assert.equal(kernels.length, 6, `model ${i}: ${m.trainableWeights.map((w) => w.name)}`);
    m.trainableWeights.forEach((w, k) => {
      const after = w.read().dataSync();
      const factor = /kernel/.test(w.name) ? 0.95 : 1;
      for (let j = 0; j < after.length; j += 97) {
        assert.ok(
          Math.abs(after[j] - Math.fround(before[k][j] * factor)) <= 1e-7,
          `model ${i}, ${w.name}[${j}]`,
        );
      }
    });
    m.dispose();
  }
});

Deno.test("mixupBatch blends each sample with one partner (a permutation), targets alike", () => {
  // sample i is the unit vector e_i: a blend lam e_i + (1 - lam) e_j shows its partner j and lam
  const n = 6;
  const x0 = Float32Array.from({ length: n * n }, (_, i) => (i % n === Math.floor(i / n) ? 1 : 0));
  const y0 = Float32Array.from({ length: n * 2 }, (_, i) => ((i >> 1) % 2 === i % 2 ? 1 : 0));
  const xs = x0.slice(), ys = y0.slice();
  mixupBatch(xs, ys, n, 0, mulberry32(1));
  assert.deepEqual([xs, ys], [x0, y0], "alpha 0: unchanged");
  for (const seed of [1, 2, 3, 4]) {
    const x = x0.slice(), y = y0.slice();
    mixupBatch(x, y, n, 0.4, mulberry32(seed));
    // lam from a sample paired with another (its own coordinate); 1 when all are self-paired
    const diag = Array.from({ length: n }, (_, i) => x[i * n + i]);
    const lam = Math.min(...diag);
    assert.ok(lam >= 0.5 && lam <= 1, `lam ${lam}: the sample itself leads`);
    const partners = Array.from({ length: n }, (_, i) => {
      const row = Array.from(x.subarray(i * n, (i + 1) * n));
      const others = row.flatMap((v, k) => (k !== i && v > 0 ? [k] : []));
      // one lam for the whole batch; a sample paired with itself stays as it was
      if (others.length === 0) {
        assert.equal(row[i], 1);
        return i;
      }
      assert.equal(others.length, 1);
      const j = others[0];
      assert.ok(Math.abs(row[i] - lam) < 1e-6 && Math.abs(row[j] - (1 - lam)) < 1e-6);
      for (let c = 0; c < 2; c++) {
        const want = lam * y0[i * 2 + c] + (1 - lam) * y0[j * 2 + c];
        assert.ok(Math.abs(y[i * 2 + c] - want) < 1e-6, `target of ${i}`);
      }
      return j;
    });
    assert.deepEqual([...partners].sort(), [0, 1, 2, 3, 4, 5], "partners are a permutation");
    const x2 = x0.slice(), y2 = y0.slice();
    mixupBatch(x2, y2, n, 0.4, mulberry32(seed));
    assert.deepEqual([x2, y2], [x, y], "the same seed, the same batch");
  }
});

Deno.test("gceTargets scales each sample's softmax gradient p - t by (t . p)^q", () => {
  const t0 = Float32Array.from([0.05, 0.95, 0.95, 0.05, 0, 1]);
  const p = Float32Array.from([0.2, 0.8, 0.1, 0.9, 0.5, 0.5]);
  const t = t0.slice();
  gceTargets(t, p, 0.7);
  for (let i = 0; i < 3; i++) {
    const agree = t0[2 * i] * p[2 * i] + t0[2 * i + 1] * p[2 * i + 1];
    const w = Math.pow(agree, 0.7);
    for (let k = 0; k < 2; k++) {
      const j = 2 * i + k;
      // the new gradient p - t' is w x the old one, p - t
      assert.ok(Math.abs((p[j] - t[j]) - w * (p[j] - t0[j])) < 1e-6, `sample ${i} class ${k}`);
    }
  }
  // a confidently contradicted label (sample 1: p(label) 0.14) keeps less of its pull than an
  // agreed one (sample 0: 0.77)
  const pull = (i: number) =>
    Math.abs(p[2 * i + 1] - t[2 * i + 1]) / Math.abs(p[2 * i + 1] - t0[2 * i + 1]);
  assert.ok(pull(1) < pull(0) / 3, `${pull(1)} against ${pull(0)}`);
  // still targets: each sample's sum stays 1
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(t[2 * i] + t[2 * i + 1] - 1) < 1e-6);
  // q 0: plain cross-entropy, targets untouched; three classes are read three at a time
  const same = t0.slice();
  gceTargets(same, p, 0);
  assert.deepEqual(same, t0);
  const t3 = Float32Array.from([0, 1, 0, 1, 0, 0]);
  gceTargets(t3, Float32Array.from([0.2, 0.2, 0.6, 0.5, 0.25, 0.25]), 1, 3);
  assert.deepEqual(Array.from(t3, (v) => Math.round(v * 1e4) / 1e4), [
    0.16,
    0.36,
    0.48,
    0.75,
    0.125,
    0.125,
  ]);
  assert.throws(() => gceTargets(t0.slice(), p.slice(2), 0.5), /4 probabilities for 6 targets/);
});
