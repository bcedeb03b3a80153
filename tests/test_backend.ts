/**
 * The tfjs backend for tests: the project's best available backend, quietly.
 * @module
 */
import { selectBackend } from "../lib/backend/backend.ts";

/** Select the backend tests run on (CHIMERA_BACKEND overrides it). */
export function testBackend(): Promise<string> {
  return selectBackend({ quiet: true });
}
