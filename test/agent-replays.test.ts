import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cli, dump, golden, normalise, query, tmp, columnList } from "./helpers.js";

/**
 * Coding-agent logs repeat calls: Claude Code sidechains replay a parent's message under a new requestId, resumed
 * sessions copy the earlier conversation into a new file, and a Codex thread spawned by another replays the parent's
 * token counts before its own. Every call is counted once, whichever files are ingested and in which order.
 * Prices (per 1M tokens): Sonnet 4.5 $3 in, $0.30 cache read, $3.75 5-minute write, $6 1-hour write, $15 out;
 * Haiku 4.5 $1 in, $0.10 cache read, $5 out; gpt-5-codex $1.25 in, $0.125 cached, $10 out.
 */

const CLAUDE = "fixtures/agents/claude/projects/-Users-dev-src-billing-web";
const SESSION = `${CLAUDE}/4f1c2b7e-8d3a-4e51-9b6f-2a7c9e0d5b13.jsonl`;
const RESUMED = `${CLAUDE}/b83e0f19-27c4-4d6a-a1f5-6e9d3c2b7a04.jsonl`;
const SUBAGENT = `${CLAUDE}/4f1c2b7e-8d3a-4e51-9b6f-2a7c9e0d5b13/subagents/agent-a7d2e9f1.jsonl`;
const CODEX = "fixtures/agents/codex/sessions/2026/10/23";
const PARENT = `${CODEX}/rollout-2026-10-23T14-02-11-019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b.jsonl`;
const THREAD = `${CODEX}/rollout-2026-10-23T14-03-05-019a2b3d-1e2f-7a30-9b4c-5d6e7f8a9b0c.jsonl`;

const COLS = columnList([
  "source_format",
  "ts",
  "model",
  "project",
  "endpoint",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "reasoning_tokens",
  "request_id",
  "cost_usd",
  "priced",
]);
const total = async (db: string) => (await query(db, "SELECT count(*)::INT AS calls, sum(cost_usd)::VARCHAR AS usd FROM usage"))[0];

/** Ingests files one run each (as a user adding sessions over time); a golden of every run's output and the rows. */
async function ingestEach(db: string, t: string, files: string[]): Promise<string> {
  let out = "";
  for (const f of files) {
    const r = await cli(["ingest", "--db", db, f]);
    assert.equal(r.code, 0, r.stderr);
    out += `$ llmcost ingest ${f}\nexit=${r.code}\n--- stdout\n${normalise(r.stdout, t)}--- stderr\n${normalise(r.stderr, t)}`;
  }
  return out;
}

