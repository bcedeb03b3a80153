/**
 * Headless notebook execution: a project-local Deno kernelspec (found through JUPYTER_PATH),
 * discovery of a Python with nbclient, and a driver for lib/notebook/runner.py, which executes
 * notebooks (collecting the outputs the Deno kernel sends after idle), checks that every cell
 * ran without error and showed something, and exports executed .ipynb and HTML files.
 * @module
 */
import { basename, join, resolve } from "node:path";
import { readJson, requireDir } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

/** Default options of a notebook run. */
export const NOTEBOOK_RUN_DEFAULTS = {
  /** Folder with the notebooks. */
  dir: "notebooks",
  /** Output folder for executed notebooks, HTML exports and summary.json. */
  out: "runs/notebooks",
  /** Kernelspec name (the name `deno jupyter --install` uses, so notebooks stay portable). */
  kernel: "deno",
  /** Per-cell timeout in seconds. */
  timeout: 1800,
  /** Seconds of silence after a cell's idle before its outputs count as complete. */
  quiet: 0.5,
};

/** Debian packages the runner needs (for error messages and CI). */
export const RUNNER_APT_PACKAGES = [
  "python3-nbclient",
  "jupyter-nbconvert",
  "jupyter-client",
  "python3-nbformat",
];

/** A Jupyter kernelspec (kernel.json). */
export interface Kernelspec {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
}

/** The Deno kernelspec for the `deno` executable at `denoPath` (NO_COLOR keeps text clean). */
export function denoKernelspec(
  denoPath: string = Deno.execPath(),
  env: Record<string, string> = {},
): Kernelspec {
  return {
    argv: [denoPath, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { NO_COLOR: "1", ...env },
  };
}

/**
 * Write `<jupyterDir>/kernels/<name>/kernel.json` and return `jupyterDir`, the folder to put on
 * JUPYTER_PATH (the project's kernel then shadows a user-installed one of the same name).
 */
export async function writeKernelspec(
  jupyterDir: string,
  spec: Kernelspec = denoKernelspec(),
  name = NOTEBOOK_RUN_DEFAULTS.kernel,
): Promise<string> {
  const dir = join(jupyterDir, "kernels", name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return resolve(jupyterDir);
}

async function canRun(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * The first Python that can import nbclient and nbconvert: $CHIMERA_PYTHON, /usr/bin/python3
 * (Debian's packages), then python3 on PATH; null when there is none.
 */
export async function findPython(): Promise<string | null> {
  const candidates = [Deno.env.get("CHIMERA_PYTHON"), "/usr/bin/python3", "python3"]
    .filter((c): c is string => !!c);
  for (const py of candidates) {
    if (await canRun(py, ["-c", "import nbclient, nbconvert, nbformat, jupyter_client"])) {
      return py;
    }
  }
  return null;
}

/** The notebooks of `dir` (sorted `*.ipynb`), filtered by `only` (names with or without .ipynb). */
export async function listNotebooks(dir: string, only: string[] = []): Promise<string[]> {
  await requireDir(dir, "notebook folder");
  const all: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) all.push(e.name);
  }
  all.sort();
  if (!only.length) return all.map((n) => join(dir, n));
  const picked: string[] = [];
  for (const o of only) {
    const want = o.endsWith(".ipynb") ? basename(o) : `${basename(o)}.ipynb`;
    const hit = all.find((n) => n === want) ?? all.filter((n) => n.startsWith(basename(o)))[0];
    if (!hit) throw new UserError(`--only ${o}: no notebook of that name in ${dir}`);
    picked.push(join(dir, hit));
  }
  return [...new Set(picked)];
}

/** Options of `runNotebooks`. */
export interface RunOptions {
  dir?: string;
  out?: string;
  /** Notebook names to run (default: all). */
  only?: string[];
  /** Quick mode: CHIMERA_QUICK=1 in the kernel's environment. */
  quick?: boolean;
  /** Write the executed notebooks over the sources. */
  inplace?: boolean;
  timeout?: number;
  quiet?: number;
  /** Extra environment for the kernel. */
  env?: Record<string, string>;
  /** Path of the deno executable for the kernel (default: the running one). */
  deno?: string;
  /** Print the runner's progress lines (default true). */
  verbose?: boolean;
}

/** Result of one notebook (from summary.json). */
export interface NotebookRecord {
  notebook: string;
  ok: boolean;
  problems: string[];
  seconds: number;
  code_cells: number;
  late_outputs: number;
  executed: string;
  html?: string;
}

/** Result of a run: overall success, one record per notebook, and the runner's output. */
export interface RunResult {
  ok: boolean;
  records: NotebookRecord[];
  log: string;
}

/** Execute notebooks headless with the Deno kernel; see lib/notebook/runner.py for the rules. */
export async function runNotebooks(opts: RunOptions = {}): Promise<RunResult> {
  const o = { ...NOTEBOOK_RUN_DEFAULTS, verbose: true, ...opts };
  const notebooks = await listNotebooks(o.dir, o.only ?? []);
  if (!notebooks.length) throw new UserError(`${o.dir}: no .ipynb notebooks found`);
  const python = await findPython();
  if (!python) {
    throw new UserError(
      "no Python with nbclient/nbconvert found; install them with\n  apt-get install -y " +
        `--no-install-recommends ${RUNNER_APT_PACKAGES.join(" ")}\n(or set CHIMERA_PYTHON)`,
    );
  }
  const out = resolve(o.out);
  await Deno.mkdir(out, { recursive: true });
  const jupyterDir = await writeKernelspec(join(out, ".jupyter"), denoKernelspec(o.deno));
  const env: Record<string, string> = {
    JUPYTER_PATH: [jupyterDir, Deno.env.get("JUPYTER_PATH")].filter(Boolean).join(":"),
    NO_COLOR: "1",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    ...(o.quick ? { CHIMERA_QUICK: "1" } : {}),
    ...(o.env ?? {}),
  };
  const runner = new URL("./runner.py", import.meta.url).pathname;
  const args = [
    runner,
    "--out",
    out,
    "--kernel",
    o.kernel,
    "--timeout",
    String(Math.round(o.timeout)),
    "--quiet",
    String(o.quiet),
    ...(o.inplace ? ["--inplace"] : []),
    ...notebooks.map((n) => resolve(n)),
  ];
  await Deno.remove(join(out, "summary.json")).catch(() => {});
  const child = new Deno.Command(python, { args, env, stdout: "piped", stderr: "piped" }).spawn();
  const chunks: string[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>, sink: (s: string) => void) => {
    for await (const s of stream.pipeThrough(new TextDecoderStream())) {
      chunks.push(s);
      if (o.verbose) sink(s);
    }
  };
  const enc = new TextEncoder();
  await Promise.all([
    pump(child.stdout, (s) => Deno.stdout.writeSync(enc.encode(s))),
    pump(child.stderr, (s) => Deno.stderr.writeSync(enc.encode(s))),
  ]);
  const status = await child.status;
  const log = chunks.join("");
  let records: NotebookRecord[] = [];
  try {
    records = await readJson<NotebookRecord[]>(join(out, "summary.json"));
  } catch {
    throw new Error(
      `notebook runner failed (exit ${status.code}) without a summary` +
        (o.verbose ? "" : `:\n${log}`),
    );
  }
  return { ok: status.success && records.every((r) => r.ok), records, log };
}
