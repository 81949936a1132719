import { anyTs } from "./request-log-jsonl.js";
import { bool, has, money, readCsv, readJson, text, tok } from "./sql.js";
import type { UsageAdapter, UsageColumn } from "./types.js";
import { csvHead, headerHas, jsonHas } from "./util.js";

const USAGE_OBJECT = "STRUCT(prompt_tokens_details STRUCT(cached_tokens DOUBLE), cache_read_input_tokens DOUBLE, cache_creation_input_tokens DOUBLE)";

/** A spend-log row (LiteLLM_SpendLogs) or a daily aggregate row (LiteLLM_DailyUserSpend…: `date`, `api_requests`). */
const ROW: Record<string, string> = {
  request_id: "VARCHAR",
  call_type: "VARCHAR",
  api_key: "VARCHAR",
  spend: "VARCHAR",
  prompt_tokens: "DOUBLE",
  completion_tokens: "DOUBLE",
  cache_read_input_tokens: "DOUBLE",
  cache_creation_input_tokens: "DOUBLE",
  api_requests: "DOUBLE",
  startTime: "VARCHAR",
  endTime: "VARCHAR",
  date: "VARCHAR",
  model: "VARCHAR",
  model_group: "VARCHAR",
  custom_llm_provider: "VARCHAR",
  user: "VARCHAR",
  end_user: "VARCHAR",
  cache_hit: "VARCHAR",
  status: "VARCHAR",
  team_id: "VARCHAR",
  metadata: `STRUCT(user_api_key_alias VARCHAR, usage_object ${USAGE_OBJECT})`,
};
const ROW_STRUCT = `STRUCT(${Object.entries(ROW)
  .map(([k, v]) => `"${k}" ${v}`)
  .join(", ")})`;

/**
 * LiteLLM proxy spend logs (`LiteLLM_SpendLogs` rows, `GET /spend/logs`), as a JSON array, JSON Lines or CSV.
 * prompt_tokens follow OpenAI semantics (cached included). `cache_hit` is the STRING 'True'/'False': a LiteLLM cache
 * hit made no provider call, so its tokens are not billable and are zeroed.
 */
export const litellmSpendLogs: UsageAdapter = {
  name: "litellm-spend-logs",
  description:
    'LiteLLM proxy spend logs (LiteLLM_SpendLogs / GET /spend/logs, or a {"data": [...]} response; daily spend rows count api_requests), JSON, JSONL or CSV',
  target: "usage",
  kind: "requests",
  tokenFields: ["prompt_tokens", "completion_tokens", "spend"],
  detect: (head) =>
    headerHas(head, "request_id", "spend", "startTime") ||
    jsonHas(head, /"spend"\s*:/, /"startTime"\s*:/, /"request_id"\s*:/) ||
    jsonHas(head, /"spend"\s*:/, /"api_requests"\s*:/, /"prompt_tokens"\s*:/),
  read(file) {
    if (file.head.kind === "csv") {
      return { from: readCsv(file, { prompt_tokens: "DOUBLE", completion_tokens: "DOUBLE" }), lines: "csv" };
    }
    // A record is a spend-log row, or a response wrapping rows in `data` (`/spend/logs/ui`, daily activity):
    // `{"data": [...], "total": …}`. A one-line wrapper is a document, not JSON Lines.
    const first = file.head.first;
    const jsonl = first !== undefined && !("data" in first);
    const self = `{${Object.keys(ROW)
      .map((k) => `'${k}': "${k}"`)
      .join(", ")}}::${ROW_STRUCT}`;
    const rows = `(SELECT unnest(CASE WHEN data IS NOT NULL THEN data ELSE [${self}] END) AS r,
        generate_subscripts(CASE WHEN data IS NOT NULL THEN data ELSE [${self}] END, 1) - 1 AS __i
      FROM ${readJson({ ...ROW, data: `${ROW_STRUCT}[]` }, jsonl ? "newline_delimited" : "auto")})`;
    return {
      from: `(SELECT r.*, __i FROM ${rows})`,
      lines: jsonl ? "jsonl" : { record: `coalesce('request ' || request_id, 'data[' || __i || ']')` },
    };
  },
  columns(file) {
    const csv = file.head.kind === "csv";
    const opt = (n: string) => (!csv || has(csvHead(file).header, n) ? text(`"${n}"`) : "NULL");
    const cached = csv
      ? "0"
      : "coalesce(metadata.usage_object.prompt_tokens_details.cached_tokens, metadata.usage_object.cache_read_input_tokens, cache_read_input_tokens, 0)";
    const cacheWrite = csv ? "0" : "coalesce(metadata.usage_object.cache_creation_input_tokens, cache_creation_input_tokens, 0)";
    // A daily aggregate row (LiteLLM_DailyUserSpend and the daily activity responses) has a `date` instead of a
    // start time, and counts its requests in api_requests: one day's bucket.
    const day = csv ? "NULL" : `try_cast(${text("date")} AS DATE)`;
    const start = csv ? anyTs(`"startTime"`) : `coalesce(${anyTs(`"startTime"`)}, ${day}::TIMESTAMP)`;
    const hit = bool("cache_hit");
    const zeroIfHit = (e: string) => `CASE WHEN ${hit} THEN 0 ELSE ${tok(e)} END`;
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: start,
      bucket_end: csv ? undefined : `CASE WHEN "startTime" IS NULL THEN ${day}::TIMESTAMP + INTERVAL 1 DAY END`,
      provider: `lower(${opt("custom_llm_provider")})`,
      model: `coalesce(${opt("model")}, ${opt("model_group")})`,
      project: opt("team_id"),
      api_key: csv ? opt("api_key") : `coalesce(${text("metadata.user_api_key_alias")}, ${opt("api_key")})`,
      tag: `coalesce(${opt("user")}, ${opt("end_user")})`,
      endpoint: opt("call_type"),
      requests: csv ? "1" : tok("coalesce(api_requests, 1)"),
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
