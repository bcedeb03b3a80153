/**
 * The notebooks in the users' own client: JupyterLab 4 (from the pinned venv .venv-jupyter that
 * .ci/run installs from requirements-jupyter.txt) with the Deno kernelspec installed by
 * `deno jupyter --install` (into a scratch HOME), driven in headless Chromium as a person would:
 * open the notebook, Run > Run All Cells, wait for the kernel to go idle, save (Ctrl+S). Every
 * code cell must then show its output in the page (and none an error in the saved notebook),
 * the pictures must be drawn, and 03_training's live curves must end at the last epoch. A
 * fixture notebook with a silent cell proves the check fails when an output is missing. Skips
 * when the venv or Chromium is absent. Screenshots go to $CHIMERA_SCREENSHOT_DIR, else
 * runs/screenshots/.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  browser,
  checkPictures,
  CHROMIUM,
  CLIENTS,
  exists,
  expectedOutputs,
  type FixtureCell,
  type JupyterServer,
  type Locator,
  type NbCell,
  notebook,
  type Page,
  pageCells,
  pageCellsExpr,
  pidsWith,
  projectNotebook,
  ROOT,
  runAllProblems,
  scratch,
  settleOutputs,
  startJupyter,
} from "../notebook/jupyter_browser.ts";
import { NOTEBOOK_DEFAULTS } from "../../lib/notebook/mod.ts";

const LAB = join(ROOT, ".venv-jupyter/bin/jupyter-lab");
const HAS_LAB = exists(LAB) && exists(CHROMIUM);
const SHOTS = Deno.env.get("CHIMERA_SCREENSHOT_DIR") ?? join(ROOT, "runs/screenshots");

/** JupyterLab user settings for a quiet, reproducible session (no news pop-up, no update check). */
async function writeLabSettings(work: string): Promise<void> {
  const dir = join(work, "lab-settings/@jupyterlab/apputils-extension");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "notification.jupyterlab-settings"),
    JSON.stringify({ fetchNews: "false", checkForUpdates: false }),
  );
}

/** What one Run All in JupyterLab gave: problems (empty when all is well) and seconds taken. */
interface LabRun {
  problems: string[];
  seconds: number;
}

/** The code cells of a notebook file. */
async function readCells(path: string): Promise<NbCell[]> {
  return JSON.parse(await Deno.readTextFile(path)).cells;
}

/**
 * Open `notebooks/<name>` of the server in `page` (a fresh workspace, so it is the only notebook
 * open), Run All Cells from the Run menu, wait until every non-empty code cell has an execution
 * count and the kernel is idle, wait for late outputs (`settleOutputs`), save with Ctrl+S, and list
 * the problems (`runAllProblems`: not run, no output in the page, an error in the saved notebook).
 */
async function runAllInLab(
  page: Page,
  server: JupyterServer,
  work: string,
  name: string,
  timeoutMs: number,
): Promise<LabRun> {
  const t0 = performance.now();
  const file = join(work, "notebooks", name);
  await page.goto(`${server.base}/lab/tree/notebooks/${name}?reset&token=${server.token}`, {
    timeout: 60_000,
  });
  await page.waitForSelector(`${CLIENTS.lab.cell}`, { timeout: 60_000 });
  assert.equal(await page.locator(".jp-NotebookPanel").count(), 1, "one notebook open");
  await page.locator("#jp-main-statusbar").getByText("Deno | Idle").waitFor({ timeout: 60_000 });
  await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-item", { hasText: /^Run All Cells/ }).click();
  const source = await readCells(file);
  const runnable = source.filter((c) => c.cell_type === "code")
    .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source).trim() !== "");
  await page.waitForFunction(
    `(() => {
      const runnable = ${JSON.stringify(runnable)};
      const cells = ${pageCellsExpr(CLIENTS.lab)};
      const status = document.querySelector("#jp-main-statusbar")?.textContent ?? "";
      return status.includes("Deno | Idle") && cells.length === runnable.length &&
        cells.every((c, i) => !runnable[i] || /\\[\\d+\\]/.test(c.prompt));
    })()`,
    undefined,
    { timeout: timeoutMs, polling: 500 },
  ).catch(() => {/* the cells left unrun are reported below */});
  // outputs the Deno kernel sends after idle (later still on a loaded machine)
  await settleOutputs(page, "lab", expectedOutputs(source));
  const cells = await pageCells(page, "lab");
  // Save as a person would; the saved notebook holds the outputs the page has.
  await page.keyboard.press("Control+s");
  await page.locator(".lm-TabBar-tab.jp-mod-dirty").waitFor({ state: "detached", timeout: 20_000 });
  const problems = runAllProblems(source, cells, await readCells(file));
  return { problems, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Save a screenshot of the JupyterLab window, 1280x1000, with `focus` (a cell) scrolled to the
 * top of the notebook panel (a taller window does not show more: JupyterLab 4 draws only the
 * cells in view).
 */
async function screenshot(page: Page, file: string, focus: Locator): Promise<void> {
  await Deno.mkdir(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await focus.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(SHOTS, file) });
}

