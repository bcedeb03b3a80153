/**
 * The main job on the embedded default data: generate labelled synthetic pile-o-grams, split
 * them, train the compact model, evaluate it, and leave metrics and plots in a run folder.
 * @module
 */
import { join } from "node:path";
import { listDataset, writeManifest } from "../data/dataset.ts";
import { computeMetrics, type Metrics, predict } from "../eval/evaluate.ts";
import { statOrNull, writeJsonAtomic } from "../core/fs.ts";
import { makeSource } from "../features/inputs.ts";
import { defaultInput } from "../model/model.ts";
import { ProgressBar } from "../core/progress.ts";
import { saveRunPlots } from "./report.ts";
import { splitSamples } from "../data/split.ts";
import { writeSynthDataset } from "../synth/synth.ts";
import { type History, trainModel } from "./train.ts";
import { PRESETS, type TrainOptions } from "./options.ts";

/** Options of the demo. */
export interface DemoOptions {
  /** Run folder. */
  out?: string;
  /** Synthetic charts per class. */
  perClass?: number;
  /** Training epochs. */
  epochs?: number;
  /** Seed of data, split and training. */
  seed?: number;
  /** Progress bars on stderr. */
  progress?: boolean;
}

/** Demo defaults: the default training recipe on 900 charts, about two minutes on 2 cores. */
export const DEMO_DEFAULTS: Required<DemoOptions> = {
  out: "runs/demo",
  perClass: 300,
  epochs: PRESETS.default.epochs,
  seed: 7,
  progress: true,
};

/** What the demo produced. */
export interface DemoResult {
  dataDir: string;
  metrics: Metrics;
  history: History;
  plots: string[];
}

/** Run the demo end to end; returns the test metrics and where things were written. */
export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const o = { ...DEMO_DEFAULTS, ...opts };
  const dataDir = join(o.out, `synthetic-${o.perClass}-seed${o.seed}`);
  if (!(await statOrNull(join(dataDir, "truth.csv")))) {
    const bar = o.progress ? new ProgressBar(o.perClass * 3, { label: "synthesise" }) : undefined;
    await writeSynthDataset(dataDir, {
      perClass: o.perClass,
      seed: o.seed,
      onChart: () => bar?.tick(),
    });
    bar?.done();
  }
  const { samples } = await listDataset(dataDir);
  const rows = splitSamples(samples, { seed: o.seed });
  await writeManifest(join(o.out, "manifest.csv"), rows);
  const options: TrainOptions = { ...PRESETS.default, epochs: o.epochs, seed: o.seed };
  const source = makeSource(options.input ?? defaultInput(options.model));
  const train = rows.filter((r) => r.split === "train");
  const test = rows.filter((r) => r.split === "test");
  const run = await trainModel({
    train,
    val: test,
    options,
    outDir: o.out,
    source,
    progress: o.progress,
  });
  const metrics = computeMetrics(await predict(run.model, test, source));
  await writeJsonAtomic(join(o.out, "metrics.json"), metrics);
  const plots = await saveRunPlots(o.out, { history: run.history, metrics });
  return { dataDir, metrics, history: run.history, plots };
}
