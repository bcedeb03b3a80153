import assert from "node:assert/strict";
import { join } from "node:path";
import {
  formatManifest,
  labelOf,
  listDataset,
  type ManifestRow,
  parseCsvLine,
  readManifest,
  unlabelledSamples,
  writeManifest,
} from "../../lib/data/dataset.ts";
import { UserError } from "../../lib/core/errors.ts";
import { HAS_REAL_DATA, makeDataset, REAL_DATA, tempDir } from "../fixtures.ts";

Deno.test("labelOf maps chimeric to chimeric and every other class to non_chimeric", () => {
  assert.equal(labelOf("chimeric"), "chimeric");
  assert.equal(labelOf("regular"), "non_chimeric");
  assert.equal(labelOf("repeat"), "non_chimeric");
  assert.equal(labelOf("odd", ["odd"]), "chimeric");
});

Deno.test("listDataset lists every image with class, label and read id; reports non-images", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await makeDataset(dir, 3);
    await Deno.writeTextFile(join(dir, "regular", "notes.txt"), "hello");
    const { samples, report } = await listDataset(dir);
    assert.equal(samples.length, 9);
    assert.deepEqual(report.counts, { chimeric: 3, regular: 3, repeat: 3 });
    assert.equal(samples.filter((s) => s.label === "chimeric").length, 3);
    assert.equal(samples[0].readId, "sp_1000");
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0].path, /notes\.txt$/);
    assert.match(report.skipped[0].reason, /not an image/);
  } finally {
    await cleanup();
  }
});

Deno.test("listDataset: missing folder, no classes, empty class, no positive class are clear errors", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(listDataset(join(dir, "nope")), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /nope: data folder does not exist/);
      return true;
    });
    await assert.rejects(listDataset(dir), /no class folders found/);
    await Deno.mkdir(join(dir, "regular"));
    await assert.rejects(listDataset(dir), /no folder for the positive class/);
    await Deno.mkdir(join(dir, "chimeric"));
    await assert.rejects(listDataset(dir), /chimeric: class folder has no images/);
  } finally {
    await cleanup();
  }
});

Deno.test("manifest CSV round trip keeps rows, quotes odd paths and resolves relative paths", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const rows: ManifestRow[] = [
      {
        path: join(dir, "a", "x,1.png"),
        cls: "chimeric",
        label: "chimeric",
        readId: "x,1",
        split: "train",
      },
      {
        path: join(dir, "b", "y.png"),
        cls: "regular",
        label: "non_chimeric",
        readId: "y",
        split: "test",
      },
    ];
    const file = join(dir, "out", "manifest.csv");
    await writeManifest(file, rows);
    const text = await Deno.readTextFile(file);
    assert.ok(text.startsWith("path,class,label,split\n"));
    assert.ok(text.includes('"../a/x,1.png"'));
    assert.deepEqual(await readManifest(file), rows);
    assert.deepEqual(parseCsvLine('"a ""b""",c'), ['a "b"', "c"]);
    assert.equal(formatManifest([]).trim(), "path,class,label,split");
  } finally {
    await cleanup();
  }
});

Deno.test("readManifest names the file and line of a bad row", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, "m.csv");
    await Deno.writeTextFile(
      file,
      "path,class,label,split\na.png,chimeric,chimeric,train\nb.png,x,maybe,test\n",
    );
    await assert.rejects(readManifest(file), /m\.csv: line 3: label must be/);
    await Deno.writeTextFile(file, "wrong\n");
    await assert.rejects(readManifest(file), /m\.csv: line 1: expected header/);
    await assert.rejects(readManifest(join(dir, "none.csv")), /none\.csv: manifest not found/);
  } finally {
    await cleanup();
  }
});

Deno.test({
  name: "real data: 12,600 images in three classes of 4200",
  ignore: !HAS_REAL_DATA,
  fn: async () => {
    const { samples, report } = await listDataset(REAL_DATA);
    assert.equal(samples.length, 12600);
    assert.deepEqual(report.counts, { chimeric: 4200, regular: 4200, repeat: 4200 });
  },
});

Deno.test("unlabelledSamples: each path becomes its own read id, without a class", () => {
  assert.deepEqual(unlabelledSamples(["a/x.png", "b/x.png"]), [
    { path: "a/x.png", cls: "?", label: "non_chimeric", readId: "a/x.png" },
    { path: "b/x.png", cls: "?", label: "non_chimeric", readId: "b/x.png" },
  ]);
});
