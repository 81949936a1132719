import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";
import { providerDisplayName } from "../src/export/focus.js";
import { LEAN_PROVIDERS } from "../src/store/schema.js";
import { FocusRules, FocusTable } from "./focus-rules.js";
import { FIXTURES, ROOT, cli, demoDatabase, golden, normalise, query, tmp, FULL_TIER } from "./helpers.js";

const REFERENCE = join(ROOT, "..", "shared", "reference", "focus");
const CHECKER = join(ROOT, "..", "shared", "tools", "focus-check.py");
let dir = "";
let demo = "";
let mixed = "";
let all = "";
let rules: FocusRules;

/** Every fixture that ingests as it is (two need their config; one is a deliberately bad log). */
const fixtureFiles = (): string[] =>
  ["formats", "real"].flatMap((d) =>
    readdirSync(join(FIXTURES, d))
      .filter((f) => !/^(cached-exceeds-input|custom-fields)/.test(f))
      .map((f) => `fixtures/${d}/${f}`),
  );

before(async () => {
  dir = tmp();
  ({ db: demo } = await demoDatabase());
  mixed = join(dir, "mixed.duckdb");
  all = join(dir, "all.duckdb");
  rules = new FocusRules(REFERENCE);
  // A cost export, a usage export and request logs of the same days (OpenAI 2025-10-05), plus an Anthropic bill.
  const files = ["openai-usage.csv", "openai-cost-v1.csv", "requests-openai.jsonl", "anthropic-cost.csv", "anthropic-tokens.csv"].map(
    (f) => `fixtures/formats/${f}`,
  );
  assert.equal((await cli(["ingest", "--db", mixed, ...files])).code, 0);
  const r = await cli(["ingest", "--db", all, ...fixtureFiles(), "fixtures/demo"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await cli(["ingest", "--db", all, "--config", "fixtures/real/custom-fields.config.json", "fixtures/real/custom-fields.jsonl"])).code, 0);
});

