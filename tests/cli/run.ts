/**
 * Run a command-line entry point (lib/cli/<name>.ts) as a user would, capturing its output.
 * @module
 */

/** The project root. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** Exit code and decoded output of a command run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `deno run -A lib/cli/<name>.ts ...args` from the project root. */
export function runCli(
  name: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return runDeno(["run", "-A", `${ROOT}lib/cli/${name}.ts`, ...args], opts);
}

/** Run this Deno with `args` (no stdin, NO_COLOR), capturing exit code and output. */
export async function runDeno(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: opts.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Assert that a command failed the way a user error should: exit code 1, stderr with exactly one
 * `error: ...` line that matches `re`, and no stack trace.
 */
export function assertUserError(r: CliResult, re: RegExp): void {
  const show = `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  if (r.code !== 1) throw new Error(`expected exit code 1\n${show}`);
  const lines = r.stderr.trimEnd().split("\n");
  const errors = lines.filter((l) => l.startsWith("error: "));
  if (errors.length !== 1 || !re.test(errors[0])) {
    throw new Error(`expected one "error: " line matching ${re}\n${show}`);
  }
  if (/^\s+at /m.test(r.stderr) || /Uncaught/.test(r.stderr)) {
    throw new Error(`expected no stack trace\n${show}`);
  }
}

/** The `--name` flags listed by a command's --help output, sorted. */
export function helpFlags(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]).sort();
}