test("Claude Code: a sidechain's replay of its parent's call, a resumed session's copies and a sub-agent file count each call once", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const out = await ingestEach(db, t, [SESSION, RESUMED, SUBAGENT]);
  golden("agents/claude-code-replays.txt", `${out}--- usage\n${dump(await query(db, `SELECT ${COLS} FROM usage ORDER BY ts, request_id`))}`);
  assert.match(out, /1 replayed copy of a call already counted \(sidechain, resumed session\)/);
  assert.match(out, /3 request_id already ingested/);
  assert.deepEqual(
    await query(
      db,
      "SELECT request_id, input_tokens, cached_input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, cost_usd FROM usage ORDER BY ts",
    ),
    [
      // the final streamed line: 4 × 3 + 12800 × 0.30 + 2100 × 3.75 + 318 × 15 = 12 + 3840 + 7875 + 4770 µ$
      {
        request_id: "msg_01A1pQ7vN3xK8mR2tY6wZ4bC",
        input_tokens: "4",
        cached_input_tokens: "12800",
        cache_write_5m_tokens: "2100",
        cache_write_1h_tokens: "0",
        output_tokens: "318",
        cost_usd: "0.016497000000",
      },
      // the Task call, once (its sidechain replay under req_011CUR4cQ1… is skipped): 18 + 4470 + 2400 + 1440 µ$
      {
        request_id: "msg_01A2hT5nB8cW3qL6vX9pR1dF",
        input_tokens: "6",
        cached_input_tokens: "14900",
        cache_write_5m_tokens: "640",
        cache_write_1h_tokens: "0",
        output_tokens: "96",
        cost_usd: "0.008328000000",
      },
      // the sub-agent's own call (Haiku), inside the session file: 2400 × 1 + 180 × 5 = 2400 + 900 µ$
      {
        request_id: "msg_01S1gK4mV7bN2xR9tL5qW8cJ",
        input_tokens: "2400",
        cached_input_tokens: "0",
        cache_write_5m_tokens: "0",
        cache_write_1h_tokens: "0",
        output_tokens: "180",
        cost_usd: "0.003300000000",
      },
      // a 1-hour cache write: 8 × 3 + 15600 × 0.30 + 900 × 6 + 412 × 15 = 24 + 4680 + 5400 + 6180 µ$
      {
        request_id: "msg_01A3wE6rT9yU2iO5pA8sD1fG",
        input_tokens: "8",
        cached_input_tokens: "15600",
        cache_write_5m_tokens: "0",
        cache_write_1h_tokens: "900",
        output_tokens: "412",
        cost_usd: "0.016284000000",
      },
      // the sub-agent file's own call (its replay of msg_01A3… is already counted): 1850 × 1 + 3200 × 0.10 + 140 × 5
      // = 1850 + 320 + 700 µ$
      {
        request_id: "msg_01S2nM5bV8cX1zL4kJ7hG0fD",
        input_tokens: "1850",
        cached_input_tokens: "3200",
        cache_write_5m_tokens: "0",
        cache_write_1h_tokens: "0",
        output_tokens: "140",
        cost_usd: "0.002870000000",
      },
      // the resumed session's new call: 5 × 3 + 16400 × 0.30 + 1200 × 3.75 + 264 × 15 = 15 + 4920 + 4500 + 3960 µ$
      {
        request_id: "msg_01B1zX4cV7bN0mQ3wE6rT9yU",
        input_tokens: "5",
        cached_input_tokens: "16400",
        cache_write_5m_tokens: "1200",
        cache_write_1h_tokens: "0",
        output_tokens: "264",
        cost_usd: "0.013395000000",
      },
    ],
  );
  // 16497 + 8328 + 3300 + 16284 + 2870 + 13395 µ$
  assert.deepEqual(await total(db), { calls: 6, usd: "0.060674000000" });
});

