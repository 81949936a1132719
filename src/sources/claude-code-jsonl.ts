import { isoTs, money, readJson, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";

const USAGE =
  "STRUCT(input_tokens DOUBLE, output_tokens DOUBLE, cache_creation_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, " +
  "cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), service_tier VARCHAR, speed VARCHAR, " +
  "server_tool_use STRUCT(web_search_requests DOUBLE))";

/**
 * Claude Code session logs (`~/.claude/projects/<project>/<session>.jsonl`, sub-agents under `<session>/subagents/`).
 * Reference: formats-2026.md §3a.
 *
 * One API call is streamed as several lines (one per content block) with the same `message.id` and `requestId`: the
 * input and cache counts repeat and `output_tokens` grows, so each call keeps one line, the largest by total tokens
 * (ties: the one with `speed`, then the main chain over a sidechain replay, then the last line), as ccusage does.
 * The call is its `message.id`: a sidechain (a sub-agent's transcript) replays the parent's messages under a new
 * `requestId` (ccusage #913), and resumed or forked sessions copy earlier lines into their own file. So `message.id`
 * is the stored request_id, and a call copied into another file is counted once across files too ("request_id
 * already ingested"). Lines without a `message.id` are each their own call.
 * Input tokens exclude cache reads and writes (Anthropic semantics).
 */
export const claudeCodeJsonl: UsageAdapter = {
  name: "claude-code-jsonl",
  description: "Claude Code session logs, JSON Lines (~/.claude/projects): one row per API call, streamed lines deduplicated",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    head.kind === "json" &&
    head.first !== undefined &&
    /"sessionId"\s*:/.test(head.text) &&
    (/"message"\s*:\s*\{/.test(head.text) || /"leafUuid"\s*:/.test(head.text)) &&
    !/"payload"\s*:/.test(head.text),
  read: () => {
    const lines = `(SELECT row_number() OVER () AS __line, * FROM ${readJson(
      {
        timestamp: "VARCHAR",
        type: "VARCHAR",
        sessionId: "VARCHAR",
        cwd: "VARCHAR",
        requestId: "VARCHAR",
        costUSD: "VARCHAR",
        isSidechain: "BOOLEAN",
        isApiErrorMessage: "BOOLEAN",
        message: `STRUCT(id VARCHAR, model VARCHAR, role VARCHAR, usage ${USAGE})`,
      },
      "newline_delimited",
    )})`;
    const u = "message.usage";
    const total = `coalesce(${u}.input_tokens, 0) + coalesce(${u}.output_tokens, 0) + coalesce(${u}.cache_creation_input_tokens, 0) + coalesce(${u}.cache_read_input_tokens, 0)`;
    const order = `${total} DESC, ${u}.speed IS NOT NULL DESC, coalesce(isSidechain, false), timestamp DESC, __line DESC`;
    const ranked = `(SELECT *, CASE WHEN message.id IS NULL THEN 1 ELSE row_number() OVER __call END AS __rank,
        first_value(struct_pack(req := requestId, side := coalesce(isSidechain, false))) OVER __call AS __kept
      FROM ${lines} WINDOW __call AS (PARTITION BY message.id ORDER BY ${order}))`;
    return {
      from: `(SELECT *, CASE
          WHEN message.usage IS NULL THEN 'no API usage (user, system, summary… line)'
          WHEN message.model = '<synthetic>' THEN 'synthetic message (no API call)'
          WHEN __rank > 1 AND requestId IS NOT DISTINCT FROM __kept.req AND coalesce(isSidechain, false) = __kept.side
            THEN 'streamed line of a call already counted'
          WHEN __rank > 1 THEN 'replayed copy of a call already counted (sidechain, resumed session)'
        END AS __why FROM ${ranked})`,
      keep: { sql: "__why IS NULL", reason: "not an API call", why: "__why" },
      lines: { line: "__line" },
    };
  },
  columns: () => {
    const u = "message.usage";
    return {
      ts: isoTs("timestamp"),
      provider: "'anthropic'",
      model: text("message.model"),
      project: text("cwd"),
      endpoint: "'claude-code'",
      requests: "1",
      input_tokens: tok(`${u}.input_tokens`),
      cached_input_tokens: tok(`${u}.cache_read_input_tokens`),
      // The nested split when present; else all of cache_creation_input_tokens is a 5-minute write (the default TTL).
      cache_write_5m_tokens: tok(
        `coalesce(${u}.cache_creation.ephemeral_5m_input_tokens, ${u}.cache_creation_input_tokens - coalesce(${u}.cache_creation.ephemeral_1h_input_tokens, 0))`,
      ),
      cache_write_1h_tokens: tok(`${u}.cache_creation.ephemeral_1h_input_tokens`),
      output_tokens: tok(`${u}.output_tokens`),
      service_tier: text(`${u}.service_tier`),
      // Fast mode is priced at its own rates; web searches by the server tool are charged per call.
      speed: `lower(${text(`${u}.speed`)})`,
      web_search_requests: tok(`${u}.server_tool_use.web_search_requests`),
      status: `CASE WHEN isApiErrorMessage THEN 'error' END`,
      request_id: "message.id",
      reported_cost_usd: money("costUSD"),
    };
  },
  checks: [{ sql: "model IS NULL", reason: "assistant message without a model" }],
};
