/**
 * Backend selection: tfjs-node (`tensorflow`) when it loads, else `wasm` with our training
 * kernels (lib/wasm_kernels.ts), else the pure-JS `cpu` backend with a warning.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync } from "node:fs";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmTrainingKernels } from "./wasm_kernels.ts";

/** Names of the backends this project can run on. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** Options for {@link selectBackend}. */
export interface BackendOptions {
  /** Force one backend (overrides CHIMERA_BACKEND); fails if it cannot start. */
  backend?: BackendName;
  /** Do not print the backend in use on stderr. */
  quiet?: boolean;
}

/** Default backend options: automatic choice, report on stderr. */
export const BACKEND_DEFAULTS: Required<Omit<BackendOptions, "backend">> = { quiet: false };

/** Environment variable that overrides the automatic choice (tensorflow, wasm or cpu). */
export const BACKEND_ENV = "CHIMERA_BACKEND";

const NAMES: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

/** Why each backend was skipped in the last selection (for messages and tests). */
export const skipped: Partial<Record<BackendName, string>> = {};

/** Whether `name` is a backend name this project knows. */
export function isBackendName(name: string): name is BackendName {
  return (NAMES as readonly string[]).includes(name);
}

async function tryTensorflow(): Promise<boolean> {
  if (tf.findBackend("tensorflow")) return await tf.setBackend("tensorflow");
  // Optional and never installed by this project: only import it when someone installed it
  // (so the import cannot trigger a download); the specifier is in a variable so that
  // `deno check` and `deno install` ignore it.
  const pkg = new URL("../node_modules/@tensorflow/tfjs-node/package.json", import.meta.url);
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

async function tryWasm(): Promise<boolean> {
  registerWasmTrainingKernels();
  try {
    if (await tf.setBackend("wasm")) return true;
    skipped.wasm = "the wasm backend failed to initialise";
  } catch (err) {
    skipped.wasm = `the wasm backend failed to initialise (${firstLine(err)})`;
  }
  return false;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0].slice(0, 160);
}

async function start(name: BackendName): Promise<boolean> {
  if (name === "tensorflow") return await tryTensorflow();
  if (name === "wasm") return await tryWasm();
  return await tf.setBackend("cpu");
}

/**
 * Pick and initialise the fastest available backend and return its name. Order:
 * `opts.backend`, then $CHIMERA_BACKEND, then tensorflow > wasm > cpu. Idempotent.
 */
export async function selectBackend(opts: BackendOptions = {}): Promise<BackendName> {
  const o = { ...BACKEND_DEFAULTS, ...opts };
  const env = Deno.env.get(BACKEND_ENV)?.trim();
  if (env && !isBackendName(env)) {
    throw new Error(`${BACKEND_ENV}="${env}": expected one of ${NAMES.join(", ")}`);
  }
  const forced = opts.backend ?? (env as BackendName | undefined);
  let chosen: BackendName | undefined;
  if (forced) {
    if (!(await start(forced))) {
      throw new Error(`backend "${forced}" is not available: ${skipped[forced] ?? "failed"}`);
    }
    chosen = forced;
  } else {
    for (const name of NAMES) {
      if (await start(name)) {
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
      console.error(
        `tfjs backend: ${name}${name === "wasm" ? " (XNNPACK + training kernels)" : ""}`,
      );
    }
  }
  return name;
}
