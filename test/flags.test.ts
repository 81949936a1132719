import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { ExitError } from "../src/errors.js";
import { FLAGS, type FlagCommand, flagsFor } from "../src/flags/index.js";
import { FLAG_SCHEMAS } from "../src/flags/load.js";
import { flagOverConfig } from "../src/flags/common.js";
import { flagName, flagReader } from "../src/tactics/flags.js";
import { tacticFlags } from "../src/tactics/registry.js";
import { cli, demoDatabase } from "./helpers.js";

// The flag schemas (src/flags/): their defaults, the exit-2 error of a bad value, and flag-over-config precedence.

test("each command's flags load on their own as the very schema FLAGS holds", async () => {
  for (const command of Object.keys(FLAGS) as FlagCommand[]) assert.equal(await FLAG_SCHEMAS[command](), FLAGS[command], command);
});

test("each schema's defaults: what a command sees when no flag is given", () => {
  const globals = { debug: false, wide: false, costMode: "auto" };
  const window = { tz: "UTC" };
  assert.deepEqual(flagsFor("ingest", {}), { ...globals, replace: false, dryRun: false, skipBadRows: false, output: "table" });
  assert.deepEqual(flagsFor("report", {}), { ...globals, ...window, source: "auto", by: ["feature"], where: [], chart: false, format: "table" });
  assert.deepEqual(flagsFor("simulate", {}), {
    ...globals,
    ...window,
    feature: [],
    monthly: false,
    format: "table",
  });
  // A tactic's flags have the tactic's defaults (src/tactics/), applied where the tactic reads them.
  const reader = flagReader(flagsFor("simulate", {}));
  const byName = (name: string) => tacticFlags().find((f) => flagName(f) === name)!;
  assert.deepEqual(
    ["--ttl", "--threshold", "--escalate", "--prefix-share", "--prune"].map((n) => reader.read(byName(n))),
    [3600, undefined, 0.08, undefined, undefined],
  );
  assert.deepEqual(flagsFor("savings", {}), { ...globals, ...window, feature: [], format: "table" });
  assert.deepEqual(flagsFor("budget", {}), { ...globals, featureMax: [], modelMax: [], spikeMin: "1", format: "table" });
  assert.deepEqual(flagsFor("reconcile", {}), { ...globals, ...window, tolerance: 5, flagged: false, format: "table" });
  assert.deepEqual(flagsFor("export", {}), { ...globals, focusVersion: "1.2", unpricedCost: "zero", overwrite: false });
  assert.deepEqual(flagsFor("pricing list", {}), { ...globals, format: "table" });
  assert.deepEqual(flagsFor("pricing show", {}), { ...globals, format: "table" });
  assert.deepEqual(flagsFor("pricing check", {}), { ...globals, tolerance: 5, format: "table" });
  assert.deepEqual(flagsFor("pricing coverage", {}), { ...globals, modes: ["chat", "responses", "embedding", "completion"], all: false, format: "table" });
  assert.deepEqual(flagsFor("pricing import-litellm", {}), { ...globals, providers: ["openai", "anthropic", "google"] });
  assert.deepEqual(flagsFor("formats", {}), { ...globals, format: "table" });
  assert.deepEqual(flagsFor("demo", {}), { ...globals, format: "table" });
  assert.deepEqual(flagsFor("completion", { shell: "fish" }), { shell: "fish" });
});

test("schemas turn values into what the command uses: numbers, lists, normalised dates, parsed caps", () => {
  const r = flagsFor("report", { top: "3", by: "feature,model", since: "20251101", where: ["model=gpt-4o"] });
  assert.equal(r.top, 3);
  assert.deepEqual(r.by, ["feature", "model"]);
  assert.equal(r.since, "2025-11-01");
  assert.deepEqual(r.where, [{ dim: "model", value: "gpt-4o" }]);
  const s = flagsFor("simulate", { ttl: "60", prune: ["0.2,chat=0.5"], selfHost: "2.50:1500" });
  const sim = flagReader(s);
  const named = (name: string) => tacticFlags().find((f) => flagName(f) === name)!;
  assert.equal(sim.read(named("--ttl")), 60);
  assert.deepEqual(sim.read(named("--prune")), [
    { feature: null, share: 0.2 },
    { feature: "chat", share: 0.5 },
  ]);
  assert.deepEqual(s.selfHost, { costPerHour: "2.50", tokensPerSec: 1500 });
  const b = flagsFor("budget", { maxDaily: "$5", featureMax: ["chat=2/day"], maxAge: "36h" });
  assert.equal(b.maxDaily, "5");
  assert.deepEqual(b.featureMax, [{ name: "chat", cap: { usd: "2", period: "day" } }]);
  assert.deepEqual(b.maxAge, { text: "36h", hours: 36 });
  assert.deepEqual(flagsFor("pricing coverage", { modes: " chat, ,embedding" }).modes, ["chat", "embedding"]);
  assert.equal(flagsFor("export", { billingAccount: "  acme " }).billingAccount, "acme");
});

