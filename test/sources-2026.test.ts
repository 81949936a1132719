import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, query, tmp } from "./helpers.js";

/** Hand-computed costs and totals of the 2026 formats' fixtures (issue #15), with the arithmetic written out. */

const rows = async (db: string, sql: string) => query(db, sql);

test("OTLP/JSON: only leaf LLM calls count, once each; cost from the disjoint buckets", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/otel-otlp.json"]);
  assert.equal(r.code, 0, r.stderr);
  // 10 spans: invoke_agent (repeats its first child's 631/35), execute_tool, invoke_workflow, LiteLLM's raw child: not
  // LLM calls; the first batch re-sent: a duplicate. 5 calls remain.
  assert.match(r.stdout, /4 not an LLM call \(agent, tool, workflow… span\); 1 duplicate span \(re-sent batch\)/);
  const got = await rows(
    db,
    `SELECT model, input_tokens, cached_input_tokens, cache_write_5m_tokens, output_tokens, cost_usd, reported_cost_usd
    FROM usage ORDER BY ts`,
  );
  assert.deepEqual(got, [
    // LiteLLM: 412 inclusive input, 256 cached (only in its usage_object repr): 156 × $0.15/M + 256 × $0.075/M
    // + 27 × $0.60/M = 23.4 + 19.2 + 16.2 µ$ = $0.0000588, exactly the $5.88e-05 LiteLLM states.
    {
      model: "gpt-4o-mini-2024-07-18",
      input_tokens: "156",
      cached_input_tokens: "256",
      cache_write_5m_tokens: "0",
      output_tokens: "27",
      cost_usd: "0.000058800000",
      reported_cost_usd: "0.000058800000",
    },
    // chat 1: (631 − 256) × 0.15 + 256 × 0.075 + 35 × 0.60 = 56.25 + 19.2 + 21 µ$ = $0.00009645
    {
      model: "gpt-4o-mini-2024-07-18",
      input_tokens: "375",
      cached_input_tokens: "256",
      cache_write_5m_tokens: "0",
      output_tokens: "35",
      cost_usd: "0.000096450000",
      reported_cost_usd: null,
    },
    // chat 2: 25 × 0.15 + 70 × 0.60 = 3.75 + 42 µ$ = $0.00004575
    {
      model: "gpt-4o-mini-2024-07-18",
      input_tokens: "25",
      cached_input_tokens: "0",
      cache_write_5m_tokens: "0",
      output_tokens: "70",
      cost_usd: "0.000045750000",
      reported_cost_usd: null,
    },
    // Claude: 5000 inclusive − 3000 read − 1500 written = 500; 500 × $3 + 3000 × $0.30 + 1500 × $3.75 + 400 × $15
    // = 1500 + 900 + 5625 + 6000 µ$ = $0.014025 (the span states $0.01365: kept as reported, not used)
    {
      model: "claude-sonnet-4-5-20250929",
      input_tokens: "500",
      cached_input_tokens: "3000",
      cache_write_5m_tokens: "1500",
      output_tokens: "400",
      cost_usd: "0.014025000000",
      reported_cost_usd: "0.013650000000",
    },
    // embeddings (legacy gen_ai.usage.prompt_tokens): 1200 × $0.02/M = $0.000024
    {
      model: "text-embedding-3-small",
      input_tokens: "1200",
      cached_input_tokens: "0",
      cache_write_5m_tokens: "0",
      output_tokens: "0",
      cost_usd: "0.000024000000",
      reported_cost_usd: null,
    },
  ]);
  // 58.8 + 96.45 + 45.75 + 14025 + 24 µ$ = $0.01425
  assert.deepEqual(await rows(db, "SELECT sum(cost_usd)::VARCHAR AS total FROM usage"), [{ total: "0.014250000000" }]);
});

