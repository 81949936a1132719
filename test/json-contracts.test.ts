import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import Ajv2020 from "ajv/dist/2020.js";
import type { z } from "zod";
import { render, SCHEMA_DIR, SCHEMAS } from "../scripts/make-schemas.js";
import { CONTRACTS, type ContractName } from "../src/schemas/index.js";
import { Db } from "../src/store/db.js";
import { cli, type CliResult, demoDatabase, ROOT, tmp } from "./helpers.js";

/**
 * Every command's `--format json` (ingest: `--output json`) against its zod contract (strict: a key the contract does
 * not list fails) and against the shipped JSON Schema, on the demo database and on fixtures that reach the edges:
 * an empty database, unpriced rows, a failing budget, a bill, stated costs, provisional buckets.
 */

let dir = "";
let demo = "";
let billing = "";
let stated = "";
let provisional = "";
let empty = "";
before(async () => {
  ({ dir, db: demo } = await demoDatabase());
  const ingest = async (db: string, ...files: string[]) => {
    const r = await cli(["ingest", "--db", db, ...files]);
    assert.equal(r.code, 0, r.stderr);
  };
  billing = join(dir, "billing.duckdb");
  await ingest(
    billing,
    ...["openai-usage.csv", "openai-cost-v1.csv", "requests-openai.jsonl", "anthropic-cost.csv", "anthropic-tokens.csv"].map((f) => `fixtures/formats/${f}`),
  );
  stated = join(dir, "stated.duckdb");
  await ingest(stated, "fixtures/real/stated-costs.jsonl");
  provisional = join(dir, "provisional.duckdb");
  await ingest(provisional, "fixtures/real/anthropic-analytics-cost-provisional.json");
  // An empty database: created and migrated, no ingest.
  empty = join(dir, "empty.duckdb");
  (await Db.open(empty, { readOnly: false })).close();
});

const ajv = new Ajv2020.default({ strict: false, allErrors: true });
const shipped = new Map<string, ReturnType<typeof ajv.compile>>();
function shippedValidator(name: ContractName) {
  const known = shipped.get(name);
  if (known) return known;
  const v = ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), "utf8")));
  shipped.set(name, v);
  return v;
}

/** Display strings where numbers belong: "$41.46", "-$6.49", "86.0%", "14,560", "—". */
const DISPLAY = /^(-?\$[\d,]+(\.\d+)?|[+-]?\d+(\.\d+)?%|\d{1,3}(,\d{3})+|—)$/;
function displayStrings(v: unknown, path = "$"): string[] {
  if (typeof v === "string") return DISPLAY.test(v) ? [`${path} = ${JSON.stringify(v)}`] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => displayStrings(x, `${path}[${i}]`));
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => displayStrings(x, `${path}.${k}`));
  return [];
}

/** Parses stdout (nothing but one JSON document), checks it with the zod contract and the shipped schema; returns it. */
function check<N extends ContractName>(name: N, r: CliResult, code = 0): z.infer<(typeof CONTRACTS)[N]["schema"]> {
  assert.equal(r.code, code, `${name}: exit ${r.code}: ${r.stderr}`);
  let doc: unknown;
  assert.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `${name}: stdout is not one JSON document:\n${r.stdout.slice(0, 300)}`);
  const parsed = CONTRACTS[name].schema.safeParse(doc);
  assert.ok(parsed.success, `${name}: ${parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const validate = shippedValidator(name);
  assert.ok(validate(doc), `${name}: the shipped ${name}.schema.json rejects it: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  assert.deepEqual(displayStrings(doc), [], `${name}: display strings instead of numbers`);
  return parsed.data as z.infer<(typeof CONTRACTS)[N]["schema"]>;
}

const run = (args: string[], env?: Record<string, string>) => cli(args, env ? { env } : {});
// The demo's traffic ends 2025-11-28: a budget run the next day sees fresh data.
const FRESH = { LLMCOST_NOW: "2025-11-29T12:00:00Z" };

test("every shipped schema file is generated from its zod contract (run `npm run schemas` after changing one)", async () => {
  const files = readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith(".schema.json"))
    .sort();
  assert.deepEqual(files, Object.keys(SCHEMAS).sort(), "one schema file per contract, none left over");
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    assert.equal(readFileSync(join(SCHEMA_DIR, file), "utf8"), render(schema), `${file} is stale: run npm run schemas`);
  }
  for (const name of Object.keys(CONTRACTS)) assert.ok(Object.hasOwn(SCHEMAS, `${name}.schema.json`));
});