async function exportFocus(db: string, name: string, extra: string[] = []): Promise<{ file: string; stderr: string; table: FocusTable }> {
  const file = join(dir, name);
  const r = await cli(["export", "--db", db, "--focus", file, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  return { file, stderr: r.stderr, table: new FocusTable(readFileSync(file, "utf8")) };
}

function assertConforms(t: FocusTable, what: string): void {
  const results = rules.check(t);
  const failed = results.filter((r) => r.status === "fail");
  assert.deepEqual(
    failed.map((f) => `${f.id}: ${f.text} (${f.why})`),
    [],
    `${what}: FOCUS 1.2 rules fail`,
  );
  // Cannot pass vacuously: the presence, type, format, nullability and allowed-value rules of every column ran.
  assert.ok(results.length > 150, `${what}: only ${results.length} rules checked`);
  for (const col of ["BilledCost", "ListUnitPrice", "PricingUnit", "SkuPriceId", "BillingPeriodStart", "ServiceSubcategory", "ChargeFrequency"]) {
    assert.ok(
      results.some((r) => r.id.startsWith(`${col}-C-`)),
      `${what}: no rule of ${col} ran`,
    );
  }
}

test("the rule checker fails what FOCUS forbids (so a pass means something)", FULL_TIER, async () => {
  const { table } = await exportFocus(demo, "demo-for-mutation.csv");
  assert.ok(table.rows.length > 0);
  const fails = (col: string, to: string | null) =>
    rules
      .check(table.withFirstCell(col, to))
      .filter((r) => r.status === "fail")
      .map((r) => r.id);
  assert.deepEqual(fails("BilledCost", table.rows[0]![0]!), [], "the unchanged export passes");
  assert.ok(fails("PricingUnit", "1M tokens").includes("PricingUnit-C-003-O"), "1M tokens is not a FOCUS unit");
  assert.ok(
    fails("ListCost", "1.5").some((id) => id === "ListUnitPrice-C-010-C" || id === "ListCost-C-009-C"),
    "ListCost must be the product exactly",
  );
  assert.ok(fails("BilledCost", null).includes("BilledCost-C-003-M"), "BilledCost may not be null");
  assert.ok(fails("ChargeFrequency", "Daily").includes("ChargeFrequency-C-003-M"), "allowed values");
  assert.ok(fails("BillingPeriodStart", "2025-11-01").includes("BillingPeriodStart-C-002-M"), "date/time format");
  assert.ok(fails("Tags", '{"a":[1]}').includes("Tags-C-001-M"), "key-value format");
  assert.ok(fails("BillingCurrency", "XYZ").includes("BillingCurrency-C-006-M"), "ISO 4217");
  assert.ok(fails("SkuPriceDetails", "[]").includes("SkuPriceDetails-C-001-M"), "a JSON object");
});

test("export --focus on the demo: every FOCUS 1.2 rule for an LLM API provider passes; BilledCost = the report", async () => {
  const { file, stderr, table } = await exportFocus(demo, "demo.csv");
  assertConforms(table, "demo");
  assert.match(stderr, /^wrote 644 FOCUS 1\.2 row\(s\) to .*demo\.csv: BilledCost \$92\.16 = request log \$92\.16 \(84 day × provider groups\)\n/);
  assert.match(
    stderr,
    /warning: 56 row\(s\) are unpriced \(x_PricingStatus = unpriced; costs 0, never to be read as spend\): ft:gpt-4o-mini-2024-07-18:acme::legal01\n$/,
  );
  const report = JSON.parse((await cli(["report", "--db", demo, "--format", "json"])).stdout);
  const [sums] = await query(
    demo,
    `SELECT sum(BilledCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS billed, sum(ConsumedQuantity::DECIMAL(38,1))::BIGINT::VARCHAR AS tokens,
      count(DISTINCT SkuMeter)::INT AS meters, count(*) FILTER (WHERE ProviderName IN ('Unknown', 'Unidentified provider'))::INT AS unknown
    FROM read_csv('${file}', all_varchar = true)`,
  );
  const t = report.totals.tokens;
  // The report's exact total (the usage view's sum) and every token, once: input + cached + output (which holds reasoning).
  assert.deepEqual(sums, { billed: "92.162251050000", tokens: String(t.input + t.cachedInput + t.output), meters: 4, unknown: 0 });
});

test("unpriced usage: costs 0 flagged x_PricingStatus = unpriced (or empty cells on request), with the model's provider", async () => {
  const { file } = await exportFocus(demo, "demo-unpriced.csv");
  const rows = await query(
    demo,
    `SELECT DISTINCT BilledCost, ListCost, ListUnitPrice, ProviderName, PublisherName, x_PricingStatus, SkuMeter
    FROM read_csv('${file}', all_varchar = true) WHERE SkuId LIKE 'ft:%' ORDER BY SkuMeter`,
  );
  assert.deepEqual(
    rows,
    ["Input tokens", "Output tokens"].map((m) => ({
      BilledCost: "0.0",
      ListCost: "0.0",
      ListUnitPrice: "0.0",
      ProviderName: "OpenAI",
      PublisherName: "OpenAI",
      x_PricingStatus: "unpriced",
      SkuMeter: m,
    })),
  );
  const empty = await exportFocus(demo, "demo-empty.csv", ["--unpriced-cost", "empty"]);
  const e = await query(
    demo,
    `SELECT count(*)::INT AS n, count(BilledCost)::INT AS billed, count(ListUnitPrice)::INT AS unit, count(PricingQuantity)::INT AS qty
    FROM read_csv('${empty.file}', all_varchar = true) WHERE x_PricingStatus = 'unpriced'`,
  );
  assert.deepEqual(e, [{ n: 56, billed: 0, unit: 0, qty: 56 }]);
  assert.match(empty.stderr, /costs left empty \(not FOCUS-valid\)/);
});

test("billed usage of an unpriced model: BilledCost is the bill, list costs 0, and the warning says so (not 'costs 0')", async () => {
  const db = join(tmp(), "billed.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/demo"])).code, 0);
  const { file, stderr } = await exportFocus(db, "billed.csv");
  const [ft] = await query(
    db,
    `SELECT count(*)::INT AS n, sum(BilledCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS billed, sum(ListCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS list
    FROM read_csv('${file}', all_varchar = true) WHERE x_PricingStatus = 'billed-list-unpriced'`,
  );
  assert.deepEqual(ft, { n: 56, billed: "0.334432000000", list: "0.000000000000" });
  assert.match(
    stderr,
    /\nwarning: 56 row\(s\) of models without a price: 56 billed-list-unpriced \(BilledCost is the bill; ListCost and ContractedCost 0, no list price known\): ft:gpt-4o-mini-2024-07-18:acme::legal01\n$/,
  );
});