/**
 * A fixture cell waits after its output as `show` does (`NOTEBOOK_DEFAULTS.flushMs`): the Deno
 * kernel (2.9.6) stamps an output with the request it is running when its main thread picks the
 * output up, so an output still queued when the next cell starts shows under that next cell in a
 * Run All (seen in CI on a loaded machine).
 */
const PAUSE = `await new Promise((r) => setTimeout(r, ${NOTEBOOK_DEFAULTS.flushMs}));`;

/** Busy cells that log, then wait {@link PAUSE} so that the log is theirs. */
function busyCells(n: number): FixtureCell[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `let s${i} = 0; for (let k = 0; k < 1e6; k++) s${i} += k; console.log("log ${i}"); ${PAUSE}`,
  );
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
      `console.log(1 + 2); ${PAUSE}`,
      "const x = 1;",
      { src: "const y = 2;", tags: ["no-output"] },
      ...busyCells(4),
      // The last cell's value comes after the kernel's idle message (nothing runs after it, so it
      // stays in its cell): the check must wait for it.
      `let s = 0; for (let k = 0; k < 1e6; k++) s += k; x + y`,
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
    let server: JupyterServer | undefined;
    let b: Awaited<ReturnType<typeof browser>> | undefined;
    try {
      server = await startJupyter({ exe: LAB, kind: "lab", work, env: { CHIMERA_QUICK: "1" } });
      const lab = server;
      b = await browser();
      const context = b.context;
      await t.step("a code cell without output is reported, naming the cell", async () => {
        const page = await context.newPage();
        const r = await runAllInLab(page, lab, work, "silent.ipynb", 60_000);
        assert.deepEqual(r.problems, ['cell 3 ("const x = 1;"): no output in the page']);
        console.log(`silent fixture: ${r.seconds.toFixed(1)} s`);
        await page.close();
        await lab.shutdownKernels();
      });
      await t.step("00_quickstart: every output, pictures drawn", async () => {
        const page = await context.newPage();
        const r = await runAllInLab(page, lab, work, "00_quickstart.ipynb", 180_000);
        assert.deepEqual(r.problems, []);
        const res = await checkPictures(page, ".jp-OutputArea-output", { all: 8 });
        const live = page.locator(".jp-CodeCell", { hasText: "liveTraining(" });
        assert.equal(await live.locator(".jp-OutputArea-output").count(), 1, "one live output");
        assert.match(
          await live.textContent() ?? "",
          /done: 8 epochs, final val acc 0\.\d{3}Training: epoch 8,/,
        );
        await screenshot(page, "jupyterlab_00_quickstart.png", live);
        console.log(`00_quickstart: ${r.seconds.toFixed(1)} s; ${JSON.stringify(res)}`);
        await page.close();
        await lab.shutdownKernels();
      });
      await t.step(
        "03_training: live curves redrawn in place, ending at the last epoch",
        async () => {
          const page = await context.newPage();
          const r = await runAllInLab(page, lab, work, "03_training.ipynb", 420_000);
          assert.deepEqual(r.problems, []);
          const res = await checkPictures(page, ".jp-OutputArea-output", { all: 2 });
          const live = page.locator(".jp-CodeCell", { hasText: "liveTraining(" });
          const out = live.locator(".jp-OutputArea-output");
          assert.equal(await out.count(), 1, "the live display is one output, updated in place");
          assert.match(await out.textContent() ?? "", /^done: 6 steps, 2 epoch\(s\) in [\d.]+ min/);
          // The epoch panels show both epochs, train and validation: 2 x 2 dots in each of two.
          assert.equal(await out.locator("svg circle").count(), 8, "dots of epochs 1 and 2");
          await screenshot(page, "jupyterlab_03_training.png", live);
          console.log(`03_training: ${r.seconds.toFixed(1)} s; ${JSON.stringify(res)}`);
          await page.close();
        },
      );
    } finally {
      await b?.close().catch(() => {});
      await server?.close();
      await Deno.remove(work, { recursive: true });
    }
    // Reached only when all went well: no kernel outlived the server.
    assert.deepEqual(await pidsWith(server.runtime), [], "kernels left running");
  },
});
