/**
 * Genome-scale benchmark cases (lib/bench/cases.ts): the PAF engine's parse + piles rate on one
 * core, and `classify --paf` against a plain Python yacrd-style gap rule (yacrd_rule.py) on
 * synthetic all-vs-all PAFs of 1x, 4x and 16x 100,000 lines (lines/s, reads/s, peak RSS), plus
 * one bucket of the 16x input to show memory bounded by buckets. The PAFs are made in code
 * ({@link writeSynthOverlaps}: reads laid on a genome at ~40x, every overlapping pair reported
 * once as minimap2's ava presets do, a few chimeras) and cached under runs/bench/.
 * @module
 */
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { mulberry32 } from "../core/random.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { pilesFromPaf } from "../overlaps/paf_engine.ts";
import { readPafBatches } from "../overlaps/paf.ts";
import { shippedModel, type ShippedUse } from "../calls/classify.ts";
import { modelDir, readModelMeta } from "../model/modelio.ts";
import type { BenchCase, BenchRow } from "./cases.ts";

/** Options of the synthetic overlaps. */
export interface SynthOverlapOptions {
  /** Number of reads. */
  reads?: number;
  /** Sequencing depth (each read overlaps about 2 x depth others). */
  depth?: number;
  /** Median read length (bp; log-normal, sigma 0.5, 2-60 kb). */
  readMedian?: number;
  /** Fraction of reads made of two distant pieces (chimeras). */
  chimeraRate?: number;
  /** Shortest reported overlap (bp). */
  minOverlap?: number;
  /** Seed. */
  seed?: number;
}

/** Defaults of the synthetic overlaps. */
export const SYNTH_OVERLAP_DEFAULTS: Required<SynthOverlapOptions> = {
  reads: 2500,
  depth: 40,
  readMedian: 10_000,
  chimeraRate: 0.05,
  minOverlap: 500,
  seed: 11,
};

/** A 36-character UUID-like read name, as ONT reads have. */
function uuid(rng: () => number): string {
  const h = () => Math.floor(rng() * 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, h).join("");
  return `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`;
}

/**
 * Write a synthetic all-vs-all PAF to `path`: reads laid on a genome (two far-apart pieces for
 * chimeras), one line per pair of overlapping pieces, query = the name that sorts first (as
 * minimap2 -x ava-ont reports each pair once), with minimap2's usual tags. Returns lines written.
 */
export async function writeSynthOverlaps(
  path: string,
  opts: SynthOverlapOptions = {},
): Promise<number> {
  const o = { ...SYNTH_OVERLAP_DEFAULTS, ...opts };
  const rng = mulberry32(o.seed);
  const len = () => {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    return Math.round(Math.min(60_000, Math.max(2000, o.readMedian * Math.exp(0.5 * z))));
  };
  const lens = Array.from({ length: o.reads }, len);
  const genome = Math.round(lens.reduce((a, b) => a + b, 0) / o.depth);
  // pieces: [read, genome start, genome end, offset in the read]
  const pieces: [number, number, number, number][] = [];
  const names = Array.from({ length: o.reads }, () => uuid(rng));
  lens.forEach((L, r) => {
    if (rng() < o.chimeraRate) {
      const cut = Math.round(L * (0.3 + 0.4 * rng()));
      const a = Math.floor(rng() * (genome - cut)), b = Math.floor(rng() * (genome - L + cut));
      pieces.push([r, a, a + cut, 0], [r, b, b + L - cut, cut]);
    } else {
      const a = Math.floor(rng() * Math.max(1, genome - L));
      pieces.push([r, a, a + L, 0]);
    }
  });
  pieces.sort((x, y) => x[1] - y[1]);
  const out: string[] = [];
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let lines = 0;
  for (let i = 0; i < pieces.length; i++) {
    const [r, a0, a1, ao] = pieces[i];
    for (let j = i + 1; j < pieces.length && pieces[j][1] < a1; j++) {
      const [s, b0, b1, bo] = pieces[j];
      if (s === r) continue;
      const lo = Math.max(a0, b0), hi = Math.min(a1, b1);
      if (hi - lo < o.minOverlap) continue;
      const first = names[r] < names[s];
      const [q, qo, q0, t, to, t0] = first ? [r, ao, a0, s, bo, b0] : [s, bo, b0, r, ao, a0];
      const qs = qo + lo - q0, ts = to + lo - t0, n = hi - lo;
      out.push(
        `${names[q]}\t${lens[q]}\t${qs}\t${qs + n}\t+\t${names[t]}\t${lens[t]}\t${ts}\t${ts + n}` +
          `\t${Math.round(n * 0.88)}\t${n}\t0\ttp:A:S\tcm:i:${n >> 6}\ts1:i:${
            Math.round(n * 0.8)
          }` +
          `\tdv:f:0.${String(400 + (n % 300)).padStart(4, "0")}\trl:i:0`,
      );
      lines++;
      if (out.length >= 65_536) chunks.push(enc.encode(out.splice(0).join("\n") + "\n"));
    }
  }
  if (out.length) chunks.push(enc.encode(out.join("\n") + "\n"));
  const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.length) - c.length);
  await writeFileAtomic(path, all);
  return lines;
}

