import assert from "node:assert/strict";
import { decayWeights } from "../../lib/train/optim.ts";
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
