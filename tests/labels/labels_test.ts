import assert from "node:assert/strict";
import { join } from "node:path";
import { cleanLabels, labelIssuesDocument, readLabelIssues } from "../../lib/labels/labels.ts";
import { key, plantFixture } from "./label_fixture.ts";

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