test("OTel spans JSON Lines: OpenInference and legacy names; a parent LLM span over its instrumented child counts once", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/otel-spans.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  const got = await rows(
    db,
    "SELECT model, user_hash, feature, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_usd FROM usage ORDER BY ts",
  );
  assert.deepEqual(got, [
    // OpenInference: prompt 412 includes cache_read 256; completion 27 includes reasoning 8 → 156 uncached, 27 output:
    // 156 × 0.15 + 256 × 0.075 + 27 × 0.60 = 23.4 + 19.2 + 16.2 µ$ = $0.0000588
    {
      model: "gpt-4o-mini-2024-07-18",
      user_hash: "0f1e2d3c4b5a",
      feature: "triage",
      input_tokens: "156",
      cached_input_tokens: "256",
      output_tokens: "27",
      reasoning_tokens: "8",
      cost_usd: "0.000058800000",
    },
    // Traceloop child (the parent chat span repeats it): 2000 − 1024 cached = 976; 976 × $2 + 1024 × $0.50 + 300 × $8
    // = 1952 + 512 + 2400 µ$ = $0.004864
    {
      model: "gpt-4.1-2025-04-14",
      user_hash: "0f1e2d3c4b5a",
      feature: "reports",
      input_tokens: "976",
      cached_input_tokens: "1024",
      output_tokens: "300",
      reasoning_tokens: "0",
      cost_usd: "0.004864000000",
    },
  ]);
});

test("OTel: user and feature from the attributes the config names (bound, never SQL text)", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const cfg = join(t, "llmcost.config.json");
  writeFileSync(cfg, JSON.stringify({ sources: { otel: { userAttribute: "gen_ai.response.id", featureAttribute: "service'; DROP TABLE usage_wide; --" } } }));
  const r = await cli(["ingest", "--db", db, "--config", cfg, "fixtures/formats/otel-otlp.json"]);
  assert.equal(r.code, 0, r.stderr);
  const got = await rows(db, "SELECT user_hash, feature FROM usage WHERE request_id LIKE '4bf92f35%' ORDER BY ts");
  // chat 1 has gen_ai.response.id (hashed as a raw user id); chat 2 has none, so enduser.id's tag applies.
  assert.equal(got.length, 2);
  assert.match(String(got[0]!.user_hash), /^[0-9a-f]{12}$/);
  assert.notEqual(got[0]!.user_hash, "a1b2c3d4e5f6");
  assert.equal(got[0]!.feature, "(untagged)");
  assert.deepEqual(got[1], { user_hash: "a1b2c3d4e5f6", feature: "support-bot" });

  writeFileSync(cfg, JSON.stringify({ sources: { otel: { featureAttribute: "gen_ai.request.model" } } }));
  const db2 = join(t, "t2.duckdb");
  assert.equal((await cli(["ingest", "--db", db2, "--config", cfg, "fixtures/formats/otel-otlp.json"])).code, 0);
  // The tag's feature wins over the attribute (support-bot); untagged spans take the attribute's value.
  assert.deepEqual(await rows(db2, "SELECT feature, count(*)::INT AS n FROM usage GROUP BY feature ORDER BY feature"), [
    { feature: "claude-sonnet-4-5", n: 1 },
    { feature: "gpt-4o-mini", n: 1 },
    { feature: "support-bot", n: 2 },
    { feature: "text-embedding-3-small", n: 1 },
  ]);
});

