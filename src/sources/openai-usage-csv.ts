import { bool, has, isoTs, readCsv, text, tok, unixTs } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { csvHead, headerHas } from "./util.js";

const TOKEN_FIELDS = ["num_model_requests", "input_tokens", "output_tokens", "input_cached_tokens", "input_cache_write_tokens", "input_uncached_tokens"];

/** OpenAI dashboard usage export (completions_usage_*.csv, embeddings_usage_*.csv): one row per bucket × group. */
export const openaiUsageCsv: UsageAdapter = {
  name: "openai-usage-csv",
  description: "OpenAI dashboard usage export (completions or embeddings), per bucket × group",
  target: "usage",
  kind: "billing",
  tokenFields: ["input_tokens", "output_tokens", "num_model_requests"],
  detect: (head) => headerHas(head, "start_time", "end_time", "num_model_requests", "input_tokens"),
  read(file) {
    // Counts arrive as floats ("59200.0") in real exports.
    const types = Object.fromEntries(TOKEN_FIELDS.map((f) => [f, "DOUBLE"]));
    return {
      from: readCsv(file, types),
      // Buckets with no usage are emitted with blank metrics.
      keep: { sql: `num_model_requests IS NOT NULL OR input_tokens IS NOT NULL`, reason: "empty bucket" },
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const col = (n: string) => has(header, n);
    const cached = col("input_cached_tokens") ?? "0";
    const cacheWrite = col("input_cache_write_tokens") ?? "0";
    return {
      ts: col("start_time_iso") ? isoTs(col("start_time_iso")!) : unixTs(col("start_time")!),
      bucket_end: col("end_time_iso") ? isoTs(col("end_time_iso")!) : unixTs(col("end_time")!),
      provider: `'openai'`,
      model: col("model") ? text(col("model")!) : undefined,
      project: col("project_id") ? text(col("project_id")!) : undefined,
      api_key: col("api_key_id") ? text(col("api_key_id")!) : undefined,
      // The org member who owns the key; hashed on the way in, like every user id.
      user_raw: col("user_id") ? text(col("user_id")!) : undefined,
      endpoint: col("output_tokens") ? `'completions'` : `'embeddings'`,
      requests: tok("num_model_requests"),
      // OpenAI input_tokens include cached and cache-write tokens; the canonical bucket is the remainder.
      input_tokens: tok(`input_tokens - coalesce(${cached}, 0) - coalesce(${cacheWrite}, 0)`),
      cached_input_tokens: tok(cached),
      cache_write_5m_tokens: tok(cacheWrite),
      output_tokens: col("output_tokens") ? tok("output_tokens") : undefined,
      batch: col("batch") ? bool(col("batch")!) : undefined,
      service_tier: col("service_tier") ? text(col("service_tier")!) : undefined,
      long_context: "false",
    };
  },
};
