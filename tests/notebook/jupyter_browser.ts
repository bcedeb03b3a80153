/**
 * Test helpers for driving the notebooks in real clients: generated fixture notebooks, scratch
 * folders inside the repository, the Deno kernelspec installed as a user does
 * (`deno jupyter --install`, into a scratch HOME), a Jupyter server (classic Notebook or
 * JupyterLab) on loopback that is always shut down with its kernels, headless Chromium through
 * playwright-core, the code cells of a client's page with their prompts and outputs, the
 * problems of a Run All (a cell not run, a cell without output), and checks that pictures in a
 * page are drawn.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import sharp from "sharp";

/** The repository root (kernels started below it find deno.json). */
export const ROOT = new URL("../../", import.meta.url).pathname;
/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
/** Chromium flags that work on the build machines (docs: environment.md). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Whether a path exists. */
export function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A scratch folder inside the repository (runs/ is ignored), so kernels find deno.json. */
export async function scratch(prefix: string): Promise<string> {
  await Deno.mkdir(join(ROOT, "runs"), { recursive: true });
  return await Deno.makeTempDir({ dir: join(ROOT, "runs"), prefix: `.${prefix}-` });
}

/** A fixture cell: source text, optionally with tags. */
export type FixtureCell = string | { src: string; tags: string[] };

/** A notebook (nbformat 4) with the Deno kernelspec; cells are code unless they start "# ". */
export function notebook(cells: FixtureCell[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: cells.map((c, i) => {
      const src = typeof c === "string" ? c : c.src;
      const tags = typeof c === "string" ? [] : c.tags;
      if (src.startsWith("# ")) {
        return { cell_type: "markdown", id: `c${i}`, metadata: {}, source: src };
      }
      return {
        cell_type: "code",
        id: `c${i}`,
        metadata: tags.length ? { tags } : {},
        source: src,
        outputs: [],
        execution_count: null,
      };
    }),
  });
}

/**
 * A project notebook's text with its `../lib/` imports made absolute, so that it runs from a
 * scratch folder (its other `../` paths then land inside that folder's parent).
 */
export async function projectNotebook(name: string): Promise<string> {
  const src = await Deno.readTextFile(join(ROOT, "notebooks", name));
  return src.replaceAll('\\"../lib/', `\\"${ROOT}lib/`);
}

/** Fraction of clearly non-white pixels in a PNG screenshot. */
export async function inkFraction(png: Uint8Array): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let ink = 0;
  for (const v of data) if (v < 200) ink++;
  return ink / (info.width * info.height);
}

