import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checksum, cli, dump, golden, normalise, query, tmp, columnList } from "./helpers.js";

/**
 * Real-world exports and logs (issue 13): each case ingests a fixture written like the real thing and checks the
 * total against one computed by hand from the raw file. Rates are USD per 1M tokens (pricing/*.json, Nov 2026):
 *   gpt-4o-mini        input 0.15, cached 0.075, output 0.60
 *   claude-haiku-4-5   input 1, cached 0.10, write 5m 1.25, write 1h 2, output 5
 *   claude-sonnet-4-5  input 3, cached 0.30, write 5m 3.75, write 1h 6, output 15
 *   gemini-2.5-flash   input 0.30, cached 0.03 (from 2025-10-25), output 2.50
 * Amounts below are in micro-dollars (µ$) = tokens × rate.
 */

const COLS = columnList([
  "source_format",
  "ts",
  "provider",
  "model",
  "user_hash",
  "feature",
  "requests",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "service_tier",
  "request_id",
  "reported_cost_usd",
  "cost_usd",
  "priced",
]);

export async function ingestCase(files: string[], extra: string[] = []) {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, ...extra, ...files.map((f) => `fixtures/real/${f}`)]);
  return { t, db, r };
}

async function goldenCase(name: string, files: string[], extra: string[] = []): Promise<{ db: string; total: string | null }> {
  const { t, db, r } = await ingestCase(files, extra);
  assert.equal(r.code, 0, r.stderr);
  const rows = await query(db, `SELECT ${COLS} FROM usage ORDER BY ts, model`);
  golden(`real/${name}.txt`, `exit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}--- usage\n${dump(rows)}`);
  const total = (await query(db, "SELECT sum(cost_usd)::VARCHAR AS s FROM usage"))[0]!.s as string | null;
  return { db, total };
}

test("flat log of an OpenAI/Gemini app: input includes cached, decided per line (provider field, else the model's provider)", async () => {
  const { total } = await goldenCase("openai-app-flat", ["openai-app-flat.jsonl"]);
  // line 1 provider openai: 12000 input incl. 8000 cached → 4000×0.15 + 8000×0.075 + 400×0.6 = 600 + 600 + 240 = 1440
  // line 2 no provider, gpt-4o-mini-2024-07-18 is OpenAI's; cached_tokens alias: 2952×0.15 + 2048×0.075 + 300×0.6 = 442.8 + 153.6 + 180 = 776.4
  // line 3 provider anthropic (excludes): 3000×1 + 1000×0.1 + 200×5 = 3000 + 100 + 1000 = 4100
  // line 4 gemini-2.5-flash is Google's: 6000×0.3 + 4000×0.03 + 500×2.5 = 1800 + 120 + 1250 = 3170
  // line 5 acme-internal-7b: unknown provider, canonical reading (excludes), unpriced
  // total 1440 + 776.4 + 4100 + 3170 = 9486.4 µ$ (before this change: 12040 µ$, cached tokens billed twice)
  assert.equal(total, "0.009486400000");
});

test("logs.inputIncludesCached: false reads every line as disjoint buckets", async () => {
  const t = tmp();
  const cfg = join(t, "c.json");
  writeFileSync(cfg, JSON.stringify({ logs: { inputIncludesCached: false } }));
  const { db, r } = await ingestCase(["openai-app-flat.jsonl"], ["--config", cfg]);
  assert.equal(r.code, 0, r.stderr);
  // 12000×0.15 + 8000×0.075 + 400×0.6 = 2640; 5000×0.15 + 2048×0.075 + 300×0.6 = 1083.6; 4100; 10000×0.3 + 120 + 1250 = 4370
  // total 2640 + 1083.6 + 4100 + 4370 = 12193.6 µ$
  assert.deepEqual(await query(db, "SELECT sum(cost_usd)::VARCHAR AS s FROM usage"), [{ s: "0.012193600000" }]);
});

