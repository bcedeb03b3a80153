/**
 * Split outputs beyond the manifest: a per-split summary table and the thesis folder layout.
 * @module
 */
import { basename, join } from "node:path";
import type { ManifestRow } from "./dataset.ts";
import { ProgressBar } from "../core/progress.ts";

/** Counts of rows per split and label. */
export function splitCounts(rows: ManifestRow[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    out[r.split] ??= {};
    out[r.split][r.label] = (out[r.split][r.label] ?? 0) + 1;
  }
  return out;
}

/** A small text table of rows per split and label. */
export function summarizeSplit(rows: ManifestRow[]): string {
  const c = splitCounts(rows);
  const lines = ["split  chimeric  non_chimeric  total"];
  for (const split of ["train", "test"]) {
    const ch = c[split]?.chimeric ?? 0;
    const nc = c[split]?.non_chimeric ?? 0;
    lines.push(
      `${split.padEnd(5)}  ${String(ch).padStart(8)}  ${String(nc).padStart(12)}  ${
        String(ch + nc).padStart(5)
      }`,
    );
  }
  return lines.join("\n");
}

/**
 * Copy images into `out/{train_data,test_data}/{chimeric,non_chimeric}/` (the thesis layout).
 * File names get the class folder as prefix so reads from different classes never collide.
 * Returns the number of files copied. Sources are only read.
 */
export async function copyThesisLayout(rows: ManifestRow[], out: string): Promise<number> {
  const bar = new ProgressBar(rows.length, { label: "copy" });
  const made = new Set<string>();
  for (const r of rows) {
    const dir = join(out, `${r.split}_data`, r.label);
    if (!made.has(dir)) {
      await Deno.mkdir(dir, { recursive: true });
      made.add(dir);
    }
    await Deno.copyFile(r.path, join(dir, `${r.cls}__${basename(r.path)}`));
    bar.tick();
  }
  bar.done();
  return rows.length;
}
