/**
 * A helper thread for tests/core/threads_test.ts whose module fails as it loads.
 * @module
 */
throw new Error("broken helper module");
