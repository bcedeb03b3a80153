/**
 * Backend selection: tfjs-node (`tensorflow`) when it loads, else `wasm` with our training
 * kernels (lib/backend/kernels/), else the pure-JS `cpu` backend with a warning. On `wasm`, the
 * GEMM-shaped kernels run on OpenBLAS through FFI when the library is installed
 * (`wasm+openblas`; lib/backend/kernels/blas.ts), unless `blas: false` or CHIMERA_BLAS=0.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import process from "node:process";
import "@tensorflow/tfjs-backend-wasm";
import { nativeGemmActive, registerWasmTrainingKernels, useNativeGemm } from "./kernels/wasm.ts";
import { type Blas, BLAS_ENV, blasDisabledByEnv, loadBlas } from "./kernels/blas.ts";
import { poolActive, startPool, stopPool } from "./kernels/pool.ts";
import { UserError } from "../core/errors.ts";

/** Names of the backends this project can run on. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** Options for {@link selectBackend}. */
export interface BackendOptions {
  /** Force one backend (overrides CHIMERA_BACKEND); fails if it cannot start. */
  backend?: BackendName;
  /** Do not print the backend in use on stderr. */
  quiet?: boolean;
  /**
   * Threads for wasm convolutions (1 = this thread only; 2 adds a helper thread). Default:
   * $CHIMERA_THREADS, else 2 when the machine has 2 or more cores.
   */
  threads?: number;
  /**
   * Threads when neither `threads` nor $CHIMERA_THREADS says (default: 2 on 2 or more cores).
   * A command whose model work is small passes 1: the helper thread takes ~0.2 s to start.
   */
  defaultThreads?: number;
  /**
   * Run the wasm backend's convolutions and matmuls on OpenBLAS (FFI) when it is installed.
   * Default: true unless $CHIMERA_BLAS is 0/off.
   */
  blas?: boolean;
}

/** Default backend options: automatic choice, report on stderr. */
export const BACKEND_DEFAULTS: Required<
  Omit<BackendOptions, "backend" | "threads" | "defaultThreads" | "blas">
> = {
  quiet: false,
};

/** Environment variable with the number of wasm threads (1 or 2). */
export const THREADS_ENV = "CHIMERA_THREADS";

/** Threads the wasm kernels use now (1 when no helper thread runs). */
export function wasmThreads(): number {
  return poolActive() ? 2 : 1;
}

/** Environment variable that overrides the automatic choice (tensorflow, wasm or cpu). */
export const BACKEND_ENV = "CHIMERA_BACKEND";

const NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** Why each backend was skipped in the last selection (for messages and tests). */
export const skipped: Partial<Record<BackendName | "openblas", string>> = {};

/** The native BLAS once opened (opened at most once per process, kept open). */
let blasLib: Blas | string | undefined;

/** OpenBLAS for the wasm kernels, or why it is not used; opened on first use. */
export function nativeBlas(): Blas | string {
  blasLib ??= loadBlas();
  return blasLib;
}

/** The backend in use as the bench and the messages name it: "wasm+openblas" on the BLAS path. */
export function backendLabel(): string {
  const name = tf.getBackend();
  return name === "wasm" && nativeGemmActive() ? "wasm+openblas" : name;
}

/** Whether `name` is a backend name this project knows. */
export function isBackendName(name: string): name is BackendName {
  return (NAMES as readonly string[]).includes(name);
}

/** Stop the wasm helper thread (tests call this; processes never need to). */
export function stopHelperThreads(): void {
  stopPool();
}

async function tryTensorflow(): Promise<boolean> {
  if (tf.findBackend("tensorflow")) return await tf.setBackend("tensorflow");
  // Optional and never installed by this project: only import it when someone installed it
  // (so the import cannot trigger a download); the specifier is in a variable so that
  // `deno check` and `deno install` ignore it.
  const pkg = new URL("../../node_modules/@tensorflow/tfjs-node/package.json", import.meta.url);
  if (!existsSync(pkg)) {
    skipped.tensorflow = "tfjs-node is not installed";
    return false;
  }
  try {
    const spec = ["npm:@tensorflow", "tfjs-node"].join("/");
    await import(spec);
  } catch (err) {
    skipped.tensorflow = `tfjs-node did not load (${firstLine(err)})`;
    return false;
  }
  if (!tf.findBackend("tensorflow")) {
    skipped.tensorflow = "tfjs-node loaded but registered no backend";
    return false;
  }
  return await tf.setBackend("tensorflow");
}

