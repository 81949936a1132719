import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { cli, cliProcess, golden, ROOT, stable, tmp } from "./helpers.js";

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

test("the error paths that read a bad file again (line search, --skip-bad-rows) work from the binary as in process", async () => {
  // They load Node modules lazily; a lazy import() the bundle kept once failed every one of them with exit 70.
  const bad = (f: string) => join("test", "bad-input", f);
  const runs = [
    ["ingest", "--db", join(dir, "e1.duckdb"), bad("truncated.jsonl")],
    ["ingest", "--db", join(dir, "e2.duckdb"), bad("otel-truncated.json")],
    ["ingest", "--db", join(dir, "e3.duckdb"), bad("jsonl-wrong-type.jsonl")],
    ["ingest", "--db", join(dir, "e4.duckdb"), "--skip-bad-rows", bad("truncated.jsonl")],
  ];
  for (const args of runs) {
    const spawned = cliProcess(args);
    const inProcess = await cli(args.map((a) => a.replace(/e(\d)\.duckdb$/, "p$1.duckdb")));
    assert.equal(spawned.code, args.includes("--skip-bad-rows") ? 0 : 2, spawned.stderr);
    assert.doesNotMatch(spawned.stderr, /internal error/);
    assert.equal(spawned.stderr, inProcess.stderr.replaceAll("p4.duckdb", "e4.duckdb"), args.join(" "));
  }
  assert.match(cliProcess(runs[0]!).stderr, /^llmcost: test\/bad-input\/truncated\.jsonl:2: malformed JSON/);
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

// bin/llmcost.js compiles the bundle with a V8 code cache kept beside it. A copy of the package (the bundle and the
// launcher copied, the rest linked) shows its life: a run without one writes it, a run with it uses it, and a cache
// V8 refuses (garbage here; another Node version's, or another build's, in life) changes nothing but is written anew.
test("the launcher's code cache: written when missing, refused when bad, the output the same", () => {
  const pkg = tmp();
  for (const d of ["bin", "dist/bundle"]) mkdirSync(join(pkg, d), { recursive: true });
  copyFileSync(join(ROOT, "bin", "llmcost.js"), join(pkg, "bin", "llmcost.js"));
  copyFileSync(join(ROOT, "dist", "bundle", "cli.cjs"), join(pkg, "dist", "bundle", "cli.cjs"));
  for (const f of ["package.json", "node_modules", "pricing", "fixtures"]) symlinkSync(join(ROOT, f), join(pkg, f));
  const caches = () => readdirSync(join(pkg, "dist", "bundle")).filter((f) => f.endsWith(".v8cache"));
  const run = () =>
    spawnSync(process.execPath, [join(pkg, "bin", "llmcost.js"), "report", "--db", db], { encoding: "utf8", env: { TZ: "UTC", NO_COLOR: "1" } });
  const expected = cliProcess(["report", "--db", db]);
  assert.deepEqual(caches(), []);
  const first = run();
  assert.deepEqual([first.status, first.stdout, first.stderr], [0, expected.stdout, expected.stderr]);
  const [cache] = caches();
  assert.match(cache ?? "", new RegExp(`^cli\\.[0-9a-f]{12}\\.${process.version.replaceAll(".", "\\.")}-${process.arch}\\.v8cache$`));
  const written = readFileSync(join(pkg, "dist", "bundle", cache!));
  assert.ok(written.length > 100_000, `the cache holds the compiled code (${written.length} bytes)`);
  const second = run();
  assert.deepEqual([second.status, second.stdout], [0, expected.stdout]);
  assert.ok(readFileSync(join(pkg, "dist", "bundle", cache!)).equals(written), "a cache V8 took is left as it is");
  writeFileSync(join(pkg, "dist", "bundle", cache!), "not a code cache");
  const third = run();
  assert.deepEqual([third.status, third.stdout, third.stderr], [0, expected.stdout, expected.stderr]);
  assert.ok(readFileSync(join(pkg, "dist", "bundle", cache!)).length > 100_000, "a refused cache is written anew");
  assert.deepEqual(caches(), [cache], "one cache, no temporary file left");
});
