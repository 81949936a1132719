import { isoTs, readJson, text, tok } from "./sql.js";
import type { UsageAdapter } from "./types.js";
import { jsonHas } from "./util.js";

/**
 * The fields of a Bedrock `ModelInvocationLog` record that llmcost reads. Bodies (`inputBodyJson`, `outputBodyJson`)
 * are left unread except for the Converse latency: their `usage` repeats the top-level counts, which are the ones
 * to use (text delivery can be off, and stream chunks repeat usage again).
 */
type Shape = string | { readonly [k: string]: Shape };
const RECORD_SHAPE: Readonly<Record<string, Shape>> = {
  schemaType: "VARCHAR",
  timestamp: "VARCHAR",
  accountId: "VARCHAR",
  region: "VARCHAR",
  requestId: "VARCHAR",
  operation: "VARCHAR",
  modelId: "VARCHAR",
  identity: { arn: "VARCHAR" },
  requestMetadata: "JSON",
  input: { inputTokenCount: "DOUBLE", cacheReadInputTokenCount: "DOUBLE", cacheWriteInputTokenCount: "DOUBLE" },
  output: { outputTokenCount: "DOUBLE", outputBodyJson: { metrics: { latencyMs: "DOUBLE" } } },
  status: "VARCHAR",
  errorCode: "VARCHAR",
};
const duckType = (s: Shape): string =>
  typeof s === "string"
    ? s
    : `STRUCT(${Object.entries(s)
        .map(([k, v]) => `"${k}" ${duckType(v)}`)
        .join(", ")})`;
/** The record's columns as read_json types. */
export const BEDROCK_RECORD: Record<string, string> = Object.fromEntries(Object.entries(RECORD_SHAPE).map(([k, v]) => [k, duckType(v)]));
/** The same as a json_transform structure (unknown keys are ignored, as read_json does). */
export const BEDROCK_JSON_STRUCTURE = JSON.stringify(RECORD_SHAPE);

const meta = (...keys: string[]) => `coalesce(${keys.map((k) => `json_extract_string(requestMetadata, '$."${k}"')`).join(", ")})`;

/**
 * Staged record rows: `__why` is NULL for a counted invocation, else why it is left out (a second copy of a
 * requestId: CloudWatch and S3 deliver the same record twice).
 */
export const bedrockRows = (records: string): string => `(SELECT *, CASE
    WHEN schemaType IS DISTINCT FROM 'ModelInvocationLog' THEN 'not a model invocation record'
    WHEN requestId IS NOT NULL AND row_number() OVER (PARTITION BY requestId ORDER BY timestamp) > 1 THEN 'requestId already counted (second copy)'
  END AS __why FROM ${records})`;

export const bedrockColumns = () => ({
  ts: isoTs("timestamp"),
  // The model id as logged (inference-profile prefixes such as us./apac. and ARNs included): the price table's
  // aliases resolve it, and the provider comes from there. A bare id logged in a GovCloud region says nothing of
  // GovCloud, which bills its own rates: it is named as LiteLLM names it, bedrock/<region>/<id>, so it prices there.
  model: `CASE WHEN lower(${text("region")}) LIKE 'us-gov-%' AND NOT regexp_matches(lower(modelId), '^(arn:|bedrock/|(us-gov|us|eu|apac|au|jp|global|ca|in|sa|mx)\\.)')
    THEN 'bedrock/' || lower(${text("region")}) || '/' || ${text("modelId")} ELSE ${text("modelId")} END`,
  // The maker named in the id (`us.anthropic.…`, `amazon.nova-…`); an application profile ARN names none: the price
  // table's provider then, when it resolves.
  provider: `nullif(regexp_extract(lower(modelId), '(?:^|[./])(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|writer|qwen)\\.', 1), '')`,
  project: text("accountId"),
  workspace: text("region"),
  api_key: text("identity.arn"),
  // requestMetadata (Converse, InvokeModel since 2026-05) is where callers put attribution tags.
  tag: text(meta("user", "user_id", "userId", "tag")),
  feature_hint: text(meta("feature", "application", "app")),
  endpoint: text("operation"),
  requests: "1",
  // Converse inputTokens exclude cache reads and writes; the record's inputTokenCount is the same figure.
  input_tokens: tok("input.inputTokenCount"),
  cached_input_tokens: tok("input.cacheReadInputTokenCount"),
  cache_write_5m_tokens: tok("input.cacheWriteInputTokenCount"),
  output_tokens: tok("output.outputTokenCount"),
  status: `CASE WHEN errorCode IS NOT NULL THEN 'error: ' || errorCode ELSE lower(status) END`,
  latency_ms: "CASE WHEN output.outputBodyJson.metrics.latencyMs >= 0 THEN round(output.outputBodyJson.metrics.latencyMs)::BIGINT END",
  request_id: text("requestId"),
});

export const bedrockChecks = [{ sql: "model IS NULL", reason: "invocation record without a modelId" }] as const;

/**
 * AWS Bedrock model invocation logs as delivered to S3 (JSON Lines, usually gzipped) or saved one record per file.
 * Reference: formats-2026.md §4.
 */
export const bedrockInvocationLog: UsageAdapter = {
  name: "bedrock-invocation-log",
  description: "AWS Bedrock model invocation logs (S3 delivery, JSON Lines or one record): modelId as logged, identity ARN as api_key",
  target: "usage",
  kind: "requests",
  tokenFields: ["inputTokenCount", "outputTokenCount"],
  detect: (head) => jsonHas(head, /"schemaType"\s*:\s*"ModelInvocationLog"/) && !jsonHas(head, /"logEvents"|"events"\s*:\s*\[/),
  read: (file) => {
    const perLine = file.head.kind === "json" && file.head.first !== undefined;
    return {
      from: bedrockRows(`(SELECT row_number() OVER () AS __line, * FROM ${readJson(BEDROCK_RECORD)})`),
      keep: { sql: "__why IS NULL", reason: "not counted", why: "__why" },
      lines: perLine ? { line: "__line" } : { record: `'requestId ' || coalesce(requestId, '?')` },
    };
  },
  columns: bedrockColumns,
  checks: bedrockChecks,
};
