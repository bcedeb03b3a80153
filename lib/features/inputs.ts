/**
 * Input representations a model can be fed (the grey image for AlexNet; for the compact model
 * the pile in coverage units with its depth context, or the older coverage curve), and the feature source that produces each from image files. A model's
 * representation is stored with it (model.json metadata), so evaluation and classification
 * preprocess exactly as training did.
 * @module
 */
import { join } from "node:path";
import { UserError } from "../core/errors.ts";
import { LINE_CHANNEL_COUNT, LineSource } from "./chart_line.ts";
import { PILE_CHANNEL_COUNT } from "./pile_features.ts";
import { type DepthContext, PileSource } from "./pile_source.ts";
import { ImageCache, type ResizeKernel } from "./preprocess.ts";
import { type FeatureSource } from "./source.ts";

/** The thesis representation: a square grey image in [0, 1]. */
export interface ImageInput {
  kind: "image";
  size: number;
  resize: ResizeKernel;
}

/** The first compact models' representation: the chart's line read back in box heights. */
export interface CurveInput {
  kind: "curve";
  /** Curve length (column groups across the chart). */
  columns: number;
}

/** The compact model's representation: the pile in coverage units, relative to the depth D. */
export interface PileInput {
  kind: "pile";
  /** Column groups across the chart. */
  columns: number;
  /**
   * What coverage is relative to: the data set's typical depth D (absent or "dataset"), or
   * each read's own median ("read": no depth context, for comparison).
   */
  depth?: DepthContext;
}

/** Any input representation. */
export type InputSpec = ImageInput | CurveInput | PileInput;

/** Shape of one sample of a 1-D representation: [columns, channels]. */
export function sequenceChannels(spec: CurveInput | PileInput): number {
  return spec.kind === "pile" ? PILE_CHANNEL_COUNT : LINE_CHANNEL_COUNT;
}

/** Shape of one sample of a representation, without the batch dimension. */
export function inputShape(spec: InputSpec): number[] {
  return spec.kind === "image" ? [spec.size, spec.size, 1] : [spec.columns, sequenceChannels(spec)];
}

/** Options of a feature source. */
export interface SourceOptions {
  /** Root folder of the on-disk cache (one sub-folder per representation); none: memory only. */
  cacheDir?: string;
}

/** Build the feature source for a representation. */
export function makeSource(spec: InputSpec, opts: SourceOptions = {}): FeatureSource {
  switch (spec.kind) {
    case "image":
      return new ImageCache({
        size: spec.size,
        resize: spec.resize,
        dir: opts.cacheDir ? join(opts.cacheDir, `image-${spec.size}-${spec.resize}`) : undefined,
      });
    case "curve":
      return new LineSource({
        columns: spec.columns,
        dir: opts.cacheDir ? join(opts.cacheDir, `curve-${spec.columns}`) : undefined,
      });
    case "pile":
      return new PileSource({
        columns: spec.columns,
        depthContext: spec.depth,
        dir: opts.cacheDir ? join(opts.cacheDir, `pile-${spec.columns}`) : undefined,
      });
  }
}

/**
 * The input representation stored in a model's metadata, checked: a model saved by another
 * tool, or with damaged metadata, gets a UserError naming `where` instead of a shape error.
 */
export function inputFromMeta(input: unknown, where: string): InputSpec {
  const i = (input ?? {}) as Record<string, unknown>;
  const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;
  if (
    i.kind === "image" && positiveInt(i.size) && (i.resize === "area" || i.resize === "nearest")
  ) {
    return { kind: "image", size: i.size as number, resize: i.resize };
  }
  if (i.kind === "curve" && positiveInt(i.columns)) {
    return { kind: "curve", columns: i.columns as number };
  }
  if (
    i.kind === "pile" && positiveInt(i.columns) &&
    [undefined, "dataset", "read"].includes(i.depth as string)
  ) {
    const spec: PileInput = { kind: "pile", columns: i.columns as number };
    if (i.depth) spec.depth = i.depth as DepthContext;
    return spec;
  }
  const got = JSON.stringify(input);
  throw new UserError(
    `${where}: the model's metadata does not say how to feed it (input ${got}); ` +
      "was it saved by `deno task train`?",
  );
}