test("the schema files are in the npm package", async () => {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
  for (const f of Object.keys(SCHEMAS)) assert.ok(files.has(`src/schemas/${f}`), `src/schemas/${f} is not packed`);
});

test("the contracts are strict: an unlisted key, a string amount or a missing envelope field fails", async () => {
  const r = await run(["savings", "--db", demo, "--format", "json"]);
  const good = JSON.parse(r.stdout);
  const validate = shippedValidator("savings");
  for (const bad of [
    { ...good, extra: 1 },
    { ...good, baselineMonthlyUsd: "$98.75" },
    { ...good, opportunities: [{ ...good.opportunities[0], shareOfFeature: "86.0%" }] },
    { ...good, filters: { ...good.filters, top: 3 } },
    (({ schemaVersion: _, ...rest }) => rest)(good),
    { ...good, schemaVersion: 2 },
  ]) {
    assert.equal(CONTRACTS.savings.schema.safeParse(bad).success, false, JSON.stringify(bad).slice(0, 200));
    assert.equal(validate(bad), false, "the shipped schema rejects it too");
  }
});

test("report: demo, two dimensions, time series, --where, unpriced rows, the bill, provisional buckets, an empty database", async () => {
  for (const args of [
    ["--by", "feature"],
    ["--by", "feature,model"],
    ["--by", "day,model", "--chart", "--top", "3"],
    ["--by", "user", "--since", "2025-11-10"],
    ["--by", "model", "--where", "model=gpt-4o"],
  ]) {
    check("report", await run(["report", "--db", demo, ...args, "--format", "json"]));
  }
  const j = check("report", await run(["report", "--db", demo, "--by", "feature", "--format", "json"]));
  assert.equal(j.totals.unpriced.requests, 163, "the demo's fine-tuned model is unpriced, counted");
  const legal = j.rows.find((x) => x.key.feature === "legal-drafts")!;
  assert.deepEqual([legal.costUsd, legal.unpriced.models], [0, ["ft:gpt-4o-mini-2024-07-18:acme::legal01"]]);
  const bill = check("report", await run(["report", "--db", billing, "--source", "billing", "--by", "feature", "--format", "json"]));
  assert.equal(bill.source, "billing");
  check("report", await run(["report", "--db", billing, "--source", "billing", "--by", "provider,model", "--format", "json"]));
  check("report", await run(["report", "--db", billing, "--by", "day,provider", "--chart", "--format", "json"]));
  const p = check("report", await run(["report", "--db", provisional, "--source", "billing", "--by", "model", "--format", "json"]));
  assert.ok(p.totals.provisional && p.totals.provisional.rows > 0, "the provisional keys are exercised");
  const none = check("report", await run(["report", "--db", empty, "--format", "json"]));
  assert.deepEqual([none.rows, none.totals.costUsd], [[], 0]);
  // Nothing loaded: said as such (not "no usage in this window"), labelled as request logs, not provider exports.
  assert.deepEqual(
    [none.headline.text, none.source, none.basis],
    ["no usage loaded yet: the database holds none (llmcost ingest FILES loads request logs or provider exports)", "requests", "request logs"],
  );
  const text = await run(["report", "--db", empty]);
  assert.equal(text.stdout.split("\n").filter((l) => l.startsWith("no usage")).length, 1, text.stdout);
  check("report", await run(["report", "--db", empty, "--by", "day", "--format", "json"]));
});

