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
  requestLogJsonl,
  requestLogCsv,
];

export const detectAdapter = (head: Head): Adapter | undefined => ADAPTERS.find((a) => a.detect(head));
export const adapterByName = (name: string): Adapter | undefined => ADAPTERS.find((a) => a.name === name);
