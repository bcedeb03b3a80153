/**
 * A read's evidence before the model: its pile through Raven's valid-region step, the coverage
 * rule on the raw pile, and its median coverage ({@link readEvidence}). On a genome-scale PAF
 * this is the largest part of the work after parsing, so {@link EvidenceThreads} can share the
 * reads out to helper threads (lib/core/threads.ts): the piles are packed into shared memory
 * and cut into blocks of about equal length, and every thread, this one included, takes the
 * next block from a shared counter until none is left ({@link takeBlocks}), writing into shared
 * result arrays. No message is needed while they work, so a thread busy with a block holds
 * nobody up, and a slower thread simply takes fewer. The model inputs of the reads the model
 * reads are shared out the same way ({@link EvidenceThreads.inputs}). The calls are the same on
 * any number of threads.
 * @module
 */
import {
  coverage,
  curveFromCoverage,
  type PafPile,
  PILEOGRAM_DEFAULTS,
  type PileogramOptions,
} from "../overlaps/pileogram.ts";
import { type RuleOptions, ruleScore } from "../overlaps/coverage_rule.ts";
import { Scratch } from "../core/scratch.ts";
import { HelperThread } from "../core/threads.ts";
import {
  PILE_CHANNEL_COUNT,
  PILE_FEATURE_DEFAULTS,
  type PileFeatureOptions,
  type PileFeatures,
  pileFeatures,
  pileInput,
  profileFromPile,
  profileMedian,
} from "../features/pile_features.ts";
import type { DepthContext } from "../features/pile_source.ts";

/** Options of a read's evidence: the pile's, the features' and the coverage rule's. */
export interface EvidenceOptions extends PileogramOptions, PileFeatureOptions {
  /** Coverage-rule options (threshold etc.). */
  rule?: RuleOptions;
}

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

/**
 * The evidence of one read from its overlap intervals: pile, rule, median, and its features when
 * `withFeatures`. A `scratch` kept over a loop of reads spares the per-read buffers.
 */
export function readEvidence(
  readId: string,
  readLen: number,
  nOverlaps: number,
  intervals: ArrayLike<number>,
  opts: EvidenceOptions = {},
  withFeatures = true,
  scratch?: Scratch,
): { call: ReadCall; features?: PileFeatures } {
  const raw = coverage(readLen, intervals, opts, scratch);
  const curve = curveFromCoverage(raw, opts, scratch);
  if (!curve.valid) return { call: uncalled(readId, readLen, nOverlaps, "invalid") };
  // the rule reads the raw pile: a hard gap is cut away by the valid-region step
  const r = ruleScore(raw, curve.median, opts.rule, scratch);
  const profile = profileFromPile(curve, opts, scratch);
  const features = withFeatures ? pileFeatures(profile, opts) : undefined;
  const median = features ? features.median : profileMedian(profile, opts, scratch);
  return {
    call: okCall(readId, readLen, nOverlaps, median, r.score, r.chimeric, r.floor),
    features,
  };
}

/** The call of a read that is not called (median and rule empty). */
export function uncalled(
  readId: string,
  readLen: number,
  nOverlaps: number,
  status: Exclude<CallStatus, "ok">,
): ReadCall {
  return { readId, readLen, nOverlaps, status, median: null, ruleScore: null, ruleCall: null };
}

/** The call of a called read before the model. */
function okCall(
  readId: string,
  readLen: number,
  nOverlaps: number,
  median: number,
  ruleScore: number,
  ruleCall: boolean,
  dipFloor: number,
): ReadCall {
  return { readId, readLen, nOverlaps, status: "ok", median, ruleScore, ruleCall, dipFloor };
}

/** The piles of many reads packed into (shared) memory. */
export interface PackedPiles {
  /** Read lengths. */
  readLens: Int32Array;
  /** Where each read's intervals start in `intervals` (one more entry: the end). */
  offsets: Int32Array;
  /** All the reads' flat begin/end pairs. */
  intervals: Int32Array;
}

/** The evidence of packed reads, one entry a read. */
export interface PackedEvidence {
  /** 1 where the read is called (status ok), 0 where it is invalid. */
  ok: Uint8Array;
  /** Median coverage. */
  median: Float64Array;
  /** Coverage-rule score. */
  score: Float64Array;
  /** Coverage-rule call (1 chimeric). */
  ruleCall: Uint8Array;
  /** Coverage at the bottom of the deepest dip. */
  floor: Float64Array;
}

/** A typed array of `n` elements, on a SharedArrayBuffer when `shared`. */
function typed<T>(
  make: new (buffer: ArrayBufferLike) => T,
  bytesPer: number,
  n: number,
  shared: boolean,
): T {
  const bytes = Math.max(1, n) * bytesPer;
  return new make(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** Pack `piles` (their intervals copied into one array), in shared memory when `shared`. */
export function packPiles(piles: readonly PafPile[], shared = false): PackedPiles {
  const n = piles.length;
  const offsets = typed(Int32Array, 4, n + 1, shared).subarray(0, n + 1);
  piles.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.intervals.length));
  const intervals = typed(Int32Array, 4, offsets[n], shared).subarray(0, offsets[n]);
  piles.forEach((p, i) => intervals.set(p.intervals, offsets[i]));
  const readLens = typed(Int32Array, 4, n, shared).subarray(0, n);
  piles.forEach((p, i) => (readLens[i] = p.readLen));
  return { readLens, offsets, intervals };
}

