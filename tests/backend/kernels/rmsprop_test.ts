import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "../../../lib/backend/backend.ts";
import { fusedRmsprop, FusedRMSPropOptimizer } from "../../../lib/backend/kernels/rmsprop.ts";

function net(): tf.Sequential {
  let seed = 3;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({
    inputShape: [9, 9, 1],
    filters: 3,
    kernelSize: 3,
    activation: "relu",
    kernelInitializer: init(),
  }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 2, activation: "softmax", kernelInitializer: init() }));
  return m;
}

async function train(backend: string, fused: boolean, momentum: number) {
  await tf.setBackend(backend);
  const m = net();
  const opt = fused ? fusedRmsprop(1e-2, 0.9, momentum) : tf.train.rmsprop(1e-2, 0.9, momentum);
  m.compile({ optimizer: opt, loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([4, 9, 9, 1], 0, 1, "float32", 5);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], "int32"), 2);
  const losses: number[] = [];
  let tensors = 0;
  for (let i = 0; i < 4; i++) {
    losses.push(await m.trainOnBatch(x, y) as number);
    if (i === 1) tensors = tf.memory().numTensors;
  }
  const grown = tf.memory().numTensors - tensors;
  const weights = m.getWeights().map((w) => Array.from(w.dataSync()));
  const slots = (await opt.getWeights()).map((w) => w.name.split("/").slice(-2).join("/"));
  m.dispose();
  opt.dispose();
  tf.dispose([x, y]);
  return { losses, weights, slots, grown };
}

function close(a: number[], b: number[], tol: number) {
  const scale = Math.max(1, ...b.map(Math.abs));
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= tol * scale, `${a[i]} vs ${b[i]}`);
  }
}

for (const momentum of [0, 0.5]) {
  Deno.test(`fused RMSprop on wasm = tfjs RMSprop on cpu (momentum ${momentum})`, async () => {
    await selectBackend({ backend: "wasm", quiet: true, threads: 1 });
    const f = await train("wasm", true, momentum);
    const c = await train("cpu", false, momentum);
    close(f.losses, c.losses, 1e-4);
    f.weights.forEach((w, i) => close(w, c.weights[i], 1e-4));
    assert.deepEqual(f.slots, c.slots, "same optimizer slots (checkpoints interchange)");
    assert.equal(f.grown, 0, "no tensor growth across steps");
  });
}

Deno.test("fused RMSprop keeps the RMSProp class name and config", () => {
  const o = fusedRmsprop(1e-4);
  assert.ok(o instanceof FusedRMSPropOptimizer);
  assert.equal(o.getClassName(), "RMSProp");
  assert.deepEqual(o.getConfig(), tf.train.rmsprop(1e-4).getConfig());
});