test("export --focus adds up to the bill: a cost export, a usage export and request logs of the same day count once (golden, hand-computed)", async () => {
  const { file, stderr, table } = await exportFocus(mixed, "mixed.csv");
  assertConforms(table, "mixed");
  golden("export/focus-mixed.csv", readFileSync(file, "utf8"));
  golden("export/focus-mixed.stderr", normalise(stderr, dir));
  const byDay = await query(
    mixed,
    `SELECT ChargePeriodStart[1:10] AS day, ProviderName AS provider, sum(BilledCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS billed,
      string_agg(DISTINCT x_Source, ',' ORDER BY x_Source) AS sources
    FROM read_csv('${file}', all_varchar = true) GROUP BY ALL ORDER BY 1, 2`,
  );
  // By hand (USD per 1M tokens: gpt-4o 2.5 / 1.25 cached / 10 output; Sonnet 4.5 3 / 0.3 / 3.75 5m / 6 1h / 15; Gemini
  // 2.5 Flash 0.3 / 2.5; gpt-5 1.25 / 0.125 / 10; gpt-4o-mini batch 0.075 / 0.3; Haiku 4.5 1 / 5):
  // - OpenAI 2025-10-05: the bill, 0.1336 + 0.0072 + 0.10646 = 0.24726 (the usage export of 53,440 + 5,760 cached input and
  //   10,646 output tokens, and the same request in the logs, are not added on top; o3, gpt-4o-mini and a fine-tune in
  //   the logs are on no bill line: BilledCost 0, not-billed / unpriced);
  // - Anthropic 2025-10-05, logs only: 2,048 × 3 + 1,800 × 0.3 + 148 × 3.75 + 100 × 6 + 503 × 15 = 15,384 µ$ = 0.015384;
  // - Google 2025-10-05: 55,021 × 0.3 + (923 + 785 reasoning) × 2.5 = 20,776.3 µ$ = 0.0207763;
  // - OpenAI 2025-10-06, usage export: 38,072 × 1.25 + 8,192 × 0.125 + 60,000 × 10 + 20,000 × 0.075 + 1,000 × 0.3 = 0.650414;
  // - Anthropic 2026-02-12: the bill, 0.07 + 0.75 + 1.16 + 2.40 = 4.38 (no usage that day: one charge per line);
  // - Anthropic 2026-03-31, usage export: Haiku 1,631,112 × 1 + 372,374 × 5 = 3.492982; Sonnet batch 100,000 × 1.5 +
  //   20,000 × 1.875 + 10,000 × 3 + 300,000 × 0.15 + 50,000 × 7.5 = 0.6375; Sonnet long context 250,000 × 6 + 1,000 × 22.5 = 1.5225.
  assert.deepEqual(byDay, [
    { day: "2025-10-05", provider: "Anthropic", billed: "0.015384000000", sources: "request log" },
    { day: "2025-10-05", provider: "Google", billed: "0.020776300000", sources: "request log" },
    { day: "2025-10-05", provider: "OpenAI", billed: "0.247260000000", sources: "cost export,request log" },
    { day: "2025-10-06", provider: "OpenAI", billed: "0.650414000000", sources: "usage export" },
    { day: "2026-02-12", provider: "Anthropic", billed: "4.380000000000", sources: "cost export" },
    { day: "2026-03-31", provider: "Anthropic", billed: "5.652982000000", sources: "usage export" },
  ]);
  const [total] = await query(mixed, `SELECT sum(BilledCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS billed FROM read_csv('${file}', all_varchar = true)`);
  assert.deepEqual(total, { billed: "10.966816300000" });
  // The bill allocated to features the way `report --source billing --by feature` does: all of OpenAI's line to summarize.
  const feat = await query(
    mixed,
    `SELECT x_Feature AS feature, sum(BilledCost::DECIMAL(38,24))::DECIMAL(38,12)::VARCHAR AS billed FROM read_csv('${file}', all_varchar = true)
    WHERE x_Source = 'cost export' GROUP BY 1 ORDER BY 1`,
  );
  assert.deepEqual(feat, [
    { feature: "(unattributed)", billed: "4.380000000000" },
    { feature: "summarize", billed: "0.247260000000" },
  ]);
  const report = JSON.parse((await cli(["report", "--db", mixed, "--source", "billing", "--by", "feature", "--format", "json"])).stdout);
  assert.deepEqual(report.rows.map((r: { key: { feature: string }; costUsd: number }) => [r.key.feature, r.costUsd]).sort(), [
    ["(unattributed)", 4.38],
    ["summarize", 0.24726],
  ]);
});

