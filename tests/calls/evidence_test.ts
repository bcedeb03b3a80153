import assert from "node:assert/strict";
import { join } from "node:path";
import { HelperThread } from "../../lib/core/threads.ts";
import {
  blockBounds,
  evidenceArrays,
  evidenceInto,
  evidenceOptions,
  EvidenceThreads,
  packPiles,
  readEvidence,
  type SharedWork,
} from "../../lib/calls/evidence.ts";
import { callsFromPaf } from "../../lib/calls/calls.ts";
import { PILE_CHANNEL_COUNT, pileInput } from "../../lib/features/pile_features.ts";
import { readMedians } from "../../lib/calls/genome.ts";
import type { PafPile } from "../../lib/overlaps/paf_piles.ts";
import { collect, randomPaf } from "../overlaps/paf_fixture.ts";

Deno.test("readEvidence: the valid-region step on hand-made overlaps", () => {
  // 5 overlaps over 0-6000 and 2 over 6000-9000: the valid region (coverage >= 4) is the first
  const iv = [
    ...Array.from({ length: 5 }, () => [0, 6000]).flat(),
    ...Array.from({ length: 2 }, () => [6000, 9000]).flat(),
  ];
  const { call, features } = readEvidence("r", 9000, 7, iv);
  assert.equal(call.status, "ok");
  assert.equal(call.median, 5);
  assert.ok(features);
  // coverage 1-3 never shows: the features are 0 past the valid region, never 2
  const tops = Array.from({ length: 145 }, (_, j) => features!.abs[j * 4]);
  assert.ok(tops.every((v) => v === 0 || Math.abs(v - 5) < 1e-6), tops.join(","));
  assert.ok(tops.filter((v) => v === 5).length > 10);
  // a run of 77 bins (1,232 bp of bins 1..77) at coverage >= 4 is too short: invalid
  const short = Array.from({ length: 6 }, () => [0, 78 * 16]).flat();
  assert.equal(readEvidence("s", 5000, 6, short).call.status, "invalid");
  const enough = Array.from({ length: 6 }, () => [0, 80 * 16]).flat();
  assert.equal(readEvidence("s", 5000, 6, enough).call.status, "ok");
  // the rule reads the raw pile: a hard gap inside the read is a full dip
  const gap = [
    ...Array.from({ length: 10 }, () => [0, 4000]).flat(),
    ...Array.from({ length: 10 }, () => [4600, 9000]).flat(),
  ];
  const g = readEvidence("g", 9000, 20, gap).call;
  assert.equal(g.ruleScore, 1);
  assert.equal(g.ruleCall, true);
});

/** A random PAF of 600 reads in a temp folder (called, invalid and too-few reads among them). */
async function manyReads(dir: string): Promise<string> {
  const paf = join(dir, "many.paf");
  await Deno.writeTextFile(paf, randomPaf(2_400, 600, 11));
  return paf;
}

