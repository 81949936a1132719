import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cli, dump, FIXTURES, golden, normalise, query, tmp } from "./helpers.js";

const USAGE_COLS = `source_format, strftime(ts, '%Y-%m-%dT%H:%M:%S') AS ts, strftime(bucket_end, '%Y-%m-%dT%H:%M:%S') AS bucket_end,
  provider, model, project, api_key, workspace, tag_raw, user_hash, feature, endpoint, requests, input_tokens,
  cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, batch,
  service_tier, long_context, status, latency_ms, request_id, reported_cost_usd, cost_usd, priced`;
const BILLED_COLS = `source_format, day, provider, model, line_item, token_type, cost_type, project, api_key, workspace,
  service_tier, quantity, amount_usd`;

/** One golden per format fixture: the CLI's exit code, stdout and stderr, then every row it stored. */
const dir = join(FIXTURES, "formats");
const companions: Record<string, string> = { "openai-batch-output.jsonl": "openai-batch-input.jsonl" };
for (const file of readdirSync(dir).sort()) {
  if (file === "openai-batch-input.jsonl") continue;
  test(`ingest golden: ${file}`, async () => {
    const t = tmp();
    const db = join(t, "t.duckdb");
    const args = ["ingest", "--db", db, `fixtures/formats/${file}`];
    if (companions[file]) args.push(`fixtures/formats/${companions[file]}`);
    const r = cli(args);
    assert.equal(r.code, 0, r.stderr);
    const usage = await query(db, `SELECT ${USAGE_COLS} FROM usage ORDER BY ts, model, request_id, input_tokens`);
    const billed = await query(db, `SELECT ${BILLED_COLS} FROM billed_cost ORDER BY day, model, line_item, amount_usd`);
    golden(
      `ingest/${file}.txt`,
      `exit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}--- usage\n${dump(usage)}--- billed_cost\n${dump(billed)}`,
    );
  });
}

test("every input format fits the usage.source_format type (a new adapter needs a migration)", async () => {
  const { ADAPTERS } = await import("../src/sources/index.js");
  const { SOURCE_FORMATS_V4 } = await import("../src/store/schema.js");
  const known = new Set<string>(SOURCE_FORMATS_V4);
  assert.deepEqual(ADAPTERS.map((a) => a.name).filter((n) => !known.has(n)), []);
});
