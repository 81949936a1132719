import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { bytesText, countText, elapsedText, progressLine } from "../src/output/progress.js";
import { cli, ROOT, tmp } from "./helpers.js";

test("progress line: the phase, the time, the file, and the read's rate once it is read", () => {
  const file = "logs/requests-2025-11.jsonl";
  assert.equal(
    progressLine(file, { phase: "reading", bytes: 512_000_000, readMs: null, rows: null }, 12_345),
    "reading      12.3s  logs/requests-2025-11.jsonl  512.0 MB",
  );
  // 512 MB in 16 s = 32 MB/s; 2,000,000 rows in 16 s = 125k rows/s.
  assert.equal(
    progressLine(file, { phase: "pricing", bytes: 512_000_000, readMs: 16_000, rows: 2_000_000 }, 75_000, 120),
    "pricing      1m15s  logs/requests-2025-11.jsonl  512.0 MB read at 32.0 MB/s · 2,000,000 rows, 125.0k rows/s",
  );
  // Never wider than the terminal (a wrapped line cannot be redrawn with \r); long paths keep their file name.
  const long = progressLine(
    "/var/log/gateway/2025/11/very/deep/directory/requests.jsonl",
    { phase: "committing", bytes: 9_000, readMs: 30, rows: 14_560 },
    400,
    80,
  );
  assert.ok(long.length <= 79, long);
  assert.equal(long, "committing    0.4s  /var/log/ga…ctory/requests.jsonl  9.0 kB read at 300.0 kB/…");
  assert.deepEqual([bytesText(999), bytesText(1_500), bytesText(2_100_000_000)], ["999 B", "1.5 kB", "2.1 GB"]);
  assert.deepEqual([elapsedText(400), elapsedText(59_900), elapsedText(3_725_000)], ["0.4s", "59.9s", "1h02m"]);
  assert.deepEqual([countText(950), countText(171_800), countText(2_500_000)], ["950", "171.8k", "2.5M"]);
});

// A CSV big enough that the 100 ms ticker fires while it loads.
const bigCsv = (): string => {
  const dir = tmp();
  const lines = ["timestamp,model,user,prompt_hash,input_tokens,output_tokens"];
  for (let i = 0; i < 50_000; i++) lines.push(`2025-10-01T${String(i % 24).padStart(2, "0")}:00:00Z,gpt-4o,a1b2c3d4e5f6:summarize,p${i},800,50.0`);
  writeFileSync(join(dir, "big.csv"), lines.join("\n") + "\n");
  return dir;
};

test("ingest draws progress on stderr only when stderr is a TTY", async () => {
  const dir = bigCsv();
  // Piped (as in CI): no progress, no carriage return, only the summary and notes.
  const piped = await cli(["ingest", "--db", join(dir, "a.duckdb"), join(dir, "big.csv")]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, "");
  assert.match(piped.stdout, /50,000 rows added/);
  // The same ingest with stderr as a terminal (isTTY forced before the CLI loads): each phase is drawn and cleared.
  const tty = join(dir, "tty.mjs");
  writeFileSync(tty, 'Object.defineProperty(process.stderr, "isTTY", { value: true });\nObject.defineProperty(process.stderr, "columns", { value: 200 });\n');
  const r = spawnSync(process.execPath, ["--import", tty, join(ROOT, "bin", "llmcost.js"), "ingest", "--db", join(dir, "b.duckdb"), join(dir, "big.csv")], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", TZ: "UTC", NO_COLOR: "1", LLMCOST_NOW: "2026-11-24T12:00:00Z" },
  });
  const drawn = { code: r.status, stdout: r.stdout, stderr: r.stderr };
  assert.equal(drawn.code, 0, drawn.stderr);
  const phases = [
    ...new Set(
      drawn.stderr
        .split("\r")
        // biome-ignore lint/suspicious/noControlCharactersInRegex: progress redraws with ESC and CR
        .map((l) => /^\x1b\[K(\w+) /.exec(l)?.[1])
        .filter((p) => p !== undefined),
    ),
  ];
  assert.deepEqual(phases.filter((p) => p !== "pricing").slice(0, 2), ["reading", "validating"]);
  assert.ok(phases.includes("pricing") && phases.at(-1) === "committing", phases.join(" "));
  assert.match(drawn.stderr, /50,000 rows, [\d.]+k? rows\/s/);
  assert.ok(drawn.stderr.endsWith("\r\x1b[K"), "the line is cleared when the file is done");
  assert.equal(drawn.stdout, piped.stdout.replace(join(dir, "a.duckdb"), join(dir, "b.duckdb")));
});
