import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, dump, golden, normalise, query, tmp, columnList } from "./helpers.js";

/**
 * Wrappers and variants of real exports (issue 13), stated against computed cost in reconcile, the bill as a report,
 * and Anthropic analytics' provisional buckets and list prices (issue 15). Each case checks a total computed by hand
 * from the raw file. Rates are USD per 1M tokens (pricing/*.json, Nov 2026):
 *   gpt-4o-mini        input 0.15, cached 0.075, output 0.60; priority 0.25 / 1.00
 *   gpt-4o             input 2.50, cached 1.25, output 10
 *   claude-haiku-4-5   input 1, cached 0.10, write 5m 1.25, output 5
 *   claude-sonnet-4-5  input 3, cached 0.30, output 15
 *   gemini-2.5-flash   input 0.30, cached 0.03, output 2.50
 * Amounts are in micro-dollars (µ$) = tokens × rate, unless written in dollars.
 */

const COLS = columnList([
  "source_format",
  "ts",
  "bucket_end",
  "provider",
  "model",
  "user_hash",
  "feature",
  "requests",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_5m_tokens",
  "output_tokens",
  "reasoning_tokens",
  "service_tier",
  "request_id",
  "reported_cost_usd",
  "cost_usd",
  "cost_source",
]);

async function ingest(files: string[], extra: string[] = [], db?: string) {
  const t = tmp();
  const path = db ?? join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", path, ...extra, ...files.map((f) => (f.includes("/") ? f : `fixtures/real/${f}`))]);
  return { t, db: path, r };
}

async function goldenCase(name: string, files: string[]): Promise<{ db: string; total: string | null; t: string }> {
  const { t, db, r } = await ingest(files);
  assert.equal(r.code, 0, r.stderr);
  const rows = await query(db, `SELECT ${COLS} FROM usage ORDER BY ts, model`);
  golden(`real/${name}.txt`, `exit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}--- usage\n${dump(rows)}`);
  const total = (await query(db, "SELECT sum(cost_usd)::VARCHAR AS s FROM usage"))[0]!.s as string | null;
  return { db, total, t };
}

test("a bare JSON list of OpenAI Usage API buckets (as the cookbook saves them) is read like a page", async () => {
  const { total } = await goldenCase("openai-usage-buckets", ["openai-usage-buckets.json"]);
  // gpt-4o-mini: (1,200,000 − 400,000) × 0.15 + 400,000 × 0.075 + 90,000 × 0.6 = 120,000 + 30,000 + 54,000 = 204,000
  // gpt-4o:      (500,000 − 100,000) × 2.5 + 100,000 × 1.25 + 20,000 × 10 = 1,000,000 + 125,000 + 200,000 = 1,325,000
  // total $1.529 (before: exit 2, unknown format)
  assert.equal(total, "1.529000000000");
});

test("a BOM before a JSON document or JSON Lines is skipped; model and service_tier inside a logged response; Gemini modelVersion", async () => {
  const { db, total } = await goldenCase("bom-requests", ["bom-requests.jsonl"]);
  // 1 flat, provider openai (input includes cached): 8000 × 0.15 + 2000 × 0.075 + 400 × 0.6 = 1200 + 150 + 240 = 1590
  // 2 response.model claude-sonnet-4-5 (excludes): 1000 × 3 + 3000 × 0.3 + 300 × 15 = 3000 + 900 + 4500 = 8400
  // 3 response.model gpt-4o-mini, response.service_tier priority: 4000 × 0.25 + 200 × 1 = 1200
  // 4 modelVersion gemini-2.5-flash: (2000 − 1000) × 0.3 + 1000 × 0.03 + (100 + 50 thoughts) × 2.5 = 300 + 30 + 375 = 705
  // total 11,895 µ$ (before: exit 2, "byte order mark (BOM) is not supported")
  assert.equal(total, "0.011895000000");
  assert.deepEqual(
    (await query(db, "SELECT service_tier FROM usage ORDER BY ts")).map((r) => r.service_tier),
    [null, "standard", "priority", null],
  );
  // A BOM before a JSON document (here the bucket list) reads the same; the fingerprint is the file's own bytes.
  const t = tmp();
  const bom = join(t, "buckets-bom.json");
  writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync("fixtures/real/openai-usage-buckets.json")]));
  const b = await ingest([bom]);
  assert.equal(b.r.code, 0, b.r.stderr);
  assert.deepEqual(await query(b.db, "SELECT sum(cost_usd)::VARCHAR AS s FROM usage"), [{ s: "1.529000000000" }]);
  assert.match((await cli(["ingest", "--db", b.db, bom])).stderr + (await cli(["ingest", "--db", b.db, bom])).stdout, /already ingested as #1/);
});

