/**
 * `deno task demo`: the main job on the embedded default data (placeholder until the
 * synthetic generator and training land).
 * @module
 */
console.error(
  "deno task demo: the synthetic data generator and the training loop are not in this build yet;\n" +
    "use `deno task split --data DIR --out OUT` for now.",
);
Deno.exit(2);
