import assert from "node:assert/strict";
import { join } from "node:path";
import { statOrNull } from "../../lib/core/fs.ts";
import { tempDir } from "../fixtures.ts";
import { assertUserError, helpFlags, runCli } from "./run.ts";

Deno.test("demo --help lists every option", async () => {
  const r = await runCli("demo", ["--help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: deno task demo /);
  assert.deepEqual(helpFlags(r.stdout), ["backend", "epochs", "help", "out", "per-class", "seed"]);
});

Deno.test("demo: bad options give one error line and write nothing", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, "run");
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option '--bogus'/],
      [["--per-class", "0"], /--per-class: expected a whole number >= 1, got 0/],
      [["--per-class", "2.5"], /--per-class: expected a whole number >= 1, got 2\.5/],
      [["--epochs", "0"], /--epochs: expected a whole number >= 1, got 0/],
    ];
    for (const [argv, re] of cases) {
      assertUserError(await runCli("demo", [...argv, "--out", out]), re);
    }
    assert.equal(await statOrNull(out), null);

    const file = join(dir, "file.txt");
    await Deno.writeTextFile(file, "x");
    assertUserError(
      await runCli("demo", ["--out", file, "--per-class", "2", "--epochs", "1"]),
      /file\.txt/,
    );
    assert.equal(await Deno.readTextFile(file), "x");
  } finally {
    await cleanup();
  }
});

Deno.test("demo --per-class 6 --epochs 1 runs end to end", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const out = join(dir, "run");
    const r = await runCli("demo", ["--per-class", "6", "--epochs", "1", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Test split of .*synthetic-6-seed7/);
    assert.match(r.stdout, /accuracy\s+[01]\.\d{4}/);
    assert.match(r.stdout, new RegExp(`model: ${out}/model`));
    for (
      const f of [
        "model/model.json",
        "metrics.json",
        "manifest.csv",
        "training_curves.png",
        "confusion_matrix.png",
        "synthetic-6-seed7/truth.csv",
      ]
    ) {
      assert.ok(await statOrNull(join(out, f)), f);
    }
    for (const p of r.stdout.matchAll(/^plot: (.*)$/gm)) assert.ok(await statOrNull(p[1]), p[1]);
    const metrics = JSON.parse(await Deno.readTextFile(join(out, "metrics.json")));
    assert.ok(metrics.n > 0 && metrics.n < 18, `test split of 18 charts: ${metrics.n}`);
    // stdout prints the accuracy of metrics.json, which agrees with its confusion matrix
    const printed = /accuracy\s+([01]\.\d{4})/.exec(r.stdout)![1];
    assert.equal(printed, metrics.accuracy.toFixed(4));
    const c = metrics.confusion;
    assert.equal(c.tp + c.tn + c.fp + c.fn, metrics.n);
    assert.equal(metrics.accuracy, (c.tp + c.tn) / metrics.n);
    assert.equal(metrics.misclassified.length, c.fp + c.fn);
  } finally {
    await cleanup();
  }
});