test("simulate and savings: every tactic, --monthly, --self-host, a scope; an empty database prints no JSON", async () => {
  const all = ["--cache", "exact", "--route", "mini", "--batch", "auto", "--prompt-cache", "--prune", "0.3", "--output-cap", "500"];
  const j = check("simulate", await run(["simulate", "--db", demo, ...all, "--monthly", "--self-host", "2.50:1500", "--format", "json"]));
  assert.equal(j.unpricedRequests, 163);
  assert.ok(j.monthly !== null && j.selfHost !== null);
  check("simulate", await run(["simulate", "--db", demo, "--cache", "semantic", "--feature", "chat", "--since", "2025-11-10", "--format", "json"]));
  check("simulate", await run(["simulate", "--db", stated, "--route", "mini", "--format", "json"]));
  check("savings", await run(["savings", "--db", demo, "--format", "json"]));
  check("savings", await run(["savings", "--db", stated, "--format", "json"]));
  for (const cmd of [["simulate", "--cache", "exact"], ["savings"]]) {
    const r = await run([...cmd, "--db", empty, "--format", "json"]);
    assert.deepEqual([r.code, r.stdout], [2, ""], "an error prints nothing on stdout");
  }
});

test("budget: passing, failing (exit 1, JSON still printed), every kind of check, a plan", async () => {
  const planFile = join(dir, "plan.json");
  writeFileSync(
    planFile,
    JSON.stringify({
      changes: [
        { feature: "summarize-articles", to: "gpt-4o-mini" },
        { feature: "nightly-digest", batch: true },
      ],
    }),
  );
  const pass = check("budget", await run(["budget", "--db", demo, "--max-daily", "10", "--max-monthly", "200", "--format", "json"], FRESH));
  assert.equal(pass.passed, true);
  const fail = check(
    "budget",
    await run(
      [
        "budget",
        "--db",
        demo,
        "--max-daily",
        "3",
        "--max-monthly",
        "$95",
        "--model-max",
        "o3-2025-04-16=0.5/day",
        "--feature-max",
        "chat=1/month",
        "--fail-on-unpriced",
        "1",
        "--spike",
        "1.5",
        "--spike-min",
        "0.01",
        "--max-age",
        "1w",
        "--plan",
        planFile,
        "--max-increase",
        "0",
        "--format",
        "json",
      ],
      FRESH,
    ),
    1,
  );
  assert.equal(fail.passed, false);
  assert.deepEqual([...new Set(fail.checks.map((c) => c.kind))].sort(), [
    "daily",
    "feature",
    "freshness",
    "model",
    "month-to-date",
    "plan",
    "projected-month",
    "spike",
    "unpriced",
  ]);
  // Actual and limit are numbers in the check's unit, never "12h", "1w" or "0.5/day".
  const by = (kind: string) => fail.checks.find((c) => c.kind === kind)!;
  assert.deepEqual([by("freshness").actual, by("freshness").limit, by("freshness").unit], [12.13, 168, "hours"]);
  assert.deepEqual([by("model").actual, by("model").limit, by("model").unit], [0.630564, 0.5, "usd/day"]);
  assert.deepEqual([by("unpriced").actual, by("unpriced").limit, by("unpriced").unit], [1.53, 1, "percent"]);
  assert.deepEqual([by("daily").limit, by("month-to-date").limit, by("feature").unit], [3, 95, "usd/month"]);
  assert.deepEqual(
    [fail.filters.maxMonthly, fail.filters.modelCaps, fail.filters.maxAge],
    [95, [{ name: "o3-2025-04-16", cap: { usd: 0.5, period: "day" } }], { text: "1w", hours: 168 }],
  );
  assert.equal(fail.plan.length, 2);
  check("budget", await run(["budget", "--db", billing, "--max-daily", "100", "--format", "json"], { LLMCOST_NOW: "2025-10-08T12:00:00Z" }), 1);
  const r = await run(["budget", "--db", empty, "--max-daily", "1", "--format", "json"]);
  assert.deepEqual([r.code, r.stdout], [2, ""]);
});

test("reconcile: a bill against usage exports and logs, --flagged, stated costs, no bill, an empty database", async () => {
  const j = check("reconcile", await run(["reconcile", "--db", billing, "--format", "json"]));
  assert.ok(j.rows.some((x) => x.flagged) && j.providers.length > 0);
  const flagged = check("reconcile", await run(["reconcile", "--db", billing, "--flagged", "--format", "json"]));
  assert.ok(flagged.rows.every((x) => x.flagged));
  assert.ok(check("reconcile", await run(["reconcile", "--db", stated, "--format", "json"])).stated.length > 0);
  check("reconcile", await run(["reconcile", "--db", demo, "--since", "2025-11-10", "--format", "json"]));
  assert.deepEqual(check("reconcile", await run(["reconcile", "--db", empty, "--format", "json"])).rows, []);
});

