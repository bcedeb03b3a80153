import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { listDataset, type ManifestRow, type Sample } from "../../lib/data/dataset.ts";
import { cleanLabels, labelIssuesDocument, readLabelIssues } from "../../lib/labels/labels.ts";
import { hamming, lineDistance, nearLinePairs } from "../../lib/labels/fingerprint.ts";
import { type LabelIssue } from "../../lib/labels/issues.ts";
import { findReadIdConflicts, nearPairs, nearPairsBrute } from "../../lib/labels/duplicates.ts";
import { classThresholds, findSuspiciousLabels, readOof } from "../../lib/labels/suspicious.ts";
import { applyIssues } from "../../lib/labels/apply.ts";
import { lineRows } from "../../lib/features/chart_line.ts";
import { mulberry32, type Rng } from "../../lib/core/random.ts";
import { UserError } from "../../lib/core/errors.ts";

// ---------------------------------------------------------------------------------------
// Fixture: small pile-o-gram-like PNGs (a blue polyline on white), drawn with sharp.

const W = 300, H = 200;

function randomCurve(rng: Rng, n = 100): number[] {
  const ys: number[] = [];
  let y = 40 + rng() * 100;
  for (let i = 0; i < n; i++) {
    y = Math.min(H - 10, Math.max(10, y + (rng() - 0.5) * 30));
    ys.push(y);
  }
  return ys;
}

function curveSvg(ys: number[]): string {
  const pts = ys.map((y, i) => `${(20 + (i * (W - 40)) / (ys.length - 1)).toFixed(2)},${y}`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">` +
    `<rect width="${W}" height="${H}" fill="white"/>` +
    `<polyline points="${pts.join(" ")}" fill="none" stroke="#0000ff" stroke-width="1"/></svg>`;
}

async function drawPng(ys: number[], compressionLevel = 6): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(new TextEncoder().encode(curveSvg(ys))).ensureAlpha().png({ compressionLevel })
      .toBuffer(),
  );
}

interface Planted {
  dir: string;
  rows: ManifestRow[];
  /** p(chimeric) per absolute path. */
  oof: Map<string, number>;
  flipped: string[];
}

/**
 * 3 classes x 12 images with planted problems:
 * - regular/ec_dupa.png == regular/ec_dupb.png (byte-identical, same class)
 * - chimeric/sc_both.png == repeat/sc_both.png (byte-identical, cross-label, same read id)
 * - chimeric/cn_conf.png vs regular/cn_conf.png (same read id, different images)
 * - repeat/lf_pix1.png vs repeat/lf_pix2.png (same pixels, different PNG compression)
 * - regular/pa_near1.png vs regular/pa_near2.png (a few points moved)
 * - two flipped labels with confident out-of-fold predictions.
 */
async function plantFixture(): Promise<Planted> {
  const dir = await Deno.makeTempDir({ prefix: "labels_test_" });
  const rng = mulberry32(42);
  const files = new Map<string, Uint8Array>();
  for (const cls of ["chimeric", "regular", "repeat"]) {
    for (let i = 0; i < 12; i++) {
      files.set(`${cls}/bs_${cls}${i}.png`, await drawPng(randomCurve(rng)));
    }
  }
  const dup = await drawPng(randomCurve(rng));
  files.set("regular/ec_dupa.png", dup);
  files.set("regular/ec_dupb.png", dup);
  const both = await drawPng(randomCurve(rng));
  files.set("chimeric/sc_both.png", both);
  files.set("repeat/sc_both.png", both);
  files.set("chimeric/cn_conf.png", await drawPng(randomCurve(rng)));
  files.set("regular/cn_conf.png", await drawPng(randomCurve(rng)));
  const pix = randomCurve(rng);
  files.set("repeat/lf_pix1.png", await drawPng(pix, 9));
  files.set("repeat/lf_pix2.png", await drawPng(pix, 1));
  const near = randomCurve(rng);
  files.set("regular/pa_near1.png", await drawPng(near));
  const moved = near.map((y, i) => (i >= 50 && i < 53 ? Math.max(10, y - 25) : y));
  files.set("regular/pa_near2.png", await drawPng(moved));
  for (const cls of ["chimeric", "regular", "repeat"]) await Deno.mkdir(join(dir, cls));
  for (const [rel, bytes] of files) await Deno.writeFile(join(dir, rel), bytes);
  const { samples } = await listDataset(dir);
  const rows = samples.map((s) => ({ ...s, split: "train" as const }));
  // Out-of-fold predictions: confident and right, except two flipped labels.
  const flipped = [join(dir, "chimeric/bs_chimeric3.png"), join(dir, "regular/bs_regular5.png")];
  const oof = new Map<string, number>();
  const prng = mulberry32(7);
  for (const r of rows) {
    const right = r.label === "chimeric" ? 0.75 + 0.2 * prng() : 0.05 + 0.2 * prng();
    // A flipped label gets a confident prediction for the other class.
    oof.set(r.path, flipped.includes(r.path) ? (r.label === "chimeric" ? 0.03 : 0.97) : right);
  }
  return { dir, rows, oof, flipped };
}

