import assert from "node:assert/strict";
import {
  type CommandSpec,
  helpText,
  num,
  parseCommand,
  type ParsedArgs,
  str,
} from "../../lib/cli/args.ts";
import { UserError } from "../../lib/core/errors.ts";
import { ROOT, runDeno } from "./run.ts";

const SPEC: CommandSpec = {
  usage: "deno task thing --in FILE",
  summary: "Do a thing.",
  options: {
    in: { type: "string", help: "input file" },
    n: { type: "string", help: "how many", default: "3", short: "n" },
    tag: { type: "string", help: "a tag", multiple: true },
    fast: { type: "boolean", help: "go fast", default: false },
  },
};

/** Assert that `fn` throws a UserError whose message matches `re`. */
function throwsUser(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    assert.match(err.message, re);
    return true;
  });
}

const args = (values: ParsedArgs["values"]): ParsedArgs => ({ values, positionals: [] });

Deno.test("helpText lists usage, summary, every option with its default, and --help", () => {
  const lines = helpText(SPEC).split("\n");
  assert.equal(lines[0], "Usage: deno task thing --in FILE");
  assert.ok(lines.includes("Do a thing."));
  const opt = (flag: string) => lines.find((l) => l.trimStart().startsWith(flag));
  assert.match(opt("--in VALUE")!, /input file$/);
  assert.match(opt("-n, --n VALUE")!, /how many \(default: 3\)$/);
  assert.match(opt("--fast")!, /go fast$/, "a false default is not shown");
  assert.match(opt("--help")!, /show this help$/);
  assert.equal(lines.filter((l) => l.startsWith("  -")).length, 5);
});

Deno.test("parseCommand: values, defaults, aliases, repeated options", () => {
  const p = parseCommand(SPEC, ["--in", "a.txt", "-n", "5", "--tag", "x", "--tag=y", "--fast"]);
  assert.deepEqual(p.values, { in: "a.txt", n: "5", tag: ["x", "y"], fast: true });
  assert.deepEqual(p.positionals, []);
  const d = parseCommand(SPEC, []);
  assert.deepEqual(d.values, { in: undefined, n: "3", tag: undefined, fast: false });
  const pos = parseCommand({ ...SPEC, positionals: true }, ["a.png", "--fast", "b.png"]);
  assert.deepEqual(pos.positionals, ["a.png", "b.png"]);
});

Deno.test("parseCommand: bad command lines are UserErrors that point to --help", () => {
  throwsUser(() => parseCommand(SPEC, ["--bogus"]), /Unknown option '--bogus'[^]*--help/);
  throwsUser(() => parseCommand(SPEC, ["stray"]), /Unexpected argument 'stray'[^]*--help/);
  throwsUser(() => parseCommand(SPEC, ["--in"]), /--in[^]*argument missing[^]*--help/);
  throwsUser(() => parseCommand(SPEC, ["--fast=yes"]), /--fast[^]*--help/);
});

Deno.test("str: required options; num: numbers or a UserError naming the flag", () => {
  assert.equal(str(args({ in: "x" }), "in", true), "x");
  assert.equal(str(args({}), "in"), undefined);
  assert.equal(str(args({ in: "" }), "in"), undefined, "an empty value counts as missing");
  throwsUser(() => str(args({}), "in", true), /^missing --in; run with --help/);
  throwsUser(() => str(args({ in: "" }), "in", true), /^missing --in/);

  assert.equal(num(args({ n: "5" }), "n"), 5);
  assert.equal(num(args({ n: "-2.5" }), "n"), -2.5);
  assert.equal(num(args({ n: "1e3" }), "n"), 1000);
  assert.equal(num(args({}), "n"), undefined);
  for (const bad of ["abc", "Infinity", "NaN", "1,5"]) {
    throwsUser(
      () => num(args({ n: bad }), "n"),
      new RegExp(`^--n: expected a number, got "${bad}"`),
    );
  }
});

/** Run a snippet that imports lib/cli/args.ts (as ARGS) and lib/core/errors.ts (as ERR). */
function runSnippet(code: string, argv: string[] = []) {
  const prelude = `import * as ARGS from "${ROOT}lib/cli/args.ts";\n` +
    `import * as ERR from "${ROOT}lib/core/errors.ts";\n`;
  return runDeno(["eval", "--ext=ts", prelude + code, ...argv]);
}

Deno.test("runMain: user and path errors print one line and exit 1; bugs keep their trace", async () => {
  const user = await runSnippet(
    `await ARGS.runMain(async () => { throw new ERR.UserError("x.csv: bad row 3"); });`,
  );
  assert.equal(user.code, 1);
  assert.equal(user.stderr, "error: x.csv: bad row 3\n");

  const path = await runSnippet(
    `await ARGS.runMain(async () => { await Deno.mkdir("${ROOT}deno.json/sub"); });`,
  );
  assert.equal(path.code, 1);
  assert.match(path.stderr, /^error: .*deno\.json\/sub.*\n$/);
  assert.doesNotMatch(path.stderr, /\n\s+at /);

  const bug = await runSnippet(
    `await ARGS.runMain(async () => { throw new TypeError("a real bug"); });`,
  );
  assert.notEqual(bug.code, 0);
  assert.match(bug.stderr, /TypeError: a real bug/);
  assert.match(bug.stderr, /\n\s+at /, "a bug keeps its stack trace");

  const ok = await runSnippet(`await ARGS.runMain(async () => { console.log("fine"); });`);
  assert.equal(ok.code, 0);
  assert.equal(ok.stdout, "fine\n");
});

Deno.test("--help prints the help on stdout and exits 0; a bad flag exits 1", async () => {
  const code = `await ARGS.runMain(async () => {
    ARGS.parseCommand({ usage: "u", summary: "s", options: { x: { type: "string", help: "ex" } } });
    console.log("ran");
  });`;
  const help = await runSnippet(code, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: u\n/);
  assert.match(help.stdout, /--x VALUE\s+ex\n/);
  assert.doesNotMatch(help.stdout, /ran/, "--help does not run the command");
  const short = await runSnippet(code, ["-h"]);
  assert.equal(short.code, 0);
  assert.match(short.stdout, /^Usage: u\n/);
  const bad = await runSnippet(code, ["--y"]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^error: Unknown option '--y'\nRun with --help for the options\.\n$/);
});
