/**
 * Calls from overlaps: every read of a PAF file gets its pile (Raven's valid-region step), the
 * coverage rule on its raw pile, the model's P(chimeric) on its pile features with the data
 * set's typical depth D (no chart is drawn), and the primary call that combines them
 * (lib/primary_call.ts). D needs every read's median, so the features are kept (581 floats a
 * read) until the file has been read, then the model runs in batches.
 * @module
 */
import {
  coverage,
  curveFromCoverage,
  type PafPilesOptions,
  pilesFromPaf,
} from "../overlaps/pileogram.ts";
import { type RuleOptions, ruleScore } from "../overlaps/coverage_rule.ts";
import {
  PILE_CHANNEL_COUNT,
  PILE_FEATURE_DEFAULTS,
  type PileFeatureOptions,
  type PileFeatures,
  pileFeatures,
  pileInput,
  profileFromPile,
  typicalDepth,
} from "../features/pile_features.ts";
import { type CallEvidence, type CallModel, pCall } from "./primary_call.ts";
import type { DepthContext } from "../features/pile_source.ts";

/** Maps stacked model inputs (`n` reads) to P(chimeric) per read, in order. */
export type PileClassifier = (x: Float32Array, n: number) => number[];

/** Options for calls from a PAF file. */
export interface CallsOptions extends PafPilesOptions, PileFeatureOptions {
  /** Coverage-rule options (threshold etc.). */
  rule?: RuleOptions;
  /** The data set's typical depth D; default: the median of the called reads' medians. */
  depth?: number;
  /** Depth context of the model's input: D ("dataset", the default) or each read's median. */
  depthContext?: DepthContext;
  /** Reads per model call. */
  batchSize?: number;
  /** The combiner of the primary call (none: no p_call / call). */
  callModel?: CallModel;
  /** Chimera rate to calibrate p_call to (default: the rate the combiner was fitted at). */
  rate?: number;
  /** Called once per read gathered (progress). */
  onRead?: () => void;
}

/** Defaults of the calls. */
export const CALLS_DEFAULTS = { batchSize: 256 };

/** Why a read got no call. */
export type CallStatus = "ok" | "too_few_overlaps" | "invalid";

/** The verdict on one read. */
export interface ReadCall {
  /** Read id. */
  readId: string;
  /** Read length. */
  readLen: number;
  /** Number of overlaps. */
  nOverlaps: number;
  /**
   * "ok"; "too_few_overlaps"; or "invalid": no run of 78 bins (1,260 bp) at coverage >= 4, so
   * Raven would have dropped the read (listed, not guessed).
   */
  status: CallStatus;
  /**
   * The read's median coverage (pile features' median: over the chart columns at coverage >= 4,
   * the one D is the median of; null when not called).
   */
  median: number | null;
  /** Coverage-rule score on the raw pile (null when not called). */
  ruleScore: number | null;
  /** Coverage-rule call (null when not called). */
  ruleCall: boolean | null;
  /** Coverage at the bottom of the rule's deepest dip (null when not called). */
  dipFloor?: number | null;
  /** The model's P(chimeric) (absent without a model or when not called). */
  pChimeric?: number;
  /** The primary call's probability (absent without a combiner or when not called). */
  pCall?: number;
  /** The primary call (absent without a combiner or when not called). */
  call?: boolean;
}

/** What the calls of a file come with. */
export interface CallsResult {
  /** One call per read, sorted by read id. */
  calls: ReadCall[];
  /** The typical depth D used. */
  depth: number;
  /** PAF lines read. */
  lines: number;
}

/** One read's evidence before the model: its call so far and its features. */
interface Pending {
  call: ReadCall;
  features?: PileFeatures;
}