test("Claude Code: one row per API call (streamed lines deduplicated), Anthropic buckets, costUSD kept", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/claude-code.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 no API usage \(user, system, summary… line\); 2 streamed line of a call already counted; 1 synthetic message \(no API call\)/);
  const got = await rows(
    db,
    `SELECT model, project, endpoint, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
    output_tokens, cost_usd, reported_cost_usd FROM usage ORDER BY ts`,
  );
  const p = { project: "/Users/dev/src/acme-api", endpoint: "claude-code" };
  assert.deepEqual(got, [
    // three lines of msg_01UEW…; the last (output 214) is final: 3 × $3 + 11040 × $0.30 + 3526 × $3.75 + 214 × $15
    // = 9 + 3312 + 13222.5 + 3210 µ$ = $0.0197535
    {
      model: "claude-sonnet-4-5-20250929",
      ...p,
      input_tokens: "3",
      cached_input_tokens: "11040",
      cache_write_5m_tokens: "3526",
      cache_write_1h_tokens: "0",
      output_tokens: "214",
      cost_usd: "0.019753500000",
      reported_cost_usd: null,
    },
    // a 1-hour cache write: 8 × 3 + 14566 × 0.30 + 1200 × $6 + 523 × 15 = 24 + 4369.8 + 7200 + 7845 µ$ = $0.0194388
    {
      model: "claude-sonnet-4-5-20250929",
      ...p,
      input_tokens: "8",
      cached_input_tokens: "14566",
      cache_write_5m_tokens: "0",
      cache_write_1h_tokens: "1200",
      output_tokens: "523",
      cost_usd: "0.019438800000",
      reported_cost_usd: null,
    },
    // 1200 × $1 + 85 × $5 = 1625 µ$, as its costUSD says
    {
      model: "claude-haiku-4-5-20251001",
      ...p,
      input_tokens: "1200",
      cached_input_tokens: "0",
      cache_write_5m_tokens: "0",
      cache_write_1h_tokens: "0",
      output_tokens: "85",
      cost_usd: "0.001625000000",
      reported_cost_usd: "0.001625000000",
    },
  ]);
  // The same call in another session file (a resumed session copies lines): counted once across files.
  const copy = join(t, "resumed.jsonl");
  const { readFileSync } = await import("node:fs");
  writeFileSync(copy, readFileSync("fixtures/formats/claude-code.jsonl", "utf8").split("\n").slice(1, 5).join("\n") + "\n");
  const again = await cli(["ingest", "--db", db, copy]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /1 request_id already ingested/);
  // 19753.5 + 19438.8 + 1625 µ$
  assert.deepEqual(await rows(db, "SELECT count(*)::INT AS n, sum(cost_usd)::VARCHAR AS total FROM usage"), [{ n: 3, total: "0.040817300000" }]);
});

test("Codex: cumulative token counts become per-turn deltas; input includes cached", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/codex.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "gpt-5-codex is priced (from the price book's snapshot date, 2026-07-24)");
  const got = await rows(
    db,
    "SELECT model, project, endpoint, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_usd FROM usage ORDER BY ts",
  );
  const p = { project: "/home/dev/src/billing-svc", endpoint: "codex" };
  assert.deepEqual(got, [
    // last_token_usage of turn 1 (its repeated event is dropped): 12850 × $1.25 + 612 × $10 (per 1M) = 16062.5 + 6120 µ$
    { model: "gpt-5-codex", ...p, input_tokens: "12850", cached_input_tokens: "0", output_tokens: "612", reasoning_tokens: "384", cost_usd: "0.022182500000" },
    // no last_token_usage: total − previous total = (26870 − 12850) in, 12544 cached, (1560 − 612) out, (896 − 384)
    // reasoning; uncached 14020 − 12544 = 1476: 1476 × $1.25 + 12544 × $0.125 + 948 × $10 = 1845 + 1568 + 9480 µ$
    {
      model: "gpt-5-codex",
      ...p,
      input_tokens: "1476",
      cached_input_tokens: "12544",
      output_tokens: "948",
      reasoning_tokens: "512",
      cost_usd: "0.012893000000",
    },
    // the later turn_context switched to gpt-5: (15230 − 14848) × $1.25 + 14848 × $0.125 + 1210 × $10
    // = 477.5 + 1856 + 12100 µ$ = $0.0144335
    { model: "gpt-5", ...p, input_tokens: "382", cached_input_tokens: "14848", output_tokens: "1210", reasoning_tokens: "640", cost_usd: "0.014433500000" },
  ]);
  // Summing the cumulative totals instead would have counted 12850 + 12850 + 26870 + 42100 input tokens.
  assert.deepEqual(await rows(db, "SELECT sum(input_tokens + cached_input_tokens)::INT AS input FROM usage"), [{ input: 12850 + 14020 + 15230 }]);
});

