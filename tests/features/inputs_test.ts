import assert from "node:assert/strict";
import { join } from "node:path";
import { inputFromMeta, type InputSpec, makeSource } from "../../lib/features/inputs.ts";
import { defaultInput } from "../../lib/model/model.ts";
import { UserError } from "../../lib/core/errors.ts";
import { chartSvg, fixtureCurve, svgToPng, tempDir } from "../fixtures.ts";
import { mulberry32 } from "../../lib/core/random.ts";

Deno.test("makeSource: the feature shape follows the representation", () => {
  assert.deepEqual(makeSource({ kind: "image", size: 32, resize: "nearest" }).shape, [32, 32, 1]);
  const curve = makeSource({ kind: "curve", columns: 20 });
  assert.equal(curve.shape[0], 20);
  assert.equal(curve.shape.length, 2);
  assert.ok(curve.shift, "the curve source supports shift augmentation");
  assert.deepEqual(makeSource(defaultInput("alexnet")).shape, [224, 224, 1]);
});

Deno.test("makeSource: one cache sub-folder per representation, features as the shape says", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const png = join(dir, "chart.png");
    await Deno.writeFile(png, await svgToPng(chartSvg(fixtureCurve("chimeric", mulberry32(3)))));
    const cache = join(dir, "cache");
    const specs: InputSpec[] = [
      { kind: "image", size: 16, resize: "area" },
      { kind: "image", size: 16, resize: "nearest" },
      { kind: "curve", columns: 12 },
    ];
    for (const spec of specs) {
      const source = makeSource(spec, { cacheDir: cache });
      const { images, problems } = await source.getMany([png]);
      assert.deepEqual(problems, []);
      const size = source.shape.reduce((a, b) => a * b, 1);
      assert.equal(images[0]?.length, size, JSON.stringify(spec));
      assert.ok(images[0]!.every(Number.isFinite));
    }
    const subs: string[] = [];
    for await (const e of Deno.readDir(cache)) if (e.isDirectory) subs.push(e.name);
    assert.deepEqual(subs.sort(), ["curve-12", "image-16-area", "image-16-nearest"]);
    for (const sub of subs) {
      const files = [];
      for await (const e of Deno.readDir(join(cache, sub))) files.push(e.name);
      assert.equal(files.length, 1, `${sub}: one cached sample, no temp files: ${files}`);
      assert.match(files[0], /\.bin$/);
    }
    // Memory only: nothing is written without a cache folder.
    const before = [...Deno.readDirSync(dir)].length;
    await makeSource({ kind: "curve", columns: 12 }).getMany([png]);
    assert.equal([...Deno.readDirSync(dir)].length, before);
  } finally {
    await cleanup();
  }
});

Deno.test("inputFromMeta keeps valid representations and names the model when one is not", () => {
  assert.deepEqual(inputFromMeta({ kind: "curve", columns: 145, extra: 1 }, "m.json"), {
    kind: "curve",
    columns: 145,
  });
  assert.deepEqual(inputFromMeta({ kind: "image", size: 64, resize: "nearest" }, "m.json"), {
    kind: "image",
    size: 64,
    resize: "nearest",
  });
  const bad = [
    undefined,
    {},
    { kind: "curve", columns: 0 },
    { kind: "curve", columns: 2.5 },
    { kind: "image", size: 64, resize: "bicubic" },
    { kind: "text" },
  ];
  for (const input of bad) {
    assert.throws(
      () => inputFromMeta(input, "run/model/model.json"),
      (err: unknown) => err instanceof UserError && /^run\/model\/model\.json: /.test(err.message),
      JSON.stringify(input),
    );
  }
});
