import assert from "node:assert/strict";
import { join } from "node:path";
import { before, test } from "node:test";
import { cli, cliProcess, golden, stable, tmp } from "./helpers.js";

// The other test files run the CLI in-process (main(argv, io)). These run the real binary, bin/llmcost.js, as a
// user's shell does: the launcher, process.exitCode, the real stdout and stderr. A few goldens are checked this way
// too, against the same files the in-process tests compare with, so the two ways of running cannot drift apart.
// (Signals, kills, EPIPE, a TTY, stdin pipes and the install are spawned in their own files: hardening, reliability,
// ingest-errors, progress, install.)

let dir = "";
let db = "";
before(() => {
  dir = tmp();
  db = join(dir, "demo.duckdb");
  const r = cliProcess(["ingest", "--db", db, "fixtures/demo/requests.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
});

test("--version and --help from the binary", async () => {
  const v = cliProcess(["--version"]);
  assert.deepEqual(v, { code: 0, stdout: "0.1.0\n", stderr: "" });
  const h = cliProcess(["--help"]);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^Usage: llmcost \[options\] \[command\]\n/);
  assert.match(h.stdout, /Exit codes: 0 ok · 1 a check failed · 2 usage, config or input error/);
  assert.equal(h.stdout, (await cli(["--help"])).stdout, "the same help in-process");
  const sub = cliProcess(["report", "--help"]);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /^Usage: llmcost report \[options\]/);
});

test("exit codes reach the shell: 2 for a usage error, 1 for a failed check", () => {
  const bad = cliProcess(["report", "--db", db, "--by", "colour"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /^llmcost: /);
  const unknown = cliProcess(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  assert.equal(cliProcess(["budget", "--db", db, "--max-daily", "0.01"], { env: { LLMCOST_NOW: "2025-11-29T12:00:00Z" } }).code, 1);
});

test("goldens from the binary: report (table, json), budget, simulate", () => {
  for (const format of ["table", "json"]) {
    const r = cliProcess(["report", "--db", db, "--format", format]);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    golden(`report/by-feature.${format}`, stable(r.stdout, dir));
  }
  const b = cliProcess(["budget", "--db", db, "--max-daily", "10", "--max-monthly", "200", "--feature-max", "summarize-articles=60/month", "--spike", "3"], {
    env: { LLMCOST_NOW: "2025-11-29T12:00:00Z" },
  });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(
    b.stderr,
    "budget: OK (13 checks passed)\nwarning: 649,125 tokens without a price are in no dollar sum above (add prices with --pricing FILE or pricing.overrides; --fail-on-unpriced 0 fails on any)\n",
  );
  golden("budget/pass.table", stable(b.stdout, dir));
  const s = cliProcess([
    "simulate",
    "--db",
    db,
    "--cache",
    "exact",
    "--route",
    "mini",
    "--batch",
    "auto",
    "--prompt-cache",
    "--prune",
    "0.2",
    "--output-cap",
    "800",
    "--monthly",
    "--self-host",
    "2.50:2000",
  ]);
  assert.equal(s.code, 0, s.stderr);
  golden("simulate/all.table", stable(s.stdout, dir));
});
