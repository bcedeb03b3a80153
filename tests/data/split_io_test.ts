import assert from "node:assert/strict";
import { join } from "node:path";
import { copyThesisLayout, splitCounts, summarizeSplit } from "../../lib/data/split_io.ts";
import type { ManifestRow } from "../../lib/data/dataset.ts";
import { tempDir } from "../fixtures.ts";

function r(cls: string, id: string, split: "train" | "test", dir = "/data"): ManifestRow {
  return {
    path: join(dir, cls, `${id}.png`),
    cls,
    label: cls === "chimeric" ? "chimeric" : "non_chimeric",
    readId: id,
    split,
  };
}

const rows = [
  r("chimeric", "a", "train"),
  r("chimeric", "b", "test"),
  r("regular", "c", "train"),
  r("repeat", "d", "train"),
  r("repeat", "e", "test"),
];

Deno.test("splitCounts and summarizeSplit count rows per split and label", () => {
  assert.deepEqual(splitCounts(rows), {
    train: { chimeric: 1, non_chimeric: 2 },
    test: { chimeric: 1, non_chimeric: 1 },
  });
  assert.deepEqual(splitCounts([]), {});
  assert.equal(
    summarizeSplit(rows),
    [
      "split  chimeric  non_chimeric  total",
      "train         1             2      3",
      "test          1             1      2",
    ].join("\n"),
  );
  const empty = summarizeSplit([]).split("\n");
  assert.equal(empty.length, 3, "both splits are listed even when empty");
  assert.match(empty[2], /^test\s+0\s+0\s+0$/);
});

Deno.test("copyThesisLayout: {train,test}_data/<label>/<class>__<file>, sources untouched", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = join(dir, "data");
    // The same file name in two classes must not collide in non_chimeric/.
    const src = [
      r("chimeric", "a", "train", data),
      r("regular", "same", "train", data),
      r("repeat", "same", "train", data),
      r("repeat", "e", "test", data),
    ];
    for (const s of src) {
      await Deno.mkdir(join(data, s.cls), { recursive: true });
      await Deno.writeTextFile(s.path, `${s.cls}/${s.readId}`);
    }
    const out = join(dir, "out");
    assert.equal(await copyThesisLayout(src, out), 4);
    const found: string[] = [];
    const walk = async (d: string, rel: string) => {
      for await (const e of Deno.readDir(d)) {
        if (e.isDirectory) await walk(join(d, e.name), `${rel}${e.name}/`);
        else found.push(`${rel}${e.name}`);
      }
    };
    await walk(out, "");
    assert.deepEqual(found.sort(), [
      "test_data/non_chimeric/repeat__e.png",
      "train_data/chimeric/chimeric__a.png",
      "train_data/non_chimeric/regular__same.png",
      "train_data/non_chimeric/repeat__same.png",
    ]);
    assert.equal(
      await Deno.readTextFile(join(out, "train_data/non_chimeric/repeat__same.png")),
      "repeat/same",
    );
    for (const s of src) assert.equal(await Deno.readTextFile(s.path), `${s.cls}/${s.readId}`);
  } finally {
    await cleanup();
  }
});
