/**
 * The project's primary chimera call from overlaps: one calibrated probability `p_call` that
 * combines the model's P(chimeric) on the read's pile (with its depth context) and the coverage
 * evidence (the valley rule's score on the raw pile, the read's depth relative to the data
 * set's), by logistic regression. The weights are fitted on a simulated read set with known
 * chimeras (`deno task bench:paf --fit-call`), stored beside the model (`call.json`), and the
 * threshold is the one that gave the best F1 there; `prior` moves the calibration to another
 * chimera rate.
 * @module
 */
import { join } from "node:path";
import { readTextOrFail, statOrNull, writeTextAtomic } from "../core/fs.ts";
import { UserError } from "../core/errors.ts";

/** The evidence for one read, as the combiner reads it. */
export interface CallEvidence {
  /** The model's P(chimeric) on the pile. */
  pModel: number;
  /** The coverage-valley rule's score on the raw pile (0: no dip; 1: a gap to zero). */
  ruleScore: number;
  /** The read's median coverage over the data set's typical depth D. */
  relativeDepth: number;
  /**
   * Coverage at the bottom of the rule's deepest dip over D (a valley between two repeat
   * shoulders stays near 1; a chimeric junction falls well below).
   */
  relativeFloor: number;
}

/** A fitted combiner. */
export interface CallModel {
  /** Names of the inputs, in weight order (after the intercept). */
  inputs: readonly string[];
  /** Intercept followed by one weight per input. */
  weights: number[];
  /** Call chimeric when p_call is at least this. */
  threshold: number;
  /** Chimera rate of the data the weights were fitted on. */
  fittedRate: number;
  /** Where the weights come from (the command and data set). */
  fittedOn: string;
}

/** Names of the combiner's inputs. */
export const CALL_INPUTS = [
  "logit_p_model",
  "rule_score",
  "log2_relative_depth",
  "log2_relative_floor",
] as const;

/** log2 of a ratio clamped to [1/16, 16]. */
const log2Ratio = (r: number) => Math.log2(Math.min(16, Math.max(1 / 16, r)));

/** The combiner's inputs for one read. */
export function callInputs(e: CallEvidence): number[] {
  const p = Math.min(1 - 1e-4, Math.max(1e-4, e.pModel));
  return [
    Math.log(p / (1 - p)),
    e.ruleScore,
    log2Ratio(e.relativeDepth),
    log2Ratio(e.relativeFloor),
  ];
}

/** Logistic function. */
function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * p_call of one read: the combiner's probability, moved from the fitted chimera rate to `rate`
 * when given (Bayes: the odds scale with rate / (1 - rate) over the fitted one's).
 */
export function pCall(model: CallModel, e: CallEvidence, rate?: number): number {
  const x = callInputs(e);
  let z = model.weights[0];
  for (let i = 0; i < x.length; i++) z += model.weights[i + 1] * x[i];
  if (rate !== undefined) {
    const logit = (p: number) => Math.log(p / (1 - p));
    z += logit(rate) - logit(model.fittedRate);
  }
  return sigmoid(z);
}

/**
 * Whether the model can matter for a read: true when, with the model's P(chimeric) anywhere in
 * its clamped range [1e-4, 1 - 1e-4], p_call can move by more than `tolerance` or fall on both
 * sides of the threshold. The combiner is monotone in the model's logit, so the two ends of the
 * range bound every outcome.
 */
export function modelMatters(
  model: CallModel,
  e: Omit<CallEvidence, "pModel">,
  tolerance: number,
  rate?: number,
): boolean {
  const a = pCall(model, { ...e, pModel: 0 }, rate);
  const b = pCall(model, { ...e, pModel: 1 }, rate);
  return Math.abs(b - a) > tolerance || (a >= model.threshold) !== (b >= model.threshold);
}

/** Options of the combiner fit. */
export interface FitOptions {
  /** L2 penalty on the weights (not the intercept). */
  l2?: number;
  /** Newton iterations. */
  iterations?: number;
}

/** Fit defaults. */
export const FIT_DEFAULTS: Required<FitOptions> = { l2: 1e-6, iterations: 50 };

/** Logistic regression by Newton's method (IRLS) with a small L2 penalty: intercept + weights. */
export function fitLogistic(x: number[][], y: number[], opts: FitOptions = {}): number[] {
  const o = { ...FIT_DEFAULTS, ...opts };
  if (x.length === 0) throw new UserError("no reads to fit the call on");
  const k = x[0].length + 1;
  const w = new Array(k).fill(0);
  for (let it = 0; it < o.iterations; it++) {
    const g = new Array(k).fill(0);
    const h = Array.from({ length: k }, () => new Array(k).fill(0));
    for (let n = 0; n < x.length; n++) {
      const row = [1, ...x[n]];
      let z = 0;
      for (let i = 0; i < k; i++) z += w[i] * row[i];
      const p = sigmoid(z);
      const s = Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < k; i++) {
        g[i] += (p - y[n]) * row[i];
        for (let j = 0; j < k; j++) h[i][j] += s * row[i] * row[j];
      }
    }
    for (let i = 1; i < k; i++) {
      g[i] += o.l2 * x.length * w[i];
      h[i][i] += o.l2 * x.length;
    }
    const step = solve(h, g);
    let size = 0;
    for (let i = 0; i < k; i++) {
      w[i] -= step[i];
      size = Math.max(size, Math.abs(step[i]));
    }
    if (size < 1e-9) break;
  }
  return w;
}