const key = (i: LabelIssue) => `${i.kind}:${i.files.map((f) => f.split("/").slice(-2).join("/"))}`;

Deno.test("cleanLabels finds every planted problem and nothing else", async () => {
  const fx = await plantFixture();
  try {
    const r = await cleanLabels(fx.rows, fx.oof, { concurrency: 2 });
    const got = r.issues.map(key).sort();
    assert.deepEqual(got, [
      "exact_duplicate:chimeric/sc_both.png,repeat/sc_both.png",
      "exact_duplicate:regular/ec_dupa.png,regular/ec_dupb.png",
      "exact_duplicate:repeat/lf_pix1.png,repeat/lf_pix2.png",
      "near_duplicate:regular/pa_near1.png,regular/pa_near2.png",
      "read_id_conflict:chimeric/cn_conf.png,regular/cn_conf.png",
      "read_id_conflict:chimeric/sc_both.png,repeat/sc_both.png",
      "suspicious_label:chimeric/bs_chimeric3.png",
      "suspicious_label:regular/bs_regular5.png",
    ]);
    const byKey = new Map(r.issues.map((i) => [key(i), i]));
    assert.equal(
      byKey.get("exact_duplicate:regular/ec_dupa.png,regular/ec_dupb.png")!.scores.match,
      "bytes",
    );
    const pix = byKey.get("exact_duplicate:repeat/lf_pix1.png,repeat/lf_pix2.png")!;
    assert.equal(pix.scores.match, "pixels");
    assert.equal(pix.conflict, false);
    const both = byKey.get("exact_duplicate:chimeric/sc_both.png,repeat/sc_both.png")!;
    assert.equal(both.conflict, true);
    assert.deepEqual(both.classes, ["chimeric", "repeat"]);
    const near = byKey.get("near_duplicate:regular/pa_near1.png,regular/pa_near2.png")!;
    assert.ok(near.scores.distance! > 0 && near.scores.distance! <= 5, `${near.scores.distance}`);
    assert.equal(near.scores.method, "curve");
    const sus = r.issues.filter((i) => i.kind === "suspicious_label");
    assert.deepEqual(sus.map((i) => i.scores.preferred).sort(), ["chimeric", "non_chimeric"]);
    assert.ok(sus[0].scores.margin! >= sus[1].scores.margin!);
    // Default cleaning: dup pairs keep one copy, the cross-label pair loses both copies,
    // the read-id conflict loses both, suspicious rows are excluded, near-dups stay.
    const gone = r.decisions.map((d) => d.path.split("/").slice(-2).join("/")).sort();
    assert.deepEqual(gone, [
      "chimeric/bs_chimeric3.png",
      "chimeric/cn_conf.png",
      "chimeric/sc_both.png",
      "regular/bs_regular5.png",
      "regular/cn_conf.png",
      "regular/ec_dupb.png",
      "repeat/lf_pix2.png",
      "repeat/sc_both.png",
    ]);
    assert.equal(r.rows.length, fx.rows.length - 8);
    assert.equal(r.pixelDecoded, 2);
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
  }
});