test("export --focus keeps each project's bill line as its SubAccountId: split over the features by cost, or matched to a usage export's project (hand-computed)", async () => {
  const d = tmp();
  const db = join(d, "projects.duckdb");
  const head = "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,organization_id,organization_name";
  const day5 = "1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00";
  const day6 = "1759708800,1759795200,2025-10-06T00:00:00+00:00,2025-10-07T00:00:00+00:00";
  const bill = (day: string, usd: string, item: string, project: string) =>
    `${day},${usd},usd,"gpt-4o-2024-08-06, ${item}",${project},org-Hp9mSGev2sVmtMeF2wrnSeOV,Personal`;
  writeFileSync(
    join(d, "cost.csv"),
    `${[
      head,
      bill(day5, "0.6000000000000000", "input", "proj_A"),
      bill(day5, "0.4000000000000000", "input", "proj_B"),
      bill(day5, "0.3000000000000000", "output", "proj_A"),
      bill(day6, "0.3000000000000000", "input", "proj_A"),
      bill(day6, "0.2000000000000000", "input", "proj_B"),
      bill(day6, "0.1000000000000000", "input", ""),
    ].join("\n")}\n`,
  );
  // 2025-10-05: request logs of two features, which name no project.
  const req = (id: string, tag: string, prompt: number, completion: number) =>
    JSON.stringify({
      timestamp: "2025-10-05T09:00:00Z",
      model: "gpt-4o-2024-08-06",
      safety_identifier: tag,
      request_id: id,
      usage: { prompt_tokens: prompt, completion_tokens: completion },
    });
  writeFileSync(
    join(d, "requests.jsonl"),
    `${[req("r1", "a1b2c3d4e5f6:summarize", 100_000, 10_000), req("r2", "a1b2c3d4e5f6:search", 300_000, 20_000)].join("\n")}\n`,
  );
  // 2025-10-06: a usage export, per project.
  const usage = readFileSync(join(FIXTURES, "formats", "openai-usage.csv"), "utf8").split("\n")[0];
  const use = (project: string, input: string) =>
    `${day6},${project},4.0,,,gpt-4o-2024-08-06,FALSE,default,${input},0.0,0.0,${input},${input},0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0`;
  writeFileSync(join(d, "usage.csv"), `${[usage, use("proj_A", "100000.0"), use("proj_B", "50000.0"), use("proj_X", "20000.0")].join("\n")}\n`);
  const ing = await cli(["ingest", "--db", db, join(d, "cost.csv"), join(d, "requests.jsonl"), join(d, "usage.csv")]);
  assert.equal(ing.code, 0, ing.stderr);
  const { file, table } = await exportFocus(db, "projects.csv");
  assertConforms(table, "projects");
  const rows = await query(
    db,
    `SELECT ChargePeriodStart[1:10] AS day, x_Feature AS feature, SubAccountId AS project, SkuMeter AS meter, BilledCost AS billed, ListCost AS list,
      ConsumedQuantity AS qty FROM read_csv('${file}', all_varchar = true) ORDER BY 1, 2, 4, 3`,
  );
  // By hand (gpt-4o: 2.5 input, 10 output USD per 1M). 2025-10-05: the input parts cost 0.25 (summarize, 100,000) and
  // 0.75 (search, 300,000), 1:3. proj_A's input line $0.60 gives 0.15 and 0.45, proj_B's $0.40 gives 0.10 and 0.30;
  // each part's tokens follow its dollars: summarize 100,000 × 0.15 / 0.25 = 60,000 to proj_A, 40,000 to proj_B;
  // search 300,000 × 0.45 / 0.75 = 180,000 and 120,000. ListCost = tokens × 2.5 / 1M. The output line is proj_A's
  // alone: 0.10 and 0.20 by cost (10,000 and 20,000 tokens). 2025-10-06: each project's usage-export line meets its
  // own project's bill line: $0.30 and $0.20 (not the $0.50 spread 2:1 by cost); proj_X, which the bill does not
  // name, takes only the line of no project ($0.10), never another project's.
  assert.deepEqual(rows, [
    { day: "2025-10-05", feature: "search", project: "proj_A", meter: "Input tokens", billed: "0.45", list: "0.45", qty: "180000.0" },
    { day: "2025-10-05", feature: "search", project: "proj_B", meter: "Input tokens", billed: "0.3", list: "0.3", qty: "120000.0" },
    { day: "2025-10-05", feature: "search", project: "proj_A", meter: "Output tokens", billed: "0.2", list: "0.2", qty: "20000.0" },
    { day: "2025-10-05", feature: "summarize", project: "proj_A", meter: "Input tokens", billed: "0.15", list: "0.15", qty: "60000.0" },
    { day: "2025-10-05", feature: "summarize", project: "proj_B", meter: "Input tokens", billed: "0.1", list: "0.1", qty: "40000.0" },
    { day: "2025-10-05", feature: "summarize", project: "proj_A", meter: "Output tokens", billed: "0.1", list: "0.1", qty: "10000.0" },
    { day: "2025-10-06", feature: "(unattributed)", project: "proj_A", meter: "Input tokens", billed: "0.3", list: "0.25", qty: "100000.0" },
    { day: "2025-10-06", feature: "(unattributed)", project: "proj_B", meter: "Input tokens", billed: "0.2", list: "0.125", qty: "50000.0" },
    { day: "2025-10-06", feature: "(unattributed)", project: "proj_X", meter: "Input tokens", billed: "0.1", list: "0.05", qty: "20000.0" },
  ]);
  // The bill's projects as `report --source billing --by project` has them (the line of no project is proj_X's usage).
  const report = JSON.parse((await cli(["report", "--db", db, "--source", "billing", "--by", "project", "--format", "json"])).stdout);
  assert.deepEqual(report.rows.map((r: { key: { project: string }; costUsd: number }) => [r.key.project, r.costUsd]).sort(), [
    ["(none)", 0.1],
    ["proj_A", 1.2],
    ["proj_B", 0.6],
  ]);
});

