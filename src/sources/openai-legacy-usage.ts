import { readJson, text, tok, unixIso, unixTs } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/** The response's arrays of usage other than completions (not read), and what each holds. */
const OTHER_USAGE: Record<string, string> = {
  ft_data: "ft_data (fine-tuning jobs)",
  dalle_api_data: "dalle_api_data (images, not tokens)",
  whisper_api_data: "whisper_api_data (seconds of audio, not tokens)",
  tts_api_data: "tts_api_data (text-to-speech characters, not tokens)",
  assistant_code_interpreter_data: "assistant_code_interpreter_data (sessions, not tokens)",
  retrieval_storage_data: "retrieval_storage_data (storage, not tokens)",
};

/** The pre-2025 undocumented `GET /v1/usage?date=` response: per-minute rows in `data[]`. Emails are never read. */
export const openaiLegacyUsage: UsageAdapter = {
  name: "openai-legacy-usage-json",
  description: "OpenAI legacy /v1/usage JSON (per-minute completion rows, pre-2025)",
  target: "usage",
  kind: "billing",
  tokenFields: ["n_context_tokens_total", "n_generated_tokens_total"],
  detect: (head) => jsonHas(head, /"aggregation_timestamp"/, /"n_context_tokens_total"/),
  read: () => ({
    // The other arrays (images, audio, fine-tuning, assistants' tools and storage) are not read: each entry is counted
    // as skipped, with what it is, never dropped in silence.
    from: `(WITH __file AS MATERIALIZED (SELECT * FROM ${readJson({
      object: "VARCHAR",
      data:
        "STRUCT(aggregation_timestamp DOUBLE, n_requests DOUBLE, operation VARCHAR, snapshot_id VARCHAR, " +
        "n_context_tokens_total DOUBLE, n_generated_tokens_total DOUBLE, n_cached_context_tokens_total DOUBLE, " +
        "api_key_id VARCHAR, project_id VARCHAR, request_type VARCHAR)[]",
      ...Object.fromEntries(Object.keys(OTHER_USAGE).map((k) => [k, "JSON[]"])),
    })})
      SELECT unnest(data) AS d, NULL::VARCHAR AS __why FROM __file
      ${Object.entries(OTHER_USAGE)
        .map(([k, what]) => `UNION ALL SELECT NULL AS d, '${what}' AS __why FROM (SELECT unnest(${k}) FROM __file)`)
        .join("\n      ")})`,
    keep: { sql: "__why IS NULL", reason: "not completion usage", why: "__why" },
    lines: { record: `coalesce('data row at ' || ${unixIso("d.aggregation_timestamp")}, 'a data row without a usable aggregation_timestamp')` },
  }),
  columns: () => ({
    ts: unixTs("d.aggregation_timestamp"),
    bucket_end: `${unixTs("d.aggregation_timestamp")} + INTERVAL 1 MINUTE`,
    provider: `'openai'`,
    model: text("d.snapshot_id"),
    project: text("d.project_id"),
    api_key: text("d.api_key_id"),
    endpoint: text("d.operation"),
    requests: tok("d.n_requests"),
    // n_context_tokens_total includes cached tokens, like every OpenAI input count.
    input_tokens: tok("d.n_context_tokens_total - coalesce(d.n_cached_context_tokens_total, 0)"),
    cached_input_tokens: tok("d.n_cached_context_tokens_total"),
    output_tokens: tok("d.n_generated_tokens_total"),
    batch: `coalesce(d.request_type = 'batch', false)`,
    long_context: "false",
  }),
};
