import { money, str, text, tok } from "./sql.js";
import type { ReadPlan, RowCheck, SourceFile, UsageColumn } from "./types.js";

/**
 * OpenTelemetry GenAI spans, shared by the OTLP/JSON and the span-per-line adapters. Reference: formats-2026.md §1.
 *
 * Attributes are OTLP key/values (`{key, value: {stringValue|intValue|doubleValue|boolValue|arrayValue}}`, 64-bit
 * integers as decimal strings). Each span's keys and values are staged once as two lists, and an attribute is read by
 * `list_position` (a native lookup; a MAP would reject the duplicate keys real exports have, first one wins here).
 *
 * A file is read once (stagedSpans): each span becomes one narrow row of a temp table, the few spans that other spans
 * make redundant (re-sent copies, parents repeating a child's usage) are found over that table, and the insert and the
 * skipped-span counts read the tables. Counting the skipped spans by reading the file again made ingest ~9x raw DuckDB.
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
export const SPAN = `STRUCT(${Object.entries(SPAN_FIELDS)
  .map(([k, v]) => `${k} ${v}`)
  .join(", ")})`;
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
/**
 * A count LiteLLM states only in the Python repr of its usage object (`metadata.usage_object`), inside one of its
 * details dicts: `{'prompt_tokens_details': {…, 'cached_tokens': 256}}`. NULL when absent or None.
 */
const litellmDetail = (details: string, key: string): string =>
  `try_cast(regexp_extract(${attr("metadata.usage_object")}, '''${details}'': \\{[^}]*''${key}'': (\\d+)', 1) AS DOUBLE)`;
// LiteLLM sets no cache attribute.
const CACHE_READ = `coalesce(${num("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens", "llm.token_count.prompt_details.cache_read")}, ${litellmDetail("prompt_tokens_details", "cached_tokens")})`;
const CACHE_WRITE = num(
  "gen_ai.usage.cache_write.input_tokens",
  "gen_ai.usage.cache_creation.input_tokens",
  "gen_ai.usage.cache_creation_input_tokens",
  "llm.token_count.prompt_details.cache_write",
);
// Reasoning is part of output in every convention. Pydantic AI (Logfire) writes the provider's details under
// gen_ai.usage.details.* (Gemini thoughts, OpenAI reasoning); LiteLLM only in the usage object's repr.
const REASONING = `coalesce(${num(
  "gen_ai.usage.reasoning.output_tokens",
  "gen_ai.usage.reasoning_tokens",
  "llm.token_count.completion_details.reasoning",
  "gen_ai.usage.details.reasoning_tokens",
  "gen_ai.usage.details.thoughts_tokens",
)}, ${litellmDetail("completion_tokens_details", "reasoning_tokens")})`;

const OP = `lower(${attr("gen_ai.operation.name")})`;
const OI_KIND = `upper(${attr("openinference.span.kind")})`;
/** Operations that are one model call. Agent, workflow, tool and retrieval spans may repeat usage; they never count. */
const INFERENCE_OPS = ["chat", "generate_content", "text_completion", "completion", "embeddings", "embedding"];

/** Provider names of the GenAI conventions (and legacy `gen_ai.system` values) as llmcost names them. */
const PROVIDER = `(CASE lower(coalesce(${first("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")}, ''))
    WHEN '' THEN NULL
    WHEN 'gcp.gemini' THEN 'google' WHEN 'gcp.vertex_ai' THEN 'google' WHEN 'gcp.gen_ai' THEN 'google' WHEN 'vertex_ai' THEN 'google' WHEN 'gemini' THEN 'google'
    WHEN 'azure.ai.openai' THEN 'azure' WHEN 'az.ai.openai' THEN 'azure' WHEN 'azure.ai.inference' THEN 'azure'
    WHEN 'mistral_ai' THEN 'mistral' WHEN 'x_ai' THEN 'xai'
    -- a host, not the model's maker: left to the price table
    WHEN 'aws.bedrock' THEN NULL WHEN 'bedrock' THEN NULL
    ELSE lower(${first("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")}) END)`;

