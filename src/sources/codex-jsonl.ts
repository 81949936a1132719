import { isoTs, readJson, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";

const COUNTS = "STRUCT(input_tokens DOUBLE, cached_input_tokens DOUBLE, output_tokens DOUBLE, reasoning_output_tokens DOUBLE, total_tokens DOUBLE)";

/**
 * Codex CLI session logs (`~/.codex/sessions/**.jsonl`). Reference: formats-2026.md §3b.
 *
 * `token_count` events carry the session's cumulative `total_token_usage` and the turn's `last_token_usage`: each row
 * is the turn's delta, `last_token_usage` when given, else this total minus the previous one (never both summed).
 * Events are ordered by time and then by the cumulative total (which only grows), not by line: the reader may hand
 * lines over in any order. The model is the event's, else the latest `turn_context`'s. Input includes cached tokens
 * (OpenAI semantics) and is reduced; output includes reasoning.
 *
 * A thread spawned by another (its `session_meta` source is a `thread_spawn` sub-agent) starts its file by replaying
 * the parent's token_count events within a second of the spawn: those are the parent's calls, counted in the parent's
 * file, so they are skipped, but they still seed the baseline the thread's own cumulative totals continue from
 * (formats-2026.md §3b, ccusage's Rust parser). The thread's own totals are never added to the parent's.
 */
export const codexJsonl: UsageAdapter = {
  name: "codex-jsonl",
  description: "Codex CLI session logs, JSON Lines (~/.codex/sessions): token_count events as per-turn deltas",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    head.kind === "json" &&
    head.first !== undefined &&
    ["timestamp", "type", "payload"].every((k) => k in head.first!) &&
    /"type"\s*:\s*"(session_meta|turn_context|event_msg|response_item)"/.test(head.text),
  read: () => {
    const lines = `(SELECT row_number() OVER () AS __line, * FROM ${readJson(
      {
        timestamp: "VARCHAR",
        type: "VARCHAR",
        payload: `STRUCT(type VARCHAR, id VARCHAR, model VARCHAR, cwd VARCHAR, source JSON,
          info STRUCT(model VARCHAR, last_token_usage ${COUNTS}, total_token_usage ${COUNTS}))`,
      },
      "newline_delimited",
    )})`;
    const tot = "payload.info.total_token_usage";
    const isCount = `(type = 'event_msg' AND payload.type = 'token_count')`;
    const ordered = `(SELECT *,
        ${isCount} AS __count,
        -- sort key: time, then context lines before the count events they apply to, then the cumulative total
        row_number() OVER (ORDER BY ${isoTs("timestamp")}, ${isCount}, coalesce(${tot}.total_tokens, -1), __line) AS __seq,
        max(payload.cwd) OVER () AS __cwd, max(CASE WHEN type = 'session_meta' THEN payload.id END) OVER () AS __session,
        -- a spawned thread: the parent's events it replays come within a second of its first line
        bool_or(type = 'session_meta' AND contains(CAST(payload.source AS VARCHAR), 'thread_spawn')) OVER () AS __spawned,
        min(${isoTs("timestamp")}) OVER () AS __start
      FROM ${lines})`;
    const withModel = `(SELECT *,
        coalesce(payload.info.model, last_value(CASE WHEN type = 'turn_context' THEN payload.model END IGNORE NULLS)
          OVER (ORDER BY __seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS __model,
        lag(${tot}) OVER (PARTITION BY __count AND ${tot} IS NOT NULL ORDER BY __seq) AS __prev
      FROM ${ordered})`;
    const d = (f: string) => `coalesce(payload.info.last_token_usage.${f}, greatest(coalesce(${tot}.${f}, 0) - coalesce(__prev.${f}, 0), 0))`;
    const deltas = `(SELECT *, ${d("input_tokens")} AS __in, ${d("cached_input_tokens")} AS __cached, ${d("output_tokens")} AS __out,
        ${d("reasoning_output_tokens")} AS __reason FROM ${withModel})`;
    const dupKey = "__model, timestamp, __in, __cached, __out, __reason";
    return {
      from: `(SELECT *, CASE
          WHEN NOT __count THEN 'not a token_count event'
          WHEN payload.info IS NULL THEN 'token_count without usage (info is null)'
          WHEN __spawned AND ${isoTs("timestamp")} < __start + INTERVAL 1 SECOND THEN 'parent thread''s token_count replayed by a spawned thread'
          WHEN __in + __cached + __out + __reason = 0 THEN 'token_count with no new tokens'
          WHEN row_number() OVER (PARTITION BY __count, ${dupKey} ORDER BY __seq) > 1 THEN 'repeated token_count event'
        END AS __why FROM ${deltas})`,
      keep: { sql: "__why IS NULL", reason: "not a model call", why: "__why" },
      lines: { line: "__line" },
    };
  },
  columns: () => ({
    ts: isoTs("timestamp"),
    provider: "'openai'",
    model: text("__model"),
    project: text("__cwd"),
    endpoint: "'codex'",
    requests: "1",
    input_tokens: tok("__in - least(__cached, __in)"),
    cached_input_tokens: tok("__cached"),
    output_tokens: tok("__out"),
    reasoning_tokens: tok("__reason"),
    request_id: `CASE WHEN __session IS NOT NULL THEN 'codex:' || __session || ':' || coalesce(CAST(payload.info.total_token_usage.total_tokens AS BIGINT)::VARCHAR, timestamp) END`,
  }),
  checks: [{ sql: "model IS NULL", reason: "token_count event without a model (no turn_context before it)" }],
};