test("a bad line in a JSON Lines file with a BOM is named by its line", async () => {
  const t = tmp();
  const f = join(t, "bad.jsonl");
  writeFileSync(
    f,
    `\uFEFF${readFileSync("fixtures/real/bom-requests.jsonl", "utf8")
      .replace(/^\uFEFF/, "")
      .split("\n")
      .slice(0, 2)
      .join("\n")}\n{"timestamp":"2026-11-06T09:00:00Z","model":\n`,
  );
  const r = await ingest([f]);
  assert.equal(r.r.code, 2);
  assert.match(r.r.stderr, /bad\.jsonl:3: malformed JSON/);
});

test('LiteLLM {"data": […]} responses: spend-log rows, and daily spend rows whose api_requests is the request count', async () => {
  const { total } = await goldenCase("litellm-data", ["litellm-spend-logs-ui.json", "litellm-daily-spend.json"]);
  // spend logs (prompt_tokens include the cached ones):
  //   gpt-4o-mini 1500 × 0.15 + 500 × 0.075 + 100 × 0.6 = 225 + 37.5 + 60 = 322.5
  //   claude-haiku-4-5 (3000 − 1000) × 1 + 1000 × 0.1 + 200 × 5 = 2000 + 100 + 1000 = 3100
  // daily rows, one day's bucket each:
  //   gpt-4o-mini (1,200,000 − 200,000) × 0.15 + 200,000 × 0.075 + 80,000 × 0.6 = 150,000 + 15,000 + 48,000 = 213,000 (420 requests)
  //   claude-haiku-4-5 (500,000 − 100,000 − 50,000) × 1 + 100,000 × 0.1 + 50,000 × 1.25 + 20,000 × 5
  //     = 350,000 + 10,000 + 62,500 + 100,000 = 522,500 (95 requests)
  // total 3,422.5 + 735,500 = 738,922.5 µ$ (before: exit 2, "missing or unparseable timestamp")
  assert.equal(total, "0.738922500000");
});

test("the shorter OpenRouter activity CSV (no generation_id): prompt includes cached; a stated cost prices what llmcost cannot", async () => {
  const { db, total } = await goldenCase("openrouter-short", ["openrouter-short.csv"]);
  // openai/gpt-4o-mini (10000 − 4000) × 0.15 + 4000 × 0.075 + 500 × 0.6 = 900 + 300 + 300 = 1500
  // anthropic/claude-haiku-4.5 (3000 − 1000) × 1 + 1000 × 0.1 + 200 × 5 = 3100
  // meta-llama/llama-3.3-70b-instruct: no price, its cost_total 400 is used (cost_source reported)
  // total 5000 µ$ (before: exit 2, unknown format)
  assert.equal(total, "0.005000000000");
  assert.deepEqual(
    (await query(db, "SELECT cost_source FROM usage ORDER BY ts")).map((r) => r.cost_source),
    ["computed", "computed", "reported"],
  );
});

