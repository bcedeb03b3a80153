/**
 * Display helpers for the Deno Jupyter kernel: show SVG plots, HTML, PNG images and tables, and
 * live displays that update in place (training progress). Outside a kernel (tests, command-line
 * runs) they fall back to printing text, or do nothing for pictures, so lib code can call them.
 *
 * In a notebook cell (every code cell must show something unless tagged "no-output"):
 * ```ts
 * await show(trainingCurves(history));                  // any lib/viz/plots.ts SVG
 * await show(imageGrid(await Promise.all(paths.map((p) => loadGridImage(p, { caption: p })))));
 * await show(await Deno.readFile("x.png"), { width: 400 }); // PNG bytes
 * await showSummary(summarize(model));                  // tables: showTable, showMetrics
 * const live = liveTraining();                          // one output, redrawn in place
 * // in training callbacks: live.update(history, "epoch 1 step 20 loss 0.41"); at the end:
 * await live.done(history, "done");
 * const data = await findData({ data: "" });            // the data folder: real set, else ...
 * ```
 * @module
 */

import { type EpochPoint, type HistoryLike, type StepPoint } from "../viz/options.ts";
import { escapeXml } from "../viz/panel.ts";
import { trainingCurves } from "../viz/training.ts";

/** A Jupyter MIME bundle: MIME type to data (e.g. "image/svg+xml" to an SVG string). */
export type MimeBundle = Record<string, unknown>;

/** HTML to display (plain strings are shown as SVG when they start with `<svg`, else as text). */
export interface Html {
  html: string;
}

/** Anything `show` accepts: SVG or text strings, PNG/JPEG bytes, `{html}` or a MIME bundle. */
export type Displayable = string | Uint8Array | Html | { bundle: MimeBundle };

/** Defaults of the display helpers. */
export const NOTEBOOK_DEFAULTS = {
  /** Outside a kernel: "text" prints the text alternative of text/tables, "silent" nothing. */
  fallback: "text" as "text" | "silent",
  /** Minimum milliseconds between two updates of a live training display. */
  throttleMs: 750,
  /**
   * Milliseconds each display waits after it is sent, so that the kernel sends it while its cell
   * still runs: the Deno 2.9.6 kernel stamps an output with the request it is running when it
   * picks the output up, and in a Run All an output still queued at a cell's end shows under the
   * next cell (seen in JupyterLab on a loaded machine; tests/cli/notebooks_jupyterlab_test.ts).
   */
  flushMs: 100,
};

interface JupyterApi {
  display(bundle: MimeBundle, options: Record<string, unknown>): Promise<void>;
  broadcast(type: string, content: Record<string, unknown>): Promise<void> | void;
}

/** Options of `show`: display size of images (pixels; PNG plots are rendered at 2x). */
export interface ShowOptions {
  width?: number;
  height?: number;
}

/** Display metadata for a bundle: image sizes when given. */
function displayMetadata(bundle: MimeBundle, opts: ShowOptions): Record<string, unknown> {
  const size: Record<string, number> = {};
  if (opts.width) size.width = opts.width;
  if (opts.height) size.height = opts.height;
  if (!Object.keys(size).length) return {};
  const md: Record<string, unknown> = {};
  for (const k of Object.keys(bundle)) if (k.startsWith("image/")) md[k] = size;
  return md;
}

/** Send a display (or an update of display `id`) to the kernel's clients. */
async function send(
  j: JupyterApi,
  bundle: MimeBundle,
  opts: ShowOptions & { id?: string; update?: boolean } = {},
): Promise<void> {
  await j.broadcast(opts.update ? "update_display_data" : "display_data", {
    data: bundle,
    metadata: displayMetadata(bundle, opts),
    transient: opts.id ? { display_id: opts.id } : {},
  });
  await new Promise((r) => setTimeout(r, NOTEBOOK_DEFAULTS.flushMs));
}

