import assert from "node:assert/strict";
import { join } from "node:path";
import { listDataset } from "../../lib/data/dataset.ts";
import { findReadIdConflicts, nearPairs, nearPairsBrute } from "../../lib/labels/duplicates.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { sample } from "./label_fixture.ts";

Deno.test("multi-index nearPairs equals brute force", () => {
  const rng = mulberry32(5);
  const words = () => Uint32Array.from({ length: 2 }, () => (rng() * 2 ** 32) >>> 0);
  const hashes = Array.from({ length: 80 }, words);
  for (let k = 0; k < 40; k++) {
    const h = Uint32Array.from(hashes[k]);
    for (let f = 0; f < k % 9; f++) h[f % 2] ^= 1 << Math.floor(rng() * 32);
    hashes.push(h);
  }
  for (const t of [0, 3, 8]) assert.deepEqual(nearPairs(hashes, t), nearPairsBrute(hashes, t));
  assert.deepEqual(nearPairs(hashes, -1), []);
});

Deno.test("findReadIdConflicts groups the same stem across class folders only", () => {
  const s = [
    sample("/d/chimeric/x.png", "chimeric"),
    sample("/d/repeat/x.png", "repeat"),
    sample("/d/regular/y.png", "regular"),
    sample("/e/regular/y.png", "regular"),
  ];
  const got = findReadIdConflicts(s);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].classes, ["chimeric", "repeat"]);
  assert.equal(got[0].conflict, true);
  assert.equal(got[0].scores.readId, "x");
});

const REAL = new URL("../../../shared/data/original_data", import.meta.url).pathname;
const hasReal = await Deno.stat(REAL).then(() => true, () => false);

Deno.test({
  name: "real data: every read id in two class folders is reported (listing only)",
  ignore: !hasReal,
  fn: async () => {
    const { samples } = await listDataset(REAL);
    const seen = new Map<string, Set<string>>();
    for await (const c of Deno.readDir(REAL)) {
      if (!c.isDirectory) continue;
      for await (const f of Deno.readDir(join(REAL, c.name))) {
        const s = seen.get(f.name) ?? new Set<string>();
        s.add(c.name);
        seen.set(f.name, s);
      }
    }
    const expected = [...seen].filter(([, s]) => s.size > 1).map(([n]) => n.replace(/\.png$/, ""))
      .sort();
    const got = findReadIdConflicts(samples);
    assert.ok(expected.length > 0);
    assert.deepEqual(got.map((i) => i.scores.readId), expected);
    assert.ok(got.every((i) => i.files.length === 2));
  },
});
