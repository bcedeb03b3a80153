import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { bucketOf } from "../../lib/overlaps/buckets.ts";
import type { PafPile } from "../../lib/overlaps/paf_piles.ts";
import { readPaf } from "../../lib/overlaps/paf.ts";
import { hashId } from "../../lib/core/hash.ts";
import { tempDir } from "../fixtures.ts";
import { ROOT } from "../cli/run.ts";
import { collect, randomPaf } from "./paf_fixture.ts";

/** The piles the slow, obvious way: parsePafLine on every line. */
async function referencePiles(path: string): Promise<Map<string, [number, number[]]>> {
  const m = new Map<string, [number, number[]]>();
  for await (const r of readPaf(path)) {
    if (r.qName === r.tName) continue;
    for (
      const [id, l, b, e] of [[r.qName, r.qLen, r.qStart, r.qEnd], [
        r.tName,
        r.tLen,
        r.tStart,
        r.tEnd,
      ]] as const
    ) {
      const x = m.get(id) ?? [l, []];
      x[1].push(b, e);
      m.set(id, x);
    }
  }
  return m;
}

/** Piles read from stdin by a child process (`pilesFromPaf("-")`), as JSON. */
async function stdinPiles(bytes: Uint8Array, opts = {}): Promise<PafPile[]> {
  const code = `import { pilesFromPaf } from "${ROOT}lib/overlaps/paf_piles.ts";\n` +
    `const out = []; for await (const p of pilesFromPaf("-", ${JSON.stringify(opts)})) ` +
    `out.push({ ...p, intervals: Array.from(p.intervals) });\nconsole.log(JSON.stringify(out));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(bytes);
  await w.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const piles: (Omit<PafPile, "intervals"> & { intervals: number[] })[] = JSON.parse(
    new TextDecoder().decode(out.stdout),
  );
  return piles.map((p) => ({ ...p, intervals: Int32Array.from(p.intervals) }));
}

Deno.test("pilesFromPaf: plain = gzip = concatenated gzip members = stdin, and = parsePafLine", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // > 64 KiB; read in 4 KiB chunks below too, so lines straddle chunks
    const text = randomPaf(3000);
    const bytes = new TextEncoder().encode(text);
    const plain = join(dir, "o.paf"), gz = join(dir, "o.paf.gz"), multi = join(dir, "m.gz");
    await Deno.writeFile(plain, bytes);
    await Deno.writeFile(gz, gzipSync(bytes));
    const half = text.indexOf("\n", text.length >> 1) + 1;
    await Deno.writeFile(
      multi,
      new Uint8Array([
        ...gzipSync(bytes.subarray(0, half)),
        ...gzipSync(bytes.subarray(half)),
      ]),
    );
    const opts = { minOverlaps: 1 };
    const a = await collect(plain, opts);
    assert.deepEqual(await collect(gz, opts), a);
    assert.deepEqual(await collect(plain, { ...opts, chunkSize: 4096 }), a);
    assert.deepEqual(await collect(gz, { ...opts, chunkSize: 4096 }), a);
    assert.deepEqual(await stdinPiles(bytes, opts), a);
    assert.deepEqual(await collect(multi, opts), a);
    assert.deepEqual(await stdinPiles(gzipSync(bytes), opts), a);
    const ref = await referencePiles(plain);
    assert.equal(a.length, ref.size);
    for (const p of a) {
      assert.deepEqual([p.readLen, Array.from(p.intervals)], ref.get(p.readId), p.readId);
      assert.equal(p.nOverlaps, p.intervals.length / 2);
    }
    const ids = a.map((p) => p.readId);
    assert.deepEqual(ids, [...ids].sort());
  } finally {
    await cleanup();
  }
});

Deno.test("pilesFromPaf: buckets together = one process; reads subset within a bucket", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const p = join(dir, "o.paf");
    await Deno.writeTextFile(p, randomPaf(800, 40));
    const norm = (xs: PafPile[]) => xs.map((x) => JSON.stringify(x)).sort();
    // the median overlap count as the minimum: both kinds of pile come out
    const counts = (await collect(p, { minOverlaps: 1 })).map((x) => x.nOverlaps).sort((a, b) =>
      a - b
    );
    const minOverlaps = counts[counts.length >> 1];
    const one = await collect(p, { minOverlaps });
    assert.ok(one.some((x) => x.enough) && one.some((x) => !x.enough), "both kinds present");
    const K = 4;
    const parts = await Promise.all(
      [0, 1, 2, 3].map((k) => collect(p, { minOverlaps, bucket: { k, K } })),
    );
    assert.deepEqual(norm(parts.flat()), norm(one));
    parts.forEach((part, k) => part.forEach((x) => assert.equal(bucketOf(x.readId, K), k)));
    const want = ["read_1", "read_2", "read_3", "nope"];
    const b = bucketOf("read_2", K);
    const some = await collect(p, { reads: want, bucket: { k: b, K } });
    assert.deepEqual(
      some.map((x) => x.readId).sort(),
      want.filter((id) => bucketOf(id, K) === b).sort(),
    );
  } finally {
    await cleanup();
  }
});

/** A small PAF: reads with enough and with too few overlaps, and a self-mapping. */
const SMALL_PAF = [
  // read a (1600 bp): three overlaps; b and c overlap a; d has one overlap only
  "a\t1600\t0\t1600\t+\tb\t2000\t400\t2000\t1500\t1600\t60",
  "c\t1000\t0\t800\t-\ta\t1600\t800\t1600\t700\t800\t60",
  "a\t1600\t0\t800\t+\te\t900\t100\t900\t700\t800\t60",
  "b\t2000\t0\t1000\t+\tc\t1000\t0\t1000\t900\t1000\t60",
  "b\t2000\t0\t500\t+\td\t3000\t2500\t3000\t400\t500\t60",
  "a\t1600\t0\t1600\t+\ta\t1600\t0\t1600\t1600\t1600\t60",
].join("\n") + "\n";

Deno.test("pilesFromPaf: both sides of each overlap, self-mappings skipped, buckets", async () => {
  const dir = await Deno.makeTempDir();
  const p = join(dir, "ovl.paf");
  await Deno.writeTextFile(p, SMALL_PAF);
  const piles = await collect(p, { minOverlaps: 2 });
  const byId = new Map(piles.map((x) => [x.readId, x]));
  assert.deepEqual([...byId.keys()].sort(), ["a", "b", "c", "d", "e"]);
  assert.deepEqual(Array.from(byId.get("a")!.intervals), [0, 1600, 800, 1600, 0, 800]);
  assert.equal(byId.get("a")!.nOverlaps, 3);
  assert.equal(byId.get("b")!.nOverlaps, 3);
  assert.equal(byId.get("d")!.enough, false);
  assert.equal(byId.get("e")!.enough, false);
  // too-few reads come first, then the rest; the buckets together give the same piles
  const norm = (xs: PafPile[]) => xs.map((x) => JSON.stringify(x)).sort();
  const buckets = [0, 1, 2].map((k) => collect(p, { minOverlaps: 2, bucket: { k, K: 3 } }));
  const parts = await Promise.all(buckets);
  assert.deepEqual(norm(parts.flat()), norm(piles));
  for (const [k, part] of parts.entries()) {
    for (const x of part) assert.equal(hashId(x.readId) % 3, k);
  }
  const only = await collect(p, { minOverlaps: 1, reads: ["c", "zz"] });
  assert.deepEqual(only.map((x) => [x.readId, x.nOverlaps, x.enough]), [
    ["zz", 0, false],
    ["c", 2, true],
  ]);
  assert.equal(hashId("a"), hashId("a"));
  await Deno.remove(dir, { recursive: true });
});
