import { z } from "zod";
import type { OverridesT } from "./schema.js";

/** The LiteLLM fields we read; everything else in an entry is ignored. Costs are USD per token. */
const Entry = z
  .object({
    litellm_provider: z.string().optional(),
    mode: z.string().optional(),
    input_cost_per_token: z.number().optional(),
    output_cost_per_token: z.number().optional(),
    cache_read_input_token_cost: z.number().optional(),
    cache_creation_input_token_cost: z.number().optional(),
    cache_creation_input_token_cost_above_1hr: z.number().optional(),
    input_cost_per_token_batches: z.number().optional(),
    output_cost_per_token_batches: z.number().optional(),
    input_cost_per_token_priority: z.number().optional(),
    output_cost_per_token_priority: z.number().optional(),
    cache_read_input_token_cost_priority: z.number().optional(),
    input_cost_per_token_flex: z.number().optional(),
    output_cost_per_token_flex: z.number().optional(),
    cache_read_input_token_cost_flex: z.number().optional(),
  })
  .passthrough();

const PROVIDERS: Record<string, string> = {
  openai: "openai",
  text_completion_openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  "vertex_ai-language-models": "google",
};

/** USD per token (a float in the map) → USD per 1M tokens with at most 6 decimals, as an exact string. */
export function perMillion(v: number): string {
  const s = (v * 1e6).toFixed(6);
  return s.replace(/\.?0+$/, "") || "0";
}

const LONG_CONTEXT_THRESHOLDS = [128_000, 200_000, 256_000, 272_000];

/**
 * Converts a LiteLLM model_prices_and_context_window.json into llmcost overrides: one epoch per model, effective
 * from `effectiveFrom`. Only chat/completion/responses/embedding entries with token prices are kept.
 */
export function convertLiteLLM(raw: unknown, effectiveFrom: string, providers: readonly string[]): { overrides: OverridesT; skipped: number } {
  const obj = z.record(z.string(), z.unknown()).parse(raw);
  const models: OverridesT["models"] = [];
  let skipped = 0;
  for (const [key, value] of Object.entries(obj)) {
    if (key === "sample_spec") continue;
    const e = Entry.safeParse(value);
    const provider = e.success ? PROVIDERS[e.data.litellm_provider ?? ""] : undefined;
    const input = e.success ? e.data.input_cost_per_token : undefined;
    const output = e.success ? e.data.output_cost_per_token : undefined;
    if (!e.success || !provider || !providers.includes(provider) || input === undefined || output === undefined) {
      skipped++;
      continue;
    }
    if (e.data.mode && !["chat", "completion", "responses", "embedding"].includes(e.data.mode)) {
      skipped++;
      continue;
    }
    const d = e.data;
    const opt = (v: number | undefined) => (v === undefined ? undefined : perMillion(v));
    const extra = d as Record<string, unknown>;
    const threshold = LONG_CONTEXT_THRESHOLDS.find((t) => typeof extra[`input_cost_per_token_above_${t / 1000}k_tokens`] === "number");
    const above = (field: string) => {
      const v = threshold ? extra[`${field}_above_${threshold / 1000}k_tokens`] : undefined;
      return typeof v === "number" ? perMillion(v) : undefined;
    };
    const tier = (name: "priority" | "flex") => {
      const i = d[`input_cost_per_token_${name}`];
      const o = d[`output_cost_per_token_${name}`];
      return i !== undefined && o !== undefined
        ? { input: perMillion(i), output: perMillion(o), ...(d[`cache_read_input_token_cost_${name}`] !== undefined ? { cached_input: perMillion(d[`cache_read_input_token_cost_${name}`]!) } : {}) }
        : undefined;
    };
    const lcInput = above("input_cost_per_token");
    const lcOutput = above("output_cost_per_token");
    const epoch = {
      effective_from: effectiveFrom,
      input: perMillion(input),
      cached_input: opt(d.cache_read_input_token_cost),
      cache_write_5m: opt(d.cache_creation_input_token_cost),
      cache_write_1h: opt(d.cache_creation_input_token_cost_above_1hr),
      output: perMillion(output),
      batch_input: opt(d.input_cost_per_token_batches),
      batch_output: opt(d.output_cost_per_token_batches),
      long_context:
        threshold && lcInput && lcOutput
          ? { threshold_tokens: threshold, input: lcInput, output: lcOutput, cached_input: above("cache_read_input_token_cost"), cache_write_5m: above("cache_creation_input_token_cost") }
          : undefined,
      priority: tier("priority"),
      flex: tier("flex"),
      source: `LiteLLM model_prices_and_context_window.json key ${key}`,
    };
    models.push({ id: key, provider, aliases: [], prices: [JSON.parse(JSON.stringify(epoch))] });
  }
  models.sort((a, b) => a.id.localeCompare(b.id));
  return { overrides: { models, discounts: [] }, skipped };
}
