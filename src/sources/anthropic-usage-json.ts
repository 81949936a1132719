import { isoTs, readJson, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

export const buckets = (result: string): string =>
  `(SELECT bk.starting_at AS starting_at, bk.ending_at AS ending_at, unnest(bk.results) AS r
    FROM (SELECT unnest(data) AS bk FROM ${readJson({
      data: `STRUCT(starting_at VARCHAR, ending_at VARCHAR, results ${result}[])[]`,
    })}))`;
export const bucketRecord = { record: `'bucket ' || starting_at` };
export const isCostReport = /"cost_type"|"amount"\s*:\s*"/;

/** Anthropic Admin API usage report (/v1/organizations/usage_report/messages). Input excludes cache reads/writes. */
export const anthropicUsageJson: UsageAdapter = {
  name: "anthropic-usage-json",
  description: "Anthropic Admin usage report JSON (usage_report/messages), per bucket × group",
  target: "usage",
  kind: "billing",
  tokenFields: ["uncached_input_tokens", "cache_read_input_tokens", "output_tokens"],
  detect: (head) => jsonHas(head, /"starting_at"/) && head.kind === "json" && !isCostReport.test(head.text),
  read: () => ({
    from: buckets(
      "STRUCT(uncached_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, " +
        "cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), " +
        "output_tokens DOUBLE, api_key_id VARCHAR, workspace_id VARCHAR, model VARCHAR, service_tier VARCHAR, " +
        "context_window VARCHAR, server_tool_use STRUCT(web_search_requests DOUBLE), inference_geo VARCHAR, speed VARCHAR)",
    ),
    lines: bucketRecord,
  }),
  columns: () => ({
    ts: isoTs("starting_at"),
    bucket_end: isoTs("ending_at"),
    provider: `'anthropic'`,
    model: text("r.model"),
    api_key: text("r.api_key_id"),
    workspace: text("r.workspace_id"),
    requests: "0",
    input_tokens: tok("r.uncached_input_tokens"),
    cached_input_tokens: tok("r.cache_read_input_tokens"),
    cache_write_5m_tokens: tok("r.cache_creation.ephemeral_5m_input_tokens"),
    cache_write_1h_tokens: tok("r.cache_creation.ephemeral_1h_input_tokens"),
    output_tokens: tok("r.output_tokens"),
    service_tier: text("r.service_tier"),
    batch: `coalesce(r.service_tier = 'batch', false)`,
    long_context: `coalesce(r.context_window = '200k-1M', false)`,
    web_search_requests: tok("r.server_tool_use.web_search_requests"),
    inference_geo: text("r.inference_geo"),
    speed: text("r.speed"),
  }),
};
