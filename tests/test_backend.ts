/**
 * The tfjs backend for tests: the project's best available backend, quietly.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Select the backend tests run on. */
export async function testBackend(): Promise<string> {
  await tf.setBackend("cpu");
  return tf.getBackend();
}
