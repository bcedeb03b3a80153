import assert from "node:assert/strict";
import { join } from "node:path";
import { makeDataset, tempDir } from "../fixtures.ts";
import { runCli } from "./run.ts";
import { statOrNull } from "../../lib/core/fs.ts";
import { parseCommand } from "../../lib/cli/args.ts";
import { DATA_OPTIONS, loadRows } from "../../lib/cli/common.ts";
import { readManifest, writeManifest } from "../../lib/data/dataset.ts";

Deno.test("train, evaluate and classify CLIs on a small generated data set", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 6);
    const run = join(dir, "run");
    const common = ["--columns", "32", "--batch-size", "8", "--cache", join(dir, "cache")];
    const t = await runCli("train", [
      "--data",
      data,
      "--out",
      run,
      "--epochs",
      "2",
      "--split-seed",
      "1",
      ...common,
    ]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /tfjs backend: /);
    assert.match(t.stderr, /epoch 2\/2: loss/);
    assert.match(t.stdout, /model saved to/);
    for (
      const f of [
        "model/model.json",
        "history.json",
        "manifest.csv",
        "training_curves.png",
        "training_curves.svg",
      ]
    ) {
      assert.ok(await statOrNull(join(run, f)), f);
    }
    const e = await runCli("evaluate", ["--model", run, "--manifest", join(run, "manifest.csv")]);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /accuracy\s+[01]\.\d{4}/);
    assert.match(e.stdout, /ROC AUC/);
    for (const f of ["metrics.json", "roc.png", "confusion_matrix.png"]) {
      assert.ok(await statOrNull(join(run, "eval", f)), f);
    }
    await Deno.writeTextFile(join(dir, "notes.txt"), "not an image");
    const c = await runCli("classify", [
      "--model",
      run,
      join(data, "chimeric"),
      join(dir, "notes.txt"),
      join(dir, "missing.png"),
    ]);
    const lines = c.stdout.trim().split("\n");
    assert.equal(lines[0], "path\tp_chimeric\tlabel");
    assert.equal(lines.length, 7);
    assert.match(lines[1], /\t0\.\d{4}\t(chimeric|non_chimeric)$|\t1\.0000\tchimeric$/);
    assert.match(c.stderr, /notes\.txt: not a readable PNG\/JPEG image/);
    assert.match(c.stderr, /missing\.png: no such file or folder/);
    assert.equal(c.code, 1, "problems make the exit code non-zero");
  } finally {
    await cleanup();
  }
});

Deno.test("train CLI: bad options, empty data and resume without a run are clear errors", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 4);
    const run = join(dir, "run");
    const noRun = await runCli("train", ["--out", run, "--resume"]);
    assert.equal(noRun.code, 1);
    assert.match(noRun.stderr, /manifest not found|nothing to resume/);
    const badModel = await runCli("train", ["--data", data, "--out", run, "--model", "vgg"]);
    assert.match(badModel.stderr, /^error: invalid model "vgg": expected alexnet or compact\n$/);
    const badPreset = await runCli("train", ["--data", data, "--out", run, "--preset", "fast"]);
    assert.match(badPreset.stderr, /--preset must be default or thesis/);
    const empty = join(dir, "empty");
    await Deno.mkdir(join(empty, "chimeric"), { recursive: true });
    const e = await runCli("train", ["--data", empty, "--out", run]);
    assert.match(e.stderr, /chimeric: class folder has no images/);
    const badEval = await runCli("evaluate", ["--model", join(dir, "nomodel"), "--data", data]);
    assert.equal(badEval.code, 1);
    assert.match(badEval.stderr, /nomodel\/model\.json: no model here/);
  } finally {
    await cleanup();
  }
});

Deno.test("train CLI: --train-on keeps the training rows it does not list out of the run; not with --resume", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 4);
    const rows = await loadRows(
      parseCommand({ usage: "", summary: "", options: DATA_OPTIONS }, [
        "--data",
        data,
        "--split-seed",
        "1",
      ]),
    );
    const manifest = join(dir, "manifest.csv");
    await writeManifest(manifest, rows);
    const train = rows.filter((r) => r.split === "train");
    const keep = join(dir, "keep.csv");
    await writeManifest(keep, train.slice(2));
    const run = join(dir, "run");
    const args = ["--manifest", manifest, "--train-on", keep, "--out", run, "--epochs", "1"];
    const t = await runCli("train", [...args, "--columns", "32", "--cache", join(dir, "cache")]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /2 training rows kept out \(--train-on\)/);
    const saved = await readManifest(join(run, "manifest.csv"));
    assert.deepEqual(
      saved.map((r) => r.path),
      rows.filter((r) => r.split === "test" || r !== train[0] && r !== train[1]).map((r) => r.path),
    );
    const again = await runCli("train", ["--out", run, "--resume", "--train-on", keep]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--train-on is not taken with --resume/);
  } finally {
    await cleanup();
  }
});

Deno.test("train CLI: Ctrl-C saves a checkpoint and exits; --resume finishes the run", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await makeDataset(join(dir, "data"), 10);
    const run = join(dir, "run");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "lib/cli/train.ts",
        "--data",
        data,
        "--out",
        run,
        "--epochs",
        "6",
        "--batch-size",
        "1",
      ],
      cwd: new URL("../../", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const dec = new TextDecoder();
    let err = "";
    const reader = child.stderr.getReader();
    while (!/train \[/.test(err)) {
      const { value, done } = await reader.read();
      if (done) break;
      err += dec.decode(value);
    }
    child.kill("SIGINT");
    const drain = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        err += dec.decode(value);
      }
    })();
    const status = await child.status;
    await drain;
    const out = dec.decode(await new Response(child.stdout).arrayBuffer());
    assert.equal(status.code, 130, err);
    assert.match(out, /stopped at step \d+; continue with: deno task train --out .* --resume/);
    assert.ok(await statOrNull(join(run, "checkpoint", "model.json")));
    assert.equal(await statOrNull(join(run, "model")), null);
    const changed = await runCli("train", ["--out", run, "--resume", "--epochs", "7"]);
    assert.equal(changed.code, 1);
    assert.match(
      changed.stderr,
      /^error: .*run: cannot resume with other options than the saved run's: epochs 7 \(saved 6\); /m,
    );
    const resumed = await runCli("train", ["--out", run, "--resume", "--epochs", "6"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(await statOrNull(join(run, "model", "model.json")));
    const history = JSON.parse(await Deno.readTextFile(join(run, "history.json")));
    assert.equal(history.epochs.length, 6);
  } finally {
    await cleanup();
  }
});
