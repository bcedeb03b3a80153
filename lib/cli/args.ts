/**
 * Shared command-line plumbing: option parsing with `--help`, and a `main` wrapper that
 * prints user errors as one clear line (no stack trace) and exits non-zero.
 * @module
 */
import { parseArgs } from "node:util";
import { UserError } from "../core/errors.ts";

/** One command-line option. */
export interface OptionSpec {
  /** string options take a value, boolean options are flags. */
  type: "string" | "boolean";
  /** One-line description for --help. */
  help: string;
  /** Default value (shown in --help). */
  default?: string | boolean;
  /** Single-letter alias. */
  short?: string;
  /** May be given several times (collected into an array). */
  multiple?: boolean;
}

/** A command's description: usage line, summary and options. */
export interface CommandSpec {
  /** Usage line, e.g. "deno task split --data DIR --out OUT". */
  usage: string;
  /** One-paragraph description. */
  summary: string;
  /** Options by long name. */
  options: Record<string, OptionSpec>;
  /** Whether positional arguments are accepted. */
  positionals?: boolean;
}

/** Parsed command line: option values and positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Render the --help text of a command. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, "", spec.summary, "", "Options:"];
  const all = { ...spec.options, help: { type: "boolean", help: "show this help" } as OptionSpec };
  for (const [name, o] of Object.entries(all)) {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? " VALUE" : ""}`;
    const def = o.default !== undefined && o.default !== false ? ` (default: ${o.default})` : "";
    lines.push(`  ${flag.padEnd(28)} ${o.help}${def}`);
  }
  return lines.join("\n");
}

/** Parse `args` against `spec`; prints help and exits on --help, throws UserError on bad flags. */
export function parseCommand(spec: CommandSpec, args: string[] = Deno.args): ParsedArgs {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = { type: o.type };
    if (o.short) options[name].short = o.short;
    if (o.multiple) options[name].multiple = true;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\nRun with --help for the options.`);
  }
  if (parsed.values.help) {
    console.log(helpText(spec));
    Deno.exit(0);
  }
  const values: ParsedArgs["values"] = {};
  for (const [name, o] of Object.entries(spec.options)) {
    values[name] = (parsed.values as ParsedArgs["values"])[name] ?? o.default;
  }
  return { values, positionals: parsed.positionals };
}

/** Read a string option, throwing a UserError when it is required and missing. */
export function str(args: ParsedArgs, name: string, required = false): string | undefined {
  const v = args.values[name];
  if (v === undefined || v === "") {
    if (required) throw new UserError(`missing --${name}; run with --help for the options`);
    return undefined;
  }
  return String(v);
}

/** Read a numeric option, with a UserError naming the flag when it is not a number. */
export function num(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UserError(`--${name}: expected a number, got "${v}"`);
  return n;
}

/** Where labelled images come from: a class-folder tree (--data) or a manifest (--manifest). */
export type DataInput = { data: string; manifest?: undefined } | {
  data?: undefined;
  manifest: string;
};

/** The one check of "--data or --manifest": exactly one of them, else a UserError. */
export function dataInput(args: ParsedArgs): DataInput {
  const data = str(args, "data");
  const manifest = str(args, "manifest");
  if (!data === !manifest) throw new UserError("give exactly one of --data DIR or --manifest FILE");
  return data ? { data } : { manifest: manifest! };
}

/**
 * File-system errors caused by the paths a user gave (an output folder that is a file, a
 * read-only folder): their message names the path and the problem, so they print as one line.
 */
const PATH_ERRORS = [
  Deno.errors.NotFound,
  Deno.errors.PermissionDenied,
  Deno.errors.AlreadyExists,
  Deno.errors.NotADirectory,
  Deno.errors.IsADirectory,
];

/**
 * Run a command's main function: UserErrors and path errors (see PATH_ERRORS) print one line
 * and exit 1; anything else is a bug and keeps its stack trace.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UserError || PATH_ERRORS.some((E) => err instanceof E)) {
      console.error(`error: ${(err as Error).message}`);
      Deno.exit(1);
    }
    throw err;
  }
}
