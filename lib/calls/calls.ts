/**
 * Calls from overlaps: every read of a PAF file gets its pile (Raven's valid-region step), the
 * coverage rule on its raw pile, the model's P(chimeric) on its pile features with the data
 * set's typical depth D (no chart is drawn), and the primary call that combines them
 * (lib/calls/primary_call.ts). D needs every read's median, so the model runs in batches once the
 * file has been read: by default only on the reads whose call it can change (or whose p_call it
 * can move by more than `settle`), whose features are then computed again from their piles,
 * shared out over the evidence threads; with `modelReads: "all"` every read's features are kept
 * until then (580 floats a read).
 * @module
 */
import { type PafPile, type PafPilesOptions, pilesFromPaf } from "../overlaps/pileogram.ts";
import { Scratch } from "../core/scratch.ts";
import {
  PILE_CHANNEL_COUNT,
  PILE_FEATURE_DEFAULTS,
  type PileFeatures,
  pileInput,
  typicalDepth,
} from "../features/pile_features.ts";
import {
  type EvidenceOptions,
  EvidenceThreads,
  type ReadCall,
  readEvidence,
  uncalled,
} from "./evidence.ts";
import { type CallEvidence, type CallModel, modelMatters, pCall } from "./primary_call.ts";
import type { DepthContext } from "../features/pile_source.ts";

/** Maps stacked model inputs (`n` reads) to P(chimeric) per read, in order. */
export type PileClassifier = (x: Float32Array, n: number) => number[];

export type { CallStatus, ReadCall } from "./evidence.ts";

/** Options for calls from a PAF file. */
export interface CallsOptions extends PafPilesOptions, EvidenceOptions {
  /**
   * Threads for the reads' evidence and the model's inputs (the model runs on one); default 1. With
   * `modelReads: "all"` the evidence keeps every read's features and runs on one thread.
   */
  threads?: number;
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
  /**
   * Which called reads the model reads: "needed" (the default with a combiner): only those whose
   * call it can change or whose p_call it can move by more than `settle`
   * ({@link modelMatters}); "all": every called read.
   */
  modelReads?: ModelReads;
  /** With `modelReads` "needed": the largest move of p_call the model may be left out for. */
  settle?: number;
  /** Called once per read gathered (progress). */
  onRead?: () => void;
  /** Called as each stage ends: "piles" (file read), "evidence" (every read's), "model". */
  onStage?: (stage: CallsStage) => void;
}

/** The stages of {@link callsFromPaf}, as `onStage` reports them. */
export type CallsStage = "piles" | "evidence" | "model";

/** Which called reads the model reads (see {@link CallsOptions.modelReads}). */
export type ModelReads = "needed" | "all";

/** Defaults of the calls. */
export const CALLS_DEFAULTS: { batchSize: number; modelReads: ModelReads; settle: number } = {
  batchSize: 256,
  modelReads: "needed",
  settle: 0.01,
};

/** What the calls of a file come with. */
export interface CallsResult {
  /** One call per read, sorted by read id. */
  calls: ReadCall[];
  /** The typical depth D used. */
  depth: number;
  /** PAF lines read. */
  lines: number;
}

/**
 * One read's evidence before the model: its call so far, its pile, and its features where they
 * are kept (else they are computed again for the reads the model reads).
 */
interface Pending {
  call: ReadCall;
  pile?: PafPile;
  features?: PileFeatures;
}

/** The model inputs of reads from their features, stacked, relative to D or their medians. */
function stackInputs(features: PileFeatures[], depth: number, opts: CallsOptions): Float32Array {
  const item = (opts.columns ?? PILE_FEATURE_DEFAULTS.columns) * PILE_CHANNEL_COUNT;
  const x = new Float32Array(features.length * item);
  features.forEach((f, i) => {
    x.set(pileInput(f, opts.depthContext === "read" ? f.median : depth, opts), i * item);
  });
  return x;
}

/**
 * Calls for every read of a PAF file (see the module doc). Without `classify` only the rule
 * is applied; without `opts.callModel` there is no primary call. `classify` may still be
 * loading (a promise): it is awaited once the evidence is in, so the model loads while the
 * file is read.
 */
