import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { digestFile } from "../src/ingest/files.js";
import { cli, dump, FIXTURES, FULL_TIER, golden, normalise, query, tmp, columnList, billedColumnList } from "./helpers.js";

const USAGE_COLS = columnList([
  "source_format",
  "ts",
  "bucket_end",
  "provider",
  "model",
  "project",
  "api_key",
  "workspace",
  "tag_raw",
  "user_hash",
  "feature",
  "endpoint",
  "requests",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "reasoning_tokens",
  "batch",
  "service_tier",
  "long_context",
  "status",
  "latency_ms",
  "request_id",
  "reported_cost_usd",
  "cost_usd",
  "priced",
]);
const BILLED_COLS = billedColumnList([
  "source_format",
  "day",
  "provider",
  "model",
  "line_item",
  "token_type",
  "cost_type",
  "project",
  "api_key",
  "workspace",
  "service_tier",
  "quantity",
  "amount_usd",
]);

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
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    const usage = await query(db, `SELECT ${USAGE_COLS} FROM usage ORDER BY ts, model, request_id, input_tokens`);
    const billed = await query(db, `SELECT ${BILLED_COLS} FROM billed_cost ORDER BY day, model, line_item, amount_usd`);
    golden(
      `ingest/${file}.txt`,
      `exit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}--- usage\n${dump(usage)}--- billed_cost\n${dump(billed)}`,
    );
  });
}

test("a plain request log is stored lean and reads exactly as the same rows stored wide, repricing included", async () => {
  const t = tmp();
  const rows = [
    "2025-10-20T08:00:00Z,gpt-4o-mini,a1b2c3d4e5f6:chat,,1000,200,50,120,r1,p1",
    "2025-10-20T08:00:01Z,GPT-4o-mini,alice@example.com,summarize,1000,0,50,80,r2,p1", // raw id: hashed; feature column
    "2025-10-20T08:00:02Z,claude-sonnet-4-5,A1B2C3D4E5F6:chat,,2000,0,10,,r3,", // not a tag (upper case): hashed
    "2025-10-20T08:00:03Z,my-private-model,0123456789ab:batch-job,,10,0,1,5,r4,p2", // unpriced
  ];
  const header = "timestamp,model,user,feature,input_tokens,cached_input_tokens,output_tokens,latency_ms,request_id,prompt_hash";
  writeFileSync(join(t, "lean.csv"), [header, ...rows].join("\n") + "\n");
  // An (empty) project column is more than a plain log carries: the same rows go to usage_wide.
  writeFileSync(join(t, "wide.csv"), [`${header},project`, ...rows.map((r) => `${r},`)].join("\n") + "\n");
  const view = `SELECT * EXCLUDE (rid) FROM usage ORDER BY request_id`;
  const stored = "SELECT (SELECT count(*) FROM usage_lean)::INT AS lean, (SELECT count(*) FROM usage_wide)::INT AS wide";
  const read: Record<string, unknown>[][] = [];
  for (const [file, where] of [
    ["lean.csv", { lean: 4, wide: 0 }],
    ["wide.csv", { lean: 0, wide: 4 }],
  ] as const) {
    const db = join(t, `${file}.duckdb`);
    assert.equal((await cli(["ingest", "--db", db, join(t, file)])).code, 0);
    assert.deepEqual(await query(db, stored), [where]);
    // A pricing change re-prices stored rows in both tables: gpt-4o-mini at 20% off.
    writeFileSync(join(t, "off.json"), JSON.stringify({ discounts: [{ provider: "openai", percent: 20 }] }));
    writeFileSync(join(t, "one.csv"), `${header}\n2025-10-21T08:00:00Z,gpt-4o-mini,,,1,0,1,,r9,\n`);
    assert.equal((await cli(["ingest", "--db", db, "--pricing", join(t, "off.json"), join(t, "one.csv")])).code, 0);
    read.push(await query(db, view));
  }
  assert.deepEqual(read[0], read[1]);
  const r1 = read[0]![0]!;
  // r1 (an OpenAI model: its input 1000 includes the 200 cached, so 800 uncached):
  // 800 × $0.15/M + 200 cached × $0.075/M + 50 output × $0.60/M = $0.000165, then 20% off = $0.000132
  assert.deepEqual(
    [r1.tag_raw, r1.user_hash, r1.feature, r1.provider, r1.cost_usd, r1.priced],
    ["a1b2c3d4e5f6:chat", "a1b2c3d4e5f6", "chat", "openai", "0.000132000000", true],
  );
  const byId = Object.fromEntries(read[0]!.map((r) => [r.request_id, r]));
  assert.equal(byId.r2!.tag_raw, null);
  assert.equal(byId.r2!.feature, "summarize");
  assert.equal(byId.r2!.user_hash, createHash("sha256").update("alice@example.com").digest("hex").slice(0, 12));
  assert.equal(byId.r3!.feature, "(untagged)");
  assert.deepEqual([byId.r4!.priced, byId.r4!.cost_usd, byId.r4!.provider], [false, null, null]);
});

