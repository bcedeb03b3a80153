import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";
import { main, safeFileName } from "../../lib/cli/pileogram.ts";
import { UserError } from "../../lib/core/errors.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * A PAF file where reads r0..r5 overlap a chain of neighbours (600 bp apart, so coverage
 * reaches 6 and more), "lone" has one overlap and "short" four overlaps over 1 kb only.
 */
function paf(): string {
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) {
    for (let j = i + 1; j < 6; j++) {
      const shift = (j - i) * 600;
      for (let k = 0; k < 2; k++) {
        lines.push(`r${i}\t8000\t${shift}\t8000\t+\tr${j}\t8000\t0\t${8000 - shift}\t1\t1\t60`);
      }
    }
  }
  lines.push("lone\t5000\t0\t2000\t+\tr0\t8000\t6000\t8000\t1\t1\t60");
  for (let k = 0; k < 4; k++) lines.push(`short\t6000\t0\t1000\t+\tr${k}\t8000\t0\t1000\t1\t1\t60`);
  return lines.join("\n") + "\n";
}

Deno.test("pileogram CLI: one PNG per read; too-few and invalid reads listed", async () => {
  const dir = await Deno.makeTempDir();
  const p = join(dir, "ovl.paf");
  await Deno.writeTextFile(p, paf());
  const out = join(dir, "charts");
  await main(["--paf", p, "--out", out, "--min-overlaps", "2", "--quiet"]);
  const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
  assert.deepEqual(files, [
    "not_drawn.tsv",
    "r0.png",
    "r1.png",
    "r2.png",
    "r3.png",
    "r4.png",
    "r5.png",
  ]);
  const meta = await sharp(join(out, "r2.png")).metadata();
  assert.deepEqual([meta.width, meta.height, meta.channels], [750, 500, 4]);
  assert.equal(
    await Deno.readTextFile(join(out, "not_drawn.tsv")),
    "read_id\tn_overlaps\treason\nlone\t1\ttoo_few_overlaps\nshort\t4\tinvalid\n",
  );
  // --reads picks reads; unknown ones are listed with 0 overlaps
  const out2 = join(dir, "some");
  await main(["--paf", p, "--out", out2, "--reads", "r1,nope", "--quiet"]);
  assert.deepEqual([...Deno.readDirSync(out2)].map((e) => e.name).sort(), [
    "not_drawn.tsv",
    "r1.png",
  ]);
  assert.match(await Deno.readTextFile(join(out2, "not_drawn.tsv")), /nope\t0\ttoo_few_overlaps/);
  // calls only: rule TSV, no images
  const tsv = join(dir, "calls.tsv");
  await main(["--paf", p, "--rule-tsv", tsv, "--no-images", "--min-overlaps", "2", "--quiet"]);
  const rows = (await Deno.readTextFile(tsv)).trim().split("\n").map((l) => l.split("\t"));
  assert.deepEqual(rows[0], [
    "read_id",
    "n_overlaps",
    "median",
    "rule_score",
    "rule_call",
    "status",
  ]);
  assert.equal(rows.length, 9);
  assert.equal(rows.find((r) => r[0] === "short")![5], "invalid");
  assert.deepEqual(rows.find((r) => r[0] === "lone"), [
    "lone",
    "1",
    "",
    "",
    "",
    "too_few_overlaps",
  ]);
  const r2 = rows.find((r) => r[0] === "r2")!;
  assert.equal(r2[5], "ok");
  assert.ok(["chimeric", "non_chimeric"].includes(r2[4]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("pileogram CLI: bad input is a UserError naming the file", async () => {
  const dir = await Deno.makeTempDir();
  const p = join(dir, "bad.paf");
  await Deno.writeTextFile(p, paf() + "r1\t8000\tx\n");
  await assert.rejects(
    () => main(["--paf", p, "--out", join(dir, "o"), "--quiet"]),
    (e: Error) => e instanceof UserError && /bad\.paf:\d+: malformed PAF line/.test(e.message),
  );
  await assert.rejects(
    () => main(["--paf", join(dir, "none.paf"), "--out", dir]),
    /none\.paf: file not found/,
  );
  await assert.rejects(() => main(["--out", dir]), /missing --paf/);
  assert.equal(safeFileName("a/b c:1"), "a_b_c_1");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("pileogram CLI: --help exits 0 and lists the options", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/cli/pileogram.ts", "--help"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0);
  const text = new TextDecoder().decode(out.stdout);
  for (const o of ["--paf", "--out", "--reads", "--min-overlaps"]) assert.ok(text.includes(o));
});
