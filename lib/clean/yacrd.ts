/**
 * yacrd's report format from the project's calls, so that pipelines built around yacrd can
 * swap it in: one line per read the PAF names, `type<TAB>read<TAB>length<TAB>len,begin,end;...`.
 * The regions are yacrd's own (runs of coverage <= c, lib/overlaps/gap_rule.ts), a read is NotCovered
 * by yacrd's rule (bad regions over n of its length), else Chimeric when the primary call flags
 * it, with its junctions (lib/clean/junctions.ts) added to the regions where no listed region
 * already holds them (a point junction is a zero-length region, as yacrd writes touching
 * overlaps), else NotBad.
 * @module
 */
import type { ReadCall } from "../calls/calls.ts";
import {
  formatYacrdLine,
  GAP_RULE_DEFAULTS,
  type GapKind,
  gapRuleFromPaf,
  type GapRuleOptions,
} from "../overlaps/gap_rule.ts";
import type { ReadJunctions } from "./split.ts";
import { isFlagged } from "./split.ts";

/** The yacrd report of a PAF input's reads (lines sorted by read id, newline-terminated). */
export async function yacrdReport(
  paf: string,
  calls: readonly ReadCall[],
  junctions: ReadonlyMap<string, ReadJunctions>,
  opts: GapRuleOptions = {},
): Promise<string> {
  const o = { ...GAP_RULE_DEFAULTS, ...opts };
  const byId = new Map(calls.map((c) => [c.readId, c]));
  const lines: string[] = [];
  for (const g of await gapRuleFromPaf(paf, o)) {
    const c = byId.get(g.readId);
    let kind: GapKind = g.result.kind;
    const regions = g.result.regions.slice();
    if (kind !== "NotCovered") {
      kind = c && isFlagged(c) ? "Chimeric" : "NotBad";
      for (const j of junctions.get(g.readId)?.junctions ?? []) {
        if (kind !== "Chimeric") break;
        const held = regions.some(([, b, e]) => b <= j.pos && j.pos <= e && (e > b || b === j.pos));
        if (!held) regions.push([j.end - j.begin, j.begin, j.end]);
      }
      regions.sort((a, b) => a[1] - b[1] || a[2] - b[2]);
    }
    lines.push(formatYacrdLine(g.readId, g.readLen, { kind, regions }));
  }
  return lines.length ? lines.join("\n") + "\n" : "";
}
