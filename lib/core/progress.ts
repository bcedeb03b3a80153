/**
 * A terminal progress bar with ETA for long work (training, preprocessing, sweeps).
 * Writes to stderr so stdout stays clean for results; redraws in place on a TTY and
 * prints occasional plain lines otherwise (CI logs).
 * @module
 */

/** Options of a progress bar. */
export interface ProgressOptions {
  /** Label printed before the bar. */
  label?: string;
  /** Stream to write to (default: stderr). */
  out?: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  /** Minimum milliseconds between redraws. */
  intervalMs?: number;
  /** Print nothing at all. */
  silent?: boolean;
}

/** Format seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A progress bar over `total` units of work; call `tick` as work completes, `done` at the end. */
export class ProgressBar {
  readonly total: number;
  #count = 0;
  #start = performance.now();
  #last = -Infinity;
  #drawnCount = -1;
  #opts: Required<Omit<ProgressOptions, "out">> & { out: NonNullable<ProgressOptions["out"]> };

  /** Start a bar over `total` units. */
  constructor(total: number, opts: ProgressOptions = {}) {
    this.total = Math.max(1, total);
    const out = opts.out ?? Deno.stderr;
    this.#opts = {
      label: opts.label ?? "",
      out,
      intervalMs: opts.intervalMs ?? (out.isTerminal() ? 100 : 10_000),
      silent: opts.silent ?? false,
    };
  }

  /** Units done so far. */
  get count(): number {
    return this.#count;
  }

  /** The line the bar would print now, with an optional suffix (loss, accuracy, ...). */
  render(suffix = ""): string {
    const frac = Math.min(1, this.#count / this.total);
    const elapsed = (performance.now() - this.#start) / 1000;
    const eta = this.#count > 0 ? elapsed * (this.total - this.#count) / this.#count : NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "#".repeat(filled) + "-".repeat(width - filled);
    const label = this.#opts.label ? `${this.#opts.label} ` : "";
    return `${label}[${bar}] ${this.#count}/${this.total} ${(frac * 100).toFixed(0)}% ` +
      `${formatDuration(elapsed)}<${formatDuration(eta)}${suffix ? " " + suffix : ""}`;
  }

  /** Advance by `n` units and redraw if enough time has passed. */
  tick(n = 1, suffix = ""): void {
    this.#count += n;
    const now = performance.now();
    if (now - this.#last >= this.#opts.intervalMs || this.#count >= this.total) {
      this.#last = now;
      this.#draw(suffix, false);
    }
  }

  /** Finish the bar (prints the final state and a newline). */
  done(suffix = ""): void {
    this.#draw(suffix, true);
  }

  #draw(suffix: string, final: boolean): void {
    if (this.#opts.silent) return;
    const tty = this.#opts.out.isTerminal();
    // A log (not a terminal) already has the last line: done() adds nothing new to say.
    if (!tty && final && !suffix && this.#drawnCount === this.#count) return;
    this.#drawnCount = this.#count;
    const line = this.render(suffix);
    const text = tty ? `\r\x1b[2K${line}${final ? "\n" : ""}` : (final || !tty ? line + "\n" : "");
    this.#opts.out.writeSync(new TextEncoder().encode(text));
  }
}
