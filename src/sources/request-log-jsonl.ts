import {
  DEFAULT_LOGS,
  epochOrIso,
  FIELD_ALIASES,
  flatInputSql,
  hasTimeField,
  includesCachedSql,
  type JsonFieldPlan,
  jsonFieldPlan,
  type LogField,
  type LogsConfig,
  NO_COUNTS,
  namesOf,
} from "./flat-log.js";
import { bool, cacheDenied, embeddingList, ident, isoTs, isoTsOfText, jsonNumber, money, promptSig, readJson, text, tok, withShingles } from "./sql.js";
import { type SourceFile, TOKEN_BUCKETS, type UsageAdapter, type UsageColumn } from "./types.js";
import { GEMINI_STRUCT, USAGE_STRUCT, usageObjectColumns, withUsageObject } from "./usage-object.js";

/** `event` values that mean "one model call". Lines with any other event (feedback, errors, spans…) are skipped. */
export const REQUEST_EVENTS = ["request", "response", "completion", "generation", "usage", "llm_request", "llm.request", "llm_call"];
export const keepRequestEvents = {
  sql: `event IS NULL OR lower(event) IN (${REQUEST_EVENTS.map((e) => `'${e}'`).join(", ")})`,
  reason: "event is not a request",
};

/** A timestamp that may be ISO text (with or without an offset), or epoch seconds, ms, µs or ns. */
export const anyTs = (expr: string): string => epochOrIso(text(expr), isoTs);

/** anyTs of an expression already normalised by text() (text is not applied again, see isoTsOfText). */
const anyTsOfText = (t: string): string => epochOrIso(t, isoTsOfText);

/** Every expression a timestamp may be read from (config mapping first), as pick() tries them. */
const tsSources = (mapped: JsonFieldPlan["exprs"]): string[] => [
  ...(mapped.timestamp !== undefined ? [mapped.timestamp] : []),
  ...namesOf("timestamp").map((n) => (n.includes(".") ? n : ident(n))),
];

/** The read type of every field name a log line may use (aliases included; see flat-log.ts). */
const TEXT_FIELDS = [
  "event",
  "request_id",
  "id",
  "provider",
  "user",
  "safety_identifier",
  "tag",
  "feature",
  "project",
  "api_key",
  "workspace",
  "endpoint",
  "status",
  "batch",
  "service_tier",
  "prompt_hash",
  "prompt",
];
const TOKEN_FIELDS = [
  ...TOKEN_BUCKETS,
  ...(["cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens"] as const).flatMap((f) => FIELD_ALIASES[f] ?? []),
];
const topLevel = (names: readonly string[]) => names.filter((n) => !n.includes("."));
const RESPONSE = `STRUCT(id VARCHAR, model VARCHAR, modelVersion VARCHAR, service_tier VARCHAR, usage ${USAGE_STRUCT}, usageMetadata ${GEMINI_STRUCT})`;
export const BUILTIN_COLUMNS: Record<string, string> = {
  ...Object.fromEntries(TEXT_FIELDS.map((n) => [n, "VARCHAR"])),
  ...Object.fromEntries(topLevel(namesOf("timestamp")).map((n) => [n, "VARCHAR"])),
  ...Object.fromEntries(topLevel(namesOf("model")).map((n) => [n, "VARCHAR"])),
  ...Object.fromEntries(topLevel(namesOf("cost_usd")).map((n) => [n, "VARCHAR"])),
  metadata: "STRUCT(user_id VARCHAR, feature VARCHAR)",
  latency_ms: "DOUBLE",
  // Read as JSON and checked in SQL: DuckDB names the wrong line for a typed list that fails to convert.
  embedding: "JSON",
  usage: USAGE_STRUCT,
  usageMetadata: GEMINI_STRUCT,
  response: RESPONSE,
  ...Object.fromEntries(TOKEN_FIELDS.map((t) => [t, "DOUBLE"])),
  // Charges beyond tokens, flat (the raw usage object has its own): see columns().
  inference_geo: "VARCHAR",
  speed: "VARCHAR",
  web_search_requests: "DOUBLE",
  audio_input_tokens: "DOUBLE",
  audio_output_tokens: "DOUBLE",
};

/** The first non-NULL of a field's names (config mapping first), as SQL over the read relation. */
const pick = (field: LogField, mapped: JsonFieldPlan["exprs"], each: (name: string) => string = text): string => {
  const names = namesOf(field).map((n) => (n.includes(".") ? n : ident(n)));
  const all = [...(mapped[field] !== undefined ? [mapped[field]] : []), ...names];
  return all.length === 1 ? each(all[0]!) : `coalesce(${all.map(each).join(", ")})`;
};

const logsOf = (file: SourceFile): LogsConfig => file.logs ?? DEFAULT_LOGS;

/**
 * The app's own request log, one JSON object per line. Either flat fields (canonical names or the names apps use:
 * see flat-log.ts) or a raw provider `usage` object (OpenAI Chat/Responses, Anthropic, Gemini `usageMetadata`),
 * possibly inside `response`.
 */
