import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { selectBackend } from "../../lib/backend/backend.ts";
import { UserError } from "../../lib/core/errors.ts";
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

Deno.test("classify --paf: gzip = plain = stdin = two threads byte for byte; a bad gzip or last line is named", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf"), gz = join(dir, "ovl.paf.gz");
    await writeSynthPaf(paf, 3);
    const bytes = await Deno.readFile(paf);
    await Deno.writeFile(gz, gzipSync(bytes));
    const model = await tinyPileModel(join(dir, "model"));
    const out = (name: string) => join(dir, name);
    const opts = ["--model", model, "--quiet", "--out"];
    await classify(["--paf", paf, ...opts, out("plain.tsv")]);
    await classify(["--paf", gz, ...opts, out("gz.tsv")]);
    await withStdin("classify", ["--paf", "-", ...opts, out("stdin.tsv")], bytes);
    await classify(["--paf", paf, "--threads", "2", ...opts, out("threads.tsv")]);
    const a = await Deno.readTextFile(out("plain.tsv"));
    assert.ok(a.split("\n").length > 10);
    assert.equal(await Deno.readTextFile(out("gz.tsv")), a);
    assert.equal(await Deno.readTextFile(out("stdin.tsv")), a);
    // the evidence shared over two threads: the same bytes
    assert.equal(await Deno.readTextFile(out("threads.tsv")), a);
    const z = gzipSync(bytes);
    await Deno.writeFile(out("half.paf.gz"), z.subarray(0, z.length >> 1));
    await assert.rejects(
      classify(["--paf", out("half.paf.gz"), ...opts, out("x.tsv")]),
      (e: Error) =>
        e instanceof UserError && /half\.paf\.gz: truncated or corrupt gzip/.test(e.message),
    );
    const text = new TextDecoder().decode(bytes);
    const lines = text.trimEnd().split("\n").length;
    await Deno.writeTextFile(out("cut.paf"), text.trimEnd().slice(0, -30));
    await assert.rejects(
      classify(["--paf", out("cut.paf"), ...opts, out("x.tsv")]),
      (e: Error) =>
        e instanceof UserError &&
        new RegExp(`cut\\.paf:${lines}: malformed PAF line: .*no newline at the end`).test(
          e.message,
        ),
    );
  } finally {
    await cleanup();
  }
});
