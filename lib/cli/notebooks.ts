/**
 * `deno task notebooks`: execute every notebook headless with the Deno kernel, check that no
 * cell errors and every code cell shows something, and export executed notebooks and HTML.
 * @module
 */
import { num, parseCommand, runMain, str } from "./args.ts";
import { NOTEBOOK_RUN_DEFAULTS, runNotebooks } from "../notebook/runner.ts";

const SPEC = {
  usage: "deno task notebooks [--quick] [--only NAME]... [--out DIR] [--dir DIR] [--inplace]",
  summary: "Execute notebooks/*.ipynb headless with the Deno kernel (Debian python3-nbclient, " +
    "jupyter-nbconvert). Fails, naming the notebook and cell, when a cell errors or a code " +
    'cell produces no output (tag a cell "no-output" when that is intended). Writes ' +
    "OUT/<name>.ipynb (executed), OUT/<name>.html and OUT/summary.json; the source notebooks " +
    "are never modified unless --inplace. --quick sets CHIMERA_QUICK=1 (tiny data, one short " +
    "epoch).",
  options: {
    quick: { type: "boolean", help: "quick mode for CI: CHIMERA_QUICK=1 in the kernel" },
    only: {
      type: "string",
      multiple: true,
      help: "run only this notebook (name or prefix, e.g. 00_quickstart); repeatable",
    },
    out: { type: "string", help: "output folder", default: NOTEBOOK_RUN_DEFAULTS.out },
    dir: { type: "string", help: "notebook folder", default: NOTEBOOK_RUN_DEFAULTS.dir },
    inplace: { type: "boolean", help: "also write the executed notebooks over the sources" },
    timeout: {
      type: "string",
      help: "per-cell timeout in seconds",
      default: String(NOTEBOOK_RUN_DEFAULTS.timeout),
    },
  },
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  const only = (args.values.only as string[] | undefined) ?? [];
  const result = await runNotebooks({
    dir: str(args, "dir")!,
    out: str(args, "out")!,
    only,
    quick: !!args.values.quick,
    inplace: !!args.values.inplace,
    timeout: num(args, "timeout")!,
  });
  const failed = result.records.filter((r) => !r.ok);
  console.log(
    `${result.records.length - failed.length} of ${result.records.length} notebooks ok; ` +
      `outputs in ${str(args, "out")}`,
  );
  if (failed.length) {
    console.error(`failed: ${failed.map((r) => r.notebook).join(", ")}`);
    Deno.exit(1);
  }
});