/** The model a span names: the response's snapshot first, then the request's, then OpenInference's. */
const MODEL = first("gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "llm.response.model_name", "llm.request.model_name");
const SERVICE_TIER = first("openai.response.service_tier", "gen_ai.openai.response.service_tier", "gen_ai.openai.request.service_tier");
const STATED_COST = `coalesce(${["gen_ai.usage.cost", "gen_ai.cost.total_cost", "llm.cost.total", "operation.cost"].map((n) => money(attr(n))).join(", ")})`;

/** Unix nanoseconds (int64 as a string or a number) as naive UTC; microsecond precision. */
const nanosTs = (e: string) => `make_timestamp((try_cast(${e} AS HUGEINT) // 1000)::BIGINT)`;

/**
 * One narrow row per span from `spans`, a relation with: trace_id, span_id, parent_id, attrs (KV list), res_attrs (KV
 * list), start_ns, end_ns, status_code, and any location columns (passed through). Every attribute the ingest reads is
 * looked up here, once, so the rows can be staged in a table that is cheap to read twice (the insert, the skip counts).
 * The ids are also hashed (`__th`, `__sh`, `__ph`): the parent links are walked on those, two 64-bit hashes per span.
 * User and feature attribute names come from the config, bound as parameters.
 */
export function spanScalars(spans: string): string {
  const staged = `SELECT *, ${kvKeys("attrs")} AS __k, ${kvValues("attrs")} AS __v,
      ${kvKeys("res_attrs")} AS __rk, ${kvValues("res_attrs")} AS __rv FROM ${spans}`;
  const scalars = `SELECT * EXCLUDE (attrs, res_attrs, __k, __v, __rk, __rv, parent_id, start_ns, end_ns, status_code),
      CASE WHEN trace_id IS NOT NULL THEN hash(trace_id) END AS __th, CASE WHEN span_id IS NOT NULL THEN hash(span_id) END AS __sh,
      CASE WHEN parent_id IS NOT NULL THEN hash(parent_id) END AS __ph,
      ${nanosTs("start_ns")} AS __ts,
      CASE WHEN try_cast(end_ns AS HUGEINT) >= try_cast(start_ns AS HUGEINT) THEN ((try_cast(end_ns AS HUGEINT) - try_cast(start_ns AS HUGEINT)) // 1000000)::BIGINT END AS __latency,
      (CASE WHEN status_code IN ('2', 'STATUS_CODE_ERROR') THEN 'error' WHEN status_code IN ('1', 'STATUS_CODE_OK') THEN 'ok' END) AS __status,
      ${INPUT} AS __in, ${OUTPUT} AS __out, ${CACHE_READ} AS __cr, ${CACHE_WRITE} AS __cw, ${REASONING} AS __reason,
      ${OP} AS __op, ${OI_KIND} AS __oik, ${MODEL} AS __model, ${PROVIDER} AS __provider, ${attr("llm.request.type")} AS __req_type,
      ${resAttr("service.name")} AS __service, ${first("enduser.id", "user.id")} AS __enduser,
      CASE WHEN $otel_user <> '' THEN __v[list_position(__k, $otel_user)] END AS __user_attr,
      CASE WHEN $otel_feature <> '' THEN __v[list_position(__k, $otel_feature)] END AS __feature_attr,
      ${SERVICE_TIER} AS __tier, ${STATED_COST} AS __cost
    FROM (${staged})`;
  return `(SELECT *, (__in IS NOT NULL OR __out IS NOT NULL) AS __usage,
      (coalesce(__op IN (${INFERENCE_OPS.map(str).join(", ")}), false) OR coalesce(__oik IN ('LLM', 'EMBEDDING'), false)
        OR (__op IS NULL AND __oik IS NULL AND (__in IS NOT NULL OR __out IS NOT NULL))) AS __llm
    FROM (${scalars}))`;
}

/**
 * The spans of `s` (spanScalars' rows; `row` a column unique per row: a table's rowid, a line number) that are left out
 * for what other spans hold, with `__dup` and `__anc` flags. Small: every other span's fate is in its own row.
 *
 * - `__dup`: a re-sent copy. OTLP delivery is at-least-once, so re-sent batches repeat (trace, span) ids and one copy
 *   counts: the first by `__loc` (where the span is; NULL when the relation does not keep it), then by content, so the
 *   same copy counts whichever way the file is read. Only ids that repeat are ranked (a window over every span would
 *   sort the whole file).
 * - `__anc`: an ancestor of a span with usage, which repeats (part of) that usage: a wrapper (an agent span, LiteLLM's
 *   request span over the raw call, two instrumentations of one call) is counted once, through the leaf.
 */
export function spanLeftOut(s: string, row: string): string {
  const order =
    "__loc, __model, __ts, __latency, __in, __out, __cr, __cw, __reason, __op, __oik, __enduser, __user_attr, __feature_attr, " +
    `__provider, __req_type, __service, __tier, __cost, __status, __ph, ${row}`;
  return `(WITH RECURSIVE __anc(th, sh) AS (
      SELECT __th, __ph FROM ${s} WHERE __usage AND __ph IS NOT NULL
      UNION
      SELECT p.__th, p.__ph FROM __anc JOIN ${s} p ON p.__th = __anc.th AND p.__sh = __anc.sh WHERE p.__ph IS NOT NULL)
    SELECT __row, bool_or(__kind = 'dup') AS __dup, bool_or(__kind = 'anc') AS __anc FROM (
      SELECT __row, 'dup' AS __kind FROM (
        SELECT x.${row} AS __row, row_number() OVER (PARTITION BY x.trace_id, x.span_id ORDER BY ${order.replace(/(^|, )/g, "$1x.")}) AS __n
        FROM ${s} x SEMI JOIN (SELECT __th, __sh FROM ${s} GROUP BY ALL HAVING count(*) > 1) r
          ON r.__th IS NOT DISTINCT FROM x.__th AND r.__sh IS NOT DISTINCT FROM x.__sh)
      WHERE __n > 1
      UNION ALL
      SELECT x.${row}, 'anc' FROM ${s} x SEMI JOIN __anc ON __anc.th = x.__th AND __anc.sh = x.__sh)
    GROUP BY __row)`;
}

/**
 * Adds `__why` to the spans of `s`, given `leftOut` (spanLeftOut's rows): NULL for a counted LLM call, else why the span
 * is left out. A span counts when it is an LLM call (an inference operation, an OpenInference LLM/EMBEDDING span, or a
 * span with usage and no operation at all) with token usage, and no descendant in its trace also carries usage.
 */
export const spanRelation = (s: string, row: string, leftOut: string): string => `(SELECT __s.*, CASE
      WHEN __o.__dup THEN 'duplicate span (re-sent batch)'
      WHEN NOT __s.__llm THEN 'not an LLM call (agent, tool, workflow… span)'
      WHEN NOT __s.__usage THEN 'LLM span without token usage'
      WHEN __o.__anc THEN 'parent repeating a child span''s usage'
    END AS __why
  FROM ${s} __s LEFT JOIN ${leftOut} __o ON __o.__row = __s.${row})`;

/** The spans of a relation read from the file, classified in one query (for locating a bad record). */
export const spanRelationOf = (spans: string, row: string): string =>
  `(WITH __sc AS MATERIALIZED (SELECT * FROM ${spanScalars(spans)}) SELECT * FROM ${spanRelation("__sc", row, spanLeftOut("__sc", row))})`;

/**
 * The staged tables of a span file (see ReadPlan.stage): the spans' attributes looked up once, then the few spans left
 * out for what other spans hold, so the insert and the skipped-span counts read tables instead of the file.
 * Table names are constants, never user input.
 */
const SPAN_STAGE = "llmcost_otel_spans";
const SPAN_LEFT_OUT = "llmcost_otel_left_out";
export const stagedSpans = (spans: string): Pick<ReadPlan, "stage" | "from"> => ({
  stage: [
    { table: SPAN_STAGE, sql: `SELECT * FROM ${spanScalars(spans)}` },
    { table: SPAN_LEFT_OUT, sql: `SELECT * FROM ${spanLeftOut(SPAN_STAGE, "rowid")}` },
  ],
  from: spanRelation(SPAN_STAGE, "rowid", SPAN_LEFT_OUT),
});

export const keepCounted: NonNullable<ReadPlan["keep"]> = { sql: "__why IS NULL", reason: "not a counted LLM call", why: "__why" };

/** The canonical columns of a counted span (over spanRelation's rows). */
export function spanColumns(): Partial<Record<UsageColumn, string>> {
  // Inclusive input (the conventions: input includes cache reads and writes). A count smaller than its cache parts can
  // only be exclusive (Anthropic's own semantics, as older instrumentations passed it on): kept as is.
  const cached = "coalesce(__cr, 0) + coalesce(__cw, 0)";
  return {
    ts: "__ts",
    provider: "__provider",
    model: text("__model"),
    project: text("__service"),
    tag: text("coalesce(__user_attr, __enduser)"),
    feature_hint: text("__feature_attr"),
    endpoint: "coalesce(__op, lower(__oik), lower(__req_type))",
    requests: "1",
    input_tokens: tok(`CASE WHEN __in >= ${cached} THEN __in - (${cached}) ELSE __in END`),
    cached_input_tokens: tok("__cr"),
    cache_write_5m_tokens: tok("__cw"),
    output_tokens: tok("__out"),
    reasoning_tokens: tok("__reason"),
    service_tier: text("__tier"),
    status: "__status",
    latency_ms: "__latency",
    request_id: `trace_id || ':' || span_id`,
    reported_cost_usd: "__cost",
  };
}

export const spanChecks: readonly RowCheck[] = [
  { sql: "model IS NULL", reason: "LLM call span without a model (gen_ai.request.model / gen_ai.response.model)" },
];

/** The config's attribute names, bound as parameters (never SQL text). */
export const spanParams = (file: SourceFile): Record<string, string> => ({
  otel_user: file.options?.otel?.userAttribute ?? "",
  otel_feature: file.options?.otel?.featureAttribute ?? "",
});
