import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bestF1Threshold,
  CALL_INPUTS,
  type CallEvidence,
  callInputs,
  type CallModel,
  callModelFromJson,
  fitCallModel,
  fitLogistic,
  loadCallModel,
  modelMatters,
  pCall,
  saveCallModel,
} from "../../lib/calls/primary_call.ts";
import { mulberry32 } from "../../lib/core/random.ts";

/** A known mix: chimeras at `rate`; the model's logit and the rule score shift with the truth. */
function mix(n: number, rate: number, seed: number): { e: CallEvidence[]; y: boolean[] } {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const e: CallEvidence[] = [], y: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng() < rate;
    const z = (pos ? 2 : -2) + 1.5 * gauss();
    // pModel's logit is z itself (callInputs clamps p to [1e-4, 1 - 1e-4]: |z| < 9.2)
    e.push({
      pModel: 1 / (1 + Math.exp(-z)),
      // Gaussian evidence of equal spread per class: the true posterior is logistic in it
      ruleScore: (pos ? 0.7 : 0.1) + 0.2 * gauss(),
      relativeDepth: Math.exp(0.3 * gauss()),
      relativeFloor: Math.exp(0.3 * gauss()),
    });
    y.push(pos);
  }
  return { e, y };
}

Deno.test("fitLogistic recovers the weights of generated data", () => {
  const rng = mulberry32(3);
  const x: number[][] = [], y: number[] = [];
  const w = [-1, 2, -0.5];
  for (let i = 0; i < 20_000; i++) {
    const a = rng() * 4 - 2, b = rng() * 4 - 2;
    const p = 1 / (1 + Math.exp(-(w[0] + w[1] * a + w[2] * b)));
    x.push([a, b]);
    y.push(rng() < p ? 1 : 0);
  }
  const fit = fitLogistic(x, y, { l2: 0 });
  fit.forEach((v, i) => assert.ok(Math.abs(v - w[i]) < 0.1, `weight ${i}: ${v} vs ${w[i]}`));
});

Deno.test("calibration on a known mix: p_call matches the observed rate, and moves with --rate", () => {
  const train = mix(20_000, 0.03, 1);
  const model = fitCallModel(train.e, train.y, "generated mix");
  assert.ok(Math.abs(model.fittedRate - 0.03) < 0.005);
  const test = mix(20_000, 0.03, 2);
  const p = test.e.map((e) => pCall(model, e));
  // mean probability equals the chimera rate, and reads called at p in [0.2, 0.8) are
  // chimeric about as often as p says
  const mean = p.reduce((a, b) => a + b, 0) / p.length;
  const rate = test.y.filter(Boolean).length / test.y.length;
  assert.ok(Math.abs(mean - rate) < 0.004, `mean p_call ${mean} vs rate ${rate}`);
  const mid = p.map((v, i) => [v, test.y[i] ? 1 : 0]).filter(([v]) => v >= 0.1 && v < 0.9);
  const expected = mid.reduce((a, [v]) => a + v, 0), observed = mid.reduce((a, [, t]) => a + t, 0);
  assert.ok(mid.length > 50, `${mid.length} reads in between`);
  assert.ok(Math.abs(observed - expected) < 3 * Math.sqrt(expected), `${observed} vs ${expected}`);
  // moved to a 10x higher rate, p_call is calibrated on a mix at that rate
  const moved = mix(20_000, 0.3, 4);
  const meanMoved = moved.e.reduce((a, e) => a + pCall(model, e, 0.3), 0) / moved.e.length;
  const movedRate = moved.y.filter(Boolean).length / moved.y.length;
  assert.ok(Math.abs(meanMoved - movedRate) < 0.01, `mean p_call ${meanMoved} vs ${movedRate}`);
  // the threshold is the best-F1 one on the fitting data
  const best = bestF1Threshold(train.e.map((e) => pCall(model, e)), train.y.map(Number));
  assert.equal(model.threshold, best.threshold);
});