/** Bench cache folder. */
export const BENCH_CACHE = fileURLToPath(new URL("../../runs/bench/", import.meta.url));

/** Lines of the 1x input (the 16x one is the 1.6M-line PAF). */
export const BASE_LINES = 100_000;

/** A cached synthetic PAF of about `lines` lines; returns its path and exact line count. */
export async function synthPaf(lines: number): Promise<{ path: string; lines: number }> {
  // lines ~ reads x depth / 2 x 2 (both orders of a pair are one line): reads ~ lines / depth
  const reads = Math.max(50, Math.round(lines / SYNTH_OVERLAP_DEFAULTS.depth));
  const path = join(BENCH_CACHE, `synth_ovl_${reads}.paf`);
  const meta = `${path}.lines`;
  if (existsSync(path) && existsSync(meta)) {
    return { path, lines: Number(await Deno.readTextFile(meta)) };
  }
  const n = await writeSynthOverlaps(path, { reads });
  await Deno.writeTextFile(meta, String(n));
  return { path, lines: n };
}

/** One measured run of a command: wall seconds, peak RSS (MiB) and its stderr. */
interface Measured {
  seconds: number;
  rss: number;
  out: string;
}

/** Peak RSS (MiB) and wall seconds of a command, measured by a Python wrapper (rusage). */
async function measured(cmd: string[]): Promise<Measured> {
  const wrap = "import resource,subprocess,sys,time,json;t=time.time();" +
    "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE);" +
    "sys.stderr.write(p.stdout.decode());" +
    "print(json.dumps({'code':p.returncode,'seconds':time.time()-t," +
    "'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))";
  const r = await new Deno.Command("python3", {
    args: ["-c", wrap, ...cmd],
    stdout: "piped",
    stderr: "piped",
    env: { CHIMERA_THREADS: "1", NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  const m = JSON.parse(dec.decode(r.stdout).trim().split("\n").at(-1)!);
  if (m.code !== 0) throw new Error(`${cmd.join(" ")} failed: ${dec.decode(r.stderr).slice(-500)}`);
  return { seconds: m.seconds, rss: Math.round(m.rss), out: dec.decode(r.stderr) };
}

const sig = (x: number) => Number(x.toPrecision(4));

/** Parse + piles rate of the engine on one core (target: >= 1M lines/s). */
export const pafParseCase: BenchCase = {
  name: "paf_parse",
  description: "PAF engine: parse + piles of a synthetic 1.6M-line all-vs-all PAF on one core " +
    "(lines/s; target >= 1M), the plain line parser readPafBatches (lib/overlaps/paf.ts) as reference",
  run: async (ctx) => {
    const { path, lines } = await synthPaf(ctx.quick ? BASE_LINES : 16 * BASE_LINES);
    const rates: number[] = [];
    let reads = 0;
    for (let i = 0; i < Math.max(2, ctx.steps) + 1; i++) {
      const t = performance.now();
      reads = 0;
      for await (const _ of pilesFromPaf(path, { minOverlaps: 1 })) reads++;
      if (i > 0) rates.push(lines / ((performance.now() - t) / 1000));
    }
    const rate = rates.sort((a, b) => a - b)[rates.length >> 1];
    // reference in the same run: the plain line parser (one object per line, no piles)
    const t = performance.now();
    let records = 0;
    for await (const batch of readPafBatches(path)) records += batch.length;
    const plain = records / ((performance.now() - t) / 1000);
    return [{
      bench: "paf_parse",
      lines,
      reads,
      lines_per_s: sig(rate),
      plain_parser_lines_per_s: sig(plain),
      speedup: sig(rate / plain),
      target: 1e6,
      met: rate >= 1e6,
    }];
  },
};

/**
 * The model the model cases use: `given` (bench --model), else the one shipped for `use` when it
 * reads piles, else an untrained one.
 */
export async function benchModel(
  given?: string,
  use: ShippedUse = "overlaps",
): Promise<{ dir: string; what: string }> {
  if (given) return { dir: await modelDir(given), what: given };
  const shipped = await shippedModel(use);
  if (shipped) {
    if ((await readModelMeta(shipped))?.input.kind === "pile") {
      return { dir: shipped, what: "shipped" };
    }
  }
  const dir = join(BENCH_CACHE, "untrained_pile_model");
  if (!existsSync(join(dir, "model.json"))) {
    const { buildModel } = await import("../model/model.ts");
    const { saveModel } = await import("../model/modelio.ts");
    const { PILE_CHANNEL_COUNT, PILE_FEATURE_DEFAULTS } = await import(
      "../features/pile_features.ts"
    );
    const columns = PILE_FEATURE_DEFAULTS.columns;
    const m = buildModel("compact", { columns, channels: PILE_CHANNEL_COUNT, seed: 1 });
    await saveModel(m, dir, {
      model: "compact",
      input: { kind: "pile", columns },
      labels: ["non_chimeric", "chimeric"],
    });
    m.dispose();
  }
  return { dir, what: "untrained compact pile model (the shipped one reads curves)" };
}

const CLASSIFY = fileURLToPath(new URL("../cli/classify.ts", import.meta.url));
const YACRD = fileURLToPath(new URL("./yacrd_rule.py", import.meta.url));

/** "min-max" of the times of `runs`. */
function timeRange(runs: Measured[]): string {
  const t = runs.map((m) => m.seconds);
  return `${sig(Math.min(...t))}-${sig(Math.max(...t))}`;
}

/** The run with the median time of `runs` (the upper one of an even count). */
function medianRun(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[runs.length >> 1];
}

/**
 * classify --paf vs the Python gap rule at 1x, 4x, 16x, and one bucket of 16x: `steps` rounds of
 * the Python rule then classify, interleaved so that both see the same machine, and the median
 * of each (the time of both moves by a third from one minute to the next on shared machines).
 */
export const pafClassifyCase: BenchCase = {
  name: "paf_classify",
  description: "classify --paf (one core) vs a plain Python yacrd-style gap rule on synthetic " +
    "PAFs of 1x/4x/16x 100k lines, medians of --steps interleaved runs: lines/s, reads/s, peak " +
    "RSS; 16x also with --threads 2 and in 4 buckets (one bucket's RSS); target: 1.6M lines on " +
    "one thread in at most half the Python time",
  run: async (ctx) => {
    const model = await benchModel(ctx.model);
    const scales = ctx.quick ? [1, 4] : [1, 4, 16];
    const rounds = Math.max(1, ctx.steps);
    const rows: BenchRow[] = [];
    const out = join(BENCH_CACHE, "out");
    await Deno.mkdir(out, { recursive: true });
    for (const x of scales) {
      const { path, lines } = await synthPaf(x * BASE_LINES);
      // [reads in, threads, extra arguments]; one thread unless said (CHIMERA_THREADS=1)
      const runs: [string, number, string[]][] = [["all", 1, []]];
      if (x === 16) {
        runs.push(["all", 2, ["--threads", "2"]]);
        runs.push(["bucket 0/4", 1, ["--bucket", "0/4", "--depth", "40"]]);
      }
      const pyRuns: Measured[] = [];
      const cRuns = runs.map(() => [] as Measured[]);
      for (let r = 0; r < rounds; r++) {
        pyRuns.push(await measured(["python3", YACRD, path, "--out", join(out, "yacrd.tsv")]));
        for (const [k, [, , extra]] of runs.entries()) {
          cRuns[k].push(
            await measured([
              Deno.execPath(),
              "run",
              "-A",
              CLASSIFY,
              "--paf",
              path,
              "--model",
              model.dir,
              "--quiet",
              "--out",
              join(out, `calls${k}.tsv`),
              ...extra,
            ]),
          );
        }
      }
      const py = medianRun(pyRuns);
      const pyInfo = JSON.parse(py.out.trim().split("\n").at(-1)!);
      for (const [k, [which, threads]] of runs.entries()) {
        const c = medianRun(cRuns[k]);
        const reads = (await Deno.readTextFile(join(out, `calls${k}.tsv`))).split("\n").length - 2;
        const row: BenchRow = {
          bench: "paf_classify",
          scale: `${x}x`,
          reads_in: which,
          threads,
          lines,
          reads,
          rounds,
          classify_s: sig(c.seconds),
          classify_s_range: timeRange(cRuns[k]),
          classify_lines_per_s: sig(lines / c.seconds),
          classify_reads_per_s: sig(reads / c.seconds),
          classify_peak_rss_mib: Math.max(...cRuns[k].map((m) => m.rss)),
          model: model.what,
        };
        if (which === "all") {
          // the target is for one thread; the row on two says what a second core adds
          Object.assign(row, {
            python_s: sig(py.seconds),
            python_s_range: timeRange(pyRuns),
            python_lines_per_s: sig(lines / py.seconds),
            python_peak_rss_mib: Math.max(...pyRuns.map((m) => m.rss)),
            python_chimeric: pyInfo.chimeric,
            ratio: sig(c.seconds / py.seconds),
          });
          if (x === 16 && threads === 1) {
            Object.assign(row, { target: 0.5, met: c.seconds <= 0.5 * py.seconds });
          }
        }
        ctx.emit(row);
        rows.push(row);
      }
    }
    return [];
  },
};
