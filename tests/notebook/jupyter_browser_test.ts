/**
 * Tests of the Run All checker in tests/notebook/jupyter_browser.ts: `runAllProblems` on made-up cells,
 * and `pageCells` on generated pages shaped like JupyterLab's and the classic Notebook's (needs
 * Debian's Chromium; skips without it).
 */
import assert from "node:assert/strict";
import {
  browser,
  CHROMIUM,
  exists,
  type NbCell,
  type PageCell,
  pageCells,
  runAllProblems,
} from "./jupyter_browser.ts";

const code = (source: string, tags: string[] = []): NbCell => ({
  cell_type: "code",
  source,
  metadata: tags.length ? { tags } : {},
});
const md: NbCell = { cell_type: "markdown", source: "# Title" };
const cell = (prompt: string, outputs: number, shown = outputs): PageCell => ({
  prompt,
  outputs,
  shown,
});

Deno.test("runAllProblems: not run, no output, errors; no-output tags and empty cells pass", () => {
  const source = [
    md,
    code("1 + 2"),
    code("const x = 1;\nconsole.log(x)"),
    code("import x from 'y';", ["no-output"]),
    code("  \n"),
    code("\n  throw new Error('boom')"),
    code("show(plot)"),
  ];
  const ok = [cell("[1]:", 1), cell("[2]:", 1), cell("[3]:", 0), cell("[ ]:", 0), cell("[4]:", 1)];
  assert.deepEqual(runAllProblems(source, [...ok, cell("[5]:", 1)]), []);
  // A cell whose only output is blank, one never run, one still queued.
  assert.deepEqual(
    runAllProblems(source, [
      cell("[1]:", 1, 0),
      cell("[ ]:", 0),
      cell("[*]:", 0),
      cell("[ ]:", 0),
      cell("[4]:", 1),
      cell("In [5]:", 0),
    ]),
    [
      'cell 2 ("1 + 2"): no output in the page',
      'cell 3 ("const x = 1;"): not run (prompt "[ ]:")',
      'cell 4 ("import x from \'y\';"): not run (prompt "[*]:")',
      'cell 7 ("show(plot)"): no output in the page',
    ],
  );
  // Errors come from the saved notebook, matched by code cell.
  const saved = source.map((c) => ({ ...c, outputs: [] as NbCell["outputs"] }));
  saved[5].outputs = [{ output_type: "error", ename: "Error", evalue: "boom" }];
  assert.deepEqual(runAllProblems(source, [...ok, cell("[5]:", 1)], saved), [
    `cell 6 ("throw new Error('boom')"): Error: boom`,
  ]);
  assert.deepEqual(runAllProblems(source, ok), ["5 code cells in the page, 6 in the notebook"]);
});

Deno.test({
  name: "pageCells reads prompts and outputs from JupyterLab- and classic-shaped pages",
  ignore: !exists(CHROMIUM),
  async fn() {
    const b = await browser();
    try {
      const page = await b.context.newPage();
      const out = (inner: string) => `<div class="jp-OutputArea-output">${inner}</div>`;
      const labCell = (prompt: string, outs: string[]) =>
        `<div class="jp-CodeCell"><div class="jp-InputPrompt">${prompt}</div>` +
        `<div class="jp-OutputArea">${outs.map(out).join("")}</div></div>`;
      await page.setContent(
        `<div class="jp-NotebookPanel"><div class="jp-Notebook">` +
          labCell("[1]:", ["3"]) +
          labCell("[2]:", []) +
          labCell("[3]:", ["  ", '<img src="data:image/png;base64,AA==">']) +
          labCell("[*]:", ["<svg></svg>", "<div> </div>"]) +
          `<div class="jp-MarkdownCell">text</div></div></div>` +
          // Not a notebook panel's cell (e.g. a console): not counted.
          labCell("[9]:", ["x"]),
      );
      assert.deepEqual(await pageCells(page, "lab"), [
        cell("[1]:", 1),
        cell("[2]:", 0),
        cell("[3]:", 2, 1),
        cell("[*]:", 2, 1),
      ]);
      await page.setContent(
        `<div id="notebook"><div class="code_cell"><div class="input_prompt">In&nbsp;[1]:</div>` +
          `<div class="output_area"><div class="output_prompt">Out[1]:</div>` +
          `<div class="output_subarea"></div></div></div>` +
          `<div class="code_cell"><div class="input_prompt">In [2]:</div>` +
          `<div class="output_area"><div class="output_subarea">ok</div></div></div></div>`,
      );
      assert.deepEqual(await pageCells(page, "notebook"), [
        cell("In\u00a0[1]:", 1, 0),
        cell("In [2]:", 1),
      ]);
    } finally {
      await b.close();
    }
  },
});
