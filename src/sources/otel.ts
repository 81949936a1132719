import { money, str, text, tok } from "./sql.js";
import type { ReadPlan, RowCheck, SourceFile, UsageColumn } from "./types.js";

/**
 * OpenTelemetry GenAI spans, shared by the OTLP/JSON and the span-per-line adapters. Reference: formats-2026.md §1.
 *
 * Attributes are OTLP key/values (`{key, value: {stringValue|intValue|doubleValue|boolValue|arrayValue}}`, 64-bit
 * integers as decimal strings). Each span's keys and values are staged once as two lists, and an attribute is read by
 * `list_position` (a native lookup; a MAP would reject the duplicate keys real exports have, first one wins here).
 */
export const KV = "STRUCT(key VARCHAR, value STRUCT(stringValue VARCHAR, intValue VARCHAR, doubleValue VARCHAR, boolValue VARCHAR, arrayValue JSON))[]";
/** The span fields read (int64 nanos as text: strings in real exports, numbers in the spec's example). */
export const SPAN_FIELDS: Readonly<Record<string, string>> = {
  traceId: "VARCHAR",
  spanId: "VARCHAR",
  parentSpanId: "VARCHAR",
  name: "VARCHAR",
  startTimeUnixNano: "VARCHAR",
  endTimeUnixNano: "VARCHAR",
  attributes: KV,
  status: "STRUCT(code VARCHAR, message VARCHAR)",
};
export const SPAN = `STRUCT(${Object.entries(SPAN_FIELDS).map(([k, v]) => `${k} ${v}`).join(", ")})`;
export const RESOURCE = `STRUCT(attributes ${KV})`;

const kvKeys = (kv: string) => `list_transform(${kv}, a -> a.key)`;
const kvValues = (kv: string) =>
  `list_transform(${kv}, a -> coalesce(a.value.stringValue, a.value.intValue, a.value.doubleValue, a.value.boolValue, CAST(a.value.arrayValue AS VARCHAR)))`;

/** A span attribute's value as text (NULL when absent). `name` is a constant of this file, never user input. */
const attr = (name: string) => `__v[list_position(__k, ${str(name)})]`;
const resAttr = (name: string) => `__rv[list_position(__rk, ${str(name)})]`;
const first = (...names: string[]) => `coalesce(${names.map(attr).join(", ")})`;
const num = (...names: string[]) => `try_cast(${first(...names)} AS DOUBLE)`;

/** Token attributes: the GenAI semantic conventions (current, then legacy/Traceloop), then OpenInference. */
const INPUT = num("gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt");
const OUTPUT = num("gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion");
// LiteLLM sets no cache attribute; its cached count is only in a Python repr of the usage object.
const LITELLM_CACHED = `try_cast(regexp_extract(${attr("metadata.usage_object")}, '''prompt_tokens_details'': \\{[^}]*''cached_tokens'': (\\d+)', 1) AS DOUBLE)`;
const CACHE_READ = `coalesce(${num("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read")}, ${LITELLM_CACHED})`;
const CACHE_WRITE = num(
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.cache_creation_input_tokens",
  "llm.token_count.prompt_details.cache_write",
);
const REASONING = num("gen_ai.usage.reasoning.output_tokens", "gen_ai.usage.reasoning_tokens", "llm.token_count.completion_details.reasoning");

const OP = `lower(${attr("gen_ai.operation.name")})`;
const OI_KIND = `upper(${attr("openinference.span.kind")})`;
/** Operations that are one model call. Agent, workflow, tool and retrieval spans may repeat usage; they never count. */
const INFERENCE_OPS = ["chat", "generate_content", "text_completion", "completion", "embeddings", "embedding"];

/**
 * Stages one row per span from `spans`, a relation with: __loc (where the span is, for messages), trace_id, span_id,
 * parent_id, attrs (KV list), res_attrs (KV list), start_ns, end_ns, status_code. Adds __k/__v, the usage fields, and
 * `__why`: NULL for a counted LLM call, else why the span is left out.
 *
 * A span counts when it is an LLM call (an inference operation, an OpenInference LLM/EMBEDDING span, or a span with
 * usage and no operation at all) with token usage, and no descendant in its trace also carries usage: a wrapper that
 * repeats its child's usage (LiteLLM's request span over the raw call, two instrumentations of one call) is counted
 * once, through the leaf. Re-sent batches (OTLP delivery is at-least-once) repeat (trace, span) ids: one copy counts.
 */
