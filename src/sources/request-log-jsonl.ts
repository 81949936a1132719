import { bool, cacheDenied, embeddingList, isoTs, money, promptSig, readJson, text, tok, unixTs, withShingles } from "./sql.js";
import { TOKEN_BUCKETS, type UsageAdapter, type UsageColumn } from "./types.js";
import { GEMINI_STRUCT, USAGE_STRUCT, usageObjectColumns, withUsageObject } from "./usage-object.js";

/** `event` values that mean "one model call". Lines with any other event (feedback, errors, spans…) are skipped. */
export const REQUEST_EVENTS = ["request", "response", "completion", "generation", "usage", "llm_request", "llm.request", "llm_call"];
export const keepRequestEvents = {
  sql: `event IS NULL OR lower(event) IN (${REQUEST_EVENTS.map((e) => `'${e}'`).join(", ")})`,
  reason: "event is not a request",
};

/** A timestamp that may be ISO text (with or without an offset) or unix seconds. */
export const anyTs = (expr: string): string => {
  const t = text(expr);
  // ISO text has a '-' or ':'; only the rest is tested (by a regexp) for unix seconds.
  return `(CASE WHEN contains(${t}, '-') OR contains(${t}, ':') THEN ${isoTs(expr)} WHEN regexp_full_match(${t}, '\\d+(\\.\\d+)?') THEN ${unixTs(t)} END)`;
};

const FLAT_TOKENS = TOKEN_BUCKETS;

/**
 * The app's own request log, one JSON object per line. Either flat canonical fields or a raw provider `usage`
 * object (OpenAI Chat/Responses, Anthropic, Gemini `usageMetadata`), possibly inside `response`.
 */
export const requestLogJsonl: UsageAdapter = {
  name: "request-log-jsonl",
  description: "App request log, JSON Lines: flat token fields or raw OpenAI/Anthropic/Gemini usage objects",
  target: "usage",
  kind: "requests",
  detect: (head) =>
    head.kind === "json" &&
    head.first !== undefined &&
    ["timestamp", "ts", "time", "created_at", "created"].some((k) => k in head.first!) &&
    ["model", "usage", "usageMetadata", "response", "input_tokens", "event"].some((k) => k in head.first!) &&
    !("custom_id" in head.first) &&
    !("spend" in head.first),
  read: () => ({
    from: withShingles(withUsageObject(readJson(
      {
        timestamp: "VARCHAR",
        ts: "VARCHAR",
        time: "VARCHAR",
        created_at: "VARCHAR",
        created: "VARCHAR",
        event: "VARCHAR",
        request_id: "VARCHAR",
        id: "VARCHAR",
        model: "VARCHAR",
        provider: "VARCHAR",
        user: "VARCHAR",
        safety_identifier: "VARCHAR",
        tag: "VARCHAR",
        feature: "VARCHAR",
        metadata: "STRUCT(user_id VARCHAR, feature VARCHAR)",
        project: "VARCHAR",
        api_key: "VARCHAR",
        workspace: "VARCHAR",
        endpoint: "VARCHAR",
        status: "VARCHAR",
        latency_ms: "DOUBLE",
        batch: "VARCHAR",
        service_tier: "VARCHAR",
        inference_geo: "VARCHAR",
        speed: "VARCHAR",
        web_search_requests: "DOUBLE",
        audio_input_tokens: "DOUBLE",
        audio_output_tokens: "DOUBLE",
        prompt_hash: "VARCHAR",
        prompt: "VARCHAR",
        // Read as JSON and checked in SQL: DuckDB names the wrong line for a typed list that fails to convert.
        embedding: "JSON",
        cost_usd: "VARCHAR",
        usage: USAGE_STRUCT,
        usageMetadata: GEMINI_STRUCT,
        response: `STRUCT(id VARCHAR, model VARCHAR, usage ${USAGE_STRUCT}, usageMetadata ${GEMINI_STRUCT})`,
        ...Object.fromEntries(FLAT_TOKENS.map((t) => [t, "DOUBLE"])),
      },
      "newline_delimited",
    ), "coalesce(usage, response.usage)", "coalesce(usageMetadata, response.usageMetadata)", "provider"), "prompt"),
    keep: keepRequestEvents,
    lines: "jsonl",
  }),
  columns: () => {
    const isFlat = "(__uo_u IS NULL AND __uo_g IS NULL)";
    const obj = usageObjectColumns();
    const flatOr = (c: (typeof FLAT_TOKENS)[number]) => `CASE WHEN ${isFlat} THEN ${tok(c)} ELSE ${obj[c]} END`;
    const model = `coalesce(${text("model")}, ${text("response.model")})`;
    const cols: Partial<Record<UsageColumn, string>> = {
      ts: anyTs("coalesce(timestamp, ts, time, created_at, created)"),
      // NULL lets ingest fill it from the price table, then from the model name.
      provider: `CASE WHEN ${isFlat} THEN lower(${text("provider")}) ELSE ${obj.provider} END`,
      model,
      project: text("project"),
      api_key: text("api_key"),
      workspace: text("workspace"),
      tag: `coalesce(${text("safety_identifier")}, ${text("user")}, ${text("tag")}, ${text("metadata.user_id")})`,
      feature_hint: `coalesce(${text("feature")}, ${text("metadata.feature")})`,
      endpoint: text("endpoint"),
      requests: "1",
      // A service tier of "batch" (flat or in the usage object) is a batch request.
      batch: `(${bool("batch")} OR coalesce(lower(coalesce(${text("service_tier")}, ${obj.service_tier})) = 'batch', false))`,
      service_tier: `coalesce(${text("service_tier")}, ${obj.service_tier})`,
      status: text("status"),
      latency_ms: `CASE WHEN latency_ms >= 0 THEN round(latency_ms)::BIGINT END`,
      prompt_hash: `coalesce(${text("prompt_hash")}, md5(prompt))`,
      prompt_sig: promptSig("prompt"),
      prompt_emb: embeddingList("embedding"),
      cache_denied: cacheDenied("prompt"),
      request_id: `coalesce(${text("request_id")}, ${text("id")}, ${text("response.id")})`,
      reported_cost_usd: money("cost_usd"),
    };
    for (const c of FLAT_TOKENS) cols[c] = flatOr(c);
    // Charges beyond tokens: flat fields of their own names, else the raw usage object's (Anthropic server_tool_use,
    // inference_geo, speed; OpenAI audio token details).
    for (const c of ["web_search_requests", "audio_input_tokens", "audio_output_tokens"] as const) cols[c] = `CASE WHEN ${c} IS NOT NULL THEN ${tok(c)} ELSE ${obj[c]} END`;
    cols.inference_geo = `lower(coalesce(${text("inference_geo")}, ${obj.inference_geo}))`;
    cols.speed = `lower(coalesce(${text("speed")}, ${obj.speed}))`;
    return cols;
  },
};
