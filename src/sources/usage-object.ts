import { tok } from "./sql.js";
import type { UsageColumn } from "./types.js";

/**
 * The union of the raw `usage` objects providers return per request, as one DuckDB STRUCT:
 * OpenAI Chat Completions, OpenAI Responses, Anthropic Messages and Gemini usageMetadata (camelCase).
 * Absent keys read as NULL, so one struct holds every shape.
 */
export const GEMINI_FIELDS =
  "promptTokenCount DOUBLE, candidatesTokenCount DOUBLE, cachedContentTokenCount DOUBLE, thoughtsTokenCount DOUBLE, toolUsePromptTokenCount DOUBLE";
export const USAGE_STRUCT =
  "STRUCT(prompt_tokens DOUBLE, completion_tokens DOUBLE, " +
  "prompt_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE, audio_tokens DOUBLE), " +
  "completion_tokens_details STRUCT(reasoning_tokens DOUBLE, audio_tokens DOUBLE), " +
  "input_tokens DOUBLE, output_tokens DOUBLE, " +
  "input_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE), " +
  "output_tokens_details STRUCT(reasoning_tokens DOUBLE), " +
  "cache_creation_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, " +
  "cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), " +
  "server_tool_use STRUCT(web_search_requests DOUBLE), inference_geo VARCHAR, speed VARCHAR, " +
  `service_tier VARCHAR, ${GEMINI_FIELDS})`;
export const GEMINI_STRUCT = `STRUCT(${GEMINI_FIELDS})`;

/**
 * Normalises a usage struct `u` (and a Gemini usageMetadata struct `g`, when the source has one) to the disjoint
 * canonical buckets, as columns added to `relation`:
 * - OpenAI prompt/input tokens include cached and cache-write tokens: subtract them.
 * - Anthropic input_tokens exclude cache reads and writes: keep as is.
 * - Gemini promptTokenCount includes cached; candidates exclude thoughts, which bill as output.
 * `providerHint` is an SQL expression (may be NULL) naming the provider when the log states it. An OpenAI-shaped
 * object says nothing about its vendor (Groq, OpenRouter, vLLM… return the same shape): its provider is 'unknown',
 * which ingest replaces with the provider of the resolved model.
 *
 * The struct, the shape flags and the raw bucket values are staged as columns (__uo_*), each computed once per row:
 * inlined into every token column, the expressions were repeated hundreds of times (2 s per 1M rows). Read them with
 * usageObjectColumns().
 */
