import assert from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../../lib/backend.ts";
import { main as classify } from "../../lib/cli/classify.ts";
import { main as mergeBuckets } from "../../lib/cli/merge_buckets.ts";
import { tempDir, writeSynthPaf } from "../fixtures.ts";
import { ROOT } from "./run.ts";
import { tinyPileModel } from "../pile_model_fixture.ts";

await selectBackend({ quiet: true, threads: 1 });

/** Run `deno run -A lib/cli/<name>.ts args` with `stdin` bytes; returns stderr (asserts exit 0). */
async function withStdin(name: string, args: string[], stdin: Uint8Array): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}lib/cli/${name}.ts`, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", CHIMERA_THREADS: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(stdin);
  await w.close();
  const out = await child.output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  return err;
}

Deno.test("scatter | classify --bucket with the global D, merged = one process byte for byte", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf");
    await writeSynthPaf(paf, 3);
    const model = await tinyPileModel(join(dir, "model"));
    const one = join(dir, "one.tsv");
    await classify(["--paf", paf, "--model", model, "--quiet", "--out", one]);
    const K = 2;
    // scatter from stdin (minimap2's pipe in the workflow)
    const err = await withStdin("scatter", [
      "--paf",
      "-",
      "--buckets",
      String(K),
      "--out",
      join(dir, "b"),
    ], await Deno.readFile(paf));
    assert.match(err, /<stdin>: \d+ lines in [\d.]+ s into 2 buckets/);
    const bucket = (k: number) => join(dir, "b", `bucket-${k}.paf.gz`);
    const medians: string[] = [], calls: string[] = [];
    for (let k = 0; k < K; k++) {
      medians.push(join(dir, `medians-${k}.tsv`));
      await classify([
        "--paf",
        bucket(k),
        "--bucket",
        `${k}/${K}`,
        "--medians-only",
        "--out",
        medians[k],
      ]);
    }
    const depthFile = join(dir, "depth.txt");
    await mergeBuckets(["--depth", "--out", depthFile, ...medians]);
    const depth = (await Deno.readTextFile(depthFile)).trim();
    for (let k = 0; k < K; k++) {
      calls.push(join(dir, `calls-${k}.tsv`));
      const args = ["--bucket", `${k}/${K}`, "--depth", depth, "--model", model, "--quiet"];
      if (k === 0) {
        // a gzipped bucket on stdin
        await withStdin(
          "classify",
          ["--paf", "-", ...args, "--out", calls[k]],
          await Deno.readFile(bucket(k)),
        );
      } else await classify(["--paf", bucket(k), ...args, "--out", calls[k]]);
    }
    const merged = join(dir, "calls.tsv");
    await mergeBuckets(["--calls", "--out", merged, ...calls]);
    const a = await Deno.readTextFile(one), b = await Deno.readTextFile(merged);
    assert.ok(a.split("\n").length > 10);
    assert.equal(b, a);
    // a read in two bucket files is an error naming it
    await assert.rejects(
      mergeBuckets(["--calls", "--out", merged, calls[0], calls[0]]),
      /is also in/,
    );
  } finally {
    await cleanup();
  }
});
