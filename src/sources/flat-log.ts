import { usageError } from "../errors.js";
import { ident, str, text } from "./sql.js";
import type { Head } from "./types.js";

/**
 * Flat request-log fields as apps write them: every canonical field, the names it goes by in the wild (first match
 * wins), and how a flat line's input tokens are read.
 */

/** The canonical fields a log can carry, and what `logs.fields` in the config may map. */
export const LOG_FIELDS = [
  "timestamp",
  "model",
  "provider",
  "user",
  "feature",
  "request_id",
  "project",
  "api_key",
  "workspace",
  "endpoint",
  "status",
  "service_tier",
  "input_tokens",
  "cached_input_tokens",
  "cache_write_tokens",
  "cache_write_5m_tokens",
  "cache_write_1h_tokens",
  "output_tokens",
  "reasoning_tokens",
  "cost_usd",
  "latency_ms",
] as const;
export type LogField = (typeof LOG_FIELDS)[number];

/**
 * Names each field goes by, in order of preference. `cache_write_tokens` is a total of cache writes: 5-minute writes
 * unless a 1h field says part of it is 1-hour. Dotted names are paths into a logged `response` object.
 */
export const FIELD_ALIASES: Partial<Record<LogField, readonly string[]>> = {
  timestamp: ["timestamp", "timestamp_utc", "created_at", "created", "time", "ts", "start_time"],
  model: ["model", "model_id", "modelId", "model_name", "response.model", "modelVersion", "response.modelVersion"],
  cached_input_tokens: ["cached_input_tokens", "cache_read_input_tokens", "cache_read_tokens", "cached_tokens", "cache_hit_tokens"],
  cache_write_tokens: ["cache_creation_input_tokens", "cache_write_tokens", "cache_creation_tokens"],
  cache_write_1h_tokens: ["cache_write_1h_tokens", "cache_creation_1h_tokens"],
  cost_usd: ["cost_usd", "cost", "total_cost", "spend", "estimated_cost_usd", "cost_total"],
};

/** The names a field is read from: the config's mapping, else its aliases, else its own name. */
export const namesOf = (field: LogField, mapped: Readonly<Record<string, string>> = {}): string[] => {
  const own = FIELD_ALIASES[field] ?? [field];
  return mapped[field] !== undefined ? [mapped[field], ...own] : [...own];
};

/** Whether a JSON record names its own time, under a top-level timestamp field name. */
export const hasTimeField = (record: Readonly<Record<string, unknown>>): boolean => namesOf("timestamp").some((k) => !k.includes(".") && k in record);

/** How a log's input_tokens relate to its cached tokens: the config's `logs.inputIncludesCached`. */
export type InputIncludesCached = boolean | "auto";

export interface LogsConfig {
  inputIncludesCached: InputIncludesCached;
  fields: Readonly<Record<string, string>>;
}
export const DEFAULT_LOGS: LogsConfig = { inputIncludesCached: "auto", fields: {} };

/** Providers whose apps' input counts include cached (and cache-write) tokens: OpenAI's `prompt_tokens` and its clones, Gemini's `promptTokenCount`. */
export const INCLUDING_PROVIDERS = [
  "openai",
  "azure",
  "google",
  "gemini",
  "vertex_ai",
  "xai",
  "deepseek",
  "mistral",
  "groq",
  "together",
  "fireworks",
  "perplexity",
  "openrouter",
] as const;
/** Providers whose input counts exclude cache reads and writes (Anthropic Messages, Bedrock Converse). */
export const EXCLUDING_PROVIDERS = ["anthropic", "amazon", "bedrock", "aws.bedrock"] as const;

/** A temp table (built at ingest from the price tables) of each model alias's provider: a line's model decides when its line names no provider. */
export const MODEL_PROVIDER_TABLE = "log_model_provider";
export const createModelProviderSql = `CREATE OR REPLACE TEMP TABLE ${MODEL_PROVIDER_TABLE} AS
  SELECT pa.alias, any_value(pr.provider) AS provider FROM price_alias pa JOIN price_rate pr USING (model_id) GROUP BY pa.alias`;

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(", ");

/** The sentinel an input count takes when cached tokens exceed it under the including reading (a check names the line). */
export const CACHED_EXCEEDS_INPUT = -2;

/**
 * Whether a flat line's input includes its cached tokens, as SQL: the config when it says so; else the line's
 * provider field when it names a known provider; else the provider of the line's model in the price tables; else
 * the canonical meaning (excluding).
 */
export function includesCachedSql(mode: InputIncludesCached, stated: string | null, model: string): string {
  if (mode !== "auto") return mode ? "true" : "false";
  const s = stated === null ? "NULL" : `lower(${text(stated)})`;
  // An uncorrelated IN (a semi join on the model): a correlated lookup of the model's provider made DuckDB carry
  // every column of the line through a delim join (a third of a JSON Lines insert).
  const byModel = `lower(${model}) IN (SELECT mp.alias FROM ${MODEL_PROVIDER_TABLE} mp WHERE mp.provider IN (${list(INCLUDING_PROVIDERS)}))`;
  return `(CASE WHEN ${s} IN (${list(INCLUDING_PROVIDERS)}) THEN true WHEN ${s} IN (${list(EXCLUDING_PROVIDERS)}) THEN false
    ELSE coalesce(${byModel}, false) END)`;
}