test("Claude Code: the same calls whatever the order, and in one run over the projects directory", async () => {
  const t = tmp();
  // The resumed session alone holds copies of the first session's calls: they are its record of them.
  const alone = join(t, "alone.duckdb");
  await ingestEach(alone, t, [RESUMED]);
  // 16497 + 8328 + 16284 + 13395 µ$
  assert.deepEqual(await total(alone), { calls: 4, usd: "0.054504000000" });
  const reversed = join(t, "reversed.duckdb");
  const out = await ingestEach(reversed, t, [RESUMED, SUBAGENT, SESSION]);
  // The sub-agent file's copy of msg_01A3… and the session's three main-chain calls were ingested before.
  assert.match(out, /1 request_id already ingested/);
  assert.match(out, /3 request_id already ingested/);
  assert.deepEqual(await total(reversed), { calls: 6, usd: "0.060674000000" });
  const dir = join(t, "dir.duckdb");
  const r = await cli(["ingest", "--db", dir, "fixtures/agents/claude"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await total(dir), { calls: 6, usd: "0.060674000000" });
  const ids = "SELECT request_id FROM usage ORDER BY request_id";
  assert.deepEqual(await query(dir, ids), await query(reversed, ids));
});

test("Codex: a spawned thread's replay of its parent's token counts is skipped and seeds its baseline", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  const out = await ingestEach(db, t, [PARENT, THREAD]);
  golden("agents/codex-thread-spawn.txt", `${out}--- usage\n${dump(await query(db, `SELECT ${COLS} FROM usage ORDER BY ts, request_id`))}`);
  assert.match(out, /2 parent thread's token_count replayed by a spawned thread/);
  assert.deepEqual(await query(db, "SELECT request_id, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, cost_usd FROM usage ORDER BY ts"), [
    // parent: 9800 × 1.25 + 540 × 10 = 12250 + 5400 µ$
    {
      request_id: "codex:019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b:10340",
      input_tokens: "9800",
      cached_input_tokens: "0",
      output_tokens: "540",
      reasoning_tokens: "320",
      cost_usd: "0.017650000000",
    },
    // parent: (11250 − 9728) × 1.25 + 9728 × 0.125 + 410 × 10 = 1902.5 + 1216 + 4100 µ$
    {
      request_id: "codex:019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b:22000",
      input_tokens: "1522",
      cached_input_tokens: "9728",
      output_tokens: "410",
      reasoning_tokens: "192",
      cost_usd: "0.007218500000",
    },
    // thread, no last_token_usage: its total minus the parent's replayed total (not minus 0): 27150 − 21050 in,
    // 14848 − 9728 cached, 1570 − 950 out; (6100 − 5120) × 1.25 + 5120 × 0.125 + 620 × 10 = 1225 + 640 + 6200 µ$
    {
      request_id: "codex:019a2b3d-1e2f-7a30-9b4c-5d6e7f8a9b0c:28720",
      input_tokens: "980",
      cached_input_tokens: "5120",
      output_tokens: "620",
      reasoning_tokens: "384",
      cost_usd: "0.008065000000",
    },
    // thread: (7300 − 6656) × 1.25 + 6656 × 0.125 + 455 × 10 = 805 + 832 + 4550 µ$
    {
      request_id: "codex:019a2b3d-1e2f-7a30-9b4c-5d6e7f8a9b0c:36475",
      input_tokens: "644",
      cached_input_tokens: "6656",
      output_tokens: "455",
      reasoning_tokens: "256",
      cost_usd: "0.006187000000",
    },
    // parent, after the thread finished: (12400 − 11008) × 1.25 + 11008 × 0.125 + 385 × 10 = 1740 + 1376 + 3850 µ$
    {
      request_id: "codex:019a2b3c-4d5e-7f60-8a1b-2c3d4e5f6a7b:34785",
      input_tokens: "1392",
      cached_input_tokens: "11008",
      output_tokens: "385",
      reasoning_tokens: "128",
      cost_usd: "0.006966000000",
    },
  ]);
  // 17650 + 7218.5 + 6966 (parent) + 8065 + 6187 (thread) µ$. Counting the replayed events again would add
  // 17650 + 7218.5; summing the thread's totals would count 27150 + 34450 input tokens.
  assert.deepEqual(await total(db), { calls: 5, usd: "0.046086500000" });
  // The thread's file alone: its own two calls, nothing of the parent's.
  const alone = join(t, "thread.duckdb");
  await ingestEach(alone, t, [THREAD]);
  assert.deepEqual(await total(alone), { calls: 2, usd: "0.014252000000" });
  // In one run over the sessions directory, either file first: the same calls.
  const dir = join(t, "dir.duckdb");
  assert.equal((await cli(["ingest", "--db", dir, "fixtures/agents/codex"])).code, 0);
  assert.deepEqual(await total(dir), { calls: 5, usd: "0.046086500000" });
});

test("Claude Code: rows stored as message.id:requestId before schema v10 take the message id, so later copies match them", async () => {
  const t = tmp();
  const db = join(t, "t.duckdb");
  await ingestEach(db, t, [SESSION]);
  // The database as the earlier key left it.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  await conn.run(`UPDATE usage_wide SET request_id = request_id || ':req_011CUR4zz' WHERE source_format = 'claude-code-jsonl';
    DELETE FROM schema_migrations WHERE version = 10`);
  conn.closeSync();
  inst.closeSync();
  const out = await ingestEach(db, t, [RESUMED]);
  assert.match(out, /1 row added/);
  assert.match(out, /3 request_id already ingested/);
  assert.deepEqual(await query(db, "SELECT count(*)::INT AS n FROM usage WHERE contains(request_id, ':')"), [{ n: 0 }]);
  // 16497 + 8328 + 3300 + 16284 (the session) + 13395 (the resumed session's own call) µ$
  assert.deepEqual(await total(db), { calls: 5, usd: "0.057804000000" });
});
