/**
 * Tests of `deno task notebooks` and of the notebooks in real clients:
 *  - the runner on generated notebooks (errors and silent cells fail, naming notebook and cell;
 *    outputs the Deno kernel sends after idle are all collected; live displays update in place);
 *  - the exported HTML of 00_quickstart opened in headless Chromium (pictures drawn);
 *  - the classic Jupyter Notebook server driven through its UI in headless Chromium.
 * Each part skips when its Debian packages (python3-nbclient..., chromium, jupyter-notebook)
 * are not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  denoKernelspec,
  findPython,
  listNotebooks,
  type NotebookRecord,
  runNotebooks,
  writeKernelspec,
} from "../../lib/notebook/runner.ts";
import {
  browser,
  checkPictures,
  CHROMIUM,
  exists,
  expectedOutputs,
  type JupyterServer,
  type NbCell,
  notebook,
  pageCells,
  projectNotebook,
  ROOT,
  runAllProblems,
  scratch,
  settleOutputs,
  startJupyter,
} from "../notebook/jupyter_browser.ts";

const CLI = join(ROOT, "lib/cli/notebooks.ts");
const NOTEBOOK_SERVER = "/usr/bin/jupyter-notebook";
const HAS_RUNNER = (await findPython()) !== null;
const HAS_CHROMIUM = exists(CHROMIUM);
const HAS_SERVER = exists(NOTEBOOK_SERVER);

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/** nbformat stores multi-line strings as lists of lines. */
const joined = (v: unknown) => (Array.isArray(v) ? v.join("") : v);