test("Bedrock: S3 records and CloudWatch events are the same invocations, counted once; model ids as logged", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const prices = join(t, "nova.json");
  writeFileSync(
    prices,
    JSON.stringify({
      models: [
        { id: "amazon.nova-lite-v1:0", provider: "amazon", prices: [{ effective_from: "2024-12-03", input: "0.06", cached_input: "0.015", output: "0.24" }] },
      ],
    }),
  );
  const r = await cli(["ingest", "--db", db, "--pricing", prices, "fixtures/formats/bedrock-s3.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  const got = await rows(db, "SELECT model, provider, api_key, tag_raw, feature, status, cost_usd FROM usage ORDER BY ts");
  assert.deepEqual(
    got.map((g) => g.model),
    [
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "amazon.nova-lite-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/k7x2m9q4w1ez",
      "jp.anthropic.claude-haiku-4-5-20251001-v1:0",
    ],
  );
  // Nova Lite at the override's rates: 1520 × $0.06 + 212 × $0.24 = 91.2 + 50.88 µ$ = $0.00014208
  assert.deepEqual(got[1], {
    model: "amazon.nova-lite-v1:0",
    provider: "amazon",
    api_key: "arn:aws:iam::123456789012:user/batch-etl",
    tag_raw: null,
    feature: "ticket-triage",
    status: null,
    cost_usd: "0.000142080000",
  });
  assert.equal(got[0]!.tag_raw, "a1b2c3d4e5f6:contracts");
  assert.equal(got[3]!.status, "error: ThrottlingException");
  const cw = await cli(["ingest", "--db", db, "--pricing", prices, "fixtures/formats/bedrock-cloudwatch.json"]);
  assert.equal(cw.code, 0, cw.stderr);
  assert.match(
    cw.stdout,
    /1 requestId already counted \(second copy\); 2 request_id already ingested|2 request_id already ingested; 1 requestId already counted/,
  );
  assert.deepEqual(await rows(db, "SELECT count(*)::INT AS n FROM usage"), [{ n: 4 }]);
});

test("Bedrock GovCloud: a bare model id logged in a us-gov region prices at GovCloud's rates, not the commercial ones", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/bedrock-govcloud.jsonl"]);
  assert.equal(r.code, 0, r.stderr);
  // GovCloud per 1M: Sonnet 4.5 3.6 in / 0.36 cached / 4.5 write / 18 out; Haiku 4.5 1.2 / 0.12 / 6; Nova Pro 0.96 / 3.84.
  // 1840×3.6 + 24576×0.36 + 3072×4.5 + 612×18 = 40,311.36 µ$ (commercial: 33,592.8)
  // 5200×1.2 + 480×6 = 9,120 µ$ (us-gov-east-1: the key LiteLLM lists there)
  // 900×1.2 + 2048×0.12 + 150×6 = 2,225.76 µ$ (us-gov. profile: only us-gov-* keys list Haiku 4.5)
  // 3000×0.96 + 400×3.84 = 4,416 µ$; the us-east-1 row at the commercial 1 / 5: 1000 + 500 = 1,500 µ$
  assert.deepEqual(await rows(db, "SELECT workspace, model, provider, cost_usd FROM usage ORDER BY ts"), [
    {
      workspace: "us-gov-west-1",
      model: "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
      provider: "anthropic",
      cost_usd: "0.040311360000",
    },
    {
      workspace: "us-gov-east-1",
      model: "bedrock/us-gov-east-1/anthropic.claude-haiku-4-5-20251001-v1:0",
      provider: "anthropic",
      cost_usd: "0.009120000000",
    },
    { workspace: "us-gov-west-1", model: "us-gov.anthropic.claude-haiku-4-5-20251001-v1:0", provider: "anthropic", cost_usd: "0.002225760000" },
    { workspace: "us-gov-west-1", model: "bedrock/us-gov-west-1/amazon.nova-pro-v1:0", provider: "amazon", cost_usd: "0.004416000000" },
    { workspace: "us-east-1", model: "anthropic.claude-haiku-4-5-20251001-v1:0", provider: "anthropic", cost_usd: "0.001500000000" },
  ]);
  assert.deepEqual(await rows(db, "SELECT sum(cost_usd)::VARCHAR AS total FROM usage"), [{ total: "0.057573120000" }]);
});

