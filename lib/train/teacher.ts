/**
 * Distillation: a trained model (the teacher, e.g. an ensemble of seeds) teaches a new one. Each
 * training batch, as augmented, goes through the teacher too, and the student's targets become
 * `(1 - weight) x` its label targets `+ weight x` the teacher's probabilities, so one small
 * model learns what several know (Hinton et al., 2015; the teacher sees the same flips and
 * shifts as the student, as in Beyer et al., 2022).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { UserError } from "../core/errors.ts";
import { type InputSpec } from "../features/inputs.ts";
import { loadForInference, modelDir } from "../model/modelio.ts";
import { probabilities } from "../eval/evaluate.ts";

/** A loaded teacher: its model and where it came from. */
export interface Teacher {
  /** The teacher model (batch norms folded). */
  model: tf.LayersModel;
  /** The run folder or model folder it was loaded from. */
  dir: string;
}

/**
 * Load the teacher of a run from `dir` (a run folder or its model folder). A UserError names
 * the folder when its input differs from the student's `input`, or when its outputs are not
 * the two classes [non_chimeric, chimeric].
 */
export async function loadTeacher(dir: string, input: InputSpec): Promise<Teacher> {
  const { model, meta } = await loadForInference(await modelDir(dir));
  if (JSON.stringify(meta.input) !== JSON.stringify(input)) {
    model.dispose();
    throw new UserError(
      `teacher ${dir}: reads ${JSON.stringify(meta.input)}, the student ` +
        `${JSON.stringify(input)}; a teacher must read the same input`,
    );
  }
  if (meta.labels.length !== 2) {
    model.dispose();
    throw new UserError(
      `teacher ${dir}: has ${meta.labels.length} outputs (${meta.labels.join(", ")}); a teacher ` +
        "must be a two-class model",
    );
  }
  return { model, dir };
}

/**
 * Blend the teacher's probabilities on the batch `x` (`n` samples of `shape`) into the
 * two-class `targets`, in place: `(1 - weight) x target + weight x teacher`.
 */
export function blendTeacher(
  teacher: Teacher,
  x: Float32Array,
  shape: number[],
  n: number,
  targets: Float32Array,
  weight: number,
): void {
  if (!(weight > 0) || n === 0) return;
  const p = probabilities(teacher.model, x, n, shape);
  for (let i = 0; i < targets.length; i++) {
    targets[i] = (1 - weight) * targets[i] + weight * p[i];
  }
}