/** The evidence of one read from its overlap intervals: pile, rule, features. */
export function readEvidence(
  readId: string,
  readLen: number,
  nOverlaps: number,
  intervals: ArrayLike<number>,
  opts: CallsOptions = {},
): { call: ReadCall; features?: PileFeatures } {
  const raw = coverage(readLen, intervals, opts);
  const curve = curveFromCoverage(raw, opts);
  const call: ReadCall = {
    readId,
    readLen,
    nOverlaps,
    status: curve.valid ? "ok" : "invalid",
    median: null,
    ruleScore: null,
    ruleCall: null,
  };
  if (!curve.valid) return { call };
  // the rule reads the raw pile: a hard gap is cut away by the valid-region step
  const r = ruleScore(raw, curve.median, opts.rule);
  const features = pileFeatures(profileFromPile(curve, opts), opts);
  call.median = features.median;
  call.ruleScore = r.score;
  call.ruleCall = r.chimeric;
  call.dipFloor = r.floor;
  return { call, features };
}

/**
 * Calls for every read of a PAF file (see the module doc). Without `classify` only the rule
 * is applied; without `opts.callModel` there is no primary call.
 */
export async function callsFromPaf(
  pafPath: string,
  opts: CallsOptions = {},
  classify?: PileClassifier,
): Promise<CallsResult> {
  const batchSize = Math.max(1, opts.batchSize ?? CALLS_DEFAULTS.batchSize);
  const pending: Pending[] = [];
  let lines = 0;
  for await (
    const pile of pilesFromPaf(pafPath, {
      ...opts,
      onIndexed: (reads, n) => {
        lines = n;
        opts.onIndexed?.(reads, n);
      },
    })
  ) {
    if (!pile.enough) {
      pending.push({
        call: {
          readId: pile.readId,
          readLen: pile.readLen,
          nOverlaps: pile.nOverlaps,
          status: "too_few_overlaps",
          median: null,
          ruleScore: null,
          ruleCall: null,
        },
      });
    } else {
      pending.push(readEvidence(pile.readId, pile.readLen, pile.nOverlaps, pile.intervals, opts));
    }
    opts.onRead?.();
  }
  const withFeatures = pending.filter((p) => p.features);
  const depth = opts.depth ?? typicalDepth(withFeatures.map((p) => p.features!.median));
  if (classify) {
    const item = (opts.columns ?? PILE_FEATURE_DEFAULTS.columns) * PILE_CHANNEL_COUNT;
    for (let s = 0; s < withFeatures.length; s += batchSize) {
      const chunk = withFeatures.slice(s, s + batchSize);
      const x = new Float32Array(chunk.length * item);
      chunk.forEach((p, i) => {
        const d = opts.depthContext === "read" ? p.features!.median : depth;
        x.set(pileInput(p.features!, d, opts), i * item);
      });
      const ps = classify(x, chunk.length);
      chunk.forEach((p, i) => (p.call.pChimeric = ps[i]));
    }
  }
  const calls = pending.map((p) => p.call);
  if (opts.callModel) applyCallModel(calls, depth, opts.callModel, opts.rate);
  calls.sort((a, b) => (a.readId < b.readId ? -1 : a.readId > b.readId ? 1 : 0));
  return { calls, depth, lines };
}

/** The combiner's evidence of a called read with the model's P(chimeric), at depth D. */
export function callEvidence(c: ReadCall, depth: number): CallEvidence {
  return {
    pModel: c.pChimeric!,
    ruleScore: c.ruleScore!,
    relativeDepth: depth > 0 ? c.median! / depth : 0,
    relativeFloor: depth > 0 ? (c.dipFloor ?? 0) / depth : 0,
  };
}

/**
 * Set p_call and call on every called read that has the model's P(chimeric): the combiner on
 * the model, the rule score and the read's median over D, calibrated to `rate` when given.
 */
export function applyCallModel(
  calls: ReadCall[],
  depth: number,
  model: CallModel,
  rate?: number,
): void {
  for (const c of calls) {
    if (c.status !== "ok" || c.pChimeric === undefined) continue;
    c.pCall = pCall(model, callEvidence(c, depth), rate);
    c.call = c.pCall >= model.threshold;
  }
}