export async function callsFromPaf(
  pafPath: string,
  opts: CallsOptions = {},
  loadingClassify?: PileClassifier | Promise<PileClassifier>,
): Promise<CallsResult> {
  const batchSize = Math.max(1, opts.batchSize ?? CALLS_DEFAULTS.batchSize);
  const callModel = opts.callModel;
  const onlyNeeded = Boolean(callModel) &&
    (opts.modelReads ?? CALLS_DEFAULTS.modelReads) === "needed";
  // with the model on only some reads, every read's features are not kept (2.3 KB a read)
  const keepFeatures = Boolean(loadingClassify) && !onlyNeeded;
  const pending: Pending[] = [];
  const scratch = new Scratch();
  // helper threads start now and load while the file is read
  const threads = new EvidenceThreads(keepFeatures ? 1 : Math.max(1, opts.threads ?? 1));
  let lines = 0;
  let depth: number;
  let classify: PileClassifier | undefined;
  try {
    const enough: PafPile[] = [];
    for await (
      const pile of pilesFromPaf(pafPath, {
        ...opts,
        onIndexed: (reads, n) => {
          lines = n;
          opts.onStage?.("piles");
          opts.onIndexed?.(reads, n);
        },
      })
    ) {
      if (pile.enough) enough.push(pile);
      else {
        pending.push({
          call: uncalled(pile.readId, pile.readLen, pile.nOverlaps, "too_few_overlaps"),
        });
        opts.onRead?.();
      }
    }
    if (keepFeatures) {
      for (const pile of enough) {
        const { readId, readLen, nOverlaps, intervals } = pile;
        pending.push(readEvidence(readId, readLen, nOverlaps, intervals, opts, true, scratch));
        opts.onRead?.();
      }
    } else {
      const calls = await threads.calls(enough, opts, opts.onRead);
      // the pile is kept only to compute the features again for the reads the model reads
      calls.forEach((call, i) =>
        pending.push(loadingClassify ? { call, pile: enough[i] } : { call })
      );
    }
    opts.onStage?.("evidence");
    const called = pending.filter((p) => p.call.status === "ok");
    depth = opts.depth ?? typicalDepth(called.map((p) => p.call.median!));
    classify = await loadingClassify;
    if (classify) {
      const item = (opts.columns ?? PILE_FEATURE_DEFAULTS.columns) * PILE_CHANNEL_COUNT;
      const settle = opts.settle ?? CALLS_DEFAULTS.settle;
      const needed = onlyNeeded
        ? called.filter((p) =>
          modelMatters(callModel!, coverageEvidence(p.call, depth), settle, opts.rate)
        )
        : called;
      // the inputs of the reads the model reads, from their piles on the threads, unless kept
      const x = keepFeatures
        ? null
        : await threads.inputs(needed.map((p) => p.pile!), opts, depth, opts.depthContext);
      for (let s = 0; s < needed.length; s += batchSize) {
        const chunk = needed.slice(s, s + batchSize);
        const part = x?.subarray(s * item, (s + chunk.length) * item) ??
          stackInputs(chunk.map((p) => p.features!), depth, opts);
        const ps = classify(part, chunk.length);
        chunk.forEach((p, i) => (p.call.pChimeric = ps[i]));
      }
    }
  } finally {
    threads.stop();
  }
  opts.onStage?.("model");
  const calls = pending.map((p) => p.call);
  if (opts.callModel && classify) {
    applyCallModel(calls, depth, opts.callModel, opts.rate, opts.settle);
  }
  calls.sort((a, b) => (a.readId < b.readId ? -1 : a.readId > b.readId ? 1 : 0));
  return { calls, depth, lines };
}

/** The combiner's evidence of a called read apart from the model: coverage, at depth D. */
export function coverageEvidence(c: ReadCall, depth: number): Omit<CallEvidence, "pModel"> {
  return {
    ruleScore: c.ruleScore!,
    relativeDepth: depth > 0 ? c.median! / depth : 0,
    relativeFloor: depth > 0 ? (c.dipFloor ?? 0) / depth : 0,
  };
}

/** The combiner's evidence of a called read with the model's P(chimeric), at depth D. */
export function callEvidence(c: ReadCall, depth: number): CallEvidence {
  return { pModel: c.pChimeric!, ...coverageEvidence(c, depth) };
}

/**
 * Set p_call and call on every called read: the combiner on the model, the rule score and the
 * read's median over D, calibrated to `rate` when given. A read the model did not read gets
 * them only where the model cannot change the call nor move p_call by more than `settle`
 * ({@link modelMatters}); its p_call is then the one at P(chimeric) 0.5.
 */
export function applyCallModel(
  calls: ReadCall[],
  depth: number,
  model: CallModel,
  rate?: number,
  settle: number = CALLS_DEFAULTS.settle,
): void {
  for (const c of calls) {
    if (c.status !== "ok") continue;
    if (c.pChimeric !== undefined) {
      c.pCall = pCall(model, callEvidence(c, depth), rate);
    } else {
      const e = coverageEvidence(c, depth);
      if (modelMatters(model, e, settle, rate)) continue;
      c.pCall = pCall(model, { ...e, pModel: 0.5 }, rate);
    }
    c.call = c.pCall >= model.threshold;
  }
}