test("Langfuse: a Pydantic AI generation's output holds its reasoning, counted once (real trace)", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/real/langfuse-pydantic-ai-gemini.json"]);
  assert.equal(r.code, 0, r.stderr);
  // usageDetails {input: 40, output: 159}; the span's gen_ai.usage.details.thoughts_tokens 121 are inside the 159
  // (Langfuse's own costDetails bill 159 × $2.50/M = $0.0003975 as output), never added to it. The reasoning column
  // stays 0: the count is only in the observation's metadata, which is not read (see README).
  // 40 × $0.30/M + 159 × $2.50/M = 12 + 397.5 µ$ = $0.0004095.
  assert.deepEqual(await rows(db, "SELECT model, input_tokens, output_tokens, reasoning_tokens, cost_usd FROM usage"), [
    { model: "gemini-2.5-flash", input_tokens: "40", output_tokens: "159", reasoning_tokens: "0", cost_usd: "0.000409500000" },
  ]);
});

test("OTel reasoning tokens: LiteLLM's usage-object repr and Pydantic AI's gen_ai.usage.details (parts of output)", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  // A Pydantic AI span as Logfire exports it (the attribute names of the 2026 Langfuse sample): Gemini's 121 thoughts
  // are inside its 159 output tokens.
  const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const span = {
    traceId: "5b8efff798038103d269b633813fc60c",
    spanId: "eee19b7ec3c1b174",
    name: "chat gemini-2.5-flash",
    kind: 3,
    startTimeUnixNano: "1766572800000000000",
    endTimeUnixNano: "1766572801500000000",
    attributes: [
      attr("gen_ai.operation.name", "chat"),
      attr("gen_ai.system", "google-gla"),
      attr("gen_ai.request.model", "gemini-2.5-flash"),
      attr("gen_ai.response.model", "gemini-2.5-flash"),
      { key: "gen_ai.usage.input_tokens", value: { intValue: "40" } },
      { key: "gen_ai.usage.output_tokens", value: { intValue: "159" } },
      { key: "gen_ai.usage.details.thoughts_tokens", value: { intValue: "121" } },
    ],
  };
  const file = join(t, "pydantic-ai.json");
  writeFileSync(file, JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "pydantic-ai" }, spans: [span] }] }] }));
  const r = await cli(["ingest", "--db", db, "fixtures/formats/otel-otlp.json", file]);
  assert.equal(r.code, 0, r.stderr);
  // LiteLLM's completion_tokens_details 'reasoning_tokens': 8 (of its 27 output); the others state none. Gemini 2.5
  // Flash: 40 × $0.30/M + 159 × $2.50/M = 12 + 397.5 µ$ = $0.0004095 (reasoning adds nothing: it bills as output).
  assert.deepEqual(await rows(db, "SELECT model, output_tokens, reasoning_tokens, cost_usd FROM usage WHERE reasoning_tokens > 0 ORDER BY ts"), [
    { model: "gemini-2.5-flash", output_tokens: "159", reasoning_tokens: "121", cost_usd: "0.000409500000" },
    { model: "gpt-4o-mini-2024-07-18", output_tokens: "27", reasoning_tokens: "8", cost_usd: "0.000058800000" },
  ]);
});

test("Amazon Nova on Bedrock is priced by the built-in book from its launch, at each geography's rate (real invocation logs)", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/real/bedrock-nova-lite-invocation.json", "fixtures/real/bedrock-apac-nova-micro.json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /no price/);
  // Nova Lite on 2025-03-11 (after its launch on 2024-12-03): 4 × $0.06/M + 38 × $0.24/M = 0.24 + 9.12 µ$ = $0.00000936.
  // Nova Micro through the apac. cross-region profile, at the apac rate (not the US one's 0.035 / 0.14):
  // 1 × $0.037/M + 8 × $0.148/M = 0.037 + 1.184 µ$ = $0.000001221.
  assert.deepEqual(await rows(db, "SELECT model, provider, input_tokens, output_tokens, cost_usd FROM usage ORDER BY ts"), [
    { model: "amazon.nova-lite-v1:0", provider: "amazon", input_tokens: "4", output_tokens: "38", cost_usd: "0.000009360000" },
    { model: "apac.amazon.nova-micro-v1:0", provider: "amazon", input_tokens: "1", output_tokens: "8", cost_usd: "0.000001221000" },
  ]);
});

