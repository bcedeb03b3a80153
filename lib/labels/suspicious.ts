/**
 * Suspicious labels from out-of-fold predictions (confident learning: per-class thresholds,
 * margin over the threshold), and the reader of out-of-fold prediction files (CSV or JSON).
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import type { Label, Sample } from "../data/dataset.ts";
import { parseCsvLine } from "../data/dataset.ts";
import { readJson, readTextOrFail } from "../core/fs.ts";

import { UserError } from "../core/errors.ts";

import { issueOf, type LabelIssue } from "./issues.ts";

// ---------------------------------------------------------------------------------------
// Confident learning on out-of-fold predictions

/** Per-class thresholds: the mean out-of-fold probability of each label among its samples. */
export function classThresholds(
  labels: readonly Label[],
  pChimeric: readonly number[],
): Record<Label, number> {
  const sum = { chimeric: 0, non_chimeric: 0 };
  const n = { chimeric: 0, non_chimeric: 0 };
  labels.forEach((l, i) => {
    sum[l] += l === "chimeric" ? pChimeric[i] : 1 - pChimeric[i];
    n[l]++;
  });
  return {
    chimeric: n.chimeric ? sum.chimeric / n.chimeric : NaN,
    non_chimeric: n.non_chimeric ? sum.non_chimeric / n.non_chimeric : NaN,
  };
}

/**
 * Suspicious labels (confident learning, binary): a sample is flagged when the probability
 * of its given label is below that label's threshold while the other label's probability
 * reaches the other threshold. Pure; samples without a prediction (NaN) are skipped and do
 * not count toward the thresholds. Ranked by margin p(preferred) - p(given), largest first.
 */
export function findSuspiciousLabels(
  samples: readonly Sample[],
  pChimeric: readonly number[],
): LabelIssue[] {
  const known = samples.map((_, i) => i).filter((i) => Number.isFinite(pChimeric[i]));
  const t = classThresholds(known.map((i) => samples[i].label), known.map((i) => pChimeric[i]));
  const out: LabelIssue[] = [];
  for (const i of known) {
    const s = samples[i];
    const p = pChimeric[i];
    const other: Label = s.label === "chimeric" ? "non_chimeric" : "chimeric";
    const pGiven = s.label === "chimeric" ? p : 1 - p;
    const pOther = 1 - pGiven;
    if (!(pGiven < t[s.label] && pOther >= t[other])) continue;
    out.push(
      issueOf("suspicious_label", [s], {
        pChimeric: p,
        pGiven,
        thresholdGiven: t[s.label],
        thresholdPreferred: t[other],
        margin: pOther - pGiven,
        preferred: other,
      }),
    );
  }
  return out.sort((a, b) =>
    b.scores.margin! - a.scores.margin! || (a.files[0] < b.files[0] ? -1 : 1)
  );
}

/**
 * Read out-of-fold predictions: a CSV with a header naming at least `path` and `p_chimeric`
 * (other columns such as `label` or `fold` are ignored), or JSON (an array of
 * `{path, p_chimeric}`). A relative path is resolved against the file's folder and also
 * against the working folder (writers differ), so it may appear under both keys. Returns
 * absolute path -> p(chimeric). Throws UserError naming the file and line for bad input.
 */
export async function readOof(path: string): Promise<Map<string, number>> {
  const base = resolve(path, "..");
  const out = new Map<string, number>();
  const put = (p: unknown, v: unknown, where: string) => {
    const x = typeof v === "string" ? Number(v) : v;
    if (typeof p !== "string" || p === "") throw new UserError(`${where}: missing path`);
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x > 1) {
      throw new UserError(`${where}: p_chimeric must be a number in [0, 1], found "${v}"`);
    }
    out.set(resolve(base, p), x);
    if (!isAbsolute(p)) out.set(resolve(p), x);
  };
  if (path.toLowerCase().endsWith(".json")) {
    const rows = await readJson<unknown>(path);
    if (!Array.isArray(rows)) throw new UserError(`${path}: expected a JSON array of rows`);
    rows.forEach((r, i) => {
      const o = (r ?? {}) as Record<string, unknown>;
      put(o.path, o.p_chimeric, `${path}: row ${i}`);
    });
    return out;
  }
  const text = await readTextOrFail(path);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = parseCsvLine(lines[0] ?? "");
  const ip = head.indexOf("path"), iv = head.indexOf("p_chimeric");
  if (ip < 0 || iv < 0) {
    throw new UserError(
      `${path}: line 1: expected a header with columns path and p_chimeric, found "${
        lines[0] ?? ""
      }"`,
    );
  }
  lines.slice(1).forEach((line, i) => {
    const f = parseCsvLine(line);
    put(f[ip], f[iv], `${path}: line ${i + 2}`);
  });
  return out;
}