/**
 * A flat line's uncached input: the logged count, less the cached and cache-write counts when it includes them.
 * Arguments are validated counts (tok(): -1 when bad, which validation reports). Under the including reading a line
 * whose cached tokens exceed its input gets CACHED_EXCEEDS_INPUT.
 */
export function flatInputSql(input: string, cached: readonly string[], includes: string): string {
  const sum = cached.map((c) => `(${c})`).join(" + ") || "0";
  const bad = [input, ...cached].map((c) => `(${c}) < 0`).join(" OR ");
  return `(CASE WHEN ${bad} THEN (${input}) WHEN (${sum}) = 0 OR NOT ${includes} THEN (${input})
    WHEN (${input}) < (${sum}) THEN ${CACHED_EXCEEDS_INPUT}::BIGINT ELSE (${input}) - (${sum}) END)`;
}

/** The sentinel an input count takes when a line's usage object holds no count and the line has no token field either. */
export const NO_COUNTS = -3;

/** The check that names such a line ("usage": {} would otherwise be a priced request of 0 tokens). */
export const noCountsCheck = {
  sql: `input_tokens = ${NO_COUNTS}`,
  reason: "the usage object holds no token counts, and the line has no token fields",
};

/** The check that names such a line. */
export const cachedExceedsCheck = {
  sql: `input_tokens = ${CACHED_EXCEEDS_INPUT}`,
  reason:
    "cached tokens exceed input_tokens, which include them for this provider (set logs.inputIncludesCached to false in the config if this log's input excludes cached tokens)",
};

/**
 * A timestamp as naive UTC: ISO 8601 text (with or without an offset), or epoch seconds, milliseconds, microseconds
 * or nanoseconds, told apart by magnitude (seconds until the year 5138, then ms, µs, ns).
 */
export const epochOrIso = (t: string, iso: (e: string) => string): string => {
  const n = `TRY_CAST(${t} AS DOUBLE)`;
  const us = `(CASE WHEN ${n} < 1e11 THEN ${n} * 1e6 WHEN ${n} < 1e14 THEN ${n} * 1e3 WHEN ${n} < 1e17 THEN ${n} ELSE ${n} / 1e3 END)`;
  return `(CASE WHEN contains(${t}, '-') OR contains(${t}, ':') THEN ${iso(t)} WHEN regexp_full_match(${t}, '\\d+(\\.\\d+)?') THEN make_timestamp(CAST(round(${us}) AS BIGINT)) END)`;
};

/** A JSON Lines field by name or dotted path: how to read it (extra read_json columns) and the SQL that gets it. */
export interface JsonFieldPlan {
  columns: Record<string, string>;
  exprs: Partial<Record<LogField, string>>;
}

/**
 * `logs.fields` for JSON Lines: each mapped path's top-level key is read as JSON and the rest extracted from it.
 * A top-level key llmcost already reads as an object (usage, response, metadata…) can't also be read as JSON: the
 * mapping is refused (exit 2) instead of silently ignored.
 */
export function jsonFieldPlan(fields: Readonly<Record<string, string>>, builtin: Readonly<Record<string, string>>): JsonFieldPlan {
  const columns: Record<string, string> = {};
  const exprs: Partial<Record<LogField, string>> = {};
  for (const [field, path] of Object.entries(fields)) {
    if (!(LOG_FIELDS as readonly string[]).includes(field)) {
      throw usageError(`config logs.fields: unknown field ${JSON.stringify(field)}`, `fields: ${LOG_FIELDS.join(", ")}`);
    }
    const parts = path.split(".");
    if (parts.some((p) => p === "" || p.includes('"')))
      throw usageError(`config logs.fields.${field}: ${JSON.stringify(path)} is not a dotted path of field names`);
    const [top, ...rest] = parts as [string, ...string[]];
    const known = builtin[top];
    if (known !== undefined && (known.startsWith("STRUCT") || rest.length > 0)) {
      throw usageError(
        `config logs.fields.${field}: ${JSON.stringify(path)} is inside ${JSON.stringify(top)}, which llmcost already reads as a known object`,
        "map a field outside it, or rely on the built-in names (see `llmcost formats`)",
      );
    }
    if (known !== undefined) {
      exprs[field as LogField] = ident(top);
      continue;
    }
    columns[top] = "JSON";
    const jpath = ["$", ...rest.map((p) => `"${p}"`)].join(".");
    exprs[field as LogField] = `json_extract_string(${ident(top)}, ${str(jpath)})`;
  }
  return { columns, exprs };
}

/** The head as detection would see it with `logs.fields` applied: mapped names appear under their canonical names. */
export function withMappedNames(head: Head, fields: Readonly<Record<string, string>>): Head {
  const entries = Object.entries(fields);
  if (entries.length === 0) return head;
  if (head.kind === "csv") return { ...head, header: [...head.header, ...entries.filter(([, n]) => head.header.includes(n)).map(([f]) => f)] };
  if (head.first === undefined) return head;
  const first: Record<string, unknown> = { ...head.first };
  for (const [f, path] of entries) {
    let v: unknown = head.first;
    for (const p of path.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
    if (v !== undefined) first[f] = v;
  }
  return { ...head, first };
}
