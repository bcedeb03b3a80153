/**
 * `deno task classify`: p(chimeric) for image files or folders, as TSV on stdout.
 * @module
 */
import { parseCommand, runMain, str } from "./args.ts";
import { BACKEND_OPTION, initBackend } from "./common.ts";
import { predict } from "../evaluate.ts";
import { loadModel, modelDir } from "../modelio.ts";
import { type InputSpec, makeSource } from "../inputs.ts";
import { UserError } from "../fsutil.ts";
import { collectImages, DEFAULT_MODEL } from "../classify.ts";

const SPEC = {
  usage: "deno task classify [--model RUN] PATH...",
  summary: "Classify pile-o-gram images (files, or folders searched recursively). Prints TSV " +
    "`path<TAB>p_chimeric<TAB>label` to stdout, one row per image; unreadable files are " +
    `reported on stderr. The default model is the shipped one (${DEFAULT_MODEL}).`,
  options: {
    model: { type: "string", help: "run folder or model folder", default: DEFAULT_MODEL },
    threshold: { type: "string", help: "decision threshold on p(chimeric)", default: "0.5" },
    ...BACKEND_OPTION,
  },
  positionals: true,
} as const;

await runMain(async () => {
  const args = parseCommand(SPEC);
  if (args.positionals.length === 0) throw new UserError("give at least one image file or folder");
  const threshold = Number(str(args, "threshold"));
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`--threshold must be in [0, 1]`);
  await initBackend(args);
  const { files, problems } = await collectImages(args.positionals);
  for (const p of problems) console.error(`${p.path}: ${p.reason}`);
  const { model, meta } = await loadModel(await modelDir(str(args, "model")!));
  const samples = files.map((path) => ({
    path,
    cls: "?",
    label: "non_chimeric" as const,
    readId: path,
  }));
  const preds = await predict(model, samples, makeSource(meta.input as unknown as InputSpec), {
    progress: files.length > 256,
    onProblem: (p) => console.error(`${p.path}: ${p.reason}`),
  });
  const lines = ["path\tp_chimeric\tlabel"];
  for (const p of preds) {
    lines.push(`${p.path}\t${p.p.toFixed(4)}\t${p.p >= threshold ? "chimeric" : "non_chimeric"}`);
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  if (problems.length + (files.length - preds.length) > 0) Deno.exitCode = 1;
});
