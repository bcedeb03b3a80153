/**
 * Classification of unlabelled charts: collecting image files from the paths a user gives,
 * and the shipped default model.
 * @module
 */
import { extname, join } from "node:path";
import { statOrNull } from "./fsutil.ts";
import type { ImageProblem } from "./preprocess.ts";

/** The pretrained model shipped in the repository. */
export const DEFAULT_MODEL = new URL("../models/compact", import.meta.url).pathname;

/** Image file extensions picked up from folders. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

/**
 * Expand files and folders (recursively, sorted) into image files. Missing paths and
 * non-image files given explicitly are reported as problems; non-images inside folders are
 * skipped quietly only when they are hidden files.
 */
export async function collectImages(
  paths: string[],
): Promise<{ files: string[]; problems: ImageProblem[] }> {
  const files: string[] = [];
  const problems: ImageProblem[] = [];
  const walk = async (dir: string) => {
    const entries = [];
    for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase())) files.push(p);
      else problems.push({ path: p, reason: "skipped: not an image file" });
    }
  };
  for (const p of paths) {
    const info = await statOrNull(p);
    if (!info) problems.push({ path: p, reason: "no such file or folder" });
    else if (info.isDirectory) await walk(p);
    else files.push(p);
  }
  return { files, problems };
}