export function withUsageObject(relation: string, u: string, g: string | null, providerHint: string): string {
  const gem = (f: string) => (g === null ? `__uo_u.${f}` : `coalesce(__uo_g.${f}, __uo_u.${f})`);
  const z = (e: string) => `coalesce(${e}, 0)`;
  const pick = (gemini: string, chat: string, anthropic: string, responses: string) =>
    `(CASE WHEN __uo_gemini THEN ${gemini} WHEN __uo_chat THEN ${chat} WHEN __uo_anthropic THEN ${anthropic} ELSE ${responses} END)`;
  const structs = `SELECT *, ${u} AS __uo_u${g === null ? "" : `, ${g} AS __uo_g`} FROM ${relation}`;
  const flags = `SELECT *, (${gem("promptTokenCount")} IS NOT NULL OR ${gem("candidatesTokenCount")} IS NOT NULL) AS __uo_gemini,
      (__uo_u.prompt_tokens IS NOT NULL) AS __uo_chat FROM (${structs})`;
  const anthropic = `SELECT *, (NOT __uo_gemini AND NOT __uo_chat AND (__uo_u.cache_read_input_tokens IS NOT NULL
      OR __uo_u.cache_creation_input_tokens IS NOT NULL OR __uo_u.cache_creation IS NOT NULL OR lower(${providerHint}) = 'anthropic')) AS __uo_anthropic
    FROM (${flags})`;
  const raw: Record<string, string> = {
    __uo_provider: `coalesce(lower(${providerHint}), CASE WHEN __uo_gemini THEN 'google' WHEN __uo_anthropic THEN 'anthropic' ELSE 'unknown' END)`,
    __uo_input: pick(
      `${gem("promptTokenCount")} - ${z(gem("cachedContentTokenCount"))} + ${z(gem("toolUsePromptTokenCount"))}`,
      `__uo_u.prompt_tokens - ${z("__uo_u.prompt_tokens_details.cached_tokens")} - ${z("__uo_u.prompt_tokens_details.cache_write_tokens")}`,
      "__uo_u.input_tokens",
      `__uo_u.input_tokens - ${z("__uo_u.input_tokens_details.cached_tokens")} - ${z("__uo_u.input_tokens_details.cache_write_tokens")}`,
    ),
    __uo_cached: pick(
      gem("cachedContentTokenCount"),
      "__uo_u.prompt_tokens_details.cached_tokens",
      "__uo_u.cache_read_input_tokens",
      "__uo_u.input_tokens_details.cached_tokens",
    ),
    __uo_cw5: pick(
      "NULL",
      "__uo_u.prompt_tokens_details.cache_write_tokens",
      `coalesce(__uo_u.cache_creation.ephemeral_5m_input_tokens, __uo_u.cache_creation_input_tokens - ${z("__uo_u.cache_creation.ephemeral_1h_input_tokens")})`,
      "__uo_u.input_tokens_details.cache_write_tokens",
    ),
    __uo_cw1: pick("NULL", "NULL", "__uo_u.cache_creation.ephemeral_1h_input_tokens", "NULL"),
    __uo_output: pick(
      `${z(gem("candidatesTokenCount"))} + ${z(gem("thoughtsTokenCount"))}`,
      "__uo_u.completion_tokens",
      "__uo_u.output_tokens",
      "__uo_u.output_tokens",
    ),
    __uo_reasoning: pick(
      gem("thoughtsTokenCount"),
      "__uo_u.completion_tokens_details.reasoning_tokens",
      "NULL",
      "__uo_u.output_tokens_details.reasoning_tokens",
    ),
    // OpenAI Chat: audio tokens are parts of the prompt (uncached: cached audio bills as cached) and of the completion.
    __uo_audio_in: pick("NULL", "__uo_u.prompt_tokens_details.audio_tokens", "NULL", "NULL"),
    __uo_audio_out: pick("NULL", "__uo_u.completion_tokens_details.audio_tokens", "NULL", "NULL"),
  };
  // No object, or one without a single count ("usage": {}): the line's flat fields, if any, are its counts.
  const counts = Object.keys(raw).filter((c) => c !== "__uo_provider");
  return `(SELECT *, (${counts.map((c) => `${c} IS NULL`).join(" AND ")}) AS __uo_none FROM (SELECT *, ${Object.entries(raw)
    .map(([c, e]) => `${e} AS ${c}`)
    .join(",\n  ")} FROM (${anthropic})))`;
}

/** The canonical columns of a relation staged by withUsageObject. */
export function usageObjectColumns(): Pick<
  Partial<Record<UsageColumn, string>>,
  | "input_tokens"
  | "cached_input_tokens"
  | "cache_write_5m_tokens"
  | "cache_write_1h_tokens"
  | "output_tokens"
  | "reasoning_tokens"
  | "provider"
  | "service_tier"
  | "audio_input_tokens"
  | "audio_output_tokens"
  | "web_search_requests"
  | "inference_geo"
  | "speed"
> {
  return {
    provider: "__uo_provider",
    input_tokens: tok("__uo_input"),
    cached_input_tokens: tok("__uo_cached"),
    cache_write_5m_tokens: tok("__uo_cw5"),
    cache_write_1h_tokens: tok("__uo_cw1"),
    output_tokens: tok("__uo_output"),
    reasoning_tokens: tok("__uo_reasoning"),
    service_tier: "__uo_u.service_tier",
    audio_input_tokens: tok("__uo_audio_in"),
    audio_output_tokens: tok("__uo_audio_out"),
    // Anthropic: web search calls of the server tool; the inference geography and speed the request ran at.
    web_search_requests: tok("__uo_u.server_tool_use.web_search_requests"),
    inference_geo: "__uo_u.inference_geo",
    speed: "__uo_u.speed",
  };
}