/** Turn the OpenBLAS GEMMs of the wasm kernels on (when installed and wanted) or off. */
function setBlas(want: boolean): void {
  if (!want) {
    useNativeGemm(undefined);
    skipped.openblas = `turned off (blas: false or ${BLAS_ENV}=0)`;
    return;
  }
  const lib = nativeBlas();
  if (typeof lib === "string") {
    useNativeGemm(undefined);
    skipped.openblas = lib;
    return;
  }
  useNativeGemm(lib.sgemm);
  delete skipped.openblas;
}

async function tryWasm(threads: number, blas: boolean): Promise<boolean> {
  registerWasmTrainingKernels();
  setBlas(blas);
  try {
    if (await tf.setBackend("wasm")) {
      try {
        await startPool({ helpers: threads - 1 });
      } catch (err) {
        skipped.wasm = `helper thread failed, wasm runs single-threaded (${firstLine(err)})`;
        console.error(`warning: ${skipped.wasm}`);
      }
      return true;
    }
    skipped.wasm = "the wasm backend failed to initialise";
  } catch (err) {
    skipped.wasm = `the wasm backend failed to initialise (${firstLine(err)})`;
  }
  return false;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0].slice(0, 160);
}

async function start(name: BackendName, threads: number, blas: boolean): Promise<boolean> {
  if (name === "tensorflow") return await tryTensorflow();
  if (name === "wasm") return await tryWasm(threads, blas);
  return await tf.setBackend("cpu");
}

/**
 * Threads for the wasm kernels: `opts.threads`, else $CHIMERA_THREADS (`env`), else
 * `opts.defaultThreads`, else 2 on a machine of 2 or more `cores` (not validated here).
 */
export function threadCount(opts: BackendOptions, env: string | undefined, cores: number): number {
  if (opts.threads !== undefined) return opts.threads;
  if (env) return Number(env);
  return opts.defaultThreads ?? Math.min(2, cores);
}

/**
 * {@link threadCount} on this machine, validated: a UserError names $CHIMERA_THREADS, or the
 * option that gave the count (`flag`: its name and the text given; default `threads`), when the
 * count is not a whole number >= 1.
 */
export function resolveThreads(
  opts: BackendOptions,
  flag?: { name: string; text: string },
): number {
  const env = Deno.env.get(THREADS_ENV)?.trim();
  const threads = threadCount(opts, env, navigator.hardwareConcurrency ?? 1);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UserError(
      opts.threads === undefined && env
        ? `${THREADS_ENV}="${env}": expected a whole number >= 1`
        : `${flag?.name ?? "threads"}: expected a whole number >= 1, got ${flag?.text ?? threads}`,
    );
  }
  return threads;
}

/**
 * Pick and initialise the fastest available backend and return its name. Order:
 * `opts.backend`, then $CHIMERA_BACKEND, then tensorflow > wasm > cpu. Idempotent.
 */
