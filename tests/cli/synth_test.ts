import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../lib/cli/synth.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("data:synth CLI: charts per class, truth.csv, same seed gives same files", async () => {
  const dir = await Deno.makeTempDir();
  for (const d of ["a", "b"]) {
    await main([
      "--out",
      join(dir, d),
      "--per-class",
      "2",
      "--seed",
      "9",
      "--species",
      "2",
      "--quiet",
    ]);
  }
  for (const cls of ["chimeric", "regular", "repeat"]) {
    const names = [...Deno.readDirSync(join(dir, "a", cls))].map((e) => e.name).sort();
    assert.equal(names.length, 2);
    for (const n of names) {
      assert.deepEqual(
        await Deno.readFile(join(dir, "a", cls, n)),
        await Deno.readFile(join(dir, "b", cls, n)),
      );
    }
  }
  assert.equal(
    await Deno.readTextFile(join(dir, "a", "truth.csv")),
    await Deno.readTextFile(join(dir, "b", "truth.csv")),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("data:synth CLI: --reads-fasta writes reads and truth; bad flags are UserErrors", async () => {
  const dir = await Deno.makeTempDir();
  const fa = join(dir, "reads.fq");
  await main(["--reads-fasta", fa, "--fastq", "--genome-length", "50000", "--species", "1"]);
  const fq = await Deno.readTextFile(fa);
  assert.ok(fq.startsWith("@s0_1\n"));
  const truth = (await Deno.readTextFile(`${fa}.truth.csv`)).trim().split("\n");
  assert.equal(truth[0], "read_id,class,read_len,fragments");
  assert.equal(truth.length - 1, fq.trim().split("\n").length / 4);
  await assert.rejects(() => main(["--out", dir]), /--per-class/);
  await assert.rejects(() => main(["--out", dir, "--per-class", "0"]), /positive integer/);
  await assert.rejects(() => main(["--out", dir, "--per-class", "x"]), /expected a number/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("data:synth CLI: --help exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/cli/synth.ts", "--help"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0);
  assert.match(new TextDecoder().decode(out.stdout), /--per-class/);
});
