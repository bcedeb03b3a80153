/**
 * The notebooks in the users' own client: JupyterLab 4 (from the pinned venv .venv-jupyter that
 * .ci/run installs from requirements-jupyter.txt) with the project's Deno kernelspec, driven in
 * headless Chromium as a person would: open the notebook, Run > Run All Cells, wait for the
 * kernel to go idle, save (Ctrl+S). Every code cell must then show its output in the page (and
 * none an error in the saved notebook), the pictures must be drawn, and 03_training's live curves
 * must end at the last epoch. Skips when the venv or Chromium is absent. Screenshots go to
 * $CHIMERA_SCREENSHOT_DIR when it is set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  browser,
  checkPictures,
  CHROMIUM,
  exists,
  type FixtureCell,
  type JupyterServer,
  notebook,
  type Page,
  projectNotebook,
  ROOT,
  scratch,
  startJupyter,
} from "../jupyter_browser.ts";

const LAB = join(ROOT, ".venv-jupyter/bin/jupyter-lab");
const HAS_LAB = exists(LAB) && exists(CHROMIUM);

/** JupyterLab user settings for a quiet, reproducible session (no news pop-up, no update check). */
async function writeLabSettings(work: string): Promise<void> {
  const dir = join(work, "lab-settings/@jupyterlab/apputils-extension");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "notification.jupyterlab-settings"),
    JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
  );
}

interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
  outputs?: { output_type: string; ename?: string; evalue?: string }[];
}

const text = (s: string | string[]) => (Array.isArray(s) ? s.join("") : s);
const firstLine = (s: string) => s.split("\n").map((l) => l.trim()).find((l) => l)?.slice(0, 80);

/** What one Run All in JupyterLab gave: problems (empty when all is well), timing, cells. */
interface LabRun {
  problems: string[];
  seconds: number;
  /** The code cells in the page, in order. */
  cells: ReturnType<Page["locator"]>[];
}

/**
 * Open `notebooks/<name>` of the server in `page`, Run All Cells from the Run menu, wait until
 * every non-empty code cell has an execution count and the kernel is idle, save, and list the
 * problems: a cell that did not run, a code cell without output in the page (unless tagged
 * "no-output"), an error output in the saved notebook.
 */
async function runAllInLab(
  page: Page,
  server: JupyterServer,
  work: string,
  name: string,
  timeoutMs: number,
): Promise<LabRun> {
  const t0 = performance.now();
  await page.goto(`${server.base}/lab/tree/notebooks/${name}?token=${server.token}`, {
    timeout: 60_000,
  });
  const status = page.locator("#jp-main-statusbar");
  await page.waitForSelector(".jp-Notebook .jp-CodeCell", { timeout: 60_000 });
  await status.getByText("Deno | Idle").waitFor({ timeout: 60_000 });
  await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-item", { hasText: /^Run All Cells/ }).click();
  const src: NbCell[] = JSON.parse(await Deno.readTextFile(join(work, "notebooks", name))).cells;
  const code = src.filter((c) => c.cell_type === "code");
  const runnable = code.map((c) => text(c.source).trim() !== "");
  await page.waitForFunction(
    `((runnable) => {
      const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
      const idle = document.querySelector("#jp-main-statusbar")?.textContent?.includes("Deno | Idle");
      return idle && cells.length === runnable.length && cells.every((c, i) =>
        !runnable[i] || /\\[\\d+\\]/.test(c.querySelector(".jp-InputPrompt")?.textContent ?? ""));
    })(${JSON.stringify(runnable)})`,
    undefined,
    { timeout: timeoutMs, polling: 500 },
  ).catch(() => {/* cells left unrun are reported below */});
  await page.waitForTimeout(1500); // outputs the Deno kernel sends after idle
  const cells = await page.locator(".jp-Notebook .jp-CodeCell").all();
  assert.equal(cells.length, code.length, "code cells in the page");
  // Save as a person would; the saved notebook holds exactly the outputs the page has.
  await page.keyboard.press("Control+s");
  await page.locator(".lm-TabBar-tab.jp-mod-dirty").waitFor({ state: "detached", timeout: 20_000 });
  const saved: NbCell[] = JSON.parse(await Deno.readTextFile(join(work, "notebooks", name))).cells
    .filter((c: NbCell) => c.cell_type === "code");
  const problems: string[] = [];
  let number = 0;
  for (const [i, c] of src.entries()) {
    if (c.cell_type !== "code") continue;
    const k = number++;
    if (!runnable[k]) continue;
    const where = `cell ${i + 1} (${JSON.stringify(firstLine(text(c.source)))})`;
    const prompt = await cells[k].locator(".jp-InputPrompt").innerText();
    if (!/\[\d+\]/.test(prompt)) {
      problems.push(`${where}: not run (prompt ${prompt.trim()})`);
      continue;
    }
    const err = (saved[k].outputs ?? []).find((o) => o.output_type === "error");
    if (err) problems.push(`${where}: ${err.ename}: ${err.evalue}`);
    if (c.metadata?.tags?.includes("no-output")) continue;
    if ((await cells[k].locator(".jp-OutputArea-output").count()) === 0) {
      problems.push(`${where}: no output in the page`);
    }
  }
  return { problems, seconds: (performance.now() - t0) / 1000, cells };
}

