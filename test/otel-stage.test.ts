import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { checksum, cli, query, tmp } from "./helpers.js";

/**
 * OTel spans are staged once (attributes looked up, parents walked over the stage) and located in the file only on the
 * error path: the two ways of reading must agree on which spans count, and a bad line is still named by its line.
 */

const kv = (key: string, v: string | number) => (typeof v === "number" ? { key, value: { intValue: String(v) } } : { key, value: { stringValue: v } });
const TRACE = "0af7651916cd43dd8448eb211c80319c";
const span = (id: string, parent: string | null, op: string, attrs: { key: string; value: unknown }[], startMs: number) =>
  JSON.stringify({
    traceId: TRACE,
    spanId: id,
    ...(parent ? { parentSpanId: parent } : {}),
    name: op,
    kind: op === "chat" ? "SPAN_KIND_CLIENT" : "SPAN_KIND_INTERNAL",
    startTimeUnixNano: String(BigInt(Date.parse("2026-10-05T09:00:00Z") + startMs) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.parse("2026-10-05T09:00:00Z") + startMs + 800) * 1_000_000n),
    attributes: [kv("gen_ai.operation.name", op), ...attrs],
    status: { code: "STATUS_CODE_OK" },
  });
const chat = (model: string | null, input: number, output: number) => [
  kv("gen_ai.provider.name", "openai"),
  ...(model ? [kv("gen_ai.request.model", model)] : []),
  kv("gen_ai.usage.input_tokens", input),
  kv("gen_ai.usage.output_tokens", output),
  kv("enduser.id", "5e8f0c2a91d4:planner"),
];

test("OTel spans: a chat span whose usage-bearing grandchild sits under a tool span counts once; a re-sent span once", async () => {
  const t = tmp();
  const file = join(t, "spans.jsonl");
  const child = span("b7ad6b7169203331", "00f067aa0ba902b7", "chat", chat("gpt-4o-mini", 400, 50), 120);
  writeFileSync(
    file,
    [
      // an outer chat span that repeats what its agent loop spent (1000/100) over a tool call that made one chat call
      span("53995c3f42cd8ad8", null, "chat", chat("gpt-4o-mini", 1000, 100), 0),
      span("00f067aa0ba902b7", "53995c3f42cd8ad8", "execute_tool", [kv("gen_ai.tool.name", "search")], 50),
      child,
      // the exporter re-sent the last batch
      child,
    ].join("\n") + "\n",
  );
  const db = join(t, "t.duckdb");
  const r = await cli(["ingest", "--db", db, file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 duplicate span \(re-sent batch\); 1 not an LLM call \(agent, tool, workflow… span\); 1 parent repeating a child span's usage/);
  // The leaf only: 400 × $0.15/M + 50 × $0.60/M = 60 + 30 µ$ = $0.00009.
  assert.deepEqual(await query(db, "SELECT request_id, input_tokens, output_tokens, user_hash, feature, latency_ms, cost_usd FROM usage"), [
    {
      request_id: `${TRACE}:b7ad6b7169203331`,
      input_tokens: "400",
      output_tokens: "50",
      user_hash: "5e8f0c2a91d4",
      feature: "planner",
      latency_ms: "800",
      cost_usd: "0.000090000000",
    },
  ]);
  assert.deepEqual(await query(db, "SELECT rows_read::INT AS read, rows_inserted::INT AS loaded, rows_skipped::INT AS skipped FROM ingests"), [
    { read: 4, loaded: 1, skipped: 3 },
  ]);
});

test("OTel spans: a bad span after re-sent ones is named by its line, and nothing is written", async () => {
  const t = tmp();
  const file = join(t, "spans.jsonl");
  const first = span("53995c3f42cd8ad8", null, "chat", chat("gpt-4o-mini", 1000, 100), 0);
  writeFileSync(file, [first, first, first, span("b7ad6b7169203331", null, "chat", chat(null, 400, 50), 120)].join("\n") + "\n");
  const db = join(t, "t.duckdb");
  assert.equal((await cli(["ingest", "--db", db, "fixtures/formats/otel-spans.jsonl"])).code, 0);
  const before = await checksum(db);
  const r = await cli(["ingest", "--db", db, file]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /spans\.jsonl:4: LLM call span without a model \(gen_ai\.request\.model \/ gen_ai\.response\.model\)/);
  assert.equal(await checksum(db), before);
});

test("OTel --skip-bad-rows: the bad span is found in the file before anything is staged; the others still count", async () => {
  const t = tmp();
  for (const [file, where] of [
    ["otel-spans-without-model.jsonl", "otel-spans-without-model.jsonl:4:"],
    ["otel-span-without-model.json", "otel-span-without-model.json: resourceSpans[0].scopeSpans[0].spans[3]:"],
  ] as const) {
    const db = join(t, `${file}.duckdb`);
    const r = await cli(["ingest", "--db", db, "--skip-bad-rows", `test/bad-input/${file}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1 bad row \(--skip-bad-rows\)/);
    assert.ok(r.stderr.includes(`${where} LLM call span without a model`), r.stderr);
    assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM usage WHERE model IS NOT NULL"), [{ n: 1 }]);
  }
});