export const requestLogJsonl: UsageAdapter = {
  name: "request-log-jsonl",
  description:
    "App request log, JSON Lines: flat token fields (input includes cached for OpenAI/Gemini-style providers, excludes for Anthropic; logs.inputIncludesCached overrides) or raw OpenAI/Anthropic/Gemini usage objects",
  target: "usage",
  kind: "requests",
  tokenFields: [...TOKEN_FIELDS, "prompt_tokens", "completion_tokens", "promptTokenCount", "candidatesTokenCount"],
  // keepRequestEvents leaves out only lines with an "event" key.
  keepNeeds: '"event"',
  detect: (head) =>
    head.kind === "json" &&
    head.first !== undefined &&
    hasTimeField(head.first) &&
    ["model", "model_id", "modelId", "model_name", "modelVersion", "usage", "usageMetadata", "response", "input_tokens", "event"].some(
      (k) => k in head.first!,
    ) &&
    !("custom_id" in head.first),
  read: (file) => {
    const mapped = jsonFieldPlan(logsOf(file).fields, BUILTIN_COLUMNS);
    // Each timestamp field as text, and the model name, once per line: columns() reads these, and the per-line
    // provider lookup (includesCachedSql) probes with the one string instead of the expression's fields.
    const inner = withShingles(
      withUsageObject(
        readJson({ ...BUILTIN_COLUMNS, ...mapped.columns }, "newline_delimited"),
        "coalesce(usage, response.usage)",
        "coalesce(usageMetadata, response.usageMetadata)",
        "provider",
      ),
      "prompt",
    );
    return {
      from: `(SELECT *, ${tsSources(mapped.exprs)
        .map((e, i) => `${text(e)} AS __ts${i}`)
        .join(", ")}, ${pick("model", mapped.exprs)} AS __model FROM ${inner})`,
      keep: keepRequestEvents,
      lines: "jsonl",
    };
  },
  columns: (file) => {
    const logs = logsOf(file);
    const m = jsonFieldPlan(logs.fields, BUILTIN_COLUMNS).exprs;
    const isFlat = "__uo_none";
    const obj = usageObjectColumns();
    const num = (field: LogField) => pick(field, m, (e) => (m[field] === e ? jsonNumber(e) : e));
    const model = "__model";
    const stated = pick("provider", m);
    const cached = tok(num("cached_input_tokens"));
    const cw1 = tok(num("cache_write_1h_tokens"));
    // A cache-write total is 5-minute writes, less what a 1h field says was 1-hour.
    const cw5 = tok(`coalesce(${num("cache_write_5m_tokens")}, ${num("cache_write_tokens")} - coalesce(${num("cache_write_1h_tokens")}, 0))`);
    const input = flatInputSql(tok(num("input_tokens")), [cached, cw5, cw1], includesCachedSql(logs.inputIncludesCached, stated, model));
    const flatCounts = `coalesce(${(["input_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens"] as const).map(num).join(", ")})`;
    const flatOr = (flat: string, fromObject: string) => `CASE WHEN ${isFlat} THEN ${flat} ELSE ${fromObject} END`;
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: ((n) => (n === 1 ? anyTsOfText("__ts0") : `coalesce(${Array.from({ length: n }, (_, i) => anyTsOfText(`__ts${i}`)).join(", ")})`))(
        tsSources(m).length,
      ),
      // NULL lets ingest fill it from the price table, then from the model name.
      provider: `CASE WHEN ${isFlat} THEN lower(${stated}) ELSE ${obj.provider} END`,
      model,
      project: pick("project", m),
      api_key: pick("api_key", m),
      workspace: pick("workspace", m),
      tag: `coalesce(${[...(m.user !== undefined ? [text(m.user)] : []), text("safety_identifier"), text("user"), text("tag"), text("metadata.user_id")].join(", ")})`,
      feature_hint: `coalesce(${pick("feature", m)}, ${text("metadata.feature")})`,
      endpoint: pick("endpoint", m),
      requests: "1",
      // A service tier of "batch" (flat or in the usage object) is a batch request.
      batch: `(${bool("batch")} OR coalesce(lower(coalesce(${pick("service_tier", m)}, ${obj.service_tier})) = 'batch', false))`,
      service_tier: `coalesce(${pick("service_tier", m)}, ${text("response.service_tier")}, ${obj.service_tier})`,
      status: pick("status", m),
      latency_ms: `round(${m.latency_ms !== undefined ? jsonNumber(m.latency_ms) : "latency_ms"})::BIGINT`,
      prompt_hash: `coalesce(${text("prompt_hash")}, md5(prompt))`,
      prompt_sig: promptSig("prompt"),
      prompt_emb: embeddingList("embedding"),
      cache_denied: cacheDenied("prompt"),
      request_id: `coalesce(${pick("request_id", m)}, ${text("id")}, ${text("response.id")})`,
      reported_cost_usd: pick("cost_usd", m, money),
      input_tokens: `CASE WHEN ${isFlat} AND (__uo_u IS NOT NULL OR __uo_g IS NOT NULL) AND ${flatCounts} IS NULL THEN ${NO_COUNTS}::BIGINT ELSE ${flatOr(input, obj.input_tokens!)} END`,
      cached_input_tokens: flatOr(cached, obj.cached_input_tokens!),
      cache_write_5m_tokens: flatOr(cw5, obj.cache_write_5m_tokens!),
      cache_write_1h_tokens: flatOr(cw1, obj.cache_write_1h_tokens!),
      output_tokens: flatOr(tok(num("output_tokens")), obj.output_tokens!),
      reasoning_tokens: flatOr(tok(num("reasoning_tokens")), obj.reasoning_tokens!),
    };
    // Charges beyond tokens: flat fields of their own names, else the raw usage object's (Anthropic server_tool_use,
    // inference_geo, speed; OpenAI audio token details).
    for (const c of ["web_search_requests", "audio_input_tokens", "audio_output_tokens"] as const)
      cols[c] = `CASE WHEN ${c} IS NOT NULL THEN ${tok(c)} ELSE ${obj[c]} END`;
    cols.inference_geo = `lower(coalesce(${text("inference_geo")}, ${obj.inference_geo}))`;
    cols.speed = `lower(coalesce(${text("speed")}, ${obj.speed}))`;
    return cols;
  },
};