test("pricing list, show, check (unpriced: exit 1; stated; no database) and coverage", async () => {
  const list = check("pricing-list", await run(["pricing", "list", "--format", "json"]));
  assert.ok(list.models.length > 100);
  const anthropic = check("pricing-list", await run(["pricing", "list", "--provider", "anthropic", "--format", "json"]));
  assert.deepEqual([anthropic.filters.provider, [...new Set(anthropic.models.map((m) => m.provider))]], ["anthropic", ["anthropic"]]);
  for (const m of ["gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro", "dall-e-3", "whisper-1"])
    check("pricing-show", await run(["pricing", "show", m, "--format", "json"]));
  const unpriced = check("pricing-check", await run(["pricing", "check", "--db", demo, "--format", "json"]), 1);
  assert.deepEqual(
    unpriced.unpriced.map((u) => [u.model, u.rows]),
    [["ft:gpt-4o-mini-2024-07-18:acme::legal01", 163]],
  );
  const st = check("pricing-check", await run(["pricing", "check", "--db", stated, "--tolerance", "1", "--format", "json"]), 1);
  assert.ok(st.stated.length > 0 && st.filters.tolerancePct === 1);
  check("pricing-check", await run(["pricing", "check", "--db", billing, "--format", "json"]), 1);
  check("pricing-check", await run(["pricing", "check", "--db", empty, "--format", "json"]));
  const missing = check("pricing-check", await run(["pricing", "check", "--db", join(dir, "none.duckdb"), "--format", "json"]));
  assert.deepEqual([missing.unpriced, missing.stated], [[], []], "no database: the same keys, empty");
  const cov = check("pricing-coverage", await run(["pricing", "coverage", "--format", "json"]));
  assert.equal(cov.counts.names, cov.names.length);
  const names = join(dir, "names.txt");
  writeFileSync(names, "gpt-4o\nclaude-sonnet-4-5\ngpt-99-imaginary\n");
  // An unpriced first-party name: exit 1, and the JSON says which.
  const plain = check("pricing-coverage", await run(["pricing", "coverage", names, "--format", "json"]), 1);
  assert.deepEqual([plain.modes, plain.names.map((n) => n.status)], [null, ["priced", "priced", "unpriced"]]);
});

test("formats, ingest (new, again, dry run, a cost export, a directory with notes, bad rows) and demo", async () => {
  const f = check("formats", await run(["formats", "--format", "json"]));
  assert.ok(f.formats.some((x) => x.name === "request-log-jsonl"));
  const db = join(tmp(), "i.duckdb");
  const first = check("ingest", await run(["ingest", "--db", db, "fixtures/demo/requests.jsonl", "--output", "json"]));
  assert.deepEqual(
    [first.files[0]!.status, first.files[0]!.rows, first.files[0]!.unpricedModels],
    ["ingested", 14560, ["ft:gpt-4o-mini-2024-07-18:acme::legal01"]],
  );
  assert.equal(check("ingest", await run(["ingest", "--db", db, "fixtures/demo/requests.jsonl", "--json"])).files[0]!.status, "already-ingested");
  const cost = check("ingest", await run(["ingest", "--db", db, "fixtures/formats/openai-cost-v1.csv", "--dry-run", "--output", "json"]));
  assert.equal(cost.filters.dryRun, true);
  assert.equal(typeof cost.files[0]!.billedUsd, "number", "a bill's total is a number");
  const data = join(tmp(), "exports");
  mkdirSync(data);
  writeFileSync(join(data, "README.md"), "# our exports\n");
  writeFileSync(join(data, "bad.jsonl"), `${readFileSync(join(ROOT, "fixtures/formats/requests-openai.jsonl"), "utf8").trimEnd()}\n{"timestamp": broken\n`);
  const dirRun = check("ingest", await run(["ingest", "--db", db, data, "--skip-bad-rows", "--output", "json"]));
  assert.deepEqual(dirRun.skippedFiles, [{ file: join(data, "README.md"), reason: "not a data file" }]);
  assert.equal(dirRun.files[0]!.badRows.length, 1);
  const d = check("demo", await run(["demo", "--format", "json"]));
  assert.deepEqual([d.command, d.report.command, d.savings.command], ["demo", "report", "savings"]);
});
