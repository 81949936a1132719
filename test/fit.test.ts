import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Column, displayWidth, fitTable, shortenMiddle, stripAnsi } from "../src/output/fit.js";
import { cli, demoDatabase, FIXTURES, golden, ROOT, tmp } from "./helpers.js";

/**
 * Tables on a real terminal: `script` runs the CLI on a pseudo-terminal of a set width (stty), so stdout.isTTY and
 * stdout.columns are the terminal's own. stderr goes to a file: the ingest progress bar (stderr on a TTY) would make
 * the output depend on timing.
 */
const SCRIPT = "/usr/bin/script";
const haveScript = existsSync(SCRIPT);
const BIN = join(ROOT, "bin", "llmcost.js");
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function tty(args: string[], cols: number, opts: { cwd?: string; color?: boolean; env?: Record<string, string> } = {}): { code: number; stdout: string } {
  const err = join(opts.cwd ?? tmp(), ".stderr");
  const cmd = `stty cols ${cols} rows 50; exec ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(" ")} 2>${quote(err)}`;
  const r = spawnSync(SCRIPT, ["-qec", cmd, "/dev/null"], {
    cwd: opts.cwd ?? ROOT,
    input: "",
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      TERM: "xterm",
      TZ: "UTC",
      LLMCOST_NOW: "2026-11-24T12:00:00Z",
      ...(opts.color ? {} : { NO_COLOR: "1" }),
      ...opts.env,
    },
  });
  return { code: r.status ?? -1, stdout: r.stdout.replaceAll("\r\n", "\n") };
}

/** A terminal golden of this file, as written. */
const fitGolden = (name: string): string => readFileSync(join(ROOT, "test", "golden", "fit", name), "utf8");

/** Every line within the terminal's width (escapes take no room). */
function assertFits(out: string, cols: number, what: string): void {
  const lines = out.split("\n");
  for (const [i, line] of lines.entries())
    assert.ok(displayWidth(line) <= cols, `${what}: line ${i + 1} is ${displayWidth(line)} columns wide (terminal ${cols}):\n${line}`);
}

