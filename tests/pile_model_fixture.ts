/**
 * An untrained compact pile model saved as `deno task train` saves one, for tests of calls
 * from overlaps that need no models/ folder.
 * @module
 */
import { buildModel } from "../lib/model/model.ts";
import { saveModel } from "../lib/model/modelio.ts";
import { PILE_CHANNEL_COUNT } from "../lib/features/pile_features.ts";

/** Save a tiny untrained compact pile model (32 column groups) in `dir`; returns `dir`. */
export async function tinyPileModel(dir: string): Promise<string> {
  const model = buildModel("compact", { columns: 32, channels: PILE_CHANNEL_COUNT, seed: 1 });
  await saveModel(model, dir, {
    model: "compact",
    input: { kind: "pile", columns: 32 },
    labels: ["non_chimeric", "chimeric"],
  });
  model.dispose();
  return dir;
}
