import assert from "node:assert/strict";
import { join } from "node:path";
import { selectBackend } from "../../lib/backend/backend.ts";
import { CALLS_HEADER, DEFAULT_MODEL, shippedModel } from "../../lib/calls/classify.ts";
import { makeDataset, tempDir, writeSynthPaf } from "../fixtures.ts";
import { tinyPileModel as tinyModel } from "../pile_model_fixture.ts";
import { runCli } from "./run.ts";
import { buildModel } from "../../lib/model/model.ts";
import { saveModel } from "../../lib/model/modelio.ts";

await selectBackend({ quiet: true, threads: 1 });

const ENV = { CHIMERA_THREADS: "1" };

Deno.test("classify --paf: one call per read, model and rule side by side", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const paf = join(dir, "ovl.paf");
    const truth = await writeSynthPaf(paf, 2);
    const model = await tinyModel(join(dir, "model"));
    const out = join(dir, "calls.tsv");
    const r = await runCli("classify", ["--paf", paf, "--model", model, "--out", out], {
      env: ENV,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /typical depth D [\d.]+: \d+ called \(\d+ by the model alone at p >= 0\.5, \d+ by the/,
    );
    assert.match(r.stderr, /no call\.json beside it, so no primary call/);
    const rows = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => l.split("\t"));
    assert.deepEqual(rows[0], [...CALLS_HEADER]);
    const body = rows.slice(1);
    const ids = body.map((x) => x[0]);
    assert.deepEqual(ids, [...ids].sort(), "sorted by read id");
    for (const row of body) {
      assert.equal(row.length, 11);
      const status = row[10];
      if (truth.has(row[0]) && status === "ok") {
        assert.match(row[3], /^\d+\.\d$/);
        const p = Number(row[4]);
        assert.ok(/^\d\.\d{4}$/.test(row[4]), row[4]);
        assert.equal(row[5], p >= 0.5 ? "chimeric" : "non_chimeric");
        assert.match(row[6], /^\d\.\d{3}$/);
        assert.match(row[7], /^(non_)?chimeric$/);
        // no call.json beside the model: no primary call
        assert.deepEqual(row.slice(8, 10), ["", ""]);
      } else if (truth.has(row[0])) {
        assert.deepEqual(row.slice(3), ["", "", "", "", "", "", "", "invalid"], row.join(" "));
      } else {
        // partners (one overlap each) and "lone": listed, not called
        assert.deepEqual(row.slice(3), ["", "", "", "", "", "", "", "too_few_overlaps"]);
      }
    }
    assert.ok(body.filter((x) => x[10] === "ok").length >= truth.size - 1);
    assert.deepEqual(
      body.find((x) => x[0] === "lone"),
      ["lone", "5000", "1", "", "", "", "", "", "", "", "too_few_overlaps"],
    );

    // --reads-file to stdout: requested reads only, unknown ones with 0 overlaps
    const [first] = [...truth.keys()];
    const list = join(dir, "ids.txt");
    await Deno.writeTextFile(list, `# reads\n${first}\nnope\n\n`);
    const some = await runCli("classify", [
      "--paf",
      paf,
      "--model",
      model,
      "--reads-file",
      list,
      "--threshold",
      "0",
      "--quiet",
    ], { env: ENV });
    assert.equal(some.code, 0, some.stderr);
    assert.doesNotMatch(some.stderr, /reads:|classify \[/, "--quiet: no summary or bar");
    const lines = some.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[1], "nope\t0\t0\t\t\t\t\t\t\t\ttoo_few_overlaps");
    assert.match(
      lines[2],
      new RegExp(`^${first}\\t\\d+\\t\\d+\\t\\d+\\.\\d\\t\\d\\.\\d{4}\\tchimeric\\t`),
    );

    // the shipped model, once it is in models/: the default when --model is not given
    if (await shippedModel()) {
      const d = await runCli("classify", ["--paf", paf, "--reads", first, "--quiet"], { env: ENV });
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout.split("\n")[1], /\t\d\.\d{4}\t(non_)?chimeric\t.*\t(ok|invalid)$/);
    }
  } finally {
    await cleanup();
  }
});