describe("tables fit the terminal", { skip: haveScript ? false : `${SCRIPT} not found (needed for a pseudo-terminal)` }, () => {
  let dir = "";
  let db = "";
  let ingestDir = "";
  before(async () => {
    ({ dir, db } = await demoDatabase());
    // The ingest summary names files as given: relative paths from a directory of our own, so the golden is the same
    // wherever the repository and the temporary directory are.
    ingestDir = tmp();
    symlinkSync(FIXTURES, join(ingestDir, "fixtures"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(ingestDir, { recursive: true, force: true });
  });

  const INGEST = [
    "ingest",
    "--dry-run",
    "--db",
    "t.duckdb",
    "fixtures/demo/requests.jsonl",
    "fixtures/formats/openai-costs.json",
    "fixtures/formats/anthropic-cost.csv",
    "fixtures/formats/openai-usage.csv",
    "fixtures/formats/otel-spans.jsonl",
  ];
  const cases: { name: string; args: () => string[]; cwd?: () => string }[] = [
    { name: "report", args: () => ["report", "--db", db] },
    { name: "report-by-feature-model", args: () => ["report", "--db", db, "--by", "feature,model"] },
    { name: "report-chart", args: () => ["report", "--db", db, "--chart"] },
    { name: "savings", args: () => ["savings", "--db", db] },
    { name: "simulate", args: () => ["simulate", "--db", db, "--cache", "exact", "--route", "mini", "--batch", "auto", "--prompt-cache", "--monthly"] },
    { name: "ingest-summary", args: () => INGEST, cwd: () => ingestDir },
  ];

  // In-process on a terminal of each width (stdout.isTTY and stdout.columns as a real one sets them); the test after
  // these checks that a real pseudo-terminal gets the same bytes.
  for (const c of cases) {
    for (const cols of [80, 120]) {
      test(`${c.name} at ${cols} columns`, async () => {
        const r = await cli(c.args(), { tty: { columns: cols }, ...(c.cwd ? { cwd: c.cwd() } : {}) });
        assert.equal(r.code, 0, r.stderr);
        assertFits(r.stdout, cols, c.name);
        golden(`fit/${c.name}.${cols}.txt`, r.stdout);
      });
    }
  }

  test("a real terminal (script, stty cols) gets what the in-process terminal gets", async () => {
    assert.equal(tty(["report", "--db", db, "--by", "feature,model"], 80).stdout, fitGolden("report-by-feature-model.80.txt"));
    assert.equal(tty(INGEST, 120, { cwd: ingestDir }).stdout, fitGolden("ingest-summary.120.txt"));
    // --wide before the command too, as the other global flags: the full table, as a pipe gets it.
    assert.equal(tty(["--wide", "report", "--db", db], 80).stdout, (await cli(["report", "--db", db])).stdout);
  });

  test("--wide on a terminal prints the full table, byte for byte what a pipe gets", async () => {
    for (const c of cases) {
      const cwd = c.cwd ? { cwd: c.cwd() } : {};
      const piped = await cli(c.args(), cwd);
      assert.equal(piped.code, 0, piped.stderr);
      const wide = await cli([...c.args(), "--wide"], { tty: { columns: 80 }, ...cwd });
      assert.equal(wide.stdout, piped.stdout, c.name);
      assert.doesNotMatch(piped.stdout, /--wide shows everything/);
      // --wide holds for its own run only: the next run on the terminal fits it again.
      if (c.name === "report") assert.match((await cli(c.args(), { tty: { columns: 80 } })).stdout, /--wide\s+shows everything/);
    }
  });

  test("at 80 columns the report says what it hid, and names are shortened in the middle", async () => {
    const out = (await cli(["report", "--db", db, "--by", "feature,model"], { tty: { columns: 80 } })).stdout;
    assert.match(out, /\(80 columns: hid Requests, Input, Cached, Cache write, Output, share bar;\s+shortened MODEL;\s+--wide\s+shows everything\)/);
    // The full name of the fine-tuned model is 38 characters; its ends stay.
    assert.match(out, /│ ft:gpt-4o-m[^│]*…[^│]*legal01 +│/);
    // Cost, share and cumulative share stay; numbers are never cut.
    assert.match(out, /│ +\$45\.00 │ 48\.8% │ {2}48\.8% │/);
  });

  test("with colour on, escapes take no room", async () => {
    const r = tty(["report", "--db", db, "--chart"], 80, { color: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
    assert.match(r.stdout, /\x1b\[/);
    assertFits(r.stdout, 80, "report --chart in colour");
    assert.equal(stripAnsi(r.stdout), fitGolden("report-chart.80.txt"));
  });

  test("an empty NO_COLOR leaves colour on (no-color.org: only a value turns it off)", async () => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
    assert.match(tty(["report", "--db", db], 80, { color: true, env: { NO_COLOR: "" } }).stdout, /\x1b\[/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
    assert.doesNotMatch(tty(["report", "--db", db], 80, { color: true, env: { NO_COLOR: "0" } }).stdout, /\x1b\[/);
  });

  test("a table on a narrow terminal: still within it", async () => {
    for (const args of [["report", "--db", db, "--by", "feature,model"], ["savings", "--db", db], ["pricing", "list"], ["formats"]]) {
      const out = (await cli(args, { tty: { columns: 60 } })).stdout;
      for (const line of out.split("\n").filter((l) => /^[┌│└]/.test(l))) assert.ok(displayWidth(line) <= 60, `${args.join(" ")}: ${line}`);
    }
  });
});

describe("fitTable", () => {
  const cols: Column[] = [
    { head: "Name", min: 8 },
    { head: "Cost", align: "right" },
    { head: "Extra", priority: 2 },
    { head: "More", priority: 1 },
  ];
  const rows = [["summarize-articles", "$45.00", "xxxxxxxxxx", "yyyyyyyyyy"]];

  test("fits as it is: unchanged, nothing noted", async () => {
    const f = fitTable(cols, rows, 200);
    assert.deepEqual(f.rows, rows);
    assert.deepEqual([f.hidden, f.shortened], [[], []]);
  });

  test("hides the least important column first, gives back what fits, and shortens names last", async () => {
    // Natural: 18 + 6 + 10 + 10 + 3 × 4 + 1 = 57.
    const f = fitTable(cols, rows, 45);
    assert.deepEqual(f.hidden, ["Extra"]);
    assert.deepEqual(f.head, ["Name", "Cost", "More"]);
    assert.deepEqual(f.rows, [["summarize-articles", "$45.00", "yyyyyyyyyy"]]);
    const g = fitTable(cols, rows, 30);
    assert.deepEqual(g.hidden, ["Extra", "More"]);
    assert.deepEqual(g.shortened, ["Name"]);
    assert.deepEqual(g.rows, [["summariz…articles", "$45.00"]]);
  });

  test("a header wraps at its spaces before a cell is cut", async () => {
    const f = fitTable([{ head: "Saved per month", align: "right" }, { head: "Tactic" }], [["$1.00", "route"]], 20);
    assert.deepEqual(f.head, ["Saved\nper\nmonth", "Tactic"]);
    assert.deepEqual(f.shortened, []);
  });

  test("a chart narrowed to fit is redrawn on every row, on one scale; it goes before a more important column", async () => {
    const chart: Column[] = [
      { head: "Name" },
      { head: "Cum.", priority: 2 },
      { head: "Bar", priority: 1, min: 2, shrink: (row, w) => "#".repeat(Math.ceil(((row === 0 ? 8 : 4) * w) / 8)) },
    ];
    const rows = [
      ["a", "10%", "########"],
      ["b", "20%", "####"],
    ];
    // Natural: 4 + 4 + 8 + 3 × 3 + 1 = 26. At 20, Cum. goes (priority 2) and the bar stays whole: 4 + 8 + 7 = 19.
    assert.deepEqual(fitTable(chart, rows, 20).rows, [
      ["a", "########"],
      ["b", "####"],
    ]);
    // At 16 the bar narrows to 16 − (4 + 3 + 3 + 1) = 5, on every row: 8 → 5 and 4 → 3 (not the 4 that would fit).
    const f = fitTable(chart, rows, 16);
    assert.deepEqual(f.hidden, ["Cum."]);
    assert.deepEqual(f.rows, [
      ["a", "#####"],
      ["b", "###"],
    ]);
    assert.deepEqual(f.shortened, ["Bar"]);
  });

  test("names shortened in the middle keep both ends", async () => {
    assert.equal(shortenMiddle("claude-sonnet-4-5-20250929", 19), "claude-son…20250929");
    assert.equal(shortenMiddle("gpt-4o", 19), "gpt-4o");
    assert.equal(displayWidth(shortenMiddle("ft:gpt-4o-mini-2024-07-18:acme::legal01", 20)), 20);
  });
});
