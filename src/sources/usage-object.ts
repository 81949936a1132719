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
  "prompt_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE), " +
  "completion_tokens_details STRUCT(reasoning_tokens DOUBLE), " +
  "input_tokens DOUBLE, output_tokens DOUBLE, " +
  "input_tokens_details STRUCT(cached_tokens DOUBLE, cache_write_tokens DOUBLE), " +
  "output_tokens_details STRUCT(reasoning_tokens DOUBLE), " +
  "cache_creation_input_tokens DOUBLE, cache_read_input_tokens DOUBLE, " +
  "cache_creation STRUCT(ephemeral_5m_input_tokens DOUBLE, ephemeral_1h_input_tokens DOUBLE), " +
  `service_tier VARCHAR, ${GEMINI_FIELDS})`;
export const GEMINI_STRUCT = `STRUCT(${GEMINI_FIELDS})`;

/**
 * Normalises a usage struct `u` (and a Gemini usageMetadata struct `g`, when the source has one) to the disjoint canonical buckets.
 * - OpenAI prompt/input tokens include cached and cache-write tokens: subtract them.
 * - Anthropic input_tokens exclude cache reads and writes: keep as is.
 * - Gemini promptTokenCount includes cached; candidates exclude thoughts, which bill as output.
 * `providerHint` is an SQL expression (may be NULL) naming the provider when the log states it.
 */
export function usageObjectColumns(
  u: string,
  g: string | null,
  providerHint: string,
): Pick<
  Partial<Record<UsageColumn, string>>,
  | "input_tokens"
  | "cached_input_tokens"
  | "cache_write_5m_tokens"
  | "cache_write_1h_tokens"
  | "output_tokens"
  | "reasoning_tokens"
  | "provider"
  | "service_tier"
> {
  const gem = (f: string) => (g === null ? `${u}.${f}` : `coalesce(${g}.${f}, ${u}.${f})`);
  const isGemini = `(${gem("promptTokenCount")} IS NOT NULL OR ${gem("candidatesTokenCount")} IS NOT NULL)`;
  const isChat = `(${u}.prompt_tokens IS NOT NULL)`;
  const isAnthropic = `(NOT ${isGemini} AND NOT ${isChat} AND (${u}.cache_read_input_tokens IS NOT NULL OR ${u}.cache_creation_input_tokens IS NOT NULL OR ${u}.cache_creation IS NOT NULL OR lower(${providerHint}) = 'anthropic'))`;
  const pick = (gemini: string, chat: string, anthropic: string, responses: string) =>
    `(CASE WHEN ${isGemini} THEN ${gemini} WHEN ${isChat} THEN ${chat} WHEN ${isAnthropic} THEN ${anthropic} ELSE ${responses} END)`;
  const z = (e: string) => `coalesce(${e}, 0)`;
  return {
    provider: `coalesce(lower(${providerHint}), CASE WHEN ${isGemini} THEN 'google' WHEN ${isAnthropic} THEN 'anthropic' ELSE 'openai' END)`,
    input_tokens: tok(
      pick(
        `${gem("promptTokenCount")} - ${z(gem("cachedContentTokenCount"))} + ${z(gem("toolUsePromptTokenCount"))}`,
        `${u}.prompt_tokens - ${z(`${u}.prompt_tokens_details.cached_tokens`)} - ${z(`${u}.prompt_tokens_details.cache_write_tokens`)}`,
        `${u}.input_tokens`,
        `${u}.input_tokens - ${z(`${u}.input_tokens_details.cached_tokens`)} - ${z(`${u}.input_tokens_details.cache_write_tokens`)}`,
      ),
    ),
    cached_input_tokens: tok(
      pick(
        gem("cachedContentTokenCount"),
        `${u}.prompt_tokens_details.cached_tokens`,
        `${u}.cache_read_input_tokens`,
        `${u}.input_tokens_details.cached_tokens`,
      ),
    ),
    cache_write_5m_tokens: tok(
      pick(
        "NULL",
        `${u}.prompt_tokens_details.cache_write_tokens`,
        `coalesce(${u}.cache_creation.ephemeral_5m_input_tokens, ${u}.cache_creation_input_tokens - ${z(`${u}.cache_creation.ephemeral_1h_input_tokens`)})`,
        `${u}.input_tokens_details.cache_write_tokens`,
      ),
    ),
    cache_write_1h_tokens: tok(pick("NULL", "NULL", `${u}.cache_creation.ephemeral_1h_input_tokens`, "NULL")),
    output_tokens: tok(
      pick(
        `${z(gem("candidatesTokenCount"))} + ${z(gem("thoughtsTokenCount"))}`,
        `${u}.completion_tokens`,
        `${u}.output_tokens`,
        `${u}.output_tokens`,
      ),
    ),
    reasoning_tokens: tok(
      pick(
        gem("thoughtsTokenCount"),
        `${u}.completion_tokens_details.reasoning_tokens`,
        "NULL",
        `${u}.output_tokens_details.reasoning_tokens`,
      ),
    ),
    service_tier: `${u}.service_tier`,
  };
}