test("a line whose cached tokens exceed its input under the including reading is a bad row with its line", async () => {
  const { db, r } = await ingestCase(["cached-exceeds-input.jsonl"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cached-exceeds-input\.jsonl:2: cached tokens exceed input_tokens, which include them for this provider/);
  assert.equal(existsSync(db), false, "a first ingest that fails creates no database");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/formats/requests.csv"])).code, 0);
  const before = await checksum(db);
  assert.equal((await cli(["ingest", "--db", db, "fixtures/real/cached-exceeds-input.jsonl"])).code, 2);
  assert.equal(await checksum(db), before);
});

test("Anthropic-named cache fields in a flat log are read, not dropped", async () => {
  const { total } = await goldenCase("anthropic-names", ["anthropic-names.jsonl"]);
  // claude-sonnet-4-5: 1200×3 + 40000 cache reads×0.3 + 2000 cache writes (5m)×3.75 + 800×15 = 3600 + 12000 + 7500 + 12000 = 35100
  // claude-haiku-4-5: 50×1 + 20000×0.1 + 300×5 = 50 + 2000 + 1500 = 3550
  // total 38650 µ$ (before: 17150 µ$, the 62000 cache tokens silently dropped)
  assert.equal(total, "0.038650000000");
});

test("field names as apps write them: timestamps (epoch s/ms/µs/ns, ISO), model aliases, cache and cost aliases", async () => {
  const { db, total } = await goldenCase("app-field-names", ["app-field-names.jsonl"]);
  // 1 timestamp_utc ms, model_id claude-sonnet-4-5: 1200×3 + 40000×0.3 + (2000 − 500 1h)×3.75 + 500×6 + 800×15
  //   = 3600 + 12000 + 5625 + 3000 + 12000 = 36225
  // 2 created s, modelId claude-haiku-4-5: 800×1 + 5000×0.1 + 1000×1.25 + 100×5 = 800 + 500 + 1250 + 500 = 3050
  // 3 start_time µs, model_name gemini-2.5-flash (includes): 6000×0.3 + 3000×0.03 + 400×2.5 = 1800 + 90 + 1000 = 2890
  // 4 time ns, response.model gpt-4o-mini-2024-07-18 (includes): 1000×0.15 + 1000×0.075 + 100×0.6 = 150 + 75 + 60 = 285
  // 5 ts ISO, modelVersion models/gemini-2.5-flash: 1000×0.3 + 10×2.5 = 325
  // 6 created_at +01:00, model gpt-4o-mini: 100×0.15 + 10×0.6 = 21
  // total 36225 + 3050 + 2890 + 285 + 325 + 21 = 42796 µ$ (before: exit 2, unknown format)
  assert.equal(total, "0.042796000000");
  const ts = await query(db, "SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S') AS ts, reported_cost_usd::VARCHAR AS c, service_tier FROM usage ORDER BY ts");
  assert.deepEqual(
    ts.map((x) => x.ts),
    ["2026-11-02T09:00:00", "2026-11-02T10:00:00", "2026-11-02T11:00:00", "2026-11-02T12:00:00", "2026-11-02T13:00:00", "2026-11-02T14:00:00"],
  );
  // Every line's stated cost is kept, whatever its name: cost_usd, total_cost, spend, estimated_cost_usd, cost_total, cost.
  assert.deepEqual(
    ts.map((x) => x.c),
    ["0.036225000000", "0.003050000000", "0.002890000000", "0.000285000000", "0.000325000000", "0.000021000000"],
  );
  assert.equal(ts[3]!.service_tier, "default");
});

test("CSV gateway log: epoch seconds, model_name, Anthropic cache columns, total_cost", async () => {
  const { total } = await goldenCase("gateway-csv", ["gateway.csv"]);
  // claude-haiku-4-5 (excludes): 800×1 + 5000×0.1 + 1000×1.25 + 100×5 = 3050
  // gpt-4o-mini (includes): (2000 − 1000)×0.15 + 1000×0.075 + 100×0.6 = 285
  // total 3335 µ$ (before: exit 2, unknown format)
  assert.equal(total, "0.003335000000");
});

test("config logs.fields maps canonical fields to a log's own JSON paths", async () => {
  const { total } = await goldenCase("custom-fields", ["custom-fields.jsonl"], ["--config", "fixtures/real/custom-fields.config.json"]);
  // gpt-4o-mini (includes): (3000 − 1000)×0.15 + 1000×0.075 + 200×0.6 = 300 + 75 + 120 = 495
  // claude-haiku-4-5 (excludes): 500×1 + 2000×0.1 + 100×5 = 500 + 200 + 500 = 1200
  // total 1695 µ$ (before: exit 2, unknown format)
  assert.equal(total, "0.001695000000");
});

test("logs.fields inside an object llmcost already reads is refused, not ignored", async () => {
  const t = tmp();
  const cfg = join(t, "c.json");
  writeFileSync(cfg, JSON.stringify({ logs: { fields: { input_tokens: "usage.in" } } }));
  const r = await cli(["ingest", "--db", join(t, "t.duckdb"), "--config", cfg, "fixtures/real/anthropic-names.jsonl"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /logs\.fields\.input_tokens: "usage\.in" is inside "usage"/);
});

test("stated costs: used where llmcost has no price (cost_source reported), --cost-mode, and checked by pricing check", async () => {
  const { db, total } = await goldenCase("stated-costs", ["stated-costs.jsonl"]);
  // computed: gpt-4o-mini (includes, no cache) 10000×0.15 + 1000×0.6 = 2100 (stated 2100)
  //           claude-haiku-4-5 2000×1 + 500×5 = 4500 (stated 4500); 1000×1 + 4000×0.1 + 100×5 = 1900 (stated 1900)
  //           gemini-2.5-flash 4000×0.3 + 200×2.5 = 1700 (stated 2500: +47.06%)
  // mistral-medium-3 has no price: its stated 4200 is used
  // auto: 2100 + 4500 + 1900 + 4200 + 1700 = 14400 µ$ (before: 10200 µ$ and one unpriced row)
  assert.equal(total, "0.014400000000");
  assert.deepEqual(await query(db, "SELECT model, cost_source FROM usage ORDER BY ts"), [
    { model: "gpt-4o-mini", cost_source: "computed" },
    { model: "claude-haiku-4-5", cost_source: "computed" },
    { model: "claude-haiku-4-5", cost_source: "computed" },
    { model: "mistral-medium-3", cost_source: "reported" },
    { model: "gemini-2.5-flash", cost_source: "computed" },
  ]);
  const totals = async (mode: string) => {
    const r = await cli(["report", "--db", db, "--cost-mode", mode, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout).totals as { costUsd: number; unpriced: { rows: number } };
    return [t.costUsd, t.unpriced.rows];
  };
  assert.deepEqual(await totals("auto"), [0.0144, 0]);
  // computed: 2100 + 4500 + 1900 + 1700 = 10200 µ$, mistral unpriced
  assert.deepEqual(await totals("computed"), [0.0102, 1]);
  // reported: 2100 + 4500 + 1900 + 4200 + 2500 = 15200 µ$
  assert.deepEqual(await totals("reported"), [0.0152, 0]);
  assert.equal((await cli(["report", "--db", db, "--cost-mode", "billed"])).code, 2);

  const check = await cli(["pricing", "check", "--db", db, "--format", "json"]);
  assert.equal(check.code, 1);
  const stated = JSON.parse(check.stdout).stated as { model: string; statedUsd: number; computedUsd: number; diffPct: number; flagged: boolean }[];
  assert.deepEqual(
    stated.map((s) => [s.model, s.statedUsd, s.computedUsd, s.diffPct, s.flagged]),
    [
      ["claude-haiku-4-5-20251001", 0.0064, 0.0064, 0, false],
      // (2500 − 1700) / 1700 = 47.06%
      ["gemini-2.5-flash", 0.0025, 0.0017, 47.06, true],
      ["gpt-4o-mini", 0.0021, 0.0021, 0, false],
    ],
  );
  const loose = JSON.parse((await cli(["pricing", "check", "--db", db, "--tolerance", "50", "--format", "json"])).stdout).stated as { flagged: boolean }[];
  assert.equal(
    loose.some((s) => s.flagged),
    false,
  );
});

test("overlapping bucket widths: a later export of the same format and group replaces the rows it overlaps, whatever the width", async () => {
  // Anthropic Console token CSV, claude-haiku-4-5 (input 1, cache read 0.10, output 5 $/M), one api_key × workspace:
  //   daily:  3,000,000 × 1 + 1,000,000 × 0.1 + 400,000 × 5 = 3.0 + 0.1 + 2.0 = $5.10
  //   hourly (09-12h): (1.0M + 1.5M + 0.5M) × 1 + (0.5M + 0.3M + 0.2M) × 0.1 + (0.1M + 0.2M + 0.1M) × 5 = $5.10
  // daily then hourly: the hourly rows replace the daily row → $5.10 (before: $10.20, counted twice)
  const t = tmp();
  const db = join(t, "t.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/real/anthropic-tokens-daily.csv"])).code, 0);
  const r = await cli(["ingest", "--db", db, "--output", "json", "fixtures/real/anthropic-tokens-hourly.csv"]);
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout).files[0] as { replaced: number; replacedFrom: unknown };
  assert.deepEqual([f.replaced, f.replacedFrom], [1, [{ ingestId: 1, rows: 1 }]]);
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n, sum(cost_usd)::VARCHAR AS s FROM usage"), [{ n: 3, s: "5.100000000000" }]);

  // OpenAI Usage API, gpt-4o-mini (input 0.15, cached 0.075, output 0.60 $/M; input includes cached), 1h then 1d:
  //   1h ×3: 3 × (1,000,000 × 0.15 + 1,000,000 × 0.075) + (100k + 150k + 200k) × 0.6 = 0.675 + 0.27 = $0.945
  //   1d:    4,000,000 × 0.15 + 2,000,000 × 0.075 + 500,000 × 0.6 = 0.6 + 0.15 + 0.3 = $1.05
  // the later daily page replaces the three hourly rows → $1.05 (before: $1.995)
  const db2 = join(t, "o.duckdb");
  assert.equal((await cli(["ingest", "--db", db2, "fixtures/real/openai-usage-1h.json"])).code, 0);
  const r2 = await cli(["ingest", "--db", db2, "fixtures/real/openai-usage-1d.json"]);
  assert.equal(r2.code, 0, r2.stderr);
  golden("real/overlap-1h-then-1d.txt", `exit=${r2.code}\n--- stdout\n${normalise(r2.stdout, t)}--- stderr\n${normalise(r2.stderr, t)}`);
  assert.deepEqual(await query(db2, "SELECT count(*)::INT AS n, sum(cost_usd)::VARCHAR AS s FROM usage"), [{ n: 1, s: "1.050000000000" }]);
  // The ledger keeps the count.
  assert.deepEqual(await query(db2, "SELECT ingest_id, rows_replaced::INT AS r FROM ingests ORDER BY 1"), [
    { ingest_id: 1, r: 0 },
    { ingest_id: 2, r: 3 },
  ]);
});

test("provider labels: another vendor's model in an OpenAI-shaped file gets its resolved provider, or unknown, never openai", async () => {
  const { db } = await ingestCase(["groq-batch-output.jsonl"]);
  // A Groq batch output line (same shape as OpenAI's): llama-3.3-70b-versatile has no price here → unknown.
  assert.deepEqual(await query(db, "SELECT provider, model, input_tokens::INT AS i, output_tokens::INT AS o FROM usage"), [
    { provider: "unknown", model: "llama-3.3-70b-versatile", i: 40, o: 12 },
  ]);
  const { total, db: db2 } = await goldenCase("openrouter-app", ["openrouter-app.jsonl"]);
  // OpenRouter returns OpenAI-shaped usage (prompt includes cached) for every vendor:
  // anthropic/claude-haiku-4.5 resolves to Anthropic's model: 2000×1 + 1000×0.1 + 200×5 = 3100 µ$; the llama line is unknown, unpriced
  assert.equal(total, "0.003100000000");
  assert.deepEqual(await query(db2, "SELECT provider FROM usage ORDER BY ts"), [{ provider: "anthropic" }, { provider: "unknown" }]);
});
