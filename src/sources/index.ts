import { anthropicAnalyticsCost } from "./anthropic-analytics-cost.js";
import { anthropicAnalyticsUsage } from "./anthropic-analytics-usage.js";
import { anthropicCostCsv } from "./anthropic-cost-csv.js";
import { anthropicCostJson } from "./anthropic-cost-json.js";
import { anthropicTokensCsv } from "./anthropic-tokens-csv.js";
import { anthropicUsageJson } from "./anthropic-usage-json.js";
import { bedrockCloudwatchEvents } from "./bedrock-cloudwatch-events.js";
import { bedrockInvocationLog } from "./bedrock-invocation-log.js";
import { claudeCodeJsonl } from "./claude-code-jsonl.js";
import { codexJsonl } from "./codex-jsonl.js";
import { geminiResponseJson } from "./gemini-response-json.js";
import { langfuseJson } from "./langfuse-json.js";
import { litellmSpendLogs } from "./litellm-spend-logs.js";
import { openaiBatchInput, openaiBatchOutput } from "./openai-batch.js";
import { openaiCostCsv } from "./openai-cost-csv.js";
import { openaiCostsJson } from "./openai-costs-json.js";
import { openaiLegacyUsage } from "./openai-legacy-usage.js";
import { openaiUsageCsv } from "./openai-usage-csv.js";
import { openaiUsageJson } from "./openai-usage-json.js";
import { otelOtlpJson } from "./otel-otlp-json.js";
import { otelSpansJsonl } from "./otel-spans-jsonl.js";
import { openrouterCsv } from "./openrouter-csv.js";
import { requestLogCsv } from "./request-log-csv.js";
import { requestLogJsonl } from "./request-log-jsonl.js";
import type { Adapter, Head } from "./types.js";

/** Detection order matters only where signatures overlap: the more specific format comes first. */
export const ADAPTERS: readonly Adapter[] = [
  openaiUsageCsv,
  openaiCostCsv,
  openaiUsageJson,
  openaiCostsJson,
  openaiLegacyUsage,
  openaiBatchOutput,
  openaiBatchInput,
  anthropicTokensCsv,
  anthropicCostCsv,
  // before the legacy reports, whose detection (starting_at, amount strings) they also match
  anthropicAnalyticsUsage,
  anthropicAnalyticsCost,
  anthropicUsageJson,
  anthropicCostJson,
  litellmSpendLogs,
  openrouterCsv,
  otelOtlpJson,
  otelSpansJsonl,
  claudeCodeJsonl,
  codexJsonl,
  bedrockCloudwatchEvents,
  bedrockInvocationLog,
  langfuseJson,
  geminiResponseJson,
  requestLogJsonl,
  requestLogCsv,
];

/** The span attributes OTel GenAI (and OpenInference) carry token counts in. */
const OTEL_TOKEN_ATTRIBUTES = [
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.prompt_tokens",
  "gen_ai.usage.completion_tokens",
  "llm.token_count.prompt",
  "llm.token_count.completion",
];

/** Token fields of the formats whose files don't declare `tokenFields` themselves (see AdapterBase.tokenFields). */
const TOKEN_FIELDS_OF: Record<string, readonly string[]> = {
  "claude-code-jsonl": ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"],
  "codex-jsonl": ["total_token_usage", "last_token_usage"],
  "otel-otlp-json": OTEL_TOKEN_ATTRIBUTES,
  "otel-spans-jsonl": OTEL_TOKEN_ATTRIBUTES,
};

/** A name as a whole word in JSON text: a key, an attribute name (`"key": "gen_ai.usage.input_tokens"`) or inside an embedded JSON string. */
const inJson = (text: string, name: string): boolean =>
  new RegExp(`(^|[^A-Za-z0-9_.])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^A-Za-z0-9_]|$)`).test(text);

/**
 * Why a forced `--format` cannot read a file, or null: the file is that format (its detection matches) or has at
 * least one of the format's token (amount) fields. `heads` are the sniffed head and the same with the config's
 * logs.fields names applied.
 */
export function forcedFormatMismatch(adapter: Adapter, heads: readonly Head[]): string | null {
  if (adapter.target === "companion" || heads.some((h) => adapter.detect(h))) return null;
  const fields = adapter.tokenFields ?? TOKEN_FIELDS_OF[adapter.name] ?? [];
  const present = (h: Head, f: string) => (h.kind === "csv" ? h.header.includes(f) : inJson(h.text, f) || (h.first !== undefined && f in h.first));
  if (fields.length === 0 || heads.some((h) => fields.some((f) => present(h, f)))) return null;
  const what = adapter.target === "billed_cost" ? "amount" : "token";
  const shown = fields.length > 6 ? `${fields.slice(0, 6).join(", ")}, …` : fields.join(", ");
  return `none of ${adapter.name}'s ${what} fields (${shown}) are in this file, so it would load rows of zero ${what === "token" ? "tokens" : "dollars"}`;
}

export const detectAdapter = (head: Head): Adapter | undefined => ADAPTERS.find((a) => a.detect(head));
export const adapterByName = (name: string): Adapter | undefined => ADAPTERS.find((a) => a.name === name);

/** The hint for a file read with a --format that does not fit it: what it is detected as, if anything. */
export function forcedFormatHint(head: Head): string {
  const looks = detectAdapter(head);
  return `${looks ? `it looks like ${looks.name}; ` : ""}drop --format to detect the format, or see \`llmcost formats\``;
}
