/**
 * An optional native GEMM: OpenBLAS (Debian's `libopenblas0-pthread`) through Deno's FFI.
 * {@link loadBlas} opens the library when it is installed and returns a row-major
 * `sgemm` on Float32Array views (wasm heap views included: FFI takes their address, no
 * copy); without the library it returns why, and the wasm kernels keep XNNPACK.
 * @module
 */

/** Environment variable: `0`/`off`/`false` disables the native GEMM; a path picks the library. */
export const BLAS_ENV = "CHIMERA_BLAS";

/** Where Debian (and most Linux distributions) put OpenBLAS, tried in order. */
export const BLAS_CANDIDATES: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "libopenblas.so.0",
];

/** Options for {@link loadBlas}. */
export interface BlasOptions {
  /** Library to open (default: $CHIMERA_BLAS when it is a path, else {@link BLAS_CANDIDATES}). */
  path?: string;
  /** OpenBLAS threads (openblas_set_num_threads). */
  threads?: number;
}

/** Default BLAS options: two threads (the build machines have two cores). */
export const BLAS_DEFAULTS: Required<Omit<BlasOptions, "path">> = { threads: 2 };

/**
 * Row-major single-precision GEMM: C = op(A) op(B) + beta C, with op(A) m x k, op(B) k x n,
 * C m x n; `lda`, `ldb`, `ldc` are the row strides of A, B and C as stored.
 */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
  beta: number,
) => void;

/** An opened BLAS library. */
export interface Blas {
  /** Short name for messages, e.g. "openblas". */
  name: string;
  /** The file that was opened. */
  path: string;
  /** Threads the library uses. */
  threads: number;
  /** The library's configuration string (e.g. "OpenBLAS 0.3.21 ... Zen"). */
  config: string;
  /** Row-major GEMM. */
  sgemm: Sgemm;
  /** Change the number of threads (tests run both 1 and 2). */
  setThreads: (n: number) => void;
  /** Close the library (its functions must not be called afterwards). */
  close: () => void;
}

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const;

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/** Whether $CHIMERA_BLAS turns the native GEMM off. */
export function blasDisabledByEnv(): boolean {
  const v = Deno.env.get(BLAS_ENV)?.trim().toLowerCase();
  return v === "0" || v === "off" || v === "false" || v === "no";
}

/**
 * Open OpenBLAS and set its thread count; returns the library, or a reason string when it
 * is absent, disabled by $CHIMERA_BLAS, or not an OpenBLAS.
 */
export function loadBlas(opts: BlasOptions = {}): Blas | string {
  if (blasDisabledByEnv() && opts.path === undefined) return `${BLAS_ENV} turns it off`;
  const o = { ...BLAS_DEFAULTS, ...opts };
  const env = Deno.env.get(BLAS_ENV)?.trim();
  const paths = opts.path ? [opts.path] : env && env.includes("/") ? [env] : BLAS_CANDIDATES;
  const errors: string[] = [];
  for (const path of paths) {
    let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      lib = Deno.dlopen(path, SYMBOLS);
    } catch (err) {
      errors.push(String((err as Error)?.message ?? err).split("\n")[0].slice(0, 120));
      continue;
    }
    const s = lib.symbols;
    s.openblas_set_num_threads(o.threads);
    const cfg = s.openblas_get_config();
    const sgemm: Sgemm = (ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta) => {
      if (m === 0 || n === 0) return;
      s.cblas_sgemm(
        ROW_MAJOR,
        ta ? TRANS : NO_TRANS,
        tb ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        lda,
        b,
        ldb,
        beta,
        c,
        ldc,
      );
    };
    const blas: Blas = {
      name: "openblas",
      path,
      threads: s.openblas_get_num_threads(),
      config: cfg ? new Deno.UnsafePointerView(cfg).getCString() : "OpenBLAS",
      sgemm,
      setThreads: (n: number) => {
        s.openblas_set_num_threads(n);
        blas.threads = s.openblas_get_num_threads();
      },
      close: () => lib.close(),
    };
    return blas;
  }
  return `OpenBLAS not found (install libopenblas0-pthread; tried ${paths.join(", ")}: ` +
    `${errors.at(-1) ?? "no candidate"})`;
}
