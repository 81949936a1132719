import { has, readCsv, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { csvHead, headerHas } from "./util.js";

const TOKENS = [
  "usage_input_tokens_no_cache",
  "usage_input_tokens_cache_write_5m",
  "usage_input_tokens_cache_write_1h",
  "usage_input_tokens_cache_read",
  "usage_output_tokens",
];

/** `usage_date_utc` is a day (daily/monthly export) or `YYYY-MM-DD HH:MM` (hourly export). */
export const consoleDate = (expr: string): string => `try_strptime(${text(expr)}, ['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d'])::TIMESTAMP`;
export const consoleBucketEnd = (expr: string): string =>
  `${consoleDate(expr)} + CASE WHEN length(${text(expr)}) > 10 THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END`;

/** Anthropic Console token export (claude_api_tokens_*.csv): API model ids, key names, no costs, no request counts. */
export const anthropicTokensCsv: UsageAdapter = {
  name: "anthropic-tokens-csv",
  description: "Anthropic Console token export (claude_api_tokens_*.csv), per day or hour × key × model",
  target: "usage",
  kind: "billing",
  tokenFields: [
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_read",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_output_tokens",
  ],
  detect: (head) => headerHas(head, "usage_date_utc", "usage_input_tokens_no_cache"),
  read(file) {
    return {
      from: readCsv(file, Object.fromEntries([...TOKENS, "web_search_count"].map((t) => [t, "DOUBLE"]))),
      lines: "csv",
    };
  },
  columns(file) {
    const { header } = csvHead(file);
    const col = (n: string) => has(header, n);
    const t = (n: string) => (col(n) ? tok(col(n)!) : undefined);
    return {
      ts: consoleDate("usage_date_utc"),
      bucket_end: consoleBucketEnd("usage_date_utc"),
      provider: `'anthropic'`,
      model: text(col("model_version") ?? "NULL"),
      api_key: col("api_key") ? text(col("api_key")!) : undefined,
      workspace: col("workspace") ? text(col("workspace")!) : undefined,
      requests: "0",
      input_tokens: t("usage_input_tokens_no_cache"),
      cached_input_tokens: t("usage_input_tokens_cache_read"),
      cache_write_5m_tokens: t("usage_input_tokens_cache_write_5m"),
      cache_write_1h_tokens: t("usage_input_tokens_cache_write_1h"),
      output_tokens: t("usage_output_tokens"),
      service_tier: col("usage_type") ? text(col("usage_type")!) : undefined,
      batch: col("usage_type") ? `coalesce(${text(col("usage_type")!)} = 'batch', false)` : undefined,
      // "≤ 200k" / "> 200k": the long-context tier is stated, not inferred from aggregated tokens.
      long_context: col("context_window") ? `coalesce(starts_with(${text(col("context_window")!)}, '>'), false)` : "false",
      // Charges beyond tokens: web search calls, US-only inference (`us`; `global`/`not_available` bill as listed), fast mode.
      web_search_requests: t("web_search_count"),
      inference_geo: col("inference_geo") ? `lower(${text(col("inference_geo")!)})` : undefined,
      speed: col("speed") ? `lower(${text(col("speed")!)})` : undefined,
    };
  },
};