/** One bad value per command, as a user types it: exit 2 and the message naming the flag (as before the schemas). */
const BAD: [string[], string][] = [
  [["report", "--top", "0"], 'llmcost: --top expects a positive whole number (got "0")\n'],
  [["simulate", "--cache", "fuzzy"], 'llmcost: --cache expects exact or semantic (got "fuzzy")\n'],
  [["savings", "--tz", "Mars/Base"], 'llmcost: --tz: unknown time zone "Mars/Base"\nhint: use an IANA name such as UTC or Europe/Berlin\n'],
  [["budget", "--spike", "1"], 'llmcost: --spike expects a factor above 1, e.g. 2.0 (got "1")\n'],
  [["reconcile", "--tolerance", "-1"], 'llmcost: --tolerance expects a non-negative percentage (got "-1")\n'],
  [["export", "--focus", "-", "--billing-account", " "], "llmcost: --billing-account is empty\n"],
  [["pricing", "check", "--tolerance", "x"], 'llmcost: --tolerance expects a non-negative percentage (got "x")\n'],
  [
    ["pricing", "import-litellm", "map.json", "--effective-from", "2025-13-01"],
    'llmcost: --effective-from: "2025-13-01" is not a calendar date (YYYY-MM-DD)\n',
  ],
  // ingest's one checked value, --output, is one of commander's choices (so is every --format): commander says so.
  [
    ["ingest", "-", "--output", "xml"],
    "llmcost: option '--output <format>' argument 'xml' is invalid. Allowed choices are table, json, csv, markdown.\nhint: run with --help for usage\n",
  ],
  [["completion", "tcsh"], 'llmcost: completion: unknown shell "tcsh"\nhint: one of bash, zsh, fish\n'],
];

for (const [args, stderr] of BAD) {
  test(`bad value: llmcost ${args.join(" ")} → exit 2`, async () => {
    // No database is read: a flag is checked before anything is opened.
    const r = await cli(args[0] === "completion" ? args : [...args, "--db", "/nonexistent/llmcost.duckdb"]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, stderr);
    assert.equal(r.stdout, "");
  });
}

test("bad value, schema only (commander's choices check these first on the command line): --format", () => {
  for (const command of ["report", "formats", "demo", "pricing list"] as FlagCommand[]) {
    assert.throws(
      () => flagsFor(command, { format: "xml" }),
      (e: unknown) => e instanceof ExitError && e.code === 2 && e.message === "--format must be one of table, json, csv, markdown (got xml)",
    );
  }
  assert.throws(
    () => flagsFor("ingest", { replace: "yes" }),
    (e: unknown) => e instanceof ExitError && e.code === 2 && e.message.startsWith("--replace: "),
  );
});

test("flagOverConfig: a given flag wins at any value; else the config; else the flag's default", () => {
  const given = new Set(["spikeMin"]);
  assert.equal(
    flagOverConfig(given, "spikeMin", "1", () => "100"),
    "1",
  );
  assert.equal(
    flagOverConfig(new Set(), "spikeMin", "1", () => "100"),
    "100",
  );
  assert.equal(
    flagOverConfig(new Set(), "spikeMin", "1", () => undefined),
    "1",
  );
  let read = false;
  flagOverConfig(given, "spikeMin", "1", () => {
    read = true;
    return "100";
  });
  assert.equal(read, false, "a config value the flag overrides is never read");
});

let demo = "";
let dir = "";
before(async () => {
  ({ dir, db: demo } = await demoDatabase());
});

test("precedence by value source: an explicit flag equal to its default beats the config; an absent flag lets the config win", async () => {
  const config = join(dir, "llmcost.config.json");
  writeFileSync(config, JSON.stringify({ budgets: { spikeMinUsd: 100, daily: 50 }, tactics: { promptCache: { prefixShare: 0.8 } } }));
  const env = { env: { LLMCOST_NOW: "2025-11-29T12:00:00Z" } };
  const budget = async (...args: string[]) => {
    const r = await cli(["budget", "--db", demo, "--config", config, "--spike", "3", "--format", "json", ...args], env);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return JSON.parse(r.stdout).filters as { spikeMinUsd: number; maxDaily: number };
  };
  assert.equal((await budget()).spikeMinUsd, 100, "no --spike-min: the config's");
  assert.equal((await budget("--spike-min", "1")).spikeMinUsd, 1, "--spike-min 1, the default, given: the flag's");
  assert.equal((await budget()).maxDaily, 50);
  assert.equal((await budget("--max-daily", "7")).maxDaily, 7);

  const prefixShare = async (...args: string[]) => {
    const r = await cli(["simulate", "--db", demo, "--config", config, "--prompt-cache", "--format", "json", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return [...r.stdout.matchAll(/"prefixShare": ([\d.]+)/g)].map((m) => Number(m[1]));
  };
  assert.deepEqual(await prefixShare(), [0.8], "no --prefix-share: the config's");
  assert.deepEqual(await prefixShare("--prefix-share", "0.5"), [0.5], "--prefix-share 0.5, the default, given: the flag's");
});
