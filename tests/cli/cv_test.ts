import assert from "node:assert/strict";
import { join } from "node:path";
import { makeDataset, tempDir } from "../fixtures.ts";
import { runCli } from "./run.ts";

Deno.test("cv CLI: a 2x2 grid writes cv.json, cv.csv and plots, names the best; reruns reuse folds", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 4);
    const out = join(dir, "cv");
    const args = [
      "--data",
      data,
      "--out",
      out,
      "--folds",
      "2",
      "--epochs",
      "1",
      "--grid",
      "lr=1e-3,3e-3 columns=32",
    ];
    const r = await runCli("cv", args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /lr=1e-3_columns=32\t0\.\d{4} ± 0\.\d{4}/);
    assert.match(r.stdout, /best: lr=.* — accuracy .* AUC .*over 2 folds/);
    const csv = (await Deno.readTextFile(join(out, "cv.csv"))).trim().split("\n");
    assert.equal(csv[0], "lr,columns,acc_mean,acc_std,auc_mean,auc_std,f1_mean,f1_std,folds");
    assert.equal(csv.length, 3);
    for (const f of ["cv.json", "cv_accuracy.png", "cv_auc.svg", "lr=1e-3_columns=32/oof.csv"]) {
      await Deno.stat(join(out, f));
    }
    const again = await runCli("cv", args);
    assert.equal(again.code, 0);
    assert.doesNotMatch(again.stderr, /train \[/, "finished folds are not retrained");
  } finally {
    await cleanup();
  }
});

Deno.test("cv CLI: bad grids and folds are clear errors", async () => {
  const bad = await runCli("cv", ["--data", "x", "--out", "y", "--grid", "height=3"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown key "height"/);
  const folds = await runCli("cv", ["--data", "x", "--out", "y", "--folds", "1"]);
  const only = await runCli("cv", ["--data", "x", "--out", "y", "--only-folds", "0,7"]);
  assert.match(only.stderr, /--only-folds: expected fold numbers from 0 to 4, got 0,7/);
  assert.match(folds.stderr, /--folds must be an integer >= 2/);
});
