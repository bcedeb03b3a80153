import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCommand } from "../../lib/cli/args.ts";
import {
  BACKEND_OPTION,
  DATA_OPTIONS,
  initBackend,
  loadRows,
  loadSamples,
  TRAIN_FLAGS,
  TRAIN_ON_OPTION,
  trainOnPaths,
  trainOptionsFrom,
} from "../../lib/cli/common.ts";
import { writeManifest } from "../../lib/data/dataset.ts";
import { UserError } from "../../lib/core/errors.ts";
import { OVERRIDE_KEYS, PRESETS } from "../../lib/train/options.ts";
import { tempDir } from "../fixtures.ts";

const SPEC = {
  usage: "test",
  summary: "test",
  options: { ...DATA_OPTIONS, ...TRAIN_ON_OPTION, ...TRAIN_FLAGS, ...BACKEND_OPTION },
};
const parse = (argv: string[]) => parseCommand(SPEC, argv);

async function rejectsUser(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    assert.match(err.message, re);
    return true;
  });
}

/** A thesis-layout folder with empty "images" (listing does not decode them). */
async function fakeData(dir: string, perClass: number): Promise<string> {
  for (const cls of ["chimeric", "regular", "repeat"]) {
    await Deno.mkdir(join(dir, cls), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      await Deno.writeFile(join(dir, cls, `${cls}${i}.png`), new Uint8Array());
    }
  }
  return dir;
}

Deno.test("trainOptionsFrom: preset, flag overrides, --no-flip, bad values", () => {
  assert.deepEqual(trainOptionsFrom(parse([])), PRESETS.default);
  assert.deepEqual(trainOptionsFrom(parse(["--preset", "thesis"])), PRESETS.thesis);
  const o = trainOptionsFrom(parse(["--epochs", "3", "--batch-size", "16", "--no-flip"]));
  assert.equal(o.epochs, 3);
  assert.equal(o.batchSize, 16);
  assert.equal(o.flip, false);
  assert.throws(
    () => trainOptionsFrom(parse(["--preset", "fast"])),
    /--preset must be default or thesis/,
  );
  assert.throws(() => trainOptionsFrom(parse(["--epochs", "0"])), /epochs "0"/);
  assert.throws(() => trainOptionsFrom(parse(["--model", "vgg"])), /model "vgg"/);
  // Resuming: flags apply to the saved options, not to the default preset.
  const saved = { ...PRESETS.thesis, epochs: 2 };
  assert.deepEqual(trainOptionsFrom(parse([]), saved), saved);
  assert.deepEqual(trainOptionsFrom(parse(["--lr", "0.5"]), saved), { ...saved, lr: 0.5 });
  assert.deepEqual(trainOptionsFrom(parse(["--preset", "thesis"]), saved), PRESETS.thesis);
});

Deno.test("every training flag (but --preset, --cache, --no-flip) is an override key", () => {
  // A flag that trainOptionsFrom ignored would be accepted and silently do nothing.
  const others = ["preset", "cache", "no-flip"];
  for (const flag of Object.keys(TRAIN_FLAGS).filter((f) => !others.includes(f))) {
    assert.ok((OVERRIDE_KEYS as readonly string[]).includes(flag), `--${flag} is applied`);
  }
  const o = trainOptionsFrom(parse(["--seed", "123", "--lr", "0.5", "--schedule", "constant"]));
  assert.equal(o.seed, 123);
  assert.equal(o.lr, 0.5);
  assert.equal(o.schedule, "constant");
});

Deno.test("loadSamples and loadRows: exactly one of --data or --manifest", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await fakeData(join(dir, "data"), 4);
    await rejectsUser(loadSamples(parse([])), /exactly one of --data DIR or --manifest FILE/);
    await rejectsUser(
      loadSamples(parse(["--data", data, "--manifest", "m.csv"])),
      /exactly one of --data/,
    );
    await rejectsUser(loadRows(parse([])), /exactly one of --data DIR or --manifest FILE/);
    await rejectsUser(
      loadRows(parse(["--data", data, "--manifest", "m.csv"])),
      /exactly one of --data DIR or --manifest FILE/,
    );
    await rejectsUser(
      loadSamples(parse(["--data", join(dir, "nope")])),
      /nope: data folder does not exist/,
    );
    await rejectsUser(
      loadRows(parse(["--manifest", join(dir, "nope.csv")])),
      /nope\.csv: manifest not found/,
    );

    const samples = await loadSamples(parse(["--data", data]));
    assert.equal(samples.length, 12);
    assert.equal(samples.filter((s) => s.label === "chimeric").length, 4);
    const rep = await loadSamples(parse(["--data", data, "--positive", "chimeric,repeat"]));
    assert.equal(rep.filter((s) => s.label === "chimeric").length, 8);

    const rows = await loadRows(
      parse(["--data", data, "--split-seed", "3", "--test-fraction", "0.25"]),
    );
    assert.equal(rows.length, 12);
    assert.ok(rows.some((r) => r.split === "test") && rows.some((r) => r.split === "train"));
    const again = await loadRows(
      parse(["--data", data, "--split-seed", "3", "--test-fraction", "0.25"]),
    );
    assert.deepEqual(again, rows, "--split-seed reproduces the split");

    const manifest = join(dir, "manifest.csv");
    await writeManifest(manifest, rows);
    assert.equal((await loadRows(parse(["--manifest", manifest]))).length, 12);
    const test = await loadSamples(parse(["--manifest", manifest]), "test");
    assert.equal(test.length, rows.filter((r) => r.split === "test").length);
    assert.equal((await loadSamples(parse(["--manifest", manifest]), "all")).length, 12);
  } finally {
    await cleanup();
  }
});

Deno.test("initBackend rejects an unknown backend before loading anything", async () => {
  await rejectsUser(
    initBackend(parse(["--backend", "gpu"])),
    /--backend must be tensorflow, wasm or cpu, got "gpu"/,
  );
});

Deno.test("trainOnPaths: the given images that --train-on lists; unknown rows and other labels are errors", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const data = await fakeData(join(dir, "data"), 2);
    const samples = await loadSamples(parse(["--data", data]));
    assert.equal(await trainOnPaths(parse(["--data", data]), samples), undefined);
    const rows = samples.map((s) => ({ ...s, split: "train" as const }));
    const keep = join(dir, "keep.csv");
    await writeManifest(keep, [rows[0], rows[3], rows[5]]);
    assert.deepEqual(
      await trainOnPaths(parse(["--data", data, "--train-on", keep]), samples),
      new Set([samples[0].path, samples[3].path, samples[5].path]),
    );
    const stranger = join(dir, "stranger.csv");
    await writeManifest(stranger, [rows[0], { ...rows[1], path: join(dir, "other.png") }]);
    await rejectsUser(
      trainOnPaths(parse(["--data", data, "--train-on", stranger]), samples),
      /stranger\.csv: line 3: .*other\.png is not among the images given/,
    );
    const flipped = join(dir, "flipped.csv");
    const label = rows[1].label === "chimeric" ? "non_chimeric" : "chimeric";
    await writeManifest(flipped, [{ ...rows[1], label }]);
    await rejectsUser(
      trainOnPaths(parse(["--data", data, "--train-on", flipped]), samples),
      new RegExp(`flipped\\.csv: line 2: .* is labelled ${label} here but ${rows[1].label}`),
    );
  } finally {
    await cleanup();
  }
});
