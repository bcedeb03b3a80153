import assert from "node:assert/strict";
import { join } from "node:path";
import { buildModel } from "../../lib/model/model.ts";
import { saveModel } from "../../lib/model/modelio.ts";
import { statOrNull } from "../../lib/core/fs.ts";
import { makeDataset, tempDir } from "../fixtures.ts";
import { testBackend } from "../test_backend.ts";
import { assertUserError, helpFlags, runCli } from "./run.ts";

await testBackend();

Deno.test("evaluate --help lists every option", async () => {
  const r = await runCli("evaluate", ["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: deno task evaluate /);
  assert.deepEqual(
    helpFlags(r.stdout),
    ["backend", "data", "help", "manifest", "model", "out", "positive", "split", "threshold"],
  );
});

Deno.test("evaluate: bad command lines give one error line before any work", async () => {
  const cases: [string[], RegExp][] = [
    [[], /^error: missing --model/],
    [["--model", "m", "--bogus"], /Unknown option '--bogus'/],
    [["--model", "m", "--split", "val"], /--split must be test, train or all/],
    [["--model", "m", "--threshold", "1.5"], /--threshold must be in \[0, 1\]/],
    [["--model", "m", "--backend", "gpu"], /--backend must be tensorflow, wasm or cpu/],
  ];
  for (const [argv, re] of cases) assertUserError(await runCli("evaluate", argv), re);
});

Deno.test("evaluate: bad models, data and output folders give one error line", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 2);
    const run = join(dir, "run");
    await saveModel(buildModel("compact", { columns: 32 }), join(run, "model"), {
      model: "compact",
      input: { kind: "curve", columns: 32 },
      labels: ["non_chimeric", "chimeric"],
    });
    const file = join(dir, "notes.txt");
    await Deno.writeTextFile(file, "not a model");

    assertUserError(
      await runCli("evaluate", ["--model", join(dir, "nope"), "--data", data]),
      /nope\/model\.json: no model here/,
    );
    assertUserError(
      await runCli("evaluate", ["--model", file, "--data", data]),
      /notes\.txt: not a valid model\.json/,
    );
    assertUserError(
      await runCli("evaluate", ["--model", join(file, "below"), "--data", data]),
      /below/,
    );
    assertUserError(await runCli("evaluate", ["--model", run]), /exactly one of --data/);
    assertUserError(
      await runCli("evaluate", ["--model", run, "--data", data, "--out", file]),
      /notes\.txt/,
    );
    assert.equal(await Deno.readTextFile(file), "not a model", "the file in the way is kept");

    // And the same model on good input: metrics and plots in --out.
    const out = join(dir, "eval");
    const ok = await runCli("evaluate", [
      "--model",
      run,
      "--data",
      data,
      "--out",
      out,
      "--threshold",
      "0.3",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /accuracy/);
    const metrics = JSON.parse(await Deno.readTextFile(join(out, "metrics.json")));
    assert.equal(metrics.n, 6);
    assert.equal(metrics.threshold, 0.3);
    assert.equal(metrics.model, "compact");
    // where the errors are: each class folder and the one species prefix, wrong calls adding up
    const wrongs = metrics.confusion.fp + metrics.confusion.fn;
    const folders = metrics.groups.folder as { group: string; n: number; wrong: number }[];
    assert.deepEqual(folders.map((g) => [g.group, g.n]), [
      ["chimeric", 2],
      ["regular", 2],
      ["repeat", 2],
    ]);
    assert.equal(folders.reduce((a, g) => a + g.wrong, 0), wrongs);
    assert.deepEqual(
      metrics.groups.species.map((g: { group: string; n: number; wrong: number }) => [
        g.group,
        g.n,
        g.wrong,
      ]),
      [["sp", 6, wrongs]],
    );
    assert.match(
      ok.stdout,
      /errors by class folder:\n {2}group +n +wrong +error\n {2}chimeric +2 /,
    );
    assert.ok(await statOrNull(join(out, "confusion_matrix.png")));
    assert.equal(await statOrNull(join(data, "metrics.json")), null, "nothing in the data folder");
  } finally {
    await cleanup();
  }
});