/** The kernel's `Deno.jupyter`, or null outside `deno jupyter` (where accessing it throws). */
function jupyter(): JupyterApi | null {
  try {
    const j = (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
    return j && typeof j.display === "function" ? j : null;
  } catch {
    return null;
  }
}

/** Whether this code runs inside the Deno Jupyter kernel. */
export function inKernel(): boolean {
  return jupyter() !== null;
}

/** Whether the kernel runs in quick mode (env CHIMERA_QUICK=1: tiny data, one short epoch). */
export function quickMode(): boolean {
  try {
    const v = Deno.env.get("CHIMERA_QUICK");
    return v !== undefined && v !== "" && v !== "0";
  } catch {
    return false;
  }
}

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Strip tags from HTML for a text alternative. */
function htmlText(html: string): string {
  return html.replace(/<(br|\/tr|\/p|\/div|\/h\d|\/caption)[^>]*>/gi, "\n")
    .replace(/<\/t[dh]>/gi, "\t").replace(/<[^>]+>/g, "").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&").replace(/\n{2,}/g, "\n").trim();
}

/** The MIME bundle for a displayable value (SVG, HTML, PNG/JPEG bytes, text or a bundle). */
export function bundleFor(content: Displayable): MimeBundle {
  if (content instanceof Uint8Array) {
    const jpeg = content[0] === 0xff && content[1] === 0xd8;
    return {
      [jpeg ? "image/jpeg" : "image/png"]: base64(content),
      "text/plain": `[${jpeg ? "JPEG" : "PNG"} image, ${content.length} bytes]`,
    };
  }
  if (typeof content === "string") {
    const s = content.trimStart().replace(/^<\?xml[^>]*>\s*/, "");
    if (s.startsWith("<svg")) {
      const title = /<text[^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/.exec(s)?.[1];
      return { "image/svg+xml": s, "text/plain": `[figure${title ? `: ${title}` : ""}]` };
    }
    return { "text/plain": content };
  }
  if ("bundle" in content) return content.bundle;
  return { "text/html": content.html, "text/plain": htmlText(content.html) };
}

/** Print the text alternative of a bundle outside a kernel (pictures print nothing). */
function fallback(bundle: MimeBundle): void {
  if (NOTEBOOK_DEFAULTS.fallback === "silent") return;
  const picture = Object.keys(bundle).some((k) => k.startsWith("image/"));
  if (!picture && typeof bundle["text/plain"] === "string") console.log(bundle["text/plain"]);
}

/** Display a plot, image, HTML or text as a cell output (text fallback outside a kernel). */
export async function show(content: Displayable, opts: ShowOptions = {}): Promise<void> {
  const bundle = bundleFor(content);
  const j = jupyter();
  if (!j) return fallback(bundle);
  await send(j, bundle, opts);
}

/**
 * Wrap content so a cell's last expression displays it (the kernel calls
 * `Symbol.for("Jupyter.display")`): e.g. end a cell with `view(rocCurve(roc))`.
 */
export function view(content: Displayable): { [key: symbol]: () => MimeBundle } {
  const bundle = bundleFor(content);
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}

/** A cell output that can be replaced in place (Jupyter `update_display_data`). */
export class LiveDisplay {
  /** The Jupyter display id shared by the first display and its updates. */
  readonly id: string;
  #shown = false;

  /** Create a live display (nothing is shown until the first `update`). */
  constructor(id: string = `chimera-${crypto.randomUUID()}`) {
    this.id = id;
  }

  /** Show `content` the first time, replace the displayed output on later calls. */
  async update(content: Displayable, opts: ShowOptions = {}): Promise<void> {
    const j = jupyter();
    if (!j) return;
    const update = this.#shown;
    this.#shown = true;
    await send(j, bundleFor(content), { ...opts, id: this.id, update });
  }
}

/** Options of a live training display. */
export interface LiveTrainingOptions {
  /** Minimum milliseconds between redraws (later calls in between are skipped). */
  throttleMs?: number;
  /** Title of the curves (default: the epoch and its metrics). */
  title?: string;
  /** Total number of epochs, for the status line of `callbacks`. */
  epochs?: number;
}

/** A live training display: a status line above training curves, redrawn in place. */
export interface LiveTraining {
  /** Redraw with the current history (throttled); `status` is a one-line progress text. */
  update(history: HistoryLike, status?: string): Promise<void>;
  /** Final redraw (never skipped); prints `status` outside a kernel. */
  done(history: HistoryLike, status?: string): Promise<void>;
  /**
   * Training callbacks (lib/train/train.ts `TrainCallbacks`) that collect the history and redraw:
   * pass as `callbacks`, then `await live.done(result.history)`.
   */
  callbacks: {
    onStep(r: StepPoint): void;
    onEpoch(r: EpochPoint, history?: HistoryLike): void;
  };
  /** The history collected by `callbacks` so far. */
  history: HistoryLike;
}

/** One-line status of a training step. */
export function stepStatus(r: StepPoint, epochs?: number): string {
  const ep = r.epoch !== undefined ? `epoch ${r.epoch}${epochs ? `/${epochs}` : ""} · ` : "";
  const acc = r.acc !== undefined ? ` · acc ${r.acc.toFixed(3)}` : "";
  return `${ep}step ${r.step} · loss ${r.loss.toFixed(4)}${acc}`;
}

/** HTML of a live training display: a status line and the training curves. */
export function trainingHtml(history: HistoryLike, status = "", title?: string): Html {
  const svg = trainingCurves(history, title ? { title } : {});
  const line = status
    ? `<div style="font-family:monospace;margin:4px 0">${escapeXml(status)}</div>`
    : "";
  return { html: `${line}${svg}` };
}

/** Create a live training display for use as a training callback (redraws at most every ~s). */
export function liveTraining(opts: LiveTrainingOptions = {}): LiveTraining {
  const throttle = opts.throttleMs ?? NOTEBOOK_DEFAULTS.throttleMs;
  const display = new LiveDisplay();
  let last = -Infinity;
  const history: HistoryLike = { epochs: [], steps: [] };
  const self: LiveTraining = {
    history,
    callbacks: {
      onStep(r) {
        history.steps!.push(r);
        self.update(history, stepStatus(r, opts.epochs)).catch(() => {});
      },
      onEpoch(r, h) {
        if (h) history.epochs = [...h.epochs];
        else history.epochs.push(r);
        const val = r.valAcc !== undefined ? `, val acc ${r.valAcc.toFixed(3)}` : "";
        last = -Infinity; // always redraw at an epoch's end
        self.update(history, `epoch ${r.epoch} done: loss ${r.loss.toFixed(4)}${val}`)
          .catch(() => {});
      },
    },
    async update(history, status) {
      if (!inKernel()) return;
      const now = performance.now();
      if (now - last < throttle) return;
      last = now;
      await display.update(trainingHtml(history, status, opts.title));
    },
    async done(history: HistoryLike, status?: string) {
      if (!inKernel()) {
        if (status && NOTEBOOK_DEFAULTS.fallback === "text") console.log(status);
        return;
      }
      await display.update(trainingHtml(history, status, opts.title));
    },
  };
  return self;
}