Deno.test("bestF1Threshold: picks the cut between the classes", () => {
  const r = bestF1Threshold([0.9, 0.8, 0.4, 0.3, 0.1], [1, 1, 0, 1, 0]);
  // cut after 0.8: F1 = 2*2/(2*2+0+1) = 0.8; after 0.3: 2*3/(6+1) = 0.857
  assert.equal(r.threshold, 0.2);
  assert.ok(Math.abs(r.f1 - 6 / 7) < 1e-12);
});

Deno.test("callInputs: logit of the model, rule score, log2 of depth and floor over D, clamped", () => {
  assert.deepEqual(
    callInputs({ pModel: 0.5, ruleScore: 0.3, relativeDepth: 2, relativeFloor: 0.25 }),
    [0, 0.3, 1, -2],
  );
  const [l, , d, f] = callInputs({ pModel: 1, ruleScore: 0, relativeDepth: 0, relativeFloor: 40 });
  assert.ok(Math.abs(l - Math.log(9999)) < 1e-6);
  assert.equal(d, -4);
  assert.equal(f, 4);
});

Deno.test("call.json: save and load round trip; a damaged one is a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const m: CallModel = {
      inputs: CALL_INPUTS,
      weights: [1, 2, 3, 4, 5],
      threshold: 0.4,
      fittedRate: 0.05,
      fittedOn: "x",
    };
    assert.equal(await loadCallModel(dir), null);
    await saveCallModel(dir, m);
    assert.deepEqual(await loadCallModel(dir), m);
    await Deno.writeTextFile(join(dir, "call.json"), "{");
    await assert.rejects(() => loadCallModel(dir), /call.json: not valid JSON/);
    assert.throws(() => callModelFromJson({ weights: [1] }, "f.json"), /f.json: not a call model/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("modelMatters: where the model can move p_call by more than the tolerance or cross the threshold", () => {
  const model = (weights: number[], threshold = 0.5): CallModel => ({
    inputs: CALL_INPUTS,
    weights,
    threshold,
    fittedRate: 0.05,
    fittedOn: "test",
  });
  const flat = { ruleScore: 0, relativeDepth: 1, relativeFloor: 1 };
  // intercept -20: p_call in [sigmoid(-29.2), sigmoid(-10.8)] = [0, 2.0e-5]
  assert.equal(modelMatters(model([-20, 1, 0, 0, 0]), flat, 0.01), false);
  assert.equal(modelMatters(model([-20, 1, 0, 0, 0]), flat, 2.1e-5), false);
  assert.equal(modelMatters(model([-20, 1, 0, 0, 0]), flat, 1.9e-5), true);
  // ... and at a chimera rate of 1 - 1e-9 the logit moves by 20.7 + 2.9: up to sigmoid(12.8)
  assert.equal(modelMatters(model([-20, 1, 0, 0, 0]), flat, 0.01, 1 - 1e-9), true);
  // intercept -5: p_call in [sigmoid(-14.2), sigmoid(4.2)]: the model decides the call
  assert.equal(modelMatters(model([-5, 1, 0, 0, 0]), flat, 0.99), true);
  // a strong rule score settles a read towards 1 just the same
  assert.equal(modelMatters(model([-20, 1, 40, 0, 0]), { ...flat, ruleScore: 1 }, 0.01), false);
  // a move of 5e-7 that straddles the threshold 0.5 decides the call; at 0.6 it does not
  assert.equal(modelMatters(model([0, 1e-7, 0, 0, 0]), flat, 0.01), true);
  assert.equal(modelMatters(model([0, 1e-7, 0, 0, 0], 0.6), flat, 0.01), false);
  // a negative weight on the model swaps the ends, nothing else
  assert.equal(modelMatters(model([-20, -1, 0, 0, 0]), flat, 0.01), false);
  assert.equal(modelMatters(model([0, -1, 0, 0, 0]), flat, 0.01), true);
});