export async function selectBackend(opts: BackendOptions = {}): Promise<BackendName> {
  const o = { ...BACKEND_DEFAULTS, ...opts };
  const env = Deno.env.get(BACKEND_ENV)?.trim();
  if (env && !isBackendName(env)) {
    throw new UserError(`${BACKEND_ENV}="${env}": expected one of ${NAMES.join(", ")}`);
  }
  const forced = opts.backend ?? (env as BackendName | undefined);
  const threads = resolveThreads(opts);
  const blas = opts.blas ?? !blasDisabledByEnv();
  let chosen: BackendName | undefined;
  if (forced) {
    if (!(await start(forced, threads, blas))) {
      throw new UserError(
        `backend "${forced}" is not available: ${skipped[forced] ?? "failed"}`,
      );
    }
    chosen = forced;
  } else {
    for (const name of NAMES) {
      if (await start(name, threads, blas)) {
        chosen = name;
        break;
      }
    }
  }
  await tf.ready();
  const name = (chosen ?? tf.getBackend()) as BackendName;
  if (!o.quiet) {
    if (name === "cpu") {
      console.error(
        "warning: tfjs backend: cpu (pure JavaScript, far too slow to train the CNNs; " +
          `${skipped.wasm ?? "wasm not chosen"})`,
      );
    } else {
      const t = wasmThreads();
      const lib = blasLib;
      const extra = name !== "wasm"
        ? ""
        : nativeGemmActive() && typeof lib === "object"
        ? ` (OpenBLAS GEMM for convolutions and matmuls, ${lib.threads} threads, ${lib.path}; ` +
          `XNNPACK for the rest, ${t} thread${t > 1 ? "s" : ""})`
        : ` (XNNPACK + training kernels, ${t} thread${t > 1 ? "s" : ""}` +
          `${skipped.openblas ? `; no OpenBLAS: ${skipped.openblas}` : ""})`;
      console.error(`tfjs backend: ${backendLabel()}${extra}`);
    }
  }
  return name;
}

/** The processor's model name (Linux /proc/cpuinfo "model name"), else the architecture. */
export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(Deno.readTextFileSync("/proc/cpuinfo"));
    if (m) return `${m[1].trim()} (${navigator.hardwareConcurrency} cores)`;
  } catch { /* not Linux, or no permission */ }
  return `${Deno.build.arch} (${navigator.hardwareConcurrency} cores)`;
}

/** CPU time (user + system) of this process so far, in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Time spent in one kernel during {@link profileKernels}. */
export interface KernelTime {
  /** Kernel name, e.g. Conv2DBackpropFilter. */
  kernel: string;
  /** Input shapes, e.g. "32x224x224x1,11x11x1x96" (when `byShape`). */
  shapes?: string;
  /** Number of calls. */
  calls: number;
  /** Total wall time in milliseconds. */
  ms: number;
  /** Total CPU time (user + system) of the process in milliseconds. */
  cpuMs: number;
}

/**
 * Run `fn` with every kernel of the active backend wrapped in a wall-clock timer and return
 * the time per kernel (and per input shapes with `byShape`), largest first. Kernels run
 * synchronously on wasm and cpu, so wall time is kernel time.
 */
export async function profileKernels(
  fn: () => Promise<unknown> | unknown,
  byShape = false,
): Promise<KernelTime[]> {
  const backendName = tf.getBackend();
  const configs = tf.getKernelsForBackend(backendName);
  const acc = new Map<string, KernelTime>();
  for (const c of configs) {
    const inner = c.kernelFunc;
    tf.unregisterKernel(c.kernelName, backendName);
    tf.registerKernel({
      ...c,
      kernelFunc: (args) => {
        const t0 = performance.now(), c0 = cpuMs();
        const out = inner(args);
        const ms = performance.now() - t0, cms = cpuMs() - c0;
        const shapes = byShape
          ? Object.values(args.inputs).map((t) =>
            (t as tf.TensorInfo | undefined)?.shape.join("x") ?? "-"
          )
            .join(",")
          : undefined;
        const key = `${c.kernelName} ${shapes ?? ""}`;
        const e = acc.get(key) ?? { kernel: c.kernelName, shapes, calls: 0, ms: 0, cpuMs: 0 };
        e.calls++;
        e.ms += ms;
        e.cpuMs += cms;
        acc.set(key, e);
        return out;
      },
    });
  }
  try {
    await fn();
  } finally {
    for (const c of configs) {
      tf.unregisterKernel(c.kernelName, backendName);
      tf.registerKernel(c);
    }
  }
  return [...acc.values()].sort((a, b) => b.cpuMs - a.cpuMs);
}
