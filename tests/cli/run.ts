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
export async function runCli(
  name: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}lib/cli/${name}.ts`, ...args],
    cwd: opts.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...opts.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