/** Solve a small symmetric positive definite system by Gaussian elimination with pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / d;
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / (row[i] || 1e-12));
}

/** The threshold on `p` with the best F1 against `y` (ties: the higher threshold). */
export function bestF1Threshold(p: number[], y: number[]): { threshold: number; f1: number } {
  const order = p.map((_, i) => i).sort((a, b) => p[b] - p[a]);
  const pos = y.reduce((a, b) => a + b, 0);
  let tp = 0, fp = 0;
  let best = { threshold: 1, f1: 0 };
  for (let k = 0; k < order.length; k++) {
    if (y[order[k]]) tp++;
    else fp++;
    // only between distinct values
    if (k + 1 < order.length && p[order[k + 1]] === p[order[k]]) continue;
    const f1 = (2 * tp) / (2 * tp + fp + (pos - tp));
    if (f1 > best.f1) {
      const next = k + 1 < order.length ? p[order[k + 1]] : 0;
      best = { threshold: (p[order[k]] + next) / 2, f1 };
    }
  }
  return best;
}

/** Fit a combiner on reads with known truth; the threshold is the best-F1 one on them. */
export function fitCallModel(
  evidence: CallEvidence[],
  truth: boolean[],
  fittedOn: string,
  opts: FitOptions = {},
): CallModel {
  const x = evidence.map(callInputs);
  const y = truth.map((t) => (t ? 1 : 0));
  const weights = fitLogistic(x, y, opts);
  const model: CallModel = {
    inputs: CALL_INPUTS,
    weights,
    threshold: 0.5,
    fittedRate: y.reduce((a: number, b) => a + b, 0) / Math.max(1, y.length),
    fittedOn,
  };
  const p = evidence.map((e) => pCall(model, e));
  model.threshold = bestF1Threshold(p, y).threshold;
  return model;
}

/** A combiner read from JSON, checked; a UserError naming `where` when it does not fit. */
export function callModelFromJson(value: unknown, where: string): CallModel {
  const v = (value ?? {}) as Record<string, unknown>;
  const nums = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === "number");
  const ok = nums(v.weights) && (v.weights as number[]).length === CALL_INPUTS.length + 1 &&
    Array.isArray(v.inputs) && (v.inputs as string[]).join() === CALL_INPUTS.join() &&
    typeof v.threshold === "number" && typeof v.fittedRate === "number" &&
    (v.fittedRate as number) > 0 && (v.fittedRate as number) < 1;
  if (!ok) {
    throw new UserError(
      `${where}: not a call model (expected inputs ${CALL_INPUTS.join(", ")}, ` +
        `${CALL_INPUTS.length + 1} weights, a threshold and the fitted chimera rate)`,
    );
  }
  return {
    inputs: CALL_INPUTS,
    weights: v.weights as number[],
    threshold: v.threshold as number,
    fittedRate: v.fittedRate as number,
    fittedOn: String(v.fittedOn ?? ""),
  };
}

/** File name of a model's combiner, beside its model.json. */
export const CALL_MODEL_FILE = "call.json";

/** The combiner stored beside a model (`DIR/call.json`), or null when there is none. */
export async function loadCallModel(modelDir: string): Promise<CallModel | null> {
  const path = join(modelDir, CALL_MODEL_FILE);
  if (!(await statOrNull(path))) return null;
  const text = await readTextOrFail(path, "call model");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  return callModelFromJson(value, path);
}

/** Write a combiner beside a model (atomically). */
export async function saveCallModel(modelDir: string, model: CallModel): Promise<string> {
  const path = join(modelDir, CALL_MODEL_FILE);
  await writeTextAtomic(path, JSON.stringify(model, null, 2) + "\n");
  return path;
}