/** Room for the evidence of `n` reads, in shared memory when `shared`. */
export function evidenceArrays(n: number, shared = false): PackedEvidence {
  return {
    ok: typed(Uint8Array, 1, n, shared).subarray(0, n),
    median: typed(Float64Array, 8, n, shared).subarray(0, n),
    score: typed(Float64Array, 8, n, shared).subarray(0, n),
    ruleCall: typed(Uint8Array, 1, n, shared).subarray(0, n),
    floor: typed(Float64Array, 8, n, shared).subarray(0, n),
  };
}

/** The evidence of the packed reads `from` to `to` (exclusive) into `out`. */
export function evidenceInto(
  piles: PackedPiles,
  from: number,
  to: number,
  out: PackedEvidence,
  opts: EvidenceOptions = {},
  scratch: Scratch = new Scratch(),
  onRead?: () => void,
): void {
  for (let i = from; i < to; i++) {
    const iv = piles.intervals.subarray(piles.offsets[i], piles.offsets[i + 1]);
    const { call } = readEvidence("", piles.readLens[i], 0, iv, opts, false, scratch);
    out.ok[i] = call.status === "ok" ? 1 : 0;
    out.median[i] = call.median ?? 0;
    out.score[i] = call.ruleScore ?? 0;
    out.ruleCall[i] = call.ruleCall ? 1 : 0;
    out.floor[i] = call.dipFloor ?? 0;
    onRead?.();
  }
}

/** The calls of `piles` from their packed evidence. */
function packedCalls(piles: readonly PafPile[], ev: PackedEvidence): ReadCall[] {
  return piles.map((p, i) =>
    ev.ok[i]
      ? okCall(
        p.readId,
        p.readLen,
        p.nOverlaps,
        ev.median[i],
        ev.score[i],
        ev.ruleCall[i] === 1,
        ev.floor[i],
      )
      : uncalled(p.readId, p.readLen, p.nOverlaps, "invalid")
  );
}