Deno.test("EvidenceThreads: the same calls on 1, 2 and 3 threads, in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const piles = (await collect(await manyReads(dir))).filter((p) => p.enough);
    assert.ok(piles.length > 500, `${piles.length} piles`);
    const on = async (threads: number) => {
      // small blocks, so that every thread takes several
      const t = new EvidenceThreads(threads, { minBlockReads: 16 });
      let ticks = 0;
      try {
        return { calls: await t.calls(piles, {}, () => ticks++), ticks };
      } finally {
        t.stop();
      }
    };
    const one = await on(1);
    assert.deepEqual(one.calls.map((c) => c.readId), piles.map((p) => p.readId));
    const statuses = new Set(one.calls.map((c) => c.status));
    assert.deepEqual([...statuses].sort(), ["invalid", "ok"]);
    for (const threads of [2, 3]) {
      const many = await on(threads);
      assert.deepEqual(many.calls, one.calls);
      assert.equal(many.ticks, piles.length);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("EvidenceThreads.inputs: each read's model input at D or at its median, on 1 and 3 threads", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const all = (await collect(await manyReads(dir))).filter((p) => p.enough);
    const piles = all.filter((p) => readEvidence(p.readId, p.readLen, 0, p.intervals).features);
    assert.ok(piles.length > 300, `${piles.length} called piles`);
    const opts = { columns: 40 };
    const item = 40 * PILE_CHANNEL_COUNT;
    for (const depthContext of ["dataset", "read"] as const) {
      const want = new Float32Array(piles.length * item);
      piles.forEach((p, i) => {
        const f = readEvidence(p.readId, p.readLen, 0, p.intervals, opts).features!;
        want.set(pileInput(f, depthContext === "read" ? f.median : 25, opts), i * item);
      });
      for (const threads of [1, 3]) {
        const t = new EvidenceThreads(threads, { minBlockReads: 16 });
        try {
          const x = await t.inputs(piles, opts, 25, depthContext);
          assert.deepEqual(x, want, `${depthContext}, ${threads} threads`);
        } finally {
          t.stop();
        }
      }
    }
    // a read that is not called has no input: an error, not a row of zeros
    const invalid = all.find((p) => !readEvidence(p.readId, p.readLen, 0, p.intervals).features);
    const t = new EvidenceThreads(1);
    await assert.rejects(t.inputs([invalid!], {}, 25), /model inputs: read 0 is not called/);
    t.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("evidence_thread: a helper alone takes every block of shared work, with this thread's results", async () => {
  const dir = await Deno.makeTempDir();
  const h = new HelperThread<SharedWork, number>(
    new URL("../../lib/calls/evidence_thread.ts", import.meta.url),
  );
  try {
    const piles = (await collect(await manyReads(dir))).filter((p) => p.enough);
    const work: SharedWork = {
      piles: packPiles(piles, true),
      bounds: blockBounds(piles, 7),
      next: new Int32Array(new SharedArrayBuffer(4)),
      out: evidenceArrays(piles.length, true),
      opts: {},
    };
    assert.ok(work.piles.intervals.buffer instanceof SharedArrayBuffer);
    assert.equal(await h.request(work), piles.length);
    assert.equal(work.next[0], 7 + 1);
    const here = evidenceArrays(piles.length);
    evidenceInto(packPiles(piles), 0, piles.length, here, {});
    for (const k of ["ok", "median", "score", "ruleCall", "floor"] as const) {
      assert.deepEqual(Array.from(work.out![k]), Array.from(here[k]), k);
    }
    assert.ok(here.ok.includes(0) && here.ok.includes(1));
  } finally {
    h.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("callsFromPaf and readMedians: the same on 2 threads as on 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paf = await manyReads(dir);
    const one = await callsFromPaf(paf, { threads: 1 });
    const two = await callsFromPaf(paf, { threads: 2 });
    assert.deepEqual(two, one);
    assert.ok(one.calls.some((c) => c.status === "too_few_overlaps"));
    assert.deepEqual(await readMedians(paf, { threads: 2 }), await readMedians(paf));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("blockBounds: runs in order, of about equal total length", () => {
  const piles = Array.from(
    { length: 100 },
    (_, i) => ({ readId: `r${i}`, readLen: 1000 + (i % 7) * 500 }) as PafPile,
  );
  const bounds = blockBounds(piles, 4);
  assert.equal(bounds[0], 0);
  assert.equal(bounds[4], 100);
  const total = piles.reduce((s, p) => s + p.readLen, 0);
  for (let b = 0; b < 4; b++) {
    const len = piles.slice(bounds[b], bounds[b + 1]).reduce((s, p) => s + p.readLen, 0);
    // a block is off its share by less than one read (at most 4,000 bp)
    assert.ok(Math.abs(len - total / 4) <= 4000, `${len} of ${total}`);
  }
  // more blocks than reads: empty blocks, still in order and covering every read
  assert.deepEqual(Array.from(blockBounds(piles.slice(0, 2), 5)), [0, 0, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(blockBounds([], 3)), [0, 0, 0, 0]);
});

Deno.test("evidenceOptions: the plain-data options a helper thread needs, nothing else", () => {
  const opts = {
    binShift: 5,
    columns: 100,
    rule: { threshold: 0.4 },
    minOverlaps: 3,
    onRead: () => {},
    reads: new Set(["a"]),
    validMinCoverage: undefined,
  };
  assert.deepEqual(evidenceOptions(opts), { binShift: 5, columns: 100, rule: { threshold: 0.4 } });
});