Deno.test("cleanLabels with dhash, relabel and positive conflicts", async () => {
  const fx = await plantFixture();
  try {
    const r = await cleanLabels(fx.rows, fx.oof, {
      nearMethod: "dhash",
      nearThreshold: 0,
      action: "relabel",
      conflicts: "positive",
    });
    // The pixel-identical pair is still found through equal dHashes.
    assert.ok(
      r.issues.some((i) => key(i) === "exact_duplicate:repeat/lf_pix1.png,repeat/lf_pix2.png"),
    );
    const byPath = new Map(r.rows.map((x) => [x.path.split("/").slice(-2).join("/"), x]));
    assert.equal(byPath.get("chimeric/sc_both.png")?.label, "chimeric");
    assert.equal(byPath.has("repeat/sc_both.png"), false);
    assert.equal(byPath.get("chimeric/cn_conf.png")?.label, "chimeric");
    assert.equal(byPath.get("chimeric/bs_chimeric3.png")?.label, "non_chimeric");
    assert.equal(byPath.get("chimeric/bs_chimeric3.png")?.cls, "chimeric");
    assert.equal(byPath.get("regular/bs_regular5.png")?.label, "chimeric");
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
  }
});

Deno.test("lineRows follows the drawn line", async () => {
  const ys = Array.from({ length: 100 }, () => 120);
  const c = await lineRows(await drawPng(ys));
  assert.equal(c.height, H);
  assert.equal(c.rows.length, W);
  assert.ok(Number.isNaN(c.rows[5]) && Number.isNaN(c.rows[W - 5]));
  assert.ok(Math.abs(c.rows[W / 2] - 120) < 1.5, String(c.rows[W / 2]));
});

Deno.test("lineDistance counts differing inked columns", () => {
  const a = Float32Array.from([NaN, 10, 10, 10, NaN]);
  assert.equal(lineDistance(a, a), 0);
  assert.equal(lineDistance(a, Float32Array.from([NaN, 10, 13, 11, NaN])), 100 / 3);
  assert.equal(lineDistance(a, Float32Array.from([5, 10, 10, 10, NaN])), 25);
  assert.equal(lineDistance(a, Float32Array.from([1, 2])), 100);
});

Deno.test("nearLinePairs equals brute force", () => {
  const rng = mulberry32(3);
  const base = Array.from(
    { length: 30 },
    () => Float32Array.from({ length: 60 }, () => rng() * 50),
  );
  const curves = [...base];
  for (let k = 0; k < 20; k++) {
    const c = Float32Array.from(base[k % 30]);
    for (let t = 0; t < k % 6; t++) c[Math.floor(rng() * 60)] = rng() < 0.3 ? NaN : rng() * 50;
    curves.push(c);
  }
  for (const t of [0, 2, 5, 10]) {
    const brute: [number, number, number][] = [];
    for (let i = 0; i < curves.length; i++) {
      for (let j = i + 1; j < curves.length; j++) {
        const d = lineDistance(curves[i], curves[j]);
        if (d <= t) brute.push([i, j, d]);
      }
    }
    assert.deepEqual(nearLinePairs(curves, t, 50), brute, `threshold ${t}`);
  }
});

Deno.test("hamming and multi-index nearPairs equal brute force", () => {
  assert.equal(hamming(Uint32Array.from([0b1011, 0xffffffff]), Uint32Array.from([0, 0])), 35);
  const rng = mulberry32(5);
  const words = () => Uint32Array.from({ length: 2 }, () => (rng() * 2 ** 32) >>> 0);
  const hashes = Array.from({ length: 80 }, words);
  for (let k = 0; k < 40; k++) {
    const h = Uint32Array.from(hashes[k]);
    for (let f = 0; f < k % 9; f++) h[f % 2] ^= 1 << Math.floor(rng() * 32);
    hashes.push(h);
  }
  for (const t of [0, 3, 8]) assert.deepEqual(nearPairs(hashes, t), nearPairsBrute(hashes, t));
  assert.deepEqual(nearPairs(hashes, -1), []);
});

