/**
 * The labelled dataset: listing a thesis-layout folder (one sub-folder per class), mapping
 * classes to the binary label, and reading/writing the split manifest (CSV).
 * @module
 */
import { basename, extname, join, relative, resolve } from "node:path";
import { readTextOrFail, requireDir, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

/** The binary label every class maps to. */
export type Label = "chimeric" | "non_chimeric";

/** Label names in output order (index 1 is the positive class). */
export const LABELS: readonly Label[] = ["non_chimeric", "chimeric"];

/** One labelled image. */
export interface Sample {
  /** Path of the image file (as given: absolute, or relative to the working folder). */
  path: string;
  /** Class folder name, e.g. chimeric, regular, repeat. */
  cls: string;
  /** Binary label derived from the class. */
  label: Label;
  /** Read id: the file name without extension (the grouping key for splits). */
  readId: string;
}

/** Image files to classify, as samples without a class (the label is a placeholder). */
export function unlabelledSamples(paths: string[]): Sample[] {
  return paths.map((path) => ({ path, cls: "?", label: "non_chimeric", readId: path }));
}

/** A sample with its split, one row of `manifest.csv`. */
export interface ManifestRow extends Sample {
  /** Which side of the split the sample is on. */
  split: "train" | "test";
}

/** Options for listing a dataset folder. */
export interface ListOptions {
  /** Class folder names that are labelled chimeric; every other class is non_chimeric. */
  positive?: string[];
  /** File extensions accepted as images (lower case, with dot). */
  extensions?: string[];
}

/** Defaults for dataset listing. */
export const DATASET_DEFAULTS: Required<ListOptions> = {
  positive: ["chimeric"],
  extensions: [".png", ".jpg", ".jpeg"],
};

/** What listing found besides the samples: files that are not images, empty classes. */
export interface ListReport {
  /** Files skipped because their extension is not an image extension, with the reason. */
  skipped: { path: string; reason: string }[];
  /** Number of images per class folder. */
  counts: Record<string, number>;
}

/** Map a class folder name to its binary label. */
export function labelOf(cls: string, positive: string[] = DATASET_DEFAULTS.positive): Label {
  return positive.includes(cls) ? "chimeric" : "non_chimeric";
}

/**
 * List a thesis-layout folder `dir/<class>/<image>`: every image becomes a Sample, sorted by
 * path. Throws UserError for a missing folder, no class folders, an empty class folder, or
 * no positive class; non-image files are listed in the report, never silently dropped.
 */
export async function listDataset(
  dir: string,
  opts: ListOptions = {},
): Promise<{ samples: Sample[]; report: ListReport }> {
  const o = { ...DATASET_DEFAULTS, ...opts };
  await requireDir(dir, "data folder");
  const classes: string[] = [];
  const skipped: ListReport["skipped"] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && !e.name.startsWith(".")) classes.push(e.name);
    else if (e.isFile && !e.name.startsWith(".")) {
      skipped.push({ path: join(dir, e.name), reason: "file outside any class folder" });
    }
  }
  classes.sort();
  if (classes.length === 0) {
    throw new UserError(
      `${dir}: no class folders found (expected ${dir}/chimeric/, ${dir}/regular/, ...)`,
    );
  }
  if (!o.positive.some((p) => classes.includes(p))) {
    throw new UserError(
      `${dir}: no folder for the positive class (${o.positive.join(", ")}); found ${
        classes.join(", ")
      }`,
    );
  }
  const samples: Sample[] = [];
  const counts: Record<string, number> = {};
  for (const cls of classes) {
    const names: string[] = [];
    for await (const e of Deno.readDir(join(dir, cls))) {
      if (e.name.startsWith(".")) continue;
      const p = join(dir, cls, e.name);
      if (!e.isFile) skipped.push({ path: p, reason: "not a regular file" });
      else if (!o.extensions.includes(extname(e.name).toLowerCase())) {
        skipped.push({ path: p, reason: `not an image (extension "${extname(e.name)}")` });
      } else names.push(e.name);
    }
    if (names.length === 0) throw new UserError(`${join(dir, cls)}: class folder has no images`);
    names.sort();
    counts[cls] = names.length;
    for (const name of names) {
      samples.push({
        path: join(dir, cls, name),
        cls,
        label: labelOf(cls, o.positive),
        readId: basename(name, extname(name)),
      });
    }
  }
  return { samples, report: { skipped, counts } };
}

const HEADER = "path,class,label,split";

/** Quote a CSV field when it needs it. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Split one CSV line into fields (RFC 4180 quoting). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"', i++);
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") (out.push(cur), cur = "");
    else cur += c;
  }
  out.push(cur);
  return out;
}

/** Render manifest rows as CSV text with header `path,class,label,split`. */
export function formatManifest(rows: ManifestRow[], relativeTo?: string): string {
  const lines = rows.map((r) => {
    const p = relativeTo ? relative(relativeTo, resolve(r.path)) : r.path;
    return [p, r.cls, r.label, r.split].map(csvField).join(",");
  });
  return [HEADER, ...lines].join("\n") + "\n";
}

/**
 * Write `manifest.csv` atomically, with image paths relative to the manifest's folder so the
 * manifest stays valid when the project moves.
 */
export async function writeManifest(path: string, rows: ManifestRow[]): Promise<void> {
  await writeTextAtomic(path, formatManifest(rows, resolve(path, "..")));
}

/**
 * Read a manifest CSV. Relative image paths are resolved against the manifest's folder and
 * returned absolute.
 * Throws UserError naming the file and line for a bad header, row, label or split.
 */
export async function readManifest(path: string): Promise<ManifestRow[]> {
  const text = await readTextOrFail(path, "manifest");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines[0] !== HEADER) {
    throw new UserError(`${path}: line 1: expected header "${HEADER}", found "${lines[0] ?? ""}"`);
  }
  const base = resolve(path, "..");
  return lines.slice(1).map((line, i) => {
    const f = parseCsvLine(line);
    const where = `${path}: line ${i + 2}`;
    if (f.length !== 4) throw new UserError(`${where}: expected 4 fields, found ${f.length}`);
    const [p, cls, label, split] = f;
    if (label !== "chimeric" && label !== "non_chimeric") {
      throw new UserError(`${where}: label must be chimeric or non_chimeric, found "${label}"`);
    }
    if (split !== "train" && split !== "test") {
      throw new UserError(`${where}: split must be train or test, found "${split}"`);
    }
    return {
      path: resolve(base, p),
      cls,
      label,
      readId: basename(p, extname(p)),
      split,
    };
  });
}