test("Gemini responses: usageMetadata buckets, createTime, a response logged twice counted once; AI Studio's has no time", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/gemini-responses.jsonl", "fixtures/real/vertex-gemini-raw-response.json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gemini-response-json .*│ 1 responseId already counted \(a stream chunk or a second copy\) /);
  const got = await rows(
    db,
    "SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') AS ts, model, provider, request_id, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_usd FROM usage ORDER BY ts",
  );
  assert.deepEqual(got, [
    // The real Vertex response (a LiteLLM debug log): prompt 135, candidates 282 + thoughts 891 = 1,173 output
    // (totalTokenCount 1,308). 135 × $0.30/M + 1,173 × $2.50/M = 40.5 + 2,932.5 µ$ = $0.002973
    {
      ts: "2026-06-08T21:06:36.761061",
      model: "gemini-2.5-flash",
      provider: "google",
      request_id: "3C4nauW5LpSGz_IP8dLQyQM",
      input_tokens: "135",
      cached_input_tokens: "0",
      output_tokens: "1173",
      reasoning_tokens: "891",
      cost_usd: "0.002973000000",
    },
    // Prompt 4,210 includes 3,072 cached: 1,138 uncached; output 388 + 512 thoughts = 900.
    // 1,138 × $0.30/M + 3,072 × $0.03/M + 900 × $2.50/M = 341.4 + 92.16 + 2,250 µ$ = $0.00268356
    {
      ts: "2026-06-09T08:14:03.118204",
      model: "gemini-2.5-flash",
      provider: "google",
      request_id: "q4FHaOTBHZ7S3NoP5qGy8Qk",
      input_tokens: "1138",
      cached_input_tokens: "3072",
      output_tokens: "900",
      reasoning_tokens: "512",
      cost_usd: "0.002683560000",
    },
    // A resource-path modelVersion; the tool result fed back (300) is input: 920 + 300 = 1,220.
    // 1,220 × $1.25/M + 41 × $10/M = 1,525 + 410 µ$ = $0.001935
    {
      ts: "2026-06-09T08:15:41.520000",
      model: "gemini-2.5-pro",
      provider: "google",
      request_id: "JoFGaI2yBPOH3NoP-qCu2Qc",
      input_tokens: "1220",
      cached_input_tokens: "0",
      output_tokens: "41",
      reasoning_tokens: "0",
      cost_usd: "0.001935000000",
    },
  ]);
  // A saved stream (streamGenerateContent: an array of chunks of one responseId, usageMetadata growing) is one
  // response at its final counts: 400 prompt, 30 candidates. 400 × $0.30/M + 30 × $2.50/M = 120 + 75 µ$ = $0.000195
  const chunk = (candidates: number) => ({
    candidates: [{ content: { role: "model", parts: [{ text: "…" }] } }],
    usageMetadata: { promptTokenCount: 400, candidatesTokenCount: candidates, totalTokenCount: 400 + candidates },
    modelVersion: "gemini-2.5-flash",
    createTime: "2026-06-10T09:00:00.000Z",
    responseId: "stream-1",
  });
  writeFileSync(join(t, "stream.json"), JSON.stringify([chunk(5), chunk(20), chunk(30)], null, 2));
  const s = await cli(["ingest", "--db", db, join(t, "stream.json")]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /│ 2 responseId already counted \(a stream chunk or a second copy\) /);
  assert.deepEqual(await rows(db, "SELECT input_tokens, output_tokens, cost_usd FROM usage WHERE request_id = 'stream-1'"), [
    { input_tokens: "400", output_tokens: "30", cost_usd: "0.000195000000" },
  ]);
  // An app's log line that names its own time is a request log, even when it starts with a response key.
  writeFileSync(
    join(t, "app.jsonl"),
    `${JSON.stringify({ responseId: "r9", timestamp: "2026-06-10T09:05:00Z", model: "gemini-2.5-flash", feature: "chat", usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2 } })}\n`,
  );
  const app = await cli(["ingest", "--db", db, join(t, "app.jsonl")]);
  assert.equal(app.code, 0, app.stderr);
  assert.match(app.stdout, /request-log-jsonl/);
  // A Gemini API (AI Studio) response has no createTime: exit 2, named, nothing stored.
  writeFileSync(
    join(t, "studio.json"),
    JSON.stringify(
      {
        candidates: [],
        usageMetadata: { promptTokenCount: 326, candidatesTokenCount: 63 },
        modelVersion: "gemini-2.5-flash",
        responseId: "VkH2aIbVB7_l1e8P4rrl0A4",
      },
      null,
      2,
    ),
  );
  const studio = await cli(["ingest", "--db", db, join(t, "studio.json")]);
  assert.equal(studio.code, 2);
  assert.match(studio.stderr, /studio\.json: responseId VkH2aIbVB7_l1e8P4rrl0A4: missing or unparseable timestamp\n/);
  // The fix is said: the format's own hint for the core check.
  assert.match(
    studio.stderr,
    /\nhint: a Gemini API \(AI Studio\) response carries no time \(Vertex's has createTime\): if this is one, log it inside a request-log line that has a time, such as \{"timestamp": "…", "feature": "…", "response": <the response>\}\n$/,
  );
  // And the hint works: the same response wrapped so is one request of gemini-2.5-flash.
  const response = JSON.parse(readFileSync(join(t, "studio.json"), "utf8"));
  writeFileSync(join(t, "wrapped.jsonl"), `${JSON.stringify({ timestamp: "2025-10-21T09:00:00Z", feature: "chat", response })}\n`);
  const wrapped = await cli(["ingest", "--db", join(t, "wrapped.duckdb"), join(t, "wrapped.jsonl")]);
  assert.equal(wrapped.code, 0, wrapped.stderr);
  // Its model and counts as the response states them (326 prompt tokens, none cached; 63 candidates) at Gemini 2.5
  // Flash's $0.30 / $2.50 per 1M: 326 × 0.30 + 63 × 2.50 = 97.8 + 157.5 µ$ = $0.0002553.
  assert.deepEqual(
    await rows(
      join(t, "wrapped.duckdb"),
      "SELECT count(*)::INT AS n, any_value(source_format) AS f, any_value(model) AS m, sum(input_tokens)::INT AS i, sum(cached_input_tokens)::INT AS c, sum(output_tokens)::INT AS o, sum(cost_usd)::VARCHAR AS usd FROM usage",
    ),
    [{ n: 1, f: "request-log-jsonl", m: "gemini-2.5-flash", i: 326, c: 0, o: 63, usd: "0.000255300000" }],
  );
  assert.deepEqual(await rows(db, "SELECT count(*)::INT AS n FROM usage"), [{ n: 5 }]);
});

