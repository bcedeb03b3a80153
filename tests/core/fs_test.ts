import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readFileOrFail,
  readJson,
  readTextOrFail,
  requireDir,
  statOrNull,
  writeFileAtomic,
  writeJsonAtomic,
  writeTextAtomic,
} from "../../lib/core/fs.ts";
import { UserError } from "../../lib/core/errors.ts";
import { tempDir } from "../fixtures.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

/** Assert that `p` rejects with a UserError whose message matches `re`. */
async function rejectsUser(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    assert.match(err.message, re);
    return true;
  });
}

Deno.test("atomic writes replace the old content whole and leave no temp file", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const path = join(dir, "sub", "deeper", "out.txt");
    await writeTextAtomic(path, "a long first version\n".repeat(100));
    await writeTextAtomic(path, "short");
    assert.equal(await Deno.readTextFile(path), "short");
    assert.deepEqual(await names(join(dir, "sub", "deeper")), ["out.txt"]);

    const bin = join(dir, "data.bin");
    await writeFileAtomic(bin, new Uint8Array([1, 2, 3, 4, 5]));
    await writeFileAtomic(bin, new Uint8Array([9]));
    assert.deepEqual(await Deno.readFile(bin), new Uint8Array([9]));

    const json = join(dir, "v.json");
    await writeJsonAtomic(json, { a: [1, 2], b: "x" });
    const text = await Deno.readTextFile(json);
    assert.ok(text.endsWith("}\n"), "JSON ends with a newline");
    assert.deepEqual(JSON.parse(text), { a: [1, 2], b: "x" });
    assert.deepEqual(await names(dir), ["data.bin", "sub", "v.json"]);
  } finally {
    await cleanup();
  }
});

Deno.test("a failed atomic write removes its temp file and keeps what was there", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    // The target is a non-empty folder: the final rename fails.
    const target = join(dir, "taken");
    await Deno.mkdir(target);
    await Deno.writeTextFile(join(target, "keep.txt"), "kept");
    await assert.rejects(writeTextAtomic(target, "new"));
    assert.deepEqual(await names(dir), ["taken"], "no .tmp file left beside the target");
    assert.equal(await Deno.readTextFile(join(target, "keep.txt")), "kept");
  } finally {
    await cleanup();
  }
});

Deno.test("readFileOrFail, readTextOrFail and readJson name the file and the problem", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const missing = join(dir, "missing.json");
    await rejectsUser(readFileOrFail(missing), /missing\.json: file not found/);
    await rejectsUser(readTextOrFail(missing, "manifest"), /missing\.json: manifest not found/);
    await rejectsUser(readJson(missing), /missing\.json: file not found/);
    await rejectsUser(readFileOrFail(dir, "model"), new RegExp(`^${dir}: is a folder`));

    const bad = join(dir, "bad.json");
    await Deno.writeTextFile(bad, "{not json");
    await rejectsUser(readJson(bad), /bad\.json: not valid JSON/);

    const good = join(dir, "good.json");
    await Deno.writeTextFile(good, '{"x": 1}');
    assert.deepEqual(await readJson<{ x: number }>(good), { x: 1 });
    assert.equal(await readTextOrFail(good), '{"x": 1}');
    assert.deepEqual(await readFileOrFail(good), new TextEncoder().encode('{"x": 1}'));
  } finally {
    await cleanup();
  }
});

Deno.test("statOrNull and requireDir", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const file = join(dir, "f.txt");
    await Deno.writeTextFile(file, "x");
    assert.equal(await statOrNull(join(dir, "nothing")), null);
    assert.equal(await statOrNull(join(file, "below-a-file")), null);
    assert.ok((await statOrNull(file))?.isFile);
    assert.ok((await statOrNull(dir))?.isDirectory);

    await requireDir(dir);
    await rejectsUser(requireDir(join(dir, "nothing"), "data folder"), /nothing: data folder does/);
    await rejectsUser(requireDir(join(file, "sub")), /sub: folder does not exist/);
    await rejectsUser(requireDir(file), /f\.txt: expected a folder, found a file/);
  } finally {
    await cleanup();
  }
});
