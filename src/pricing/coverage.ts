import type { Catalog } from "./load.js";
import { peel, resolveName, unresolvedReason } from "./names.js";
import type { EpochT } from "./schema.js";

/** LiteLLM providers whose keys are OpenAI, Anthropic or Google models, sold first-party or through a cloud. */
export const MAP_PROVIDERS: Readonly<Record<string, string>> = {
  openai: "openai",
  "text-completion-openai": "openai",
  anthropic: "anthropic",
  gemini: "google",
  "vertex_ai-language-models": "google",
  "vertex_ai-anthropic_models": "vertex",
  bedrock: "bedrock",
  bedrock_converse: "bedrock",
  azure: "azure",
};

/** Names of OpenAI, Anthropic and Google models, after the wrapper rules (peel). */
export const FIRST_PARTY_NAME = /^(gpt|o\d|chatgpt|codex|text-embedding|claude|gemini|gemma|imagen|dall-e|tts-|whisper|computer-use|davinci|babbage)/;

/** The modes `pricing coverage` measures by default: the token-priced ones. */
export const TOKEN_MODES = ["chat", "responses", "embedding", "completion"] as const;

export interface CoverageRow {
  name: string;
  /** The map's provider for the key (or null for a plain list of names). */
  provider: string | null;
  mode: string | null;
  status: "priced" | "different-rate" | "unpriced";
  model: string | null;
  modelProvider: string | null;
  via: string | null;
  /** USD per 1M tokens in force on `asOf`: the resolved model's, and the map's where it states them. */
  input: string | null;
  output: string | null;
  expected: { input: string; output: string; cached: string | null } | null;
  reason: string | null;
}

const dec = (v: unknown): string | null => {
  if (typeof v !== "number" || !Number.isFinite(v)) return null;
  return (v * 1e6).toFixed(6).replace(/\.?0+$/, "") || "0";
};

const epochAt = (prices: readonly EpochT[], asOf: string): EpochT | undefined => [...prices].reverse().find((e) => e.effective_from <= asOf);

/** The map entries `pricing coverage` measures: first-party models' keys, in the given modes. */
export function mapEntries(
  raw: Record<string, unknown>,
  modes: readonly string[],
): { name: string; provider: string; mode: string; entry: Record<string, unknown> }[] {
  const out: { name: string; provider: string; mode: string; entry: Record<string, unknown> }[] = [];
  for (const [key, v] of Object.entries(raw)) {
    if (key === "sample_spec" || typeof v !== "object" || v === null) continue;
    const entry = v as Record<string, unknown>;
    const provider = String(entry.litellm_provider ?? "");
    const mode = String(entry.mode ?? "");
    if (!MAP_PROVIDERS[provider] || !modes.includes(mode)) continue;
    if (/^(hd|standard|low|medium|high|\d+-x-\d+)\//.test(key) || key.startsWith("ft:") || /moderation/.test(key)) continue;
    const p = peel(key);
    if (!p || !FIRST_PARTY_NAME.test(p.core)) continue;
    out.push({ name: key, provider, mode, entry });
  }
  return out;
}

/**
 * How each name resolves: to which model, by which rule, at which rate on `asOf`. With the map's own rates for a
 * key, a model whose input or output rate differs is `different-rate` (the map and the book disagree).
 */
export function coverage(
  catalog: Catalog,
  names: readonly { name: string; provider?: string; mode?: string; entry?: Record<string, unknown> }[],
  asOf: string,
): CoverageRow[] {
  return names.map(({ name, provider, mode, entry }) => {
    const r = resolveName(catalog, name);
    const e = r ? epochAt(r.model.prices, asOf) : undefined;
    const input = dec(entry?.input_cost_per_token);
    const output = dec(entry?.output_cost_per_token) ?? (input !== null && mode === "embedding" ? "0" : null);
    const expected = input !== null && output !== null ? { input, output, cached: dec(entry?.cache_read_input_token_cost) } : null;
    const base = { name, provider: provider ?? null, mode: mode ?? null, expected };
    if (!r)
      return { ...base, status: "unpriced", model: null, modelProvider: null, via: null, input: null, output: null, reason: unresolvedReason(catalog, name) };
    const found = { model: r.model.id, modelProvider: r.model.provider, via: r.via, input: e?.input ?? null, output: e?.output ?? null };
    if (!e) return { ...base, ...found, status: "unpriced", reason: `priced from ${r.model.prices[0]!.effective_from} only` };
    if (e.input === undefined && expected) return { ...base, ...found, status: "unpriced", reason: "the model has no token rates" };
    if (expected && (Number(e.input) !== Number(expected.input) || Number(e.output) !== Number(expected.output))) {
      return {
        ...base,
        ...found,
        status: "different-rate",
        reason: `the map says ${expected.input}/${expected.output}, the book ${e.input}/${e.output} (${r.via})`,
      };
    }
    return { ...base, ...found, status: "priced", reason: null };
  });
}