test("Langfuse export: GENERATIONs counted once (AGENT copies and wrapping generations skipped), stated cost kept", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/langfuse-trace.json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /3 not a generation \(span, agent, tool, event…\); 1 parent repeating a nested generation's usage/);
  const got = await rows(
    db,
    "SELECT model, feature, workspace, input_tokens, cached_input_tokens, output_tokens, cost_usd, reported_cost_usd FROM usage ORDER BY ts",
  );
  const w = { feature: "weather", workspace: "production" };
  assert.deepEqual(got, [
    // 25 × $2.50 + 70 × $10 = 62.5 + 700 µ$ = $0.0007625 (Langfuse stated the float 0.000762499999: kept as stated)
    {
      model: "gpt-4o",
      ...w,
      input_tokens: "25",
      cached_input_tokens: "0",
      output_tokens: "70",
      cost_usd: "0.000762500000",
      reported_cost_usd: "0.000762499999",
    },
    // 631 × 2.50 + 35 × 10 = 1577.5 + 350 µ$ = $0.0019275 (the AGENT above repeats exactly this usage: not counted)
    {
      model: "gpt-4o",
      ...w,
      input_tokens: "631",
      cached_input_tokens: "0",
      output_tokens: "35",
      cost_usd: "0.001927500000",
      reported_cost_usd: "0.001927500000",
    },
    // the leaf of OpenAIChat.invoke → chat gpt-4o-mini; disjoint keys (total 1991 = 544 + 1024 + 423):
    // 544 × 0.15 + 1024 × 0.075 + 423 × 0.60 = 81.6 + 76.8 + 253.8 µ$ = $0.0004122
    {
      model: "gpt-4o-mini-2024-07-18",
      ...w,
      input_tokens: "544",
      cached_input_tokens: "1024",
      output_tokens: "423",
      cost_usd: "0.000412200000",
      reported_cost_usd: "0.000412200000",
    },
  ]);
  // userId "u-81723" is not a tag: hashed; the feature comes from the trace's "feature:weather" tag.
  assert.deepEqual(await rows(db, "SELECT DISTINCT user_hash FROM usage"), [{ user_hash: createHash("sha256").update("u-81723").digest("hex").slice(0, 12) }]);
});

