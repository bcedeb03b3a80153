import assert from "node:assert/strict";
import { join } from "node:path";
import { readManifest } from "../../lib/data/dataset.ts";
import { makeDataset, tempDir } from "../fixtures.ts";
import { runCli } from "./run.ts";

Deno.test("split CLI: writes the manifest, prints the seed, same seed same file, --copy layout", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 8);
    const before = [...Deno.readDirSync(join(data, "regular"))].length;
    const a = await runCli("split", [
      "--data",
      data,
      "--out",
      join(dir, "a"),
      "--seed",
      "5",
      "--copy",
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /seed 5/);
    const rows = await readManifest(join(dir, "a", "manifest.csv"));
    assert.equal(rows.length, 24);
    assert.equal(rows.filter((r) => r.split === "test" && r.label === "chimeric").length, 2);
    const b = await runCli("split", ["--data", data, "--out", join(dir, "b"), "--seed", "5"]);
    assert.equal(b.code, 0);
    assert.equal(
      await Deno.readTextFile(join(dir, "a", "manifest.csv")),
      await Deno.readTextFile(join(dir, "b", "manifest.csv")),
    );
    const copied = [...Deno.readDirSync(join(dir, "a", "train_data", "non_chimeric"))];
    assert.equal(
      copied.length,
      rows.filter((r) => r.split === "train" && r.label === "non_chimeric").length,
    );
    assert.equal([...Deno.readDirSync(join(data, "regular"))].length, before, "source untouched");
    const c = await runCli("split", ["--data", data, "--out", join(dir, "c")]);
    assert.match(c.stdout, /seed \d+ \(rerun with --seed \d+/);
  } finally {
    await cleanup();
  }
});

Deno.test("split CLI: bad input gives one clear line and exit 1, --help works", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const missing = await runCli("split", ["--data", join(dir, "nope"), "--out", join(dir, "o")]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: .*nope: data folder does not exist\n$/);
    const noOut = await runCli("split", ["--data", dir]);
    assert.match(noOut.stderr, /missing --out/);
    const frac = await runCli("split", [
      "--data",
      dir,
      "--out",
      join(dir, "o"),
      "--test-fraction",
      "2",
    ]);
    assert.match(frac.stderr, /--test-fraction must be between 0 and 1/);
    const inside = await runCli("split", ["--data", dir, "--out", join(dir, "sub")]);
    assert.match(inside.stderr, /lies inside the data folder/);
    const unknown = await runCli("split", ["--bogus"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /bogus/);
    const help = await runCli("split", ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: deno task split/);
  } finally {
    await cleanup();
  }
});
