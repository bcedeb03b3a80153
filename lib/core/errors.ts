/**
 * The one error type a user can act on: a bad path, a bad file, a bad option. Command-line
 * entry points (lib/cli/args.ts `runMain`) print its message alone; any other error is a bug
 * and keeps its stack trace.
 * @module
 */

/** An error caused by the user's input (bad path, bad file); CLIs print its message only. */
export class UserError extends Error {
  /** Create a user-facing error with a message that names the file and the problem. */
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}