test("a forced --format on a file with none of that format's token fields is exit 2, never rows of zero tokens", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  // Before: 3 rows of zero tokens and no model, exit 0.
  const r = await cli(["ingest", "--db", db, "--format", "request-log-csv", "fixtures/real/openrouter-short.csv"]);
  assert.equal(r.code, 2);
  golden("real/forced-format.txt", `exit=${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);
  // Before: DuckDB's "Referenced column "created_at" not found in FROM clause!".
  const o = await cli(["ingest", "--db", db, "--format", "openrouter-csv", "fixtures/real/gateway.csv"]);
  assert.equal(o.code, 2);
  assert.match(
    o.stderr,
    /gateway\.csv: --format openrouter-csv: none of openrouter-csv's token fields \(tokens_prompt, tokens_completion, tokens_cached\) are in this file/,
  );
  assert.match(o.stderr, /hint: it looks like request-log-csv/);
  // Nothing was written: the database was never created.
  assert.throws(() => readFileSync(db));
  // A forced format with the file's token field but not its shape: the record is named by its position (not "null")
  // and the hint says what the file looks like.
  const c = await cli(["ingest", "--db", db, "--format", "anthropic-cost-json", "fixtures/demo/openai-costs.json"]);
  assert.equal(c.code, 2);
  assert.equal(
    c.stderr,
    "llmcost: fixtures/demo/openai-costs.json: record 1: missing or unparseable date\nhint: it looks like openai-costs-json; drop --format to detect the format, or see `llmcost formats`\n",
  );
  assert.throws(() => readFileSync(db));
  // A forced format the file does match still reads it.
  const ok = await cli(["ingest", "--db", db, "--format", "openrouter-csv", "fixtures/real/openrouter-short.csv"]);
  assert.equal(ok.code, 0, ok.stderr);
});

test("reconcile shows stated against computed cost per model and flags a difference over --tolerance", async () => {
  const { t, db } = await ingest(["stated-costs.jsonl"]);
  const r = await cli(["reconcile", "--db", db]);
  assert.equal(r.code, 0, r.stderr);
  golden("real/reconcile-stated.txt", `exit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}`);
  const j = JSON.parse((await cli(["reconcile", "--db", db, "--format", "json"])).stdout) as {
    stated: { model: string; statedUsd: number; computedUsd: number; diffPct: number; flagged: boolean }[];
  };
  // gemini-2.5-flash stated 2500 µ$ against 4000 × 0.3 + 200 × 2.5 = 1700 computed: +47.06%
  assert.deepEqual(
    j.stated.map((s) => [s.model, s.statedUsd, s.computedUsd, s.diffPct, s.flagged]),
    [
      ["claude-haiku-4-5-20251001", 0.0064, 0.0064, 0, false],
      ["gemini-2.5-flash", 0.0025, 0.0017, 47.06, true],
      ["gpt-4o-mini", 0.0021, 0.0021, 0, false],
    ],
  );
  const flagged = JSON.parse((await cli(["reconcile", "--db", db, "--flagged", "--format", "json"])).stdout) as { stated: { model: string }[] };
  assert.deepEqual(
    flagged.stated.map((s) => s.model),
    ["gemini-2.5-flash"],
  );
  const loose = JSON.parse((await cli(["reconcile", "--db", db, "--tolerance", "50", "--format", "json"])).stdout) as { stated: { flagged: boolean }[] };
  assert.equal(
    loose.stated.some((s) => s.flagged),
    false,
  );
  // The window applies: nothing before the log's day.
  assert.deepEqual(JSON.parse((await cli(["reconcile", "--db", db, "--until", "2026-11-01", "--format", "json"])).stdout).stated, []);
});

test("repriced on the fly (--pricing-as-of), a row without a price still falls back to its stated cost", async () => {
  const { db } = await ingest(["stated-costs.jsonl"]);
  const totals = async (...extra: string[]) => {
    const r = await cli(["report", "--db", db, "--pricing-as-of", "2026-11-03", "--format", "json", ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { pricingMode: string; totals: { costUsd: number; unpriced: { rows: number } } };
    return [j.pricingMode, j.totals.costUsd, j.totals.unpriced.rows];
  };
  // auto: 2100 + 4500 + 1900 + 1700 computed + mistral-medium-3's stated 4200 = 14,400 µ$ (before: 10,200 µ$ and 1 unpriced row)
  assert.deepEqual(await totals(), ["repriced", 0.0144, 0]);
  assert.deepEqual(await totals("--cost-mode", "computed"), ["repriced", 0.0102, 1]);
  // reported: the stated costs, never repriced: 2100 + 4500 + 1900 + 4200 + 2500 = 15,200 µ$
  assert.deepEqual(await totals("--cost-mode", "reported"), ["stored", 0.0152, 0]);
});

test("the bill is reportable: with only cost exports, report says so and reports them; --source billing by line item, project, month…", async () => {
  const { t, db, r } = await ingest(["openai-costs-2d.json", "anthropic-analytics-cost-provisional.json"]);
  assert.equal(r.code, 0, r.stderr);
  // OpenAI: 1.20 + 0.80 + 2.50 + 4.00 = $8.50; Anthropic (cents): (45.0 + 67.5 + 30.25) / 100 = $1.4275
  // total $9.9275 (before: `report` printed $0.00, "no usage in this window")
  // The default report (--by feature) allocates the bill to features: with no request logs, all of it is unattributed.
  const plain = await cli(["report", "--db", db]);
  assert.equal(plain.code, 0, plain.stderr);
  golden("real/bill-default.txt", `exit=${plain.code}\n--- stdout\n${normalise(plain.stdout, t)}--- stderr\n${normalise(plain.stderr, t)}`);
  const byDay = await cli(["report", "--db", db, "--by", "day"]);
  assert.equal(byDay.code, 0, byDay.stderr);
  golden("real/bill-by-day.txt", `exit=${byDay.code}\n--- stdout\n${normalise(byDay.stdout, t)}--- stderr\n${normalise(byDay.stderr, t)}`);
  const j = async (by: string, ...extra: string[]) => {
    const x = await cli(["report", "--db", db, "--source", "billing", "--by", by, "--format", "json", ...extra]);
    assert.equal(x.code, 0, x.stderr);
    return JSON.parse(x.stdout) as {
      basis: string;
      totals: { costUsd: number; provisional?: { rows: number; costUsd: number } };
      rows: { key: Record<string, string>; costUsd: number; provisional?: unknown }[];
    };
  };
  const keyed = async (by: string, ...extra: string[]) => (await j(by, ...extra)).rows.map((x) => [x.key[by], x.costUsd]);
  assert.equal((await j("provider")).basis, "cost exports");
  assert.equal((await j("provider")).totals.costUsd, 9.9275);
  assert.deepEqual(await keyed("provider"), [
    ["openai", 8.5],
    ["anthropic", 1.4275],
  ]);
  // claude-sonnet-4-5: 0.45 + 0.675 + 0.3025 = 1.4275; gpt-4o: 2.50 + 4.00 = 6.50; gpt-4o-mini: 1.20 + 0.80 = 2.00
  assert.deepEqual(await keyed("model"), [
    ["gpt-4o-2024-08-06", 6.5],
    ["gpt-4o-mini-2024-07-18", 2],
    ["claude-sonnet-4-5-20250929", 1.4275],
  ]);
  assert.deepEqual(await keyed("line_item"), [
    ["gpt-4o-2024-08-06, output", 4],
    ["gpt-4o-2024-08-06, input", 2.5],
    ["gpt-4o-mini-2024-07-18, input", 1.2],
    ["tokens output_tokens", 0.9775],
    ["gpt-4o-mini-2024-07-18, output", 0.8],
    ["tokens uncached_input_tokens", 0.45],
  ]);
  assert.deepEqual(await keyed("project"), [
    ["proj_review", 6.5],
    ["proj_search", 2],
    ["(none)", 1.4275],
  ]);
  assert.deepEqual(await keyed("workspace"), [
    ["(none)", 8.5],
    ["wrkspc_01JxQ7n2", 1.4275],
  ]);
  assert.deepEqual(await keyed("api_key"), [["(none)", 9.9275]]);
  assert.deepEqual(await keyed("month"), [["2026-11", 9.9275]]);
  // 2026-11-20: 1.20 + 0.80 + 2.50 + 0.45 + 0.675 = 5.625; 2026-11-21: 4.00 + 0.3025 = 4.3025
  assert.deepEqual(await keyed("day"), [
    ["2026-11-20", 5.625],
    ["2026-11-21", 4.3025],
  ]);
  assert.deepEqual(await keyed("week"), [["2026-11-16", 9.9275]]);
  assert.deepEqual(
    (await keyed("line_item", "--where", "provider=anthropic")).map((x) => x[1]),
    [0.9775, 0.45],
  );
  // The 2026-11-21 Anthropic bucket ends after data_refreshed_at (06:00): provisional, and said.
  assert.deepEqual((await j("day")).totals.provisional, { rows: 1, costUsd: 0.3025 });
  assert.deepEqual(
    (await j("day")).rows.map((x) => x.provisional ?? null),
    [null, { rows: 1, costUsd: 0.3025 }],
  );
  // Dimensions a bill does not have are refused, never an empty report.
  const u = await cli(["report", "--db", db, "--source", "billing", "--by", "user"]);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /cost exports have no user/);
  assert.equal((await cli(["report", "--db", db, "--source", "requests", "--by", "line_item"])).code, 2);
});

test("Anthropic analytics: list_amount is stored beside amount; provisional usage buckets are marked in reports", async () => {
  const { db } = await ingest(["anthropic-analytics-cost-provisional.json", "fixtures/formats/anthropic-analytics-usage.json"]);
  // amount and list_amount are cents: 45.0 → $0.45 (list 50.0 → $0.50), 67.5 → $0.675 (75.0), 30.25 → $0.3025 (33.6111 → $0.336111)
  assert.deepEqual(
    await query(
      db,
      "SELECT strftime(ts, '%Y-%m-%d') AS day, token_type, amount_usd::VARCHAR AS a, list_amount_usd::VARCHAR AS l, status FROM billed_cost ORDER BY ts, token_type",
    ),
    [
      { day: "2026-11-20", token_type: "output_tokens", a: "0.675000000000", l: "0.750000000000", status: null },
      { day: "2026-11-20", token_type: "uncached_input_tokens", a: "0.450000000000", l: "0.500000000000", status: null },
      { day: "2026-11-21", token_type: "output_tokens", a: "0.302500000000", l: "0.336111000000", status: "provisional" },
    ],
  );
  const r = await cli(["report", "--db", db, "--by", "day"]);
  assert.equal(r.code, 0, r.stderr);
  // usage exports (priced by llmcost): 2026-11-21 sonnet 2100 × 3 + 640 × 15 = 6300 + 9600 = 15,900 µ$, after the
  // page's data_refreshed_at (2026-11-21T04:00): provisional
  assert.match(r.stdout, /2026-11-21 │ +9 │ +2,100 │ +0 │ +0 │ +640 │ \$0\.0159 \* │/);
  assert.match(r.stdout, /\* provisional: 1 row\(s\), \$0\.0159, are from buckets that end after their export's data_refreshed_at/);
  assert.match(r.stderr, /^note: provisional: 1 row\(s\), \$0\.0159/m);
  const j = JSON.parse((await cli(["report", "--db", db, "--by", "day", "--format", "json"])).stdout) as { basis: string; totals: { provisional: unknown } };
  assert.equal(j.basis, "usage exports");
  assert.deepEqual(j.totals.provisional, { rows: 1, costUsd: 0.0159 });
});
