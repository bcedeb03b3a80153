import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { readManifest } from "../../lib/data/dataset.ts";
import { readLabelIssues } from "../../lib/labels/labels.ts";

const CLI = new URL("../../lib/cli/clean.ts", import.meta.url).pathname;

async function clean(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A blue polyline on white through `ys` (one value per 10 px). */
async function png(ys: number[]): Promise<Uint8Array> {
  const pts = ys.map((y, i) => `${10 + i * 10},${y}`).join(" ");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">` +
    `<rect width="200" height="100" fill="white"/>` +
    `<polyline points="${pts}" fill="none" stroke="#0000ff"/></svg>`;
  return new Uint8Array(await sharp(new TextEncoder().encode(svg)).png().toBuffer());
}

/** data/{chimeric,regular,repeat}: 3 distinct images each, plus a cross-class duplicate. */
async function fixture(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "clean_cli_" });
  let seed = 1;
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const cls of ["chimeric", "regular", "repeat"]) {
    await Deno.mkdir(join(root, "data", cls), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const ys = Array.from({ length: 19 }, () => 10 + Math.round(next() * 80));
      await Deno.writeFile(join(root, "data", cls, `sc_${cls}${i}.png`), await png(ys));
    }
  }
  const dup = await png(Array.from({ length: 19 }, (_, i) => 20 + 3 * i));
  await Deno.writeFile(join(root, "data/chimeric/cn_7.png"), dup);
  await Deno.writeFile(join(root, "data/repeat/cn_7.png"), dup);
  return root;
}

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const c of Deno.readDir(dir)) {
    for await (const f of Deno.readDir(join(dir, c.name))) {
      const info = await Deno.stat(join(dir, c.name, f.name));
      out.push(`${c.name}/${f.name}:${info.size}:${info.mtime?.getTime()}`);
    }
  }
  return out.sort();
}

Deno.test("clean --help", async () => {
  const r = await clean("--help");
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: deno task clean/);
  assert.match(r.stdout, /--near-threshold/);
});

Deno.test("clean reports input errors in one line", async () => {
  const r = await clean("--out", "/tmp/x");
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: give exactly one of --data DIR or --manifest FILE\n$/);
  const root = await fixture();
  try {
    const d = join(root, "data");
    const inside = await clean("--data", d, "--out", join(d, "out"));
    assert.equal(inside.code, 1);
    assert.match(inside.stderr, /lies inside the data folder/);
    const bad = await clean("--data", d, "--out", join(root, "o"), "--action", "drop");
    assert.match(bad.stderr, /--action: expected exclude or relabel/);
    await Deno.writeTextFile(join(root, "oof.csv"), "path,p_chimeric\nnowhere.png,0.5\n");
    const oof = await clean("--data", d, "--out", join(root, "o"), "--oof", join(root, "oof.csv"));
    assert.equal(oof.code, 1);
    assert.match(oof.stderr, /no prediction matches/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("clean on a folder, then on its manifest with predictions", async () => {
  const root = await fixture();
  try {
    const data = join(root, "data");
    const before = await snapshot(data);
    const r = await clean("--data", data, "--out", join(root, "out"));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exact_duplicate\s+1\s+2\s+1\s+2\s+0/);
    assert.match(r.stdout, /read_id_conflict\s+1\s+2\s+1\s+0\s+0/);
    assert.match(r.stdout, /total\s+11\s+9/);
    assert.deepEqual(await snapshot(data), before);
    const doc = await readLabelIssues(join(root, "out/label_issues.json"));
    assert.deepEqual(doc.counts, {
      exact_duplicate: 1,
      read_id_conflict: 1,
      near_duplicate: 0,
      suspicious_label: 0,
    });
    assert.deepEqual(doc.issues[0].files, [
      join(data, "chimeric/cn_7.png"),
      join(data, "repeat/cn_7.png"),
    ]);
    const rows = await readManifest(join(root, "out/clean_manifest.csv"));
    assert.equal(rows.length, 9);
    assert.ok(rows.every((x) => x.split === "train" && !x.path.endsWith("cn_7.png")));

    // Second pass over the cleaned manifest with out-of-fold predictions: one flipped label.
    const oof = rows.map((x) => {
      const flip = x.path.endsWith("sc_regular1.png");
      const p = (x.label === "chimeric") !== flip ? 0.9 : 0.1;
      return `${x.path},${x.label},${p}`;
    });
    await Deno.writeTextFile(join(root, "oof.csv"), ["path,label,p_chimeric", ...oof].join("\n"));
    const r2 = await clean(
      "--manifest",
      join(root, "out/clean_manifest.csv"),
      "--out",
      join(root, "out2"),
      "--oof",
      join(root, "oof.csv"),
      "--action",
      "relabel",
    );
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stdout, /suspicious_label\s+1\s+1\s+0\s+0\s+1/);
    assert.match(r2.stdout, /thresholds: chimeric/);
    const rows2 = await readManifest(join(root, "out2/clean_manifest.csv"));
    assert.equal(rows2.length, 9);
    const moved = rows2.find((x) => x.path.endsWith("sc_regular1.png"))!;
    assert.equal(moved.label, "chimeric");
    assert.equal(moved.cls, "regular");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