/** The options a helper thread needs, as plain data (no callbacks, no read lists). */
export function evidenceOptions(opts: EvidenceOptions): EvidenceOptions {
  const out: Record<string, unknown> = {};
  const keys = [...Object.keys(PILEOGRAM_DEFAULTS), ...Object.keys(PILE_FEATURE_DEFAULTS), "rule"];
  for (const k of keys) {
    const v = (opts as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as EvidenceOptions;
}

/** The model inputs of packed reads: where they go and the depth they are relative to. */
export interface PackedInputs {
  /** The stacked inputs, `item` floats a read (in shared memory). */
  x: Float32Array;
  /** Floats per read. */
  item: number;
  /** The data set's typical depth D. */
  depth: number;
  /** Relative to D ("dataset") or to each read's own median ("read"). */
  depthContext: DepthContext;
}

/**
 * Work shared by the threads: packed reads, block bounds, the next block, and where the
 * results go: their evidence (`out`) or their model inputs (`inputs`).
 */
export interface SharedWork {
  /** The reads (in shared memory). */
  piles: PackedPiles;
  /** Block b is reads bounds[b] to bounds[b + 1]. */
  bounds: Int32Array;
  /** [0]: the next block to take (shared, advanced with Atomics). */
  next: Int32Array;
  /** The evidence (in shared memory), when that is the work. */
  out?: PackedEvidence;
  /** The model inputs, when that is the work. */
  inputs?: PackedInputs;
  /** Options (plain data). */
  opts: EvidenceOptions;
}

/**
 * The model inputs of the packed reads `from` to `to` (exclusive), each called (valid), into
 * `into.x` (pile features relative to D or to the read's median, lib/features/pile_features.ts).
 */
export function inputsInto(
  piles: PackedPiles,
  from: number,
  to: number,
  into: PackedInputs,
  opts: EvidenceOptions = {},
  scratch: Scratch = new Scratch(),
  onRead?: () => void,
): void {
  for (let i = from; i < to; i++) {
    const iv = piles.intervals.subarray(piles.offsets[i], piles.offsets[i + 1]);
    const { features: f } = readEvidence("", piles.readLens[i], 0, iv, opts, true, scratch);
    if (!f) throw new Error(`model inputs: read ${i} is not called`);
    const d = into.depthContext === "read" ? f.median : into.depth;
    into.x.set(pileInput(f, d, opts), i * into.item);
    onRead?.();
  }
}

/**
 * Take blocks of `work` from its shared counter until none is left, computing each into the
 * shared results (what every thread runs); returns the reads done.
 */
export function takeBlocks(work: SharedWork, onRead?: () => void): number {
  const scratch = new Scratch();
  const blocks = work.bounds.length - 1;
  let done = 0;
  for (let b = Atomics.add(work.next, 0, 1); b < blocks; b = Atomics.add(work.next, 0, 1)) {
    const [from, to] = [work.bounds[b], work.bounds[b + 1]];
    if (work.inputs) inputsInto(work.piles, from, to, work.inputs, work.opts, scratch, onRead);
    else evidenceInto(work.piles, from, to, work.out!, work.opts, scratch, onRead);
    done += work.bounds[b + 1] - work.bounds[b];
  }
  return done;
}

/** Bounds of `k` runs of `piles` of about equal total length (in order; some may be empty). */
export function blockBounds(piles: readonly PafPile[], k: number): Int32Array {
  let total = 0;
  for (const p of piles) total += p.readLen;
  const bounds = new Int32Array(k + 1);
  let sum = 0;
  for (let i = 0; i < piles.length; i++) {
    // the block whose share of the total length this read's middle falls in
    const b = Math.min(k - 1, Math.floor(((sum + piles[i].readLen / 2) / Math.max(1, total)) * k));
    bounds[b + 1] = i + 1;
    sum += piles[i].readLen;
  }
  for (let b = 1; b <= k; b++) if (bounds[b] < bounds[b - 1]) bounds[b] = bounds[b - 1];
  return bounds;
}

/** How {@link EvidenceThreads} shares the reads out. */
export interface EvidenceThreadsOptions {
  /** Blocks per thread (more: a better balance at the end). */
  blocksPerThread?: number;
  /** Fewest reads in a block. */
  minBlockReads?: number;
}

/** Defaults: 8 blocks per thread of at least 256 reads. */
export const EVIDENCE_THREADS_DEFAULTS: Required<EvidenceThreadsOptions> = {
  blocksPerThread: 8,
  minBlockReads: 256,
};

/**
 * The evidence of many reads on `threads` threads: this one and `threads - 1` helpers, started
 * when this is made (they load while the caller goes on, e.g. while it reads the PAF). Call
 * {@link EvidenceThreads.stop} when done.
 */
export class EvidenceThreads {
  #helpers: HelperThread<SharedWork, number>[];
  #opts: Required<EvidenceThreadsOptions>;

  /** Start `threads - 1` helper threads (none for 1). */
  constructor(threads: number, opts: EvidenceThreadsOptions = {}) {
    this.#opts = { ...EVIDENCE_THREADS_DEFAULTS, ...opts };
    const url = new URL("./evidence_thread.ts", import.meta.url);
    this.#helpers = Array.from({ length: Math.max(0, threads - 1) }, () => new HelperThread(url));
  }

  /** Threads the work is shared over. */
  get threads(): number {
    return this.#helpers.length + 1;
  }

  /**
   * The calls of `piles` (each with enough overlaps) before the model, in order; `onRead` is
   * called once a read (the helpers' reads once they are done).
   */
  async calls(
    piles: readonly PafPile[],
    opts: EvidenceOptions = {},
    onRead?: () => void,
  ): Promise<ReadCall[]> {
    const out = evidenceArrays(piles.length, this.#helpers.length > 0);
    await this.#share(piles, opts, { out }, onRead);
    return packedCalls(piles, out);
  }

  /**
   * The model inputs of `piles` (each called), stacked in order: `columns` x channels floats
   * a read, relative to `depth` D or, with depthContext "read", to each read's median.
   */
  async inputs(
    piles: readonly PafPile[],
    opts: EvidenceOptions,
    depth: number,
    depthContext: DepthContext = "dataset",
  ): Promise<Float32Array> {
    const item = (opts.columns ?? PILE_FEATURE_DEFAULTS.columns) * PILE_CHANNEL_COUNT;
    const n = piles.length * item;
    const x = typed(Float32Array, 4, n, this.#helpers.length > 0).subarray(0, n);
    await this.#share(piles, opts, { inputs: { x, item, depth, depthContext } });
    return x;
  }

  /** Share the work on `piles` out to every thread, this one included; resolves when done. */
  async #share(
    piles: readonly PafPile[],
    opts: EvidenceOptions,
    into: Pick<SharedWork, "out" | "inputs">,
    onRead?: () => void,
  ): Promise<void> {
    const shared = this.#helpers.length > 0;
    const { blocksPerThread, minBlockReads } = this.#opts;
    const k = Math.max(
      1,
      Math.floor(Math.min(this.threads * blocksPerThread, piles.length / minBlockReads)),
    );
    const work: SharedWork = {
      piles: packPiles(piles, shared),
      bounds: shared ? blockBounds(piles, k) : Int32Array.of(0, piles.length),
      next: new Int32Array(shared ? new SharedArrayBuffer(4) : new ArrayBuffer(4)),
      ...into,
      opts: shared ? evidenceOptions(opts) : opts,
    };
    const helping = this.#helpers.map((h) => h.request(work));
    const here = takeBlocks(work, onRead);
    let done = here;
    for (const n of await Promise.all(helping)) done += n;
    if (done !== piles.length) throw new Error(`evidence: ${done} of ${piles.length} reads done`);
    for (let r = here; r < done; r++) onRead?.();
  }

  /** Stop the helper threads. */
  stop(): void {
    for (const h of this.#helpers) h.stop();
  }
}