test("a JSON document of 36 MB is read whole: the reader's object limit follows the file's size", FULL_TIER, async () => {
  const dir = tmp();
  // One usage page of 140,000 results in one daily bucket: a single JSON object of about 36 MB (DuckDB reads an
  // object of up to 32 MB whatever the limit says).
  const results = Array.from({ length: 140_000 }, (_, i) => ({
    object: "organization.usage.completions.result",
    input_tokens: 1000 + (i % 7),
    input_cached_tokens: 0,
    output_tokens: 50,
    num_model_requests: 1,
    project_id: `proj_${String(i).padStart(6, "0")}`,
    user_id: null,
    api_key_id: null,
    model: "gpt-4o-mini-2024-07-18",
    batch: false,
    service_tier: "default",
  }));
  const page = { object: "page", data: [{ object: "bucket", start_time: 1730419200, end_time: 1730505600, results }], has_more: false, next_page: null };
  const file = join(dir, "usage-completions.json");
  writeFileSync(file, JSON.stringify(page));
  const db = join(dir, "big.duckdb");
  const r = await cli(["ingest", "--db", db, file]);
  assert.equal(r.code, 0, r.stderr);
  // By hand: 140,000 rows = 20,000 cycles of i % 7; input 140,000 × 1,000 + 20,000 × (0+1+…+6).
  const input = 140_000 * 1000 + 20_000 * 21;
  const rows = await query(db, "SELECT count(*) AS n, sum(input_tokens)::BIGINT AS input, sum(output_tokens)::BIGINT AS output FROM usage");
  assert.deepEqual(rows, [{ n: "140000", input: String(input), output: "7000000" }]);
});

test("digestFile: the sha256 and which strings the bytes lack, across read chunks; a gzip file lacks none", async () => {
  const dir = tmp();
  // "event" split across the 1 MiB chunks the hash pass reads: found in the seam
  const seam = Buffer.concat([Buffer.alloc((1 << 20) - 3, 0x20), Buffer.from('"event":1')]);
  writeFileSync(join(dir, "seam.jsonl"), seam);
  const d = await digestFile(join(dir, "seam.jsonl"), ['"event"', "\\u"]);
  assert.equal(d.sha256, createHash("sha256").update(seam).digest("hex"));
  assert.deepEqual([...d.lacks], ["\\u"]);
  writeFileSync(join(dir, "empty.jsonl"), "");
  assert.deepEqual([...(await digestFile(join(dir, "empty.jsonl"), ["x"])).lacks], ["x"]);
  writeFileSync(join(dir, "x.jsonl.gz"), gzipSync('{"a":1}\n'));
  assert.deepEqual([...(await digestFile(join(dir, "x.jsonl.gz"), ['"event"'])).lacks], []);
});

test("request-log lines left out by event are counted whether the file spells the key plainly or escaped, and none without one", async () => {
  const dir = tmp();
  const line = (extra: string, s: number) =>
    `{"timestamp":"2026-01-01T00:00:0${s}Z","model":"gpt-4o-2024-08-06",${extra}"usage":{"prompt_tokens":1000,"completion_tokens":100}}\n`;
  const files = {
    "plain.jsonl": line("", 0) + line("", 1),
    "event.jsonl": line("", 0) + line('"event":"feedback",', 1),
    // JSON may spell a key with escapes: \u0065vent is "event" to the reader, and so to the count
    "escaped.jsonl": line("", 0) + line('"\\u0065vent":"feedback",', 1),
  };
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    const r = await cli(["ingest", "--db", join(dir, `${name}.duckdb`), join(dir, name), "--output", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const [f] = JSON.parse(r.stdout).files;
    assert.deepEqual([f.rows, f.skipped], name === "plain.jsonl" ? [2, []] : [1, [{ reason: "event is not a request", rows: 1 }]], name);
    // gpt-4o-2024-08-06 at $2.50 / $10 per 1M: 1,000 in + 100 out = $0.0025 + $0.001 = $0.0035 a line
    const cost = await query(join(dir, `${name}.duckdb`), "SELECT sum(cost_usd)::VARCHAR AS c FROM usage");
    assert.equal(Number(cost[0]!.c), name === "plain.jsonl" ? 0.007 : 0.0035, name);
  }
});

test("an empty API page (a quiet day's usage, a last page) is passed over with a note, never refused", async () => {
  const dir = tmp();
  const pages = join(dir, "pages");
  mkdirSync(pages);
  copyFileSync(join(FIXTURES, "formats", "openai-usage-completions.json"), join(pages, "page1.json"));
  writeFileSync(join(pages, "page2.json"), '{"object":"page","data":[],"has_more":false,"next_page":null}\n');
  const db = join(dir, "x.duckdb");
  const r = await cli(["ingest", "--db", db, pages]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\n3 rows added to /);
  assert.equal(r.stderr, `note: ${join(pages, "page2.json")}: an empty API page (data: []): nothing to load; skipped\n`);
  // Anthropic's empty page and an empty array, named alone: nothing to load, exit 0, and no database is made
  writeFileSync(join(dir, "anthropic.json"), '{"data": [], "has_more": false, "next_page": null}');
  writeFileSync(join(dir, "empty.json"), "[]\n");
  const fresh = join(dir, "fresh.duckdb");
  const e = await cli(["ingest", "--db", fresh, join(dir, "anthropic.json"), join(dir, "empty.json")]);
  assert.equal(e.code, 0, e.stderr);
  assert.match(e.stdout, new RegExp(`nothing to load: every file is empty \\(${fresh.replaceAll(".", "\\.")} is as it was\\)\\n$`));
  assert.match(
    e.stderr,
    /anthropic\.json: an empty API page \(data: \[\]\): nothing to load; skipped\n.*empty\.json: an empty JSON array: nothing to load; skipped\n$/s,
  );
  assert.equal(existsSync(fresh), false);
  // Beside a file with rows, an empty one is a note and the rest loads
  const bad = await cli(["ingest", "--db", fresh, join(dir, "empty.json"), join(FIXTURES, "formats", "requests.csv")]);
  assert.equal(bad.code, 0, bad.stderr);
  assert.equal(Number((await query(fresh, "SELECT count(*)::INT AS n FROM usage"))[0]!.n) > 0, true);
});
