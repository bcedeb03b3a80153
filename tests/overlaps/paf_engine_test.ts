import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  bucketOf,
  NameTable,
  type PafPile,
  parseBucket,
  pilesFromPaf,
  scanPaf,
} from "../../lib/overlaps/paf_engine.ts";
import { byteHash, hashId } from "../../lib/core/hash.ts";
import { parsePafLine, readPaf } from "../../lib/overlaps/paf.ts";
import { UserError } from "../../lib/core/errors.ts";
import { mulberry32 } from "../../lib/core/random.ts";
import { bucketFile, scatterPaf } from "../../lib/overlaps/scatter.ts";
import { tempDir } from "../fixtures.ts";
import { ROOT } from "../cli/run.ts";

/** A PAF text of `n` random overlaps among `reads` reads (with tags, some self-mappings). */
function randomPaf(n: number, reads = 60, seed = 3): string {
  const rng = mulberry32(seed);
  const len = (i: number) => 2000 + (i * 7919) % 9000;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const q = Math.floor(rng() * reads), t = i % 97 === 0 ? q : Math.floor(rng() * reads);
    const [ql, tl] = [len(q), len(t)];
    const qs = Math.floor(rng() * ql / 2), ts = Math.floor(rng() * tl / 2);
    const qe = qs + Math.floor(rng() * (ql - qs)), te = ts + Math.floor(rng() * (tl - ts));
    lines.push(
      `read_${q}\t${ql}\t${qs}\t${qe}\t${rng() < 0.5 ? "+" : "-"}\tread_${t}\t${tl}\t${ts}\t${te}` +
        `\t${qe - qs}\t${te - ts}\t${Math.floor(rng() * 61)}\ttp:A:S\tcm:i:${i}\tdv:f:0.05`,
    );
  }
  return lines.join("\n") + "\n";
}

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

async function collect(path: string, opts = {}): Promise<PafPile[]> {
  const out: PafPile[] = [];
  for await (const p of pilesFromPaf(path, opts)) out.push(p);
  return out;
}

/** Piles read from stdin by a child process (`pilesFromPaf("-")`), as JSON. */
async function stdinPiles(bytes: Uint8Array, opts = {}): Promise<PafPile[]> {
  const code = `import { pilesFromPaf } from "${ROOT}lib/overlaps/paf_engine.ts";\n` +
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

Deno.test("scanPaf: same errors as parsePafLine; odd numbers, CRLF and blank lines", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const good = "a\t100\t0\t50\t+\tb\t100\t0\t50\t50\t50\t60";
    const bad = "a\t100\t0\t500\t+\tb\t100\t0\t50\t50\t50\t60";
    const p = join(dir, "bad.paf");
    await Deno.writeTextFile(p, `${good}\r\n\n  \n${good.replace("\t0\t", "\t1e1\t")}\n${bad}\n`);
    let expected = "";
    try {
      parsePafLine(bad, p, 5);
    } catch (e) {
      expected = (e as Error).message;
    }
    const starts: number[] = [];
    await assert.rejects(
      scanPaf(p, (v) => void starts.push(v.qStart)),
      (e: Error) => e instanceof UserError && e.message === expected,
    );
    assert.deepEqual(starts, [0, 10], "1e1 is read as parsePafLine reads it");
    assert.match(expected, /bad\.paf:5: malformed PAF line: query interval 0-500/);
  } finally {
    await cleanup();
  }
});

Deno.test("scanPaf: a truncated last line, a truncated or corrupt gzip name the file", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const text = randomPaf(2000);
    const cut = join(dir, "cut.paf");
    await Deno.writeTextFile(cut, text.slice(0, text.length - 30));
    await assert.rejects(scanPaf(cut, () => {}), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /cut\.paf:2000: malformed PAF line: .*no newline at the end/);
      return true;
    });
    const gz = gzipSync(new TextEncoder().encode(text));
    const trunc = join(dir, "trunc.paf.gz");
    await Deno.writeFile(trunc, gz.subarray(0, gz.length >> 1));
    await assert.rejects(
      scanPaf(trunc, () => {}),
      (e: Error) =>
        e instanceof UserError && /trunc\.paf\.gz: truncated or corrupt gzip/.test(e.message),
    );
    const corrupt = join(dir, "corrupt.paf.gz");
    const c = gz.slice();
    c.fill(0, 100, 140);
    await Deno.writeFile(corrupt, c);
    await assert.rejects(
      scanPaf(corrupt, () => {}),
      (e: Error) =>
        e instanceof UserError && /corrupt\.paf\.gz: truncated or corrupt gzip/.test(e.message),
    );
    await assert.rejects(scanPaf(join(dir, "none.paf"), () => {}), /none\.paf: file not found/);
    await assert.rejects(scanPaf(dir, () => {}), /expected a file, found a folder/);
  } finally {
    await cleanup();
  }
});

Deno.test("scatterPaf: each line in its query's and its target's bucket, once", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const p = join(dir, "o.paf");
    const text = randomPaf(1500, 50);
    await Deno.writeTextFile(p, text);
    const K = 3;
    const r = await scatterPaf(p, K, join(dir, "b"), { blockSize: 1 << 16 });
    assert.equal(r.lines, 1500);
    const lines = text.trimEnd().split("\n");
    for (let k = 0; k < K; k++) {
      const f = join(dir, "b", bucketFile(k));
      assert.deepEqual(r.files[k], f);
      const got: string[] = [];
      await scanPaf(
        f,
        (v) => void got.push(new TextDecoder().decode(v.buf.subarray(v.start, v.end))),
      );
      const want = lines.filter((l) => {
        const c = l.split("\t");
        return bucketOf(c[0], K) === k || bucketOf(c[5], K) === k;
      });
      assert.deepEqual(got, want, `bucket ${k}`);
      assert.equal(r.perBucket[k], want.length);
      // the bucket's piles are the full file's piles of its reads
      const full = (await collect(p, { bucket: { k, K } })).map((x) => JSON.stringify(x));
      assert.deepEqual(
        (await collect(f, { bucket: { k, K } })).map((x) => JSON.stringify(x)),
        full,
      );
    }
    assert.deepEqual([...Deno.readDirSync(join(dir, "b"))].map((e) => e.name).sort(), [
      "bucket-0.paf.gz",
      "bucket-1.paf.gz",
      "bucket-2.paf.gz",
    ]);
  } finally {
    await cleanup();
  }
});

Deno.test("hashId, byteHash, NameTable and parseBucket agree", () => {
  const t = new NameTable();
  const enc = new TextEncoder();
  for (let i = 0; i < 5000; i++) {
    const b = enc.encode(`r${i}`);
    assert.equal(byteHash(b, 0, b.length), hashId(`r${i}`));
    assert.equal(t.addString(`r${i}`), i);
  }
  for (let i = 0; i < 5000; i += 777) {
    const b = enc.encode(`r${i}`);
    assert.equal(t.find(b, 0, b.length, byteHash(b, 0, b.length)), i);
  }
  assert.equal(t.addString("r42"), 42);
  assert.deepEqual(parseBucket("2/5"), { k: 2, K: 5 });
  for (const bad of ["5/5", "1", "a/b", "-1/3", "0/0"]) {
    assert.throws(() => parseBucket(bad), /--bucket/);
  }
});