/** Make the whole notebook visible (it scrolls inside its panel) and save a screenshot. */
async function screenshot(page: Page, file: string): Promise<void> {
  const shots = Deno.env.get("CHIMERA_SCREENSHOT_DIR");
  if (!shots) return;
  const height = Number(
    await page.evaluate(
      `document.querySelector(".jp-NotebookPanel-notebook")?.scrollHeight ?? 720`,
    ),
  );
  await page.setViewportSize({ width: 1280, height: Math.min(12000, height + 160) });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(shots, file) });
}

/** The race cells of the runner test: a busy loop then a log line, then a bare result. */
function raceCells(n: number): FixtureCell[] {
  const cells: FixtureCell[] = [];
  for (let i = 0; i < n; i++) {
    cells.push(`let s${i} = 0; for (let k = 0; k < 1e6; k++) s${i} += k; console.log("log ${i}")`);
    cells.push(`"result ${i}"`);
  }
  return cells;
}

Deno.test({
  name: "JupyterLab 4 in headless Chromium: Run All shows every output (00, 03 live curves)",
  ignore: !HAS_LAB,
  async fn(t) {
    const work = await scratch("lab");
    await Deno.mkdir(join(work, "notebooks"));
    await writeLabSettings(work);
    const fixture = notebook([
      "# A silent cell must fail the check",
      "1 + 2",
      "const x = 1;",
      { src: "const y = 2;", tags: ["no-output"] },
      ...raceCells(4),
      `console.log("end", x + y)`,
    ]);
    await Deno.writeTextFile(join(work, "notebooks/silent.ipynb"), fixture);
    await Deno.writeTextFile(
      join(work, "notebooks/00_quickstart.ipynb"),
      await projectNotebook("00_quickstart.ipynb"),
    );
    // 03 with two epochs in quick mode, so that the final picture differs from the first one.
    const training = await projectNotebook("03_training.ipynb");
    const twoEpochs = training.replace("const EPOCHS = QUICK ? 1 :", "const EPOCHS = QUICK ? 2 :");
    assert.notEqual(twoEpochs, training, "03_training's EPOCHS parameter");
    await Deno.writeTextFile(join(work, "notebooks/03_training.ipynb"), twoEpochs);
    const server = await startJupyter({ exe: LAB, kind: "lab", work, env: { CHIMERA_QUICK: "1" } });
    const b = await browser();
    try {
      await t.step("a code cell without output is reported, naming the cell", async () => {
        const page = await b.context.newPage();
        const r = await runAllInLab(page, server, work, "silent.ipynb", 60_000);
        assert.deepEqual(r.problems, ['cell 3 ("const x = 1;"): no output in the page']);
        console.log(`silent fixture: ${r.seconds.toFixed(1)} s`);
        await page.close();
        await server.shutdownKernels();
      });
      await t.step("00_quickstart: every output, pictures drawn", async () => {
        const page = await b.context.newPage();
        const r = await runAllInLab(page, server, work, "00_quickstart.ipynb", 180_000);
        assert.deepEqual(r.problems, []);
        const res = await checkPictures(page, ".jp-OutputArea-output", 7, 1);
        const live = page.locator(".jp-CodeCell", { hasText: "liveTraining(" });
        assert.equal(await live.locator(".jp-OutputArea-output").count(), 1, "one live output");
        assert.ok((await live.innerText()).includes("done: 8 epochs"));
        await screenshot(page, "jupyterlab_00_quickstart.png");
        console.log(`00_quickstart: ${r.seconds.toFixed(1)} s; ${JSON.stringify(res)}`);
        await page.close();
        await server.shutdownKernels();
      });
      await t.step(
        "03_training: live curves redrawn in place, ending at the last epoch",
        async () => {
          const page = await b.context.newPage();
          const r = await runAllInLab(page, server, work, "03_training.ipynb", 420_000);
          assert.deepEqual(r.problems, []);
          const res = await checkPictures(page, ".jp-OutputArea-output", 3, 0, 0);
          const live = page.locator(".jp-CodeCell", { hasText: "liveTraining(" });
          const out = live.locator(".jp-OutputArea-output");
          assert.equal(await out.count(), 1, "the live display is one output, updated in place");
          assert.match(await out.innerText(), /^done: 6 steps, 2 epoch\(s\) in [\d.]+ min/);
          // The epoch panels show both epochs, train and validation: 2 x 2 dots in each of two.
          assert.equal(await out.locator("svg circle").count(), 8, "dots of epochs 1 and 2");
          await screenshot(page, "jupyterlab_03_training.png");
          console.log(`03_training: ${r.seconds.toFixed(1)} s; ${JSON.stringify(res)}`);
          await page.close();
        },
      );
    } finally {
      await b.close();
      await server.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