interface Output {
  output_type: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

Deno.test("notebooks --help; kernelspec and notebook listing", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.ok(help.out.includes("Usage: deno task notebooks"));
  assert.ok(help.out.includes("--quick"));
  const spec = denoKernelspec("/x/deno");
  assert.deepEqual(spec.argv, ["/x/deno", "jupyter", "--kernel", "--conn", "{connection_file}"]);
  assert.equal(spec.env.NO_COLOR, "1");
  const dir = await Deno.makeTempDir();
  try {
    const jp = await writeKernelspec(join(dir, "jp"), spec);
    const written = JSON.parse(await Deno.readTextFile(join(jp, "kernels/deno/kernel.json")));
    assert.deepEqual(written, spec);
    for (const n of ["b.ipynb", "a_x.ipynb", "notes.md"]) {
      await Deno.writeTextFile(join(dir, n), "");
    }
    assert.deepEqual(await listNotebooks(dir), [join(dir, "a_x.ipynb"), join(dir, "b.ipynb")]);
    assert.deepEqual(await listNotebooks(dir, ["a"]), [join(dir, "a_x.ipynb")]);
    assert.deepEqual(await listNotebooks(dir, ["b.ipynb"]), [join(dir, "b.ipynb")]);
    await assert.rejects(listNotebooks(dir, ["zz"]), /--only zz: no notebook of that name/);
    const bad = await cli(["--dir", dir, "--only", "zz"]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /^error: --only zz: no notebook/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "notebooks runner: fails naming notebook and cell; collects every output; live updates",
  ignore: !HAS_RUNNER,
  async fn() {
    const dir = await scratch("nbtest");
    try {
      const lib = join(ROOT, "lib");
      const race: string[] = [];
      for (let i = 0; i < 8; i++) {
        race.push(
          `let s${i} = 0; for (let k = 0; k < 1e6; k++) s${i} += k; console.log("log ${i}")`,
        );
        race.push(`"result ${i}"`);
      }
      const good = notebook([
        "# A fixture notebook",
        {
          src: `import { LiveDisplay, show, view } from "${lib}/notebook/mod.ts";\n` +
            `import { trainingCurves, svgToPng } from "${lib}/viz/mod.ts";`,
          tags: ["no-output"],
        },
        `console.log("quick", Deno.env.get("CHIMERA_QUICK"))`,
        "1 + 2",
        "await show(trainingCurves({ epochs: [{ epoch: 1, loss: 0.5, acc: 0.7 }] }))",
        `const live = new LiveDisplay();\nfor (let i = 0; i < 5; i++) await live.update(` +
        "{ html: `<b>step ${i}</b>` });",
        `await show(await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" ` +
        `height="4"/>'), { width: 10 })`,
        "",
        ...race,
        `view('<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"/>')`,
      ]);
      // A silent cell (no output, not tagged) and an error: both reported, later cells not run.
      const bad = notebook(["const x = 1;", `throw new Error("boom")`, `console.log(x)`]);
      const sources = { "good.ipynb": good, "bad.ipynb": bad };
      for (const [n, text] of Object.entries(sources)) await Deno.writeTextFile(join(dir, n), text);
      const out = join(dir, "out");
      const r = await cli(["--dir", dir, "--out", out, "--quick"]);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /^ok good\.ipynb/m);
      assert.match(r.out, /^FAILED bad\.ipynb/m);
      assert.ok(r.out.includes("bad.ipynb: cell 1 ('const x = 1;'): produced no output"));
      assert.ok(r.out.includes(`bad.ipynb: cell 2 ('throw new Error("boom")'): Error: boom`));
      assert.ok(r.out.includes("bad.ipynb: 1 code cell(s) after cell 2 were not run"));
      assert.match(r.out, /1 of 2 notebooks ok/);
      // Sources untouched; executed notebooks, HTML and a summary written.
      for (const [n, text] of Object.entries(sources)) {
        assert.equal(await Deno.readTextFile(join(dir, n)), text);
        assert.ok(exists(join(out, n)));
        assert.ok(exists(join(out, n.replace(".ipynb", ".html"))));
      }
      const summary: NotebookRecord[] = JSON.parse(
        await Deno.readTextFile(join(out, "summary.json")),
      );
      assert.deepEqual(summary.map((s) => [s.notebook, s.ok]), [
        ["bad.ipynb", false],
        ["good.ipynb", true],
      ]);
      const nb = JSON.parse(await Deno.readTextFile(join(out, "good.ipynb")));
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      const outs: Output[][] = code.map((c: { outputs: Output[] }) => c.outputs);
      assert.equal(joined(outs[1][0].text), "quick 1\n");
      assert.equal(joined(outs[2][0].data!["text/plain"]), "3");
      assert.ok(String(joined(outs[3][0].data!["image/svg+xml"])).startsWith("<svg"));
      assert.equal(outs[4].length, 1, "live display updated in place");
      assert.equal(joined(outs[4][0].data!["text/html"]), "<b>step 4</b>");
      assert.ok(outs[5][0].data!["image/png"]);
      assert.deepEqual(outs[5][0].metadata, { "image/png": { width: 10 } });
      assert.equal(outs[6].length, 0, "empty cell");
      // Every output of the race cells is there (stock nbclient drops some at idle).
      for (let i = 0; i < 8; i++) {
        assert.equal(joined(outs[7 + 2 * i][0]?.text), `log ${i}\n`, `race cell log ${i}`);
        assert.equal(joined(outs[8 + 2 * i][0]?.data?.["text/plain"]), `"result ${i}"`);
      }
      const last = outs[7 + race.length][0];
      assert.equal(last.output_type, "execute_result");
      assert.ok(String(joined(last.data!["image/svg+xml"])).startsWith("<svg"), "view() displays");
      const html = await Deno.readTextFile(join(out, "good.html"));
      assert.ok(html.includes("<b>step 4</b>"));
      assert.ok(/<svg[^>]*>\s*<rect/.test(html), "SVG output kept intact in the HTML export");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "every notebook runs top to bottom in quick mode: no error cells, every output present",
  ignore: !HAS_RUNNER,
  async fn() {
    const out = await scratch("all");
    try {
      const r = await runNotebooks({ quick: true, out, verbose: false });
      assert.ok(r.ok, r.log);
      const names = r.records.map((x) => x.notebook).sort();
      const sources = [...Deno.readDirSync(join(ROOT, "notebooks"))]
        .filter((e) => e.name.endsWith(".ipynb")).map((e) => e.name).sort();
      assert.deepEqual(names.map((n) => n.replace(/^.*\//, "")), sources);
      for (const rec of r.records) assert.ok(rec.ok, `${rec.notebook}: ${JSON.stringify(rec)}`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "00_quickstart (quick) exports HTML whose plots and images render in headless Chromium",
  ignore: !HAS_RUNNER || !HAS_CHROMIUM,
  async fn() {
    const out = await scratch("quickstart");
    const b = await browser();
    try {
      const r = await runNotebooks({ only: ["00_quickstart"], quick: true, out, verbose: false });
      assert.ok(r.ok, r.log);
      const page = await b.context.newPage();
      await page.goto(`file://${r.records[0].html}`, { waitUntil: "load", timeout: 60_000 });
      const res = await checkPictures(page, ".jp-OutputArea-output", { svg: 7, img: 1, image: 3 });
      const text = await page.locator("body").innerText();
      assert.ok(text.includes("Model: compact"));
      assert.ok(!text.includes("Traceback"));
      const shots = Deno.env.get("CHIMERA_SCREENSHOT_DIR");
      if (shots) {
        await page.screenshot({ path: join(shots, "quickstart_html.png"), fullPage: true });
      }
      console.log(`HTML check: ${JSON.stringify(res)}`);
    } finally {
      await b.close();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "classic Jupyter Notebook in headless Chromium: Run All shows every output and picture",
  ignore: !HAS_RUNNER || !HAS_CHROMIUM || !HAS_SERVER,
  async fn() {
    const work = await scratch("ui");
    const file = join(work, "quickstart.ipynb");
    await Deno.writeTextFile(file, await projectNotebook("00_quickstart.ipynb"));
    let server: JupyterServer | undefined;
    let b: Awaited<ReturnType<typeof browser>> | undefined;
    try {
      server = await startJupyter({
        exe: NOTEBOOK_SERVER,
        kind: "notebook",
        work,
        env: { CHIMERA_QUICK: "1" },
      });
      b = await browser();
      const page = await b.context.newPage();
      await page.goto(`${server.base}/notebooks/quickstart.ipynb?token=${server.token}`, {
        timeout: 60_000,
      });
      await page.waitForSelector("#kernel_indicator_icon.kernel_idle_icon", { timeout: 60_000 });
      await page.click("#celllink");
      await page.click("#run_all_cells");
      // Done when every code cell has a number in its prompt and the kernel is idle again.
      await page.waitForFunction(
        `(() => {
          const prompts = [...document.querySelectorAll(".code_cell .input_prompt")];
          const busy = document.querySelector("#kernel_indicator_icon.kernel_busy_icon");
          return prompts.length > 0 && !busy &&
            prompts.every((p) => /\\[\\d+\\]/.test(p.textContent ?? ""));
        })()`,
        undefined,
        { timeout: 90_000, polling: 500 },
      );
      const source: NbCell[] = JSON.parse(await Deno.readTextFile(file)).cells;
      await settleOutputs(page, "notebook", expectedOutputs(source));
      assert.equal(await page.locator(".output_error").count(), 0, "no error outputs");
      assert.deepEqual(runAllProblems(source, await pageCells(page, "notebook")), []);
      const res = await checkPictures(page, ".output_area", { svg: 7, img: 1, image: 3 });
      // The live training display is one output, updated in place.
      const liveCell = page.locator(".code_cell", { hasText: "liveTraining(" });
      assert.equal(await liveCell.locator(".output_area").count(), 1);
      assert.ok((await liveCell.innerText()).includes("done: 8 epochs"));
      const shots = Deno.env.get("CHIMERA_SCREENSHOT_DIR");
      if (shots) {
        // The notebook scrolls inside #site: a tall window shows it all.
        const height = await page.evaluate(`document.querySelector("#notebook").scrollHeight`);
        await page.setViewportSize({ width: 1280, height: Math.min(12000, Number(height) + 200) });
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(shots, "quickstart_ui.png") });
      }
      console.log(`UI check: ${JSON.stringify(res)}`);
    } finally {
      await b?.close().catch(() => {});
      await server?.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
