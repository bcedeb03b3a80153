import assert from "node:assert/strict";
import { join } from "node:path";
import { callsFromPaf, type ReadCall } from "../../lib/calls/calls.ts";
import { formatCall } from "../../lib/calls/classify.ts";
import { CALL_INPUTS, type CallModel, pCall } from "../../lib/calls/primary_call.ts";
import { PILE_CHANNEL_COUNT } from "../../lib/features/pile_features.ts";

/** A PAF line: `q` (length qLen) overlaps `t` on [qs, qe) of q. */
function line(q: string, qLen: number, qs: number, qe: number, t: string, tLen = 50_000): string {
  const n = qe - qs;
  return `${q}\t${qLen}\t${qs}\t${qe}\t+\t${t}\t${tLen}\t0\t${n}\t${n}\t${n}\t60`;
}

/** `depth` overlaps of `q` over [from, to), slightly staggered. */
function pile(q: string, qLen: number, from: number, to: number, depth: number): string[] {
  return Array.from(
    { length: depth },
    (_, i) => line(q, qLen, from + i * 10, to - i * 10, `${q}~${from}~${i}`),
  );
}

Deno.test("callsFromPaf: D from the reads, model in batches, primary call, statuses", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = [
      ...pile("a", 8000, 0, 8000, 20),
      ...pile("b", 8000, 0, 8000, 40),
      ...pile("c", 8000, 0, 8000, 30),
      line("few", 5000, 0, 3000, "x"),
      ...pile("inv", 5000, 0, 1000, 6),
    ];
    const paf = join(dir, "ovl.paf");
    await Deno.writeTextFile(paf, lines.join("\n") + "\n");
    const seen: number[] = [];
    const model: CallModel = {
      inputs: CALL_INPUTS,
      weights: [-1, 1, 2, 0.5, -0.3],
      threshold: 0.5,
      fittedRate: 0.05,
      fittedOn: "test",
    };
    const reads = ["a", "b", "c", "few", "inv"];
    const r = await callsFromPaf(paf, { reads, batchSize: 2, callModel: model }, (x, n) => {
      seen.push(n);
      assert.equal(x.length, n * 145 * PILE_CHANNEL_COUNT);
      // top / D in column group 10: a at 20/30, b at 40/30, c at 1
      return Array.from({ length: n }, (_, i) => x[i * 145 * PILE_CHANNEL_COUNT + 10 * 5] * 4 / 2);
    });
    assert.deepEqual(seen, [2, 1]);
    // medians 20, 40, 30 (less one bin at each overlap end) -> D 30
    assert.ok(Math.abs(r.depth - 30) < 1, `D ${r.depth}`);
    const by = new Map(r.calls.map((c) => [c.readId, c]));
    assert.deepEqual(r.calls.map((c) => c.readId), ["a", "b", "c", "few", "inv"]);
    assert.equal(by.get("few")!.status, "too_few_overlaps");
    assert.equal(by.get("inv")!.status, "invalid");
    assert.equal(by.get("inv")!.pChimeric, undefined);
    assert.equal(by.get("inv")!.call, undefined);
    const a = by.get("a")!, b = by.get("b")!;
    assert.ok(a.pChimeric! < b.pChimeric!);
    const expect = pCall(model, {
      pModel: b.pChimeric!,
      ruleScore: b.ruleScore!,
      relativeDepth: b.median! / r.depth,
      relativeFloor: b.dipFloor! / r.depth,
    });
    assert.equal(b.pCall, expect);
    assert.equal(b.call, expect >= 0.5);
    // a given D is used as it is; without a classifier there is no model output
    const given = await callsFromPaf(paf, { reads, depth: 60 });
    assert.equal(given.depth, 60);
    assert.ok(given.calls.every((c) => c.pChimeric === undefined && c.call === undefined));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("callsFromPaf: the model reads only the reads it can change; the printed calls are the same", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = [
      ...pile("a", 8000, 0, 8000, 20),
      ...pile("b", 8000, 0, 8000, 40),
      ...pile("c", 8000, 0, 8000, 30),
      // a hard gap at 4000-4600: rule score 1
      ...pile("g", 9000, 0, 4000, 30),
      ...pile("g", 9000, 4600, 9000, 30),
    ];
    const paf = join(dir, "ovl.paf");
    await Deno.writeTextFile(paf, lines.join("\n") + "\n");
    // the rule score alone settles every read: -20 + 40 x score, the model's logit at most 9.2
    const model: CallModel = {
      inputs: CALL_INPUTS,
      weights: [-20, 1, 40, 0, 0],
      threshold: 0.5,
      fittedRate: 0.05,
      fittedOn: "test",
    };
    const reads = ["a", "b", "c", "g"];
    const run = async (modelReads?: "all" | "needed", settle?: number) => {
      let read = 0;
      const o = { reads, callModel: model, modelReads, settle };
      const r = await callsFromPaf(paf, o, (_x, n) => {
        read += n;
        return Array.from({ length: n }, (_, i) => (i % 2 ? 0.999 : 0.001));
      });
      return { read, calls: r.calls };
    };
    const needed = await run();
    const all = await run("all");
    assert.equal(needed.read, 0);
    assert.equal(all.read, 4);
    assert.ok(needed.calls.every((c) => c.pChimeric === undefined));
    assert.deepEqual(needed.calls.map((c) => c.call), [false, false, false, true]);
    // p_call moves by at most 2e-5 here, so it prints the same; p_chimeric and label are empty
    const cols = (c: ReadCall) => formatCall(c, 0.5).split("\t");
    for (let i = 0; i < 4; i++) {
      const n = cols(needed.calls[i]), a = cols(all.calls[i]);
      assert.deepEqual([n[4], n[5]], ["", ""]);
      assert.deepEqual(
        n.filter((_, j) => j !== 4 && j !== 5),
        a.filter((_, j) => j !== 4 && j !== 5),
      );
    }
    // with no tolerance, any move counts: the model reads every read
    assert.equal((await run("needed", 0)).read, 4);
    // where the model can matter it runs: a weak rule weight
    const weak = { ...model, weights: [-3, 1, 4, 0, 0] };
    let read = 0;
    await callsFromPaf(paf, { reads, callModel: weak }, (_x, n) => {
      read += n;
      return new Array(n).fill(0.5);
    });
    assert.equal(read, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