function sample(path: string, cls: string): Sample {
  return {
    path,
    cls,
    label: cls === "chimeric" ? "chimeric" : "non_chimeric",
    readId: path.replace(/^.*\//, "").replace(/\.png$/, ""),
  };
}

Deno.test("confident learning: thresholds, flags, ranking", () => {
  const s = [
    sample("/d/chimeric/a.png", "chimeric"),
    sample("/d/chimeric/b.png", "chimeric"),
    sample("/d/chimeric/c.png", "chimeric"),
    sample("/d/regular/d.png", "regular"),
    sample("/d/regular/e.png", "regular"),
    sample("/d/repeat/f.png", "repeat"),
    sample("/d/repeat/g.png", "repeat"),
  ];
  const p = [0.9, 0.8, 0.1, 0.1, 0.2, 0.95, NaN];
  const t = classThresholds(s.slice(0, 6).map((x) => x.label), p.slice(0, 6));
  assert.ok(Math.abs(t.chimeric - 0.6) < 1e-12);
  assert.ok(Math.abs(t.non_chimeric - (0.9 + 0.8 + 0.05) / 3) < 1e-12);
  const got = findSuspiciousLabels(s, p);
  assert.deepEqual(got.map((i) => i.files[0]), ["/d/repeat/f.png", "/d/chimeric/c.png"]);
  assert.equal(got[0].scores.preferred, "chimeric");
  assert.ok(Math.abs(got[0].scores.margin! - 0.9) < 1e-12);
  assert.equal(got[1].scores.preferred, "non_chimeric");
  assert.deepEqual(findSuspiciousLabels(s, s.map(() => NaN)), []);
});

Deno.test("findReadIdConflicts groups the same stem across class folders only", () => {
  const s = [
    sample("/d/chimeric/x.png", "chimeric"),
    sample("/d/repeat/x.png", "repeat"),
    sample("/d/regular/y.png", "regular"),
    sample("/e/regular/y.png", "regular"),
  ];
  const got = findReadIdConflicts(s);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0].classes, ["chimeric", "repeat"]);
  assert.equal(got[0].conflict, true);
  assert.equal(got[0].scores.readId, "x");
});

Deno.test("applyIssues chains copies into one group", () => {
  const rows: ManifestRow[] = ["chimeric/a", "repeat/a", "regular/a", "regular/b"].map((p) => ({
    ...sample(`/d/${p}.png`, p.split("/")[0]),
    split: "train",
  }));
  const issue = (kind: LabelIssue["kind"], idx: number[]): LabelIssue => ({
    kind,
    files: idx.map((i) => rows[i].path),
    classes: idx.map((i) => rows[i].cls),
    labels: idx.map((i) => rows[i].label),
    conflict: true,
    scores: {},
  });
  const issues = [issue("exact_duplicate", [0, 1]), issue("read_id_conflict", [0, 1, 2])];
  assert.deepEqual(applyIssues(rows, issues).rows.map((r) => r.path), ["/d/regular/b.png"]);
  const pos = applyIssues(rows, issues, { conflicts: "positive" });
  assert.deepEqual(pos.rows.map((r) => r.path), ["/d/chimeric/a.png", "/d/regular/b.png"]);
  // Near-duplicates only count with nearAction dedupe; agreeing labels keep the first copy.
  const near = [issue("near_duplicate", [2, 3])];
  assert.equal(applyIssues(rows, near).rows.length, 4);
  assert.deepEqual(
    applyIssues(rows, near, { nearAction: "dedupe" }).rows.map((r) => r.path),
    ["/d/chimeric/a.png", "/d/repeat/a.png", "/d/regular/a.png"],
  );
});

