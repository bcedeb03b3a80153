import assert from "node:assert/strict";
import { join } from "node:path";
import { classThresholds, findSuspiciousLabels, readOof } from "../../lib/labels/suspicious.ts";
import { UserError } from "../../lib/core/errors.ts";
import { sample } from "./label_fixture.ts";

Deno.test("confident learning: thresholds, flags, ranking", () => {
  const s = [
    sample("/d/chimeric/a.png", "chimeric"),
    sample("/d/chimeric/b.png", "chimeric"),
    sample("/d/chimeric/c.png", "chimeric"),
    sample("/d/regular/d.png", "regular"),
    sample("/d/regular/e.png", "regular"),
    sample("/d/repeat/f.png", "repeat"),
    sample("/d/repeat/g.png", "repeat"),
  ];
  const p = [0.9, 0.8, 0.1, 0.1, 0.2, 0.95, NaN];
  const t = classThresholds(s.slice(0, 6).map((x) => x.label), p.slice(0, 6));
  assert.ok(Math.abs(t.chimeric - 0.6) < 1e-12);
  assert.ok(Math.abs(t.non_chimeric - (0.9 + 0.8 + 0.05) / 3) < 1e-12);
  const got = findSuspiciousLabels(s, p);
  assert.deepEqual(got.map((i) => i.files[0]), ["/d/repeat/f.png", "/d/chimeric/c.png"]);
  assert.equal(got[0].scores.preferred, "chimeric");
  assert.ok(Math.abs(got[0].scores.margin! - 0.9) < 1e-12);
  assert.equal(got[1].scores.preferred, "non_chimeric");
  assert.deepEqual(findSuspiciousLabels(s, s.map(() => NaN)), []);
});

Deno.test("readOof reads CSV and JSON, rejects bad input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "oof.csv"),
      "path,label,p_chimeric\nimg/a.png,chimeric,0.25\n",
    );
    assert.deepEqual([...await readOof(join(dir, "oof.csv"))], [
      [join(dir, "img/a.png"), 0.25],
      [join(Deno.cwd(), "img/a.png"), 0.25],
    ]);
    await Deno.writeTextFile(
      join(dir, "oof.json"),
      JSON.stringify([{ path: "/x/b.png", p_chimeric: 1 }]),
    );
    assert.deepEqual([...await readOof(join(dir, "oof.json"))], [["/x/b.png", 1]]);
    await Deno.writeTextFile(join(dir, "bad.csv"), "path,p\na.png,0.3\n");
    await assert.rejects(readOof(join(dir, "bad.csv")), UserError);
    await Deno.writeTextFile(join(dir, "bad2.csv"), "path,p_chimeric\na.png,1.5\n");
    await assert.rejects(readOof(join(dir, "bad2.csv")), /line 2: p_chimeric/);
    await assert.rejects(readOof(join(dir, "missing.csv")), /file not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