/** Launch headless Chromium through playwright-core with a fresh profile. */
export async function browser() {
  const { chromium } = await import("playwright-core");
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** A browser page (playwright-core). */
export type Page = Awaited<ReturnType<Awaited<ReturnType<typeof browser>>["context"]["newPage"]>>;

/** A located element of a page (playwright-core). */
export type Locator = ReturnType<Page["locator"]>;

/** What `checkPictures` found: picture counts and the sizes of the SVG/IMG outputs. */
export interface PictureReport {
  svg: number;
  img: number;
  image: number;
  sizes: string[];
}

/** The fewest pictures `checkPictures` accepts, by kind. */
export interface PictureMinimums {
  /** Top-level `<svg>` elements (inline SVG: the classic Notebook, HTML exports, HTML outputs). */
  svg: number;
  /** `<img>` elements (PNGs; JupyterLab also draws image/svg+xml outputs as `<img>`). */
  img: number;
  /** SVG and IMG together. */
  all: number;
  /** `<image>` elements inside inline SVGs (the image grids). */
  image: number;
}

/** Defaults of `checkPictures`: at least one picture. */
export const PICTURE_MINIMUMS: PictureMinimums = { svg: 0, img: 0, all: 1, image: 0 };

/**
 * Check that `area` holds at least the `min` pictures of each kind, each SVG/IMG laid out larger
 * than 50x50 px with ink in its screenshot, and each inline `<image>` with a size.
 */
export async function checkPictures(
  page: Page,
  area: string,
  min: Partial<PictureMinimums> = {},
): Promise<PictureReport> {
  const m = { ...PICTURE_MINIMUMS, ...min };
  const svgs = await page.locator(`${area} svg:not(svg svg)`).all();
  const imgs = await page.locator(`${area} img`).all();
  assert.ok(svgs.length >= m.svg, `${svgs.length} SVG outputs, expected ${m.svg}+`);
  assert.ok(imgs.length >= m.img, `${imgs.length} IMG outputs, expected ${m.img}+`);
  const all = svgs.length + imgs.length;
  assert.ok(all >= m.all, `${all} SVG/IMG outputs, expected ${m.all}+`);
  const sizes: string[] = [];
  for (const el of [...svgs, ...imgs]) {
    await el.scrollIntoViewIfNeeded();
    const box = await el.boundingBox();
    assert.ok(box && box.width > 50 && box.height > 50, `picture size ${JSON.stringify(box)}`);
    const ink = await inkFraction(new Uint8Array(await el.screenshot()));
    assert.ok(ink > 0.003, `picture ${box.width}x${box.height} looks blank (ink ${ink})`);
    sizes.push(`${Math.round(box.width)}x${Math.round(box.height)}`);
  }
  // The image grid's <image> elements are laid out with a size.
  const images = await page.locator(`${area} svg image`).all();
  assert.ok(images.length >= m.image, `${images.length} <image> elements in image grids`);
  for (const im of images) {
    const box = await im.boundingBox();
    assert.ok(box && box.width > 20 && box.height > 10);
  }
  return { svg: svgs.length, img: imgs.length, image: images.length, sizes };
}

/**
 * Install the Deno kernelspec as the README tells users (`deno jupyter --install`), with HOME
 * (and XDG_DATA_HOME) pointed at `home`, and return the Jupyter data folder it went to
 * (`home/.local/share/jupyter`, for JUPYTER_DATA_DIR). The kernel runs `deno` (the running one).
 */
export async function installDenoKernelspec(
  home: string,
  deno: string = Deno.execPath(),
): Promise<string> {
  const share = join(home, ".local/share");
  await Deno.mkdir(share, { recursive: true });
  const r = await new Deno.Command(deno, {
    args: ["jupyter", "--install"],
    env: { HOME: home, XDG_DATA_HOME: share, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const data = join(share, "jupyter");
  const spec = join(data, "kernels/deno/kernel.json");
  if (!r.success || !exists(spec)) {
    const log = new TextDecoder().decode(r.stderr);
    throw new Error(`deno jupyter --install did not write ${spec} (exit ${r.code}):\n${log}`);
  }
  const argv: string[] = JSON.parse(await Deno.readTextFile(spec)).argv;
  assert.equal(argv[0], deno, "the installed kernel runs this deno");
  return data;
}

/** Which Jupyter server to start: the classic Notebook 6 or JupyterLab 4. */
export type ServerKind = "notebook" | "lab";

/** Where a client's page draws a code cell, its input prompt and its outputs. */
export interface ClientSelectors {
  cell: string;
  prompt: string;
  output: string;
}

/** The selectors of each client (JupyterLab 4: only its notebook panels' cells). */
export const CLIENTS: Record<ServerKind, ClientSelectors> = {
  lab: {
    cell: ".jp-NotebookPanel .jp-Notebook .jp-CodeCell",
    prompt: ".jp-InputPrompt",
    output: ".jp-OutputArea-output",
  },
  notebook: { cell: "#notebook .code_cell", prompt: ".input_prompt", output: ".output_subarea" },
};

/** A code cell as a page shows it: prompt text, output elements, and those that show something. */
export interface PageCell {
  prompt: string;
  outputs: number;
  /** Outputs with text or a picture (svg, img, canvas) in them. */
  shown: number;
}

/** A page expression (a string: Deno type-checks no DOM) giving `PageCell[]` for `s`. */
export function pageCellsExpr(s: ClientSelectors): string {
  return `[...document.querySelectorAll(${JSON.stringify(s.cell)})].map((c) => {
    const outs = [...c.querySelectorAll(${JSON.stringify(s.output)})];
    return {
      prompt: (c.querySelector(${JSON.stringify(s.prompt)})?.textContent ?? "").trim(),
      outputs: outs.length,
      shown: outs.filter((o) =>
        (o.textContent ?? "").trim() !== "" || o.querySelector("svg, img, canvas") !== null
      ).length,
    };
  })`;
}

/** The code cells of `page` as client `kind` draws them, in order. */
export async function pageCells(page: Page, kind: ServerKind): Promise<PageCell[]> {
  return await page.evaluate(pageCellsExpr(CLIENTS[kind])) as PageCell[];
}

/** How long {@link settleOutputs} waits for late outputs. */
export const SETTLE_DEFAULTS = { quietMs: 3000, maxMs: 30_000, pollMs: 250 };

/**
 * Wait, once the kernel is idle, for the outputs the Deno kernel sends after its idle message:
 * until `expected` cells show an output, or the count of cells showing one has not changed for
 * `quietMs` (a cell that never shows one, as in the negative fixture), at most `maxMs`.
 */
export async function settleOutputs(
  page: Page,
  kind: ServerKind,
  expected: number,
  opts: Partial<typeof SETTLE_DEFAULTS> = {},
): Promise<void> {
  const o = { ...SETTLE_DEFAULTS, ...opts };
  const t0 = performance.now();
  let last = -1, since = t0;
  while (performance.now() - t0 < o.maxMs) {
    const shown = (await pageCells(page, kind)).filter((c) => c.shown > 0).length;
    if (shown >= expected) return;
    if (shown !== last) {
      last = shown;
      since = performance.now();
    } else if (performance.now() - since >= o.quietMs) return;
    await page.waitForTimeout(o.pollMs);
  }
}

/** A notebook cell as nbformat stores it (the fields the checks read). */
export interface NbCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
  outputs?: { output_type: string; ename?: string; evalue?: string }[];
}

/** nbformat stores multi-line strings as lists of lines. */
export const cellText = (s: string | string[]): string => Array.isArray(s) ? s.join("") : s;

/** Code cells that should show an output after Run All: not empty, not tagged `no-output`. */
export function expectedOutputs(source: NbCell[]): number {
  return source.filter((c) =>
    c.cell_type === "code" && cellText(c.source).trim() !== "" &&
    !(c.metadata?.tags ?? []).includes("no-output")
  ).length;
}

/** Whether a prompt shows an execution count (`[3]:`, `In [3]:`), i.e. the cell has run. */
export const ran = (prompt: string): boolean => /\[\d+\]/.test(prompt);

/**
 * The problems of a Run All, comparing the notebook's cells with the page's code cells: a count
 * that differs, a non-empty code cell whose prompt has no number (not run), one that shows no
 * output although not tagged `no-output`, and, given the saved notebook's cells, an error output.
 * Cells are named by number among all cells (from 1) and first line. Empty when all is well.
 */
export function runAllProblems(source: NbCell[], page: PageCell[], saved?: NbCell[]): string[] {
  const code = source.map((c, i) => ({ c, i })).filter(({ c }) => c.cell_type === "code");
  if (code.length !== page.length) {
    return [`${page.length} code cells in the page, ${code.length} in the notebook`];
  }
  const savedCode = saved?.filter((c) => c.cell_type === "code");
  const problems: string[] = [];
  for (const [k, { c, i }] of code.entries()) {
    const src = cellText(c.source);
    if (src.trim() === "") continue;
    const first = src.split("\n").map((l) => l.trim()).find((l) => l)!.slice(0, 80);
    const where = `cell ${i + 1} (${JSON.stringify(first)})`;
    if (!ran(page[k].prompt)) {
      problems.push(`${where}: not run (prompt ${JSON.stringify(page[k].prompt)})`);
      continue;
    }
    const err = savedCode?.[k]?.outputs?.find((o) => o.output_type === "error");
    if (err) problems.push(`${where}: ${err.ename}: ${err.evalue}`);
    if (!c.metadata?.tags?.includes("no-output") && page[k].shown === 0) {
      problems.push(`${where}: no output in the page`);
    }
  }
  return problems;
}

/** Options of `startJupyter`. */
export interface JupyterOptions {
  /** The server's executable (`jupyter-notebook` or `jupyter-lab`). */
  exe: string;
  kind: ServerKind;
  /** Scratch folder: the server's root and its config, data, runtime and kernelspec folders. */
  work: string;
  /** Extra environment for the server and its kernels (e.g. CHIMERA_QUICK). */
  env?: Record<string, string>;
  /** Seconds to wait for the server to answer. */
  startTimeout?: number;
}

/** A running Jupyter server. */
export interface JupyterServer {
  /** `http://127.0.0.1:<port>`. */
  base: string;
  token: string;
  /** The runtime folder: every kernel's connection file, so its command line, names it. */
  runtime: string;
  /** The server's output so far. */
  log(): string;
  /** Shut down every running kernel through the REST API (a notebook closed in the page keeps its kernel). */
  shutdownKernels(): Promise<void>;
  /** Shut down the kernels and the server (its whole process group); never throws. */
  close(): Promise<void>;
}

/** A free loopback port. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Pids of the processes whose command line contains `needle` (e.g. a kernel's runtime dir). */
export async function pidsWith(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name) || Number(e.name) === Deno.pid) continue;
    const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "");
    if (cmd.includes(needle)) pids.push(Number(e.name));
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start a Jupyter server on a free loopback port with a token, the Deno kernelspec installed by
 * `deno jupyter --install` into `work/home` (JUPYTER_DATA_DIR; JUPYTER_PATH emptied, so a
 * kernelspec in the user's home is never used) and private config/runtime folders under `work`. The server runs in its
 * own process group; `close()` shuts down its kernels through the REST API, stops the group
 * (SIGTERM, then SIGKILL) and kills any kernel left with a connection file in the runtime folder.
 */
export async function startJupyter(o: JupyterOptions): Promise<JupyterServer> {
  const data = await installDenoKernelspec(join(o.work, "home"));
  const port = freePort();
  const token = crypto.randomUUID();
  const runtime = join(o.work, "runtime");
  const common = ["--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`];
  const args = o.kind === "notebook"
    ? [...common, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${o.work}`]
    : [
      ...common,
      "--ServerApp.port_retries=0",
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${o.work}`,
    ];
  const server = new Deno.Command(o.exe, {
    args,
    cwd: o.work,
    env: {
      JUPYTER_PATH: "",
      JUPYTER_CONFIG_DIR: join(o.work, "config"),
      JUPYTER_DATA_DIR: data,
      JUPYTER_RUNTIME_DIR: runtime,
      JUPYTERLAB_SETTINGS_DIR: join(o.work, "lab-settings"),
      JUPYTERLAB_WORKSPACES_DIR: join(o.work, "lab-workspaces"),
      NO_COLOR: "1",
      ...(o.env ?? {}),
    },
    detached: true, // its own process group, so that close() reaches every child
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const chunks: string[] = [];
  const drain = Promise.all([server.stdout, server.stderr].map(async (s) => {
    for await (const t of s.pipeThrough(new TextDecoderStream())) chunks.push(t);
  })).catch(() => {});
  let exited = false;
  const status = server.status.then((s) => {
    exited = true;
    return s;
  });
  const base = `http://127.0.0.1:${port}`;
  const auth = { headers: { Authorization: `token ${token}` } };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...auth, ...init, signal: AbortSignal.timeout(10_000) });
  const shutdownKernels = async () => {
    const kernels: { id: string }[] = await api("/api/kernels").then((r) => r.json());
    for (const k of kernels) {
      await api(`/api/kernels/${k.id}`, { method: "DELETE" }).then((r) => r.body?.cancel());
    }
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // The server gone or hung: the signals below still stop everything.
    await shutdownKernels().catch(() => {});
    for (const [signal, wait] of [["SIGTERM", 10_000], ["SIGKILL", 5_000]] as const) {
      if (exited) break;
      try {
        Deno.kill(-server.pid, signal);
      } catch { /* group already gone */ }
      await Promise.race([status, sleep(wait)]);
    }
    for (const pid of await pidsWith(runtime)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* exited meanwhile */ }
    }
    await Promise.race([drain, sleep(5_000)]);
  };
  try {
    const deadline = Date.now() + (o.startTimeout ?? 60) * 1000;
    for (;;) {
      const ok = await api("/api/status").then(async (r) => {
        await r.body?.cancel();
        return r.ok;
      }).catch(() => false);
      if (ok) break;
      if (exited || Date.now() > deadline) {
        throw new Error(`${o.exe} did not start:\n${chunks.join("")}`);
      }
      await sleep(250);
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { base, token, runtime, log: () => chunks.join(""), shutdownKernels, close };
}
