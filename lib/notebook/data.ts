/**
 * Which labelled data a notebook runs on: a folder given by the environment, the real set,
 * the first folder in data/, or a small synthetic set it writes itself.
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { requireDir, statOrNull } from "../core/fs.ts";

import { writeSynthDataset } from "../synth/synth.ts";

// ---------------------------------------------------------------------------------------------
// Which data a notebook uses

/** The repository root (the folder above lib/); the data defaults are relative to it. */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Defaults of `findData`: folders relative to the repository root, the synthetic set's size. */
export const DATA_DEFAULTS = {
  /** The real set beside the checkout (the development machines' `shared/` folder). */
  real: "../shared/data/original_data",
  /** The user's own sets, one sub-folder each (data/README.md); the first by name is used. */
  own: "data",
  /** Synthetic sets are generated once into `<synthDir>/synthetic-<perClass>`. */
  synthDir: "runs/notebooks",
  /** Synthetic charts per class. */
  synthPerClass: 300,
  /** Seed of the synthetic set (same seed and size, same charts). */
  synthSeed: 7,
};

/** Where a notebook's data came from. */
export type DataSource = "given folder" | "real set" | "data folder" | "synthetic";

/** The data folder a notebook uses (absolute) and where it came from. */
export interface DataChoice {
  dir: string;
  source: DataSource;
}

/** Options of `findData`. */
export interface FindDataOptions {
  /** A folder (relative to the working directory), "synthetic", or "" / absent: automatic. */
  data?: string;
  /** Charts per class when a synthetic set is used (e.g. 8 in quick mode). */
  synthPerClass?: number;
  /** Repository root the default folders are relative to (default: the one holding lib/). */
  root?: string;
}

/**
 * The data folder for a notebook (one sub-folder per class). `data` given: that folder, or the
 * synthetic set for "synthetic". Automatic: the real set at `../shared/data/original_data`
 * (relative to the repository root) when present, else the first folder inside `data/`, else a
 * synthetic set (lib/synth/synth.ts), generated once into `runs/notebooks/synthetic-<perClass>` and
 * reused. A given folder that does not exist is a UserError.
 */
export async function findData(opts: FindDataOptions = {}): Promise<DataChoice> {
  const d = DATA_DEFAULTS;
  const root = resolve(opts.root ?? REPO_ROOT);
  const synthetic = async (): Promise<DataChoice> => {
    const perClass = opts.synthPerClass ?? d.synthPerClass;
    const dir = resolve(root, d.synthDir, `synthetic-${perClass}`);
    if (!(await statOrNull(resolve(dir, "truth.csv")))) {
      await writeSynthDataset(dir, { perClass, seed: d.synthSeed });
    }
    return { dir, source: "synthetic" };
  };
  if (opts.data === "synthetic") return await synthetic();
  if (opts.data) {
    const dir = resolve(opts.data);
    await requireDir(dir, "data folder");
    return { dir, source: "given folder" };
  }
  const real = resolve(root, d.real);
  if ((await statOrNull(real))?.isDirectory) return { dir: real, source: "real set" };
  const own: string[] = [];
  try {
    for await (const e of Deno.readDir(resolve(root, d.own))) if (e.isDirectory) own.push(e.name);
  } catch { /* no data/ folder */ }
  if (own.length) return { dir: resolve(root, d.own, own.sort()[0]), source: "data folder" };
  return await synthetic();
}