test("every fixture that ingests: the export passes every FOCUS 1.2 rule, and never names a known provider Unknown", async () => {
  const { file, table } = await exportFocus(all, "all.csv");
  assertConforms(table, "all fixtures");
  const rows = await query(
    all,
    `SELECT DISTINCT ProviderName, SkuId FROM read_csv('${file}', all_varchar = true) WHERE ProviderName NOT IN
    ('OpenAI', 'Anthropic', 'Google', 'Mistral AI', 'Amazon Web Services', 'Amazon', 'OpenRouter', 'Meta') ORDER BY 2`,
  );
  // Only models no price table knows and no source names a provider for.
  assert.deepEqual(rows, [
    { ProviderName: "Unidentified provider", SkuId: "acme-internal-7b" },
    { ProviderName: "Unidentified provider", SkuId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/k7x2m9q4w1ez" },
    { ProviderName: "Unidentified provider", SkuId: "llama-3.3-70b-versatile" },
    { ProviderName: "Unidentified provider", SkuId: "meta-llama/llama-3.3-70b-instruct" },
  ]);
});

test("--focus-version 1.3 adds its columns and keeps the deprecated ProviderName and PublisherName; --focus - writes to stdout", async () => {
  const { table } = await exportFocus(mixed, "mixed13.csv", ["--focus-version", "1.3"]);
  for (const c of [
    "ServiceProviderName",
    "HostProviderName",
    "AllocatedMethodId",
    "AllocatedMethodDetails",
    "AllocatedResourceId",
    "AllocatedResourceName",
    "AllocatedTags",
    "ContractApplied",
    "ProviderName",
    "PublisherName",
  ]) {
    assert.ok(table.has(c), c);
  }
  const allocated = table.rows.filter((r) => table.get(r, "AllocatedMethodId") !== null);
  assert.ok(allocated.length > 0 && allocated.every((r) => table.get(r, "x_Source") === "cost export" || table.get(r, "x_AllocationBasis") !== null));
  assert.ok(table.rows.every((r) => table.get(r, "ServiceProviderName") === table.get(r, "ProviderName")));
  const out = await cli(["export", "--db", mixed, "--focus", "-"]);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, readFileSync(join(dir, "mixed.csv"), "utf8"));
  assert.match(out.stderr, /^wrote 37 FOCUS 1\.2 row\(s\) to stdout/);
  const named = (await exportFocus(mixed, "named.csv", ["--billing-account", "acme's org"])).table;
  assert.ok(named.rows.every((r) => named.get(r, "BillingAccountId") === "acme's org" && named.get(r, "BillingAccountName") === "acme's org"));
  const bad = await cli(["export", "--db", mixed, "--focus", "x.csv", "--focus-version", "2.0"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--focus-version/);
});

test("export --focus: ContractedUnitPrice applies negotiated discounts, ListUnitPrice does not", async () => {
  const pricing = join(dir, "discount.json");
  writeFileSync(pricing, JSON.stringify({ discounts: [{ provider: "openai", percent: 10 }] }));
  const { file, table } = await exportFocus(demo, "demo-discount.csv", ["--pricing", pricing]);
  assertConforms(table, "discount");
  const rows = await query(
    demo,
    `SELECT sum(EffectiveCost::DECIMAL(38,24)) < sum(ListCost::DECIMAL(38,24)) AS cheaper,
      bool_and(ContractedUnitPrice::DECIMAL(38,18) = ListUnitPrice::DECIMAL(38,18) * 0.9) AS ninety
    FROM read_csv('${file}', all_varchar = true) WHERE ProviderName = 'OpenAI' AND x_PricingStatus = 'priced'`,
  );
  assert.deepEqual(rows, [{ cheaper: true, ninety: true }]);
});

test("focus-check.py (the shared FOCUS checker) reports no failing rule on the demo and on every fixture", (t) => {
  if (spawnSync("python3", ["--version"]).status !== 0) {
    t.skip("python3 is not installed: the TypeScript rule check above still ran");
    return;
  }
  for (const name of ["demo.csv", "all.csv", "mixed.csv"]) {
    const r = spawnSync("python3", [CHECKER, join(dir, name)], { encoding: "utf8" });
    assert.equal(
      r.status,
      0,
      `${name}: ${r.stdout
        .split("\n")
        .filter((l) => /FAIL|fail/.test(l))
        .join("\n")}`,
    );
    assert.match(r.stdout, /FOCUS 1\.2: \d+ of \d+ applicable rules pass \(0 fail\)/);
  }
});

test("every provider a request row can name has a FOCUS ProviderName of its own (never a lower-case key or Unknown)", () => {
  for (const p of LEAN_PROVIDERS) assert.notEqual(providerDisplayName(p), p, p);
  assert.equal(providerDisplayName("bedrock"), "Amazon Web Services");
  assert.equal(providerDisplayName("acme"), "acme");
});