export function spanRelation(spans: string): string {
  const staged = `SELECT *, ${kvKeys("attrs")} AS __k, ${kvValues("attrs")} AS __v,
      ${kvKeys("res_attrs")} AS __rk, ${kvValues("res_attrs")} AS __rv FROM ${spans}`;
  const usage = `SELECT *, ${INPUT} AS __in, ${OUTPUT} AS __out, ${CACHE_READ} AS __cr, ${CACHE_WRITE} AS __cw,
      ${REASONING} AS __reason, ${OP} AS __op, ${OI_KIND} AS __oik FROM (${staged})`;
  const flagged = `SELECT *, (__in IS NOT NULL OR __out IS NOT NULL) AS __usage,
      (coalesce(__op IN (${INFERENCE_OPS.map(str).join(", ")}), false) OR coalesce(__oik IN ('LLM', 'EMBEDDING'), false)
        OR (__op IS NULL AND __oik IS NULL AND (__in IS NOT NULL OR __out IS NOT NULL))) AS __llm,
      row_number() OVER (PARTITION BY trace_id, span_id ORDER BY __loc) > 1 AS __dup
    FROM (${usage})`;
  return `(WITH RECURSIVE __s AS MATERIALIZED (${flagged}),
    -- every ancestor of a span with usage: it repeats (part of) that usage
    __anc(trace_id, span_id) AS (
      SELECT trace_id, parent_id FROM __s WHERE __usage AND parent_id IS NOT NULL
      UNION
      SELECT p.trace_id, p.parent_id FROM __anc JOIN __s p ON p.trace_id = __anc.trace_id AND p.span_id = __anc.span_id
      WHERE p.parent_id IS NOT NULL)
    SELECT __s.*, CASE
        WHEN __s.__dup THEN 'duplicate span (re-sent batch)'
        WHEN NOT __s.__llm THEN 'not an LLM call (agent, tool, workflow… span)'
        WHEN NOT __s.__usage THEN 'LLM span without token usage'
        WHEN __a.span_id IS NOT NULL THEN 'parent repeating a child span''s usage'
      END AS __why
    FROM __s LEFT JOIN (SELECT DISTINCT trace_id, span_id FROM __anc) __a ON __a.trace_id = __s.trace_id AND __a.span_id = __s.span_id)`;
}

export const keepCounted: NonNullable<ReadPlan["keep"]> = { sql: "__why IS NULL", reason: "not a counted LLM call", why: "__why" };

/** Provider names of the GenAI conventions (and legacy `gen_ai.system` values) as llmcost names them. */
const PROVIDER = `(CASE lower(coalesce(${first("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")}, ''))
    WHEN '' THEN NULL
    WHEN 'gcp.gemini' THEN 'google' WHEN 'gcp.vertex_ai' THEN 'google' WHEN 'gcp.gen_ai' THEN 'google' WHEN 'vertex_ai' THEN 'google' WHEN 'gemini' THEN 'google'
    WHEN 'azure.ai.openai' THEN 'azure' WHEN 'az.ai.openai' THEN 'azure' WHEN 'azure.ai.inference' THEN 'azure'
    WHEN 'mistral_ai' THEN 'mistral' WHEN 'x_ai' THEN 'xai'
    -- a host, not the model's maker: left to the price table
    WHEN 'aws.bedrock' THEN NULL WHEN 'bedrock' THEN NULL
    ELSE lower(${first("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")}) END)`;

/** Unix nanoseconds (int64 as a string or a number) as naive UTC; microsecond precision. */
const nanosTs = (e: string) => `make_timestamp((try_cast(${e} AS HUGEINT) // 1000)::BIGINT)`;

/** The canonical columns of a counted span. User and feature attribute names come from the config, bound as parameters. */
export function spanColumns(): Partial<Record<UsageColumn, string>> {
  // Inclusive input (the conventions: input includes cache reads and writes). A count smaller than its cache parts can
  // only be exclusive (Anthropic's own semantics, as older instrumentations passed it on): kept as is.
  const cached = "coalesce(__cr, 0) + coalesce(__cw, 0)";
  const userAttr = `CASE WHEN $otel_user <> '' THEN __v[list_position(__k, $otel_user)] END`;
  const featureAttr = `CASE WHEN $otel_feature <> '' THEN __v[list_position(__k, $otel_feature)] END`;
  return {
    ts: nanosTs("start_ns"),
    provider: PROVIDER,
    model: text(first("gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.response.model_name", "llm.request.model_name")),
    project: text(resAttr("service.name")),
    tag: text(`coalesce(${userAttr}, ${first("enduser.id", "user.id")})`),
    feature_hint: text(featureAttr),
    endpoint: `coalesce(__op, lower(__oik), lower(${attr("llm.request.type")}))`,
    requests: "1",
    input_tokens: tok(`CASE WHEN __in >= ${cached} THEN __in - (${cached}) ELSE __in END`),
    cached_input_tokens: tok("__cr"),
    cache_write_5m_tokens: tok("__cw"),
    output_tokens: tok("__out"),
    reasoning_tokens: tok("__reason"),
    service_tier: text(first("openai.response.service_tier", "gen_ai.openai.response.service_tier", "gen_ai.openai.request.service_tier")),
    status: `(CASE WHEN status_code IN ('2', 'STATUS_CODE_ERROR') THEN 'error' WHEN status_code IN ('1', 'STATUS_CODE_OK') THEN 'ok' END)`,
    latency_ms: `CASE WHEN try_cast(end_ns AS HUGEINT) >= try_cast(start_ns AS HUGEINT) THEN ((try_cast(end_ns AS HUGEINT) - try_cast(start_ns AS HUGEINT)) // 1000000)::BIGINT END`,
    request_id: `trace_id || ':' || span_id`,
    reported_cost_usd: `coalesce(${["gen_ai.usage.cost", "gen_ai.cost.total_cost", "llm.cost.total", "operation.cost"].map((n) => money(attr(n))).join(", ")})`,
  };
}

export const spanChecks: readonly RowCheck[] = [{ sql: "model IS NULL", reason: "LLM call span without a model (gen_ai.request.model / gen_ai.response.model)" }];

/** The config's attribute names, bound as parameters (never SQL text). */
export const spanParams = (file: SourceFile): Record<string, string> => ({
  otel_user: file.options?.otel?.userAttribute ?? "",
  otel_feature: file.options?.otel?.featureAttribute ?? "",
});