test("OpenAI Usage API 2026 fields: 12-hour cache writes, api_source, audio inside the buckets", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/openai-usage-completions-2026.json"]);
  assert.equal(r.code, 0, r.stderr);
  const got = await rows(
    db,
    "SELECT endpoint, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, cost_usd FROM usage ORDER BY endpoint",
  );
  assert.deepEqual(got, [
    // 27444 input − 8448 cached = 18996 uncached: 18996 × $1.25 + 8448 × $0.125 + 633 × $10 = 23745 + 1056 + 6330 µ$
    {
      endpoint: "completions/agents_api",
      input_tokens: "18996",
      cached_input_tokens: "8448",
      cache_write_5m_tokens: "0",
      cache_write_1h_tokens: "0",
      output_tokens: "633",
      cost_usd: "0.031131000000",
    },
    // 50000 − 20000 cached − 4000 written (30 min) − 6000 written (12 h) = 20000 uncached (1200 of them audio, counted
    // as input). gpt-5 lists no cache-write price, so writes pay the input rate: 20000 × 1.25 + 20000 × 0.125
    // + 10000 × 1.25 + 2000 × 10 = 25000 + 2500 + 12500 + 20000 µ$ = $0.06
    {
      endpoint: "completions/unlabeled",
      input_tokens: "20000",
      cached_input_tokens: "20000",
      cache_write_5m_tokens: "4000",
      cache_write_1h_tokens: "6000",
      output_tokens: "2000",
      cost_usd: "0.060000000000",
    },
  ]);
});

test("Anthropic analytics API 2026: usage buckets (provisional after data_refreshed_at) and cost in fractional cents", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, "fixtures/formats/anthropic-analytics-usage.json", "fixtures/formats/anthropic-analytics-cost.json"]);
  assert.equal(r.code, 0, r.stderr);
  const got = await rows(db, "SELECT strftime(ts, '%Y-%m-%d') AS day, model, requests, status, cost_usd FROM usage ORDER BY ts, model");
  assert.deepEqual(got, [
    // 90000 × $1 + 12000 × $5 = 90000 + 60000 µ$
    { day: "2026-11-20", model: "claude-haiku-4-5-20251001", requests: "340", status: null, cost_usd: "0.150000000000" },
    // 1500 × $3 + 200 × $0.30 + 500 × $3.75 + 1000 × $6 + 500 × $15 = 4500 + 60 + 1875 + 6000 + 7500 µ$, and 2 web
    // searches at $10 per 1,000 (server_tool_use) = 20000 µ$
    { day: "2026-11-20", model: "claude-sonnet-4-5-20250929", requests: "12", status: null, cost_usd: "0.039935000000" },
    // ends 2026-11-22, after data_refreshed_at 2026-11-21T04:00Z: not final. 2100 × 3 + 640 × 15 = 6300 + 9600 µ$
    { day: "2026-11-21", model: "claude-sonnet-4-5-20250929", requests: "9", status: "provisional", cost_usd: "0.015900000000" },
  ]);
  // amounts in cents: 0.45 + 0.675 + 0.9 = 2.025 cents = $0.02025 (list amounts 0.5 + 0.75 + 1.0 are not the bill)
  assert.deepEqual(await rows(db, "SELECT sum(amount_usd)::VARCHAR AS billed FROM billed_cost"), [{ billed: "0.020250000000" }]);
});
