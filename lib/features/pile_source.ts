/**
 * Pile features of image files as a cached feature source (lib/features/preprocess.ts): each PNG's line
 * is read back in coverage units (lib/features/pile_features.ts) and stored; the model input adds the
 * depth context, the typical depth D of the image's group (its species: the file-name prefix
 * before the first "_", e.g. `bs_123.png` -> `bs`; else its folder), computed by
 * {@link PileSource.prepare} from the images being used together.
 * @module
 */
import { basename, dirname } from "node:path";
import { type GreyImage, type ImageProblem } from "../core/image.ts";
import { CachedSource, type SourceCacheOptions } from "./source.ts";
import {
  packFeatures,
  PILE_CHANNEL_COUNT,
  PILE_FEATURE_DEFAULTS,
  type PileFeatureOptions,
  pileFeatures,
  pileInput,
  profileFromGrey,
  typicalDepth,
  unpackFeatures,
} from "./pile_features.ts";
import { flipSequence, shiftSequence } from "./sequence.ts";

/** What coverage is made relative to: the group's typical depth D, or each read's own median. */
export type DepthContext = "dataset" | "read";

/** Options of the pile feature source. */
export interface PileSourceOptions extends PileFeatureOptions, SourceCacheOptions {
  /** Depth context (default "dataset"; "read" gives each read its own median as D). */
  depthContext?: DepthContext;
}

/** The species prefix of an image file's name (`bs_123.png` -> `bs`); null without one. */
export function speciesPrefix(path: string): string | null {
  return /^([^_]+)_/.exec(basename(path))?.[1] ?? null;
}

/** The depth group of an image file: its species prefix (`bs_123.png` -> `bs`), else its folder. */
export function depthGroup(path: string): string {
  const prefix = speciesPrefix(path);
  return prefix !== null ? `prefix:${prefix}` : `dir:${dirname(path)}`;
}

/**
 * Pile features of image files: stored in coverage units, returned as the model input
 * ([columns, 5]) scaled by the depth of each file's group.
 */
export class PileSource extends CachedSource {
  readonly options: Required<PileFeatureOptions>;
  readonly depthContext: DepthContext;
  #depth = new Map<string, number>();

  /** Create a source for one feature setting. */
  constructor(opts: PileSourceOptions = {}) {
    const { dir, concurrency, depthContext, ...rest } = opts;
    super({ dir, concurrency });
    this.options = { ...PILE_FEATURE_DEFAULTS, ...rest };
    this.depthContext = depthContext ?? "dataset";
  }

  /** Input shape of one sample: [columns, 5]. */
  get shape(): number[] {
    return [this.options.columns, PILE_CHANNEL_COUNT];
  }

  /**
   * Compute the typical depth D of every group among `paths` (the images used together: a
   * training set, a validation fold, the files given to classify) from their features (read
   * and cached), and use it for these paths from now on; unreadable files are left out.
   */
  async prepare(paths: string[]): Promise<void> {
    const todo = [...new Set(paths)];
    const { images } = await super.getMany(todo);
    const groups = new Map<string, { paths: string[]; medians: number[] }>();
    todo.forEach((p, i) => {
      const x = images[i];
      if (!x) return;
      const key = depthGroup(p);
      let g = groups.get(key);
      if (!g) groups.set(key, g = { paths: [], medians: [] });
      g.paths.push(p);
      g.medians.push(x[x.length - 1]);
    });
    for (const g of groups.values()) {
      const d = typicalDepth(g.medians);
      for (const p of g.paths) this.#depth.set(p, d);
    }
  }

  /** The depth D used for `path` (undefined before prepare saw it). */
  depthOf(path: string): number | undefined {
    return this.#depth.get(path);
  }

  /** Model inputs of many files (those prepare has not seen are prepared together first). */
  override async getMany(
    paths: string[],
    onEach?: () => void,
  ): Promise<{ images: (Float32Array | null)[]; problems: ImageProblem[] }> {
    const unseen = paths.filter((p) => !this.#depth.has(p));
    if (unseen.length) await this.prepare(unseen);
    const { images, problems } = await super.getMany(paths, onEach);
    return {
      images: images.map((x, i) => {
        if (!x) return null;
        const f = unpackFeatures(x, this.options.columns)!;
        const d = this.depthContext === "read" ? f.median : this.#depth.get(paths[i]) ?? 0;
        return pileInput(f, d, this.options);
      }),
      problems,
    };
  }

  /** The input mirrored left-right. */
  flip(x: Float32Array): Float32Array {
    return flipSequence(x, this.options.columns, PILE_CHANNEL_COUNT);
  }

  /** The input moved `by` columns (zero fill). */
  shift(x: Float32Array, by: number): Float32Array {
    return shiftSequence(x, by, PILE_CHANNEL_COUNT);
  }

  /** The stored features of a decoded image (coverage units; no depth context yet). */
  fromGrey(img: GreyImage, name: string): Float32Array {
    return packFeatures(pileFeatures(profileFromGrey(img, this.options, name), this.options));
  }

  protected get cacheTag(): string {
    const o = this.options;
    return `pile|${o.columns}|${o.inkThreshold}|${o.medianMinCoverage}|v1`;
  }

  protected encode(x: Float32Array): Uint8Array {
    return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
  }

  protected decode(stored: Uint8Array): Float32Array | null {
    if (stored.length !== (this.options.columns * 4 + 1) * 4) return null;
    return new Float32Array(
      stored.buffer.slice(stored.byteOffset, stored.byteOffset + stored.length),
    );
  }
}
