import { isoTs, readJson, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/** The group_by dimensions of the 2026 analytics API that map to canonical columns (ungrouped ones are null). */
export const ANALYTICS_GROUP =
  "STRUCT(model VARCHAR, api_key_id VARCHAR, workspace_id VARCHAR, service_tier VARCHAR, context_window VARCHAR, " +
  "claude_tag_user_id VARCHAR, claude_tag_category VARCHAR, product VARCHAR, actor VARCHAR, environment_id VARCHAR, " +
  "cost_type VARCHAR, token_type VARCHAR)";
/** Rows of an analytics page, with the page's data_refreshed_at and each row's index (for messages). */
export const analyticsRows = (fields: string): string =>
  `(SELECT data_refreshed_at, unnest(data) AS d, generate_subscripts(data, 1) - 1 AS __i FROM ${readJson({
    data: `STRUCT(starting_at VARCHAR, ending_at VARCHAR, "group" ${ANALYTICS_GROUP}, ${fields})[]`,
    data_refreshed_at: "VARCHAR",
  })})`;
export const isAnalytics = /"group"\s*:\s*\{/;
/** A bucket ending after the data_refreshed_at watermark is not final yet. */
export const provisional = `CASE WHEN ${isoTs("d.ending_at")} > ${isoTs("data_refreshed_at")} THEN 'provisional' END`;

/**
 * Anthropic Usage & Cost Analytics API usage pages (2026, /v1/organizations/analytics/usage). Reference:
 * formats-2026.md §5. Buckets × group; input excludes cache reads and writes. Buckets after data_refreshed_at are
 * stored with status `provisional`.
 */
export const anthropicAnalyticsUsage: UsageAdapter = {
  name: "anthropic-analytics-usage",
  description:
    "Anthropic Usage & Cost Analytics API usage pages (2026; analytics/usage), per bucket × group_by; buckets after data_refreshed_at are provisional",
  target: "usage",
  kind: "billing",
  tokenFields: ["uncached_input_tokens", "cache_read_input_tokens", "output_tokens"],
  detect: (head) => jsonHas(head, /"starting_at"/, isAnalytics, /"usage"\s*:\s*\{/),
  read: () => ({
    from: analyticsRows(
      "usage STRUCT(uncached_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, " +
        "cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), output_tokens DOUBLE, " +
        "server_tool_use STRUCT(web_search_requests DOUBLE), requests DOUBLE)",
    ),
    keep: { sql: "d.usage IS NOT NULL", reason: "no usage" },
    lines: { record: `'data[' || __i || ']'` },
  }),
  columns: () => ({
    ts: isoTs("d.starting_at"),
    bucket_end: isoTs("d.ending_at"),
    provider: `'anthropic'`,
    model: text(`d."group".model`),
    api_key: text(`d."group".api_key_id`),
    workspace: text(`d."group".workspace_id`),
    user_raw: text(`d."group".claude_tag_user_id`),
    feature_hint: text(`d."group".claude_tag_category`),
    endpoint: text(`d."group".product`),
    requests: tok("d.usage.requests"),
    input_tokens: tok("d.usage.uncached_input_tokens"),
    cached_input_tokens: tok("d.usage.cache_read_input_tokens"),
    cache_write_5m_tokens: tok("d.usage.cache_creation.ephemeral_5m_input_tokens"),
    cache_write_1h_tokens: tok("d.usage.cache_creation.ephemeral_1h_input_tokens"),
    output_tokens: tok("d.usage.output_tokens"),
    // Server-side web searches, charged per 1,000 on top of the tokens (as in the legacy usage report).
    web_search_requests: tok("d.usage.server_tool_use.web_search_requests"),
    service_tier: text(`d."group".service_tier`),
    batch: `coalesce(d."group".service_tier = 'batch', false)`,
    long_context: `coalesce(d."group".context_window = '200k-1M', false)`,
    status: provisional,
  }),
};