Deno.test("applyIssues acts on suspicious labels above the margin only", () => {
  const rows: ManifestRow[] = ["chimeric/a", "regular/b"].map((p) => ({
    ...sample(`/d/${p}.png`, p.split("/")[0]),
    split: "train",
  }));
  const sus = (i: number, margin: number): LabelIssue => ({
    kind: "suspicious_label",
    files: [rows[i].path],
    classes: [rows[i].cls],
    labels: [rows[i].label],
    conflict: false,
    scores: { margin, preferred: rows[i].label === "chimeric" ? "non_chimeric" : "chimeric" },
  });
  const issues = [sus(0, 0.2), sus(1, 0.8)];
  assert.deepEqual(applyIssues(rows, issues).rows, []);
  const r = applyIssues(rows, issues, { minMargin: 0.5, action: "relabel" });
  assert.deepEqual(r.rows.map((x) => x.label), ["chimeric", "chimeric"]);
  assert.deepEqual(r.decisions.map((d) => d.fate), ["relabelled"]);
});

Deno.test("readOof reads CSV and JSON, rejects bad input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "oof.csv"),
      "path,label,p_chimeric\nimg/a.png,chimeric,0.25\n",
    );
    assert.deepEqual([...await readOof(join(dir, "oof.csv"))], [
      [join(dir, "img/a.png"), 0.25],
      [join(Deno.cwd(), "img/a.png"), 0.25],
    ]);
    await Deno.writeTextFile(
      join(dir, "oof.json"),
      JSON.stringify([{ path: "/x/b.png", p_chimeric: 1 }]),
    );
    assert.deepEqual([...await readOof(join(dir, "oof.json"))], [["/x/b.png", 1]]);
    await Deno.writeTextFile(join(dir, "bad.csv"), "path,p\na.png,0.3\n");
    await assert.rejects(readOof(join(dir, "bad.csv")), UserError);
    await Deno.writeTextFile(join(dir, "bad2.csv"), "path,p_chimeric\na.png,1.5\n");
    await assert.rejects(readOof(join(dir, "bad2.csv")), /line 2: p_chimeric/);
    await assert.rejects(readOof(join(dir, "missing.csv")), /file not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("label_issues.json paths round-trip relative to its folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = {
      issues: [{
        kind: "read_id_conflict" as const,
        files: [join(dir, "data/chimeric/x.png"), join(dir, "data/repeat/x.png")],
        classes: ["chimeric", "repeat"],
        labels: ["chimeric" as const, "non_chimeric" as const],
        conflict: true,
        scores: { readId: "x" },
      }],
      rows: [],
      decisions: [],
      withPrediction: 0,
      pixelDecoded: 0,
      seconds: { fingerprint: 0, pixels: 0, search: 0, total: 0 },
    };
    const doc = labelIssuesDocument(r, join(dir, "out"), { data: "data" }, {});
    assert.deepEqual(doc.issues[0].files, ["../data/chimeric/x.png", "../data/repeat/x.png"]);
    assert.equal(doc.counts.read_id_conflict, 1);
    await Deno.mkdir(join(dir, "out"));
    await Deno.writeTextFile(join(dir, "out/label_issues.json"), JSON.stringify(doc));
    const back = await readLabelIssues(join(dir, "out/label_issues.json"));
    assert.deepEqual(back.issues[0].files, r.issues[0].files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const REAL = new URL("../../../shared/data/original_data", import.meta.url).pathname;
const hasReal = await Deno.stat(REAL).then(() => true, () => false);

Deno.test({
  name: "real data: every read id in two class folders is reported (listing only)",
  ignore: !hasReal,
  fn: async () => {
    const { samples } = await listDataset(REAL);
    const seen = new Map<string, Set<string>>();
    for await (const c of Deno.readDir(REAL)) {
      if (!c.isDirectory) continue;
      for await (const f of Deno.readDir(join(REAL, c.name))) {
        const s = seen.get(f.name) ?? new Set<string>();
        s.add(c.name);
        seen.set(f.name, s);
      }
    }
    const expected = [...seen].filter(([, s]) => s.size > 1).map(([n]) => n.replace(/\.png$/, ""))
      .sort();
    const got = findReadIdConflicts(samples);
    assert.ok(expected.length > 0);
    assert.deepEqual(got.map((i) => i.scores.readId), expected);
    assert.ok(got.every((i) => i.files.length === 2));
  },
});