Deno.test("classify --paf: clear errors for a missing or bad PAF, bad options, no model", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const model = await tinyModel(join(dir, "model"));
    const curveModel = join(dir, "curve");
    await saveModel(buildModel("compact", { columns: 32 }), curveModel, {
      model: "compact",
      input: { kind: "curve", columns: 32 },
      labels: ["non_chimeric", "chimeric"],
    });
    const bad = join(dir, "bad.paf");
    await Deno.writeTextFile(bad, "a\t100\t0\t50\t+\tb\t100\t0\t50\t50\t50\t60\na\t100\tx\n");
    const cases: [string[], RegExp][] = [
      [["--paf", join(dir, "none.paf"), "--model", model], /none\.paf: file not found/],
      [["--paf", dir, "--model", model], /expected a PAF file, found a folder/],
      [["--paf", bad, "--model", model], /bad\.paf:2: malformed PAF line/],
      [["--paf", bad, "--model", model, "--out", dir], /is a folder; --out takes/],
      [["--paf", bad, "--model", model, "--min-overlaps", "0"], /--min-overlaps: expected/],
      [["--paf", bad, "--model", model, "--reads", "a", "--reads-file", bad], /either --reads/],
      [["--paf", bad, "--model", join(dir, "nomodel")], /nomodel\/model\.json: no model here/],
      // refused before the PAF is read (its bad line 2 would be the error otherwise)
      [["--paf", bad, "--model", curveModel], /curve: this model reads the curve input; calls/],
      [["--paf", bad, "--model", model, "x.png"], /image paths \(x\.png\) go in a separate run/],
      [["--paf", bad, "--model", model, "--model-reads", "some"], /--model-reads: expected needed/],
      [
        ["--paf", bad, "--model", model, "--settle", "2"],
        /--settle: expected a number in \[0, 1\]/,
      ],
      [["--paf", bad, "--model", model, "--threads", "0"], /--threads: expected a whole number/],
      [["--paf", bad, "--model", model, "--threads", "1.5"], /--threads: expected a whole number/],
    ];
    if (!(await shippedModel())) {
      cases.push([["--paf", bad], /no --model given and the shipped model .* is not there/]);
    }
    // one process for all cases: each is a UserError, printed as one line
    const code = cases.map(([args], i) =>
      `try { await main(${JSON.stringify(args)}); console.log("${i}: no error"); } ` +
      `catch (e) { console.log("${i}: " + (e instanceof UserError ? "" : "BUG ") + e.message); }`
    ).join("\n");
    const script = join(dir, "cases.ts");
    const root = new URL("../../", import.meta.url).pathname;
    await Deno.writeTextFile(
      script,
      `import { main } from "${root}lib/cli/classify.ts";\n` +
        `import { UserError } from "${root}lib/core/errors.ts";\n${code}\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${root}deno.json`, script],
      cwd: root,
      env: { NO_COLOR: "1", ...ENV },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = text.trimEnd().split("\n").filter((l) => /^\d+: /.test(l));
    assert.equal(lines.length, cases.length, text);
    cases.forEach(([, re], i) => assert.match(lines[i], re, `case ${i}: ${lines[i]}`));
    // and on the command line: one line, exit code 1
    const r = await runCli("classify", ["--paf", join(dir, "none.paf"), "--model", model], {
      env: ENV,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: .*none\.paf: file not found\n$/);
  } finally {
    await cleanup();
  }
});

Deno.test({
  name: "classify --paf: the model left out where it cannot matter; --model-reads all, same calls",
  ignore: !(await shippedModel()),
  fn: async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const paf = join(dir, "ovl.paf");
      const truth = await writeSynthPaf(paf, 2);
      const reads = [...truth.keys()].join(",");
      const run = async (extra: string[]) => {
        const r = await runCli("classify", ["--paf", paf, "--reads", reads, ...extra], {
          env: ENV,
        });
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trimEnd().split("\n").slice(1).map((l) => l.split("\t"));
      };
      const needed = await run([]);
      // --timings: every stage, in order, with the reads the model read
      const t = await runCli("classify", ["--paf", paf, "--reads", reads, "--quiet", "--timings"], {
        env: ENV,
      });
      const read = needed.filter((r) => r[4] !== "").length;
      assert.match(
        t.stderr,
        new RegExp(
          `^timings: start and model load \\d+\\.\\d\\d s, piles \\d+\\.\\d\\d s, evidence ` +
            `\\d+\\.\\d\\d s, model \\(${read} reads\\) \\d+\\.\\d\\d s, sorting and writing ` +
            `\\d+\\.\\d\\d s$`,
          "m",
        ),
      );
      const all = await run(["--model-reads", "all"]);
      const ok = (rows: string[][]) => rows.filter((r) => r[10] === "ok");
      // every called read has the model's P(chimeric) with "all", not all of them by default
      assert.ok(ok(all).every((r) => /^\d\.\d{4}$/.test(r[4])));
      assert.ok(ok(needed).some((r) => r[4] === "" && r[5] === ""));
      // p_call within --settle (0.01) and the same call everywhere; the rest byte for byte
      assert.equal(needed.length, all.length);
      needed.forEach((r, i) => {
        const a = all[i];
        assert.deepEqual([...r.slice(0, 4), ...r.slice(6, 8), r[9], r[10]], [
          ...a.slice(0, 4),
          ...a.slice(6, 8),
          a[9],
          a[10],
        ]);
        if (r[4] !== "") assert.deepEqual(r, a);
        else assert.ok(Math.abs(Number(r[8]) - Number(a[8])) <= 0.01, `${r[8]} vs ${a[8]}`);
      });
    } finally {
      await cleanup();
    }
  },
});

Deno.test("classify --help lists the --paf options", async () => {
  const r = await runCli("classify", ["--help"]);
  assert.equal(r.code, 0);
  for (
    const o of [
      "--paf",
      "--model",
      "--reads",
      "--reads-file",
      "--min-overlaps",
      "--threads",
      "--out",
    ]
  ) {
    assert.ok(r.stdout.includes(o), o);
  }
});

Deno.test({
  name: "classify PATH: images get the shipped chart model by default, --paf the overlaps one",
  ignore: !(await shippedModel("charts")) || !(await shippedModel()),
  fn: async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await makeDataset(join(dir, "data"), 2);
      // the whole folder: D, the typical depth of a species, comes from the charts given
      const p = async (extra: string[]) => {
        const r = await runCli("classify", [...extra, join(dir, "data")], { env: ENV });
        assert.equal(r.code, 0, r.stderr);
        const row = r.stdout.split("\n").find((l) => l.includes("chimeric/sp_1000.png"));
        return row?.split("\t")[1];
      };
      // the pinned values of tests/calls/classify_test.ts: models/charts, then models/compact
      assert.equal(await p([]), "0.8360");
      assert.equal(await p(["--model", DEFAULT_MODEL]), "0.9144");
    } finally {
      await cleanup();
    }
  },
});
