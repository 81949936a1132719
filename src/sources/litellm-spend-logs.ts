import { anyTs } from "./request-log-jsonl.js";
import { bool, has, money, readCsv, readJson, text, tok } from "./sql.js";
import type { UsageAdapter, UsageColumn } from "./types.js";
import { csvHead, headerHas, jsonHas } from "./util.js";

const USAGE_OBJECT =
  "STRUCT(prompt_tokens_details STRUCT(cached_tokens DOUBLE), cache_read_input_tokens DOUBLE, cache_creation_input_tokens DOUBLE)";

/**
 * LiteLLM proxy spend logs (`LiteLLM_SpendLogs` rows, `GET /spend/logs`), as a JSON array, JSON Lines or CSV.
 * prompt_tokens follow OpenAI semantics (cached included). `cache_hit` is the STRING 'True'/'False': a LiteLLM cache
 * hit made no provider call, so its tokens are not billable and are zeroed.
 */
export const litellmSpendLogs: UsageAdapter = {
  name: "litellm-spend-logs",
  description: "LiteLLM proxy spend logs (LiteLLM_SpendLogs / GET /spend/logs), JSON, JSONL or CSV",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    headerHas(head, "request_id", "spend", "startTime") || jsonHas(head, /"spend"\s*:/, /"startTime"\s*:/, /"request_id"\s*:/),
  read(file) {
    if (file.head.kind === "csv") {
      return { from: readCsv(file, { prompt_tokens: "DOUBLE", completion_tokens: "DOUBLE" }), lines: "csv" };
    }
    const jsonl = file.head.first !== undefined;
    return {
      from: readJson(
        {
          request_id: "VARCHAR",
          call_type: "VARCHAR",
          api_key: "VARCHAR",
          spend: "VARCHAR",
          prompt_tokens: "DOUBLE",
          completion_tokens: "DOUBLE",
          startTime: "VARCHAR",
          endTime: "VARCHAR",
          model: "VARCHAR",
          model_group: "VARCHAR",
          custom_llm_provider: "VARCHAR",
          user: "VARCHAR",
          end_user: "VARCHAR",
          cache_hit: "VARCHAR",
          status: "VARCHAR",
          team_id: "VARCHAR",
          metadata: `STRUCT(user_api_key_alias VARCHAR, usage_object ${USAGE_OBJECT})`,
        },
        jsonl ? "newline_delimited" : "auto",
      ),
      lines: jsonl ? "jsonl" : { record: `'request ' || request_id` },
    };
  },
  columns(file) {
    const csv = file.head.kind === "csv";
    const opt = (n: string) => (!csv || has(csvHead(file).header, n) ? text(`"${n}"`) : "NULL");
    const cached = csv
      ? "0"
      : "coalesce(metadata.usage_object.prompt_tokens_details.cached_tokens, metadata.usage_object.cache_read_input_tokens, 0)";
    const cacheWrite = csv ? "0" : "coalesce(metadata.usage_object.cache_creation_input_tokens, 0)";
    const hit = bool("cache_hit");
    const zeroIfHit = (e: string) => `CASE WHEN ${hit} THEN 0 ELSE ${tok(e)} END`;
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: anyTs(`"startTime"`),
      provider: `lower(${opt("custom_llm_provider")})`,
      model: `coalesce(${opt("model")}, ${opt("model_group")})`,
      project: opt("team_id"),
      api_key: csv ? opt("api_key") : `coalesce(${text("metadata.user_api_key_alias")}, ${opt("api_key")})`,
      tag: `coalesce(${opt("user")}, ${opt("end_user")})`,
      endpoint: opt("call_type"),
      requests: "1",
      input_tokens: zeroIfHit(`prompt_tokens - ${cached} - ${cacheWrite}`),
      cached_input_tokens: zeroIfHit(cached),
      cache_write_5m_tokens: zeroIfHit(cacheWrite),
      output_tokens: zeroIfHit("completion_tokens"),
      status: `CASE WHEN ${hit} THEN 'cache_hit' ELSE ${opt("status")} END`,
      latency_ms: `date_diff('millisecond', ${anyTs(`"startTime"`)}, ${anyTs(`"endTime"`)})`,
      request_id: opt("request_id"),
      reported_cost_usd: money("spend"),
    };
    return cols;
  },
};
