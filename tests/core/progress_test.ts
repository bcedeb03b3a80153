import assert from "node:assert/strict";
import { formatDuration, ProgressBar } from "../../lib/core/progress.ts";

/** A writer that records what the bar prints. */
function sink(tty: boolean) {
  const chunks: string[] = [];
  const dec = new TextDecoder();
  return {
    chunks,
    out: {
      writeSync(p: Uint8Array) {
        chunks.push(dec.decode(p));
        return p.length;
      },
      isTerminal: () => tty,
    },
  };
}

Deno.test("formatDuration: m:ss, h:mm:ss, and --:-- for unknown", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(9.4), "0:09");
  assert.equal(formatDuration(59.6), "1:00");
  assert.equal(formatDuration(61), "1:01");
  assert.equal(formatDuration(3599), "59:59");
  assert.equal(formatDuration(3600), "1:00:00");
  assert.equal(formatDuration(3725), "1:02:05");
  for (const bad of [NaN, Infinity, -1]) assert.equal(formatDuration(bad), "--:--");
});

Deno.test("render: label, bar, count, percent, elapsed<ETA and suffix", () => {
  const { out } = sink(false);
  const bar = new ProgressBar(10, { label: "train", out });
  assert.match(bar.render(), /^train \[-{24}\] 0\/10 0% 0:\d\d<--:--$/);
  bar.tick(5);
  assert.equal(bar.count, 5);
  assert.match(
    bar.render("loss 0.5"),
    /^train \[#{12}-{12}\] 5\/10 50% \d+:\d\d<\d+:\d\d loss 0\.5$/,
  );
  bar.tick(7);
  assert.match(bar.render(), /\[#{24}\] 12\/10 100% /, "over-counting caps the bar at 100%");
  const nolabel = new ProgressBar(0, { out });
  assert.equal(nolabel.total, 1, "an empty job counts as one unit");
  assert.match(nolabel.render(), /^\[-{24}\] 0\/1 0% /);
});

Deno.test("a non-TTY sink gets plain lines: first tick, the last, and done", () => {
  const { out, chunks } = sink(false);
  const bar = new ProgressBar(4, { label: "copy", out, intervalMs: 1e9 });
  for (let i = 0; i < 4; i++) bar.tick();
  bar.done("ok");
  assert.equal(chunks.length, 3, JSON.stringify(chunks));
  for (const c of chunks) {
    assert.ok(c.endsWith("\n") && !c.slice(0, -1).includes("\n"), "one line per write");
    assert.ok(!c.includes("\r") && !c.includes("\x1b"), "no terminal control characters");
  }
  assert.match(chunks[0], /^copy \[#{6}-{18}\] 1\/4 25% /);
  assert.match(chunks[1], /^copy \[#{24}\] 4\/4 100% /);
  assert.match(chunks[2], /^copy \[#{24}\] 4\/4 100% .* ok\n$/);
  // done() without news after the last line adds nothing to a log.
  const plain = sink(false);
  const quiet = new ProgressBar(2, { out: plain.out, intervalMs: 1e9 });
  quiet.tick(2);
  quiet.done();
  assert.equal(plain.chunks.length, 1, JSON.stringify(plain.chunks));
});

Deno.test("a non-TTY sink redraws rarely by default", async () => {
  const { out, chunks } = sink(false);
  const bar = new ProgressBar(100, { out });
  bar.tick();
  await new Promise((r) => setTimeout(r, 150));
  bar.tick();
  assert.equal(chunks.length, 1, "the default interval of a non-TTY sink is long (CI logs)");
});

Deno.test("a TTY sink redraws in place; done ends the line; silent prints nothing", () => {
  const tty = sink(true);
  const bar = new ProgressBar(2, { out: tty.out, intervalMs: 0 });
  bar.tick();
  bar.tick();
  bar.done();
  assert.equal(tty.chunks.length, 3);
  for (const c of tty.chunks) assert.ok(c.startsWith("\r\x1b[2K"), JSON.stringify(c));
  assert.ok(!tty.chunks[0].includes("\n"));
  assert.ok(tty.chunks[2].endsWith("\n"));

  const quiet = sink(false);
  const s = new ProgressBar(3, { out: quiet.out, silent: true, intervalMs: 0 });
  s.tick(3);
  s.done();
  assert.deepEqual(quiet.chunks, []);
});
