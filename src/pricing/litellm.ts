import { z } from "zod";
import { fromMicro, mulDiv, toMicro } from "./decimal.js";
import type { Catalog } from "./load.js";
import { resolveName } from "./names.js";
import type { EpochT, OverridesT } from "./schema.js";

/**
 * LiteLLM's model_prices_and_context_window.json: reading every rate kind of an entry (shared with
 * scripts/make-pricing.ts), and `pricing import-litellm`, which stacks a map's rates on the built-in book.
 */

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
/** USD per token → an exact decimal string scaled by `scale` (1e6: per 1M tokens), at most 6 decimals. */
const dec = (v: number | undefined, scale = 1e6): string | undefined => {
  if (v === undefined) return undefined;
  const s = (v * scale).toFixed(6).replace(/\.?0+$/, "");
  return s === "" ? "0" : s;
};

export type Entry = Record<string, unknown>;

function longContext(e: Entry, suffix = ""): { lc?: EpochT["long_context"]; note?: string } {
  const thresholds = Object.keys(e)
    .map((k) => new RegExp(`^input_cost_per_token_above_(\\d+)k_tokens${suffix}$`).exec(k)?.[1])
    .filter((t): t is string => t !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const t = thresholds[0];
  if (t === undefined) return {};
  const at = (f: string) => dec(num(e[`${f}_above_${t}k_tokens${suffix}`]));
  const input = at("input_cost_per_token");
  const output = at("output_cost_per_token");
  if (!input || !output) return {};
  const lc = {
    threshold_tokens: t * 1000,
    input,
    output,
    ...(at("cache_read_input_token_cost") ? { cached_input: at("cache_read_input_token_cost")! } : {}),
    ...(at("cache_creation_input_token_cost") ? { cache_write_5m: at("cache_creation_input_token_cost")! } : {}),
    ...(dec(num(e[`cache_creation_input_token_cost_above_1hr_above_${t}k_tokens${suffix}`]))
      ? { cache_write_1h: dec(num(e[`cache_creation_input_token_cost_above_1hr_above_${t}k_tokens${suffix}`]))! }
      : {}),
  };
  return {
    lc,
    note:
      thresholds.length > 1
        ? `only the >${t}k tier is kept (the map also states ${thresholds
            .slice(1)
            .map((x) => `>${x}k`)
            .join(", ")})`
        : undefined,
  };
}

function tier(e: Entry, name: "priority" | "flex"): EpochT["priority"] {
  const input = dec(num(e[`input_cost_per_token_${name}`]));
  const output = dec(num(e[`output_cost_per_token_${name}`]));
  if (!input || !output) return undefined;
  const cached = dec(num(e[`cache_read_input_token_cost_${name}`]));
  const { lc } = longContext(e, `_${name}`);
  return { input, output, ...(cached ? { cached_input: cached } : {}), ...(lc ? { long_context: lc } : {}) };
}

/** Every rate kind the map states for a key, as one epoch (effective date and source set by the caller). */
export function ratesOf(e: Entry, provider: string): Omit<EpochT, "effective_from"> & { notes: string[] } {
  const notes: string[] = [];
  const mode = String(e.mode ?? "");
  const input = dec(num(e.input_cost_per_token));
  const output = dec(num(e.output_cost_per_token)) ?? (input !== undefined && mode === "embedding" ? "0" : undefined);
  const search = e.search_context_cost_per_query as Record<string, unknown> | undefined;
  const ws = search ? dec(num(search.search_context_size_medium) ?? num(search.search_context_size_low), 1000) : undefined;
  const { lc, note } = longContext(e);
  if (note) notes.push(note);
  const pse = (e.provider_specific_entry ?? {}) as Record<string, unknown>;
  const us = num(pse.us) ?? num(e.regional_processing_uplift_multiplier_us);
  const fast = num(pse.fast);
  let batchIn = dec(num(e.input_cost_per_token_batches));
  let batchOut = dec(num(e.output_cost_per_token_batches));
  if (provider === "anthropic" && input && output && !batchIn && !batchOut) {
    // Anthropic's Message Batches bill every token at 50%; the map has no batch keys for Anthropic models.
    batchIn = dec(Number(input) / 2e6);
    batchOut = dec(Number(output) / 2e6);
    notes.push("batch = 50% of standard (Anthropic Message Batches; not in the map)");
  }
  const perImage = dec(num(e.output_cost_per_image) ?? (mode === "image_generation" ? num(e.input_cost_per_image) : undefined), 1);
  const rates: Omit<EpochT, "effective_from"> & { notes: string[] } = {
    ...(input !== undefined && output !== undefined ? { input, output } : {}),
    cached_input: dec(num(e.cache_read_input_token_cost)),
    cache_write_5m: dec(num(e.cache_creation_input_token_cost)),
    cache_write_1h: dec(num(e.cache_creation_input_token_cost_above_1hr)),
    output_reasoning: dec(num(e.output_cost_per_reasoning_token)),
    input_audio: dec(num(e.input_cost_per_audio_token)),
    cached_input_audio: dec(num(e.cache_read_input_audio_token_cost)),
    output_audio: dec(num(e.output_cost_per_audio_token)),
    input_image_tokens: dec(num(e.input_cost_per_image_token)),
    output_image_tokens: dec(num(e.output_cost_per_image_token)),
    per_image: perImage,
    input_per_second: dec(num(e.input_cost_per_second), 1),
    output_per_second: dec(num(e.output_cost_per_second), 1),
    input_per_1m_characters: dec(num(e.input_cost_per_character)),
    web_search_per_1k: ws,
    batch_input: batchIn,
    batch_output: batchOut,
    long_context: lc,
    priority: tier(e, "priority"),
    flex: tier(e, "flex"),
    geo_multipliers: us !== undefined ? { us: dec(us, 1)! } : undefined,
    fast_multiplier: fast !== undefined ? dec(fast, 1) : undefined,
    notes,
  };
  if (rates.priority && rates.priority.input === rates.input && rates.priority.output === rates.output && !rates.priority.long_context) {
    // The map copies standard rates into *_priority for some models: a priority tier at standard price is stated, so keep it.
    notes.push("priority tier at standard rates, as the map states");
  }
  for (const k of Object.keys(rates) as (keyof typeof rates)[]) if (rates[k] === undefined) delete rates[k];
  return rates;
}

const BASE_KINDS = ["input", "output", "cached_input", "cache_write_5m"] as const;
/** Same price: input and output equal, and cached and 5m-write rates equal wherever both state them. */
export function samePrice(a: Partial<EpochT>, b: Partial<EpochT>): boolean {
  if (a.input !== b.input || a.output !== b.output) return false;
  return BASE_KINDS.every((k) => a[k] === undefined || b[k] === undefined || Number(a[k]) === Number(b[k]));
}

/** USD per token (a float in the map) → USD per 1M tokens with at most 6 decimals, as an exact string. */
export function perMillion(v: number): string {
  return dec(v) ?? "0";
}

const PROVIDERS: Record<string, string> = {
  openai: "openai",
  "text-completion-openai": "openai",
  anthropic: "anthropic",
  gemini: "google",
  "vertex_ai-language-models": "google",
};

const TOKEN_MODES = ["chat", "completion", "responses", "embedding"];

export interface ImportResult {
  overrides: OverridesT;
  skipped: number;
  /** Built-in models the map re-prices: they keep their epochs and aliases, with one more from the map's date. */
  stacked: number;
  /** Models the book does not have. */
  added: number;
  /** "model: batch_input, batch_output": rate kinds the map lacks, kept at the book's ratio. */
  derived: string[];
  /** "model: input 2.5 → 5 (+100%)": where the map contradicts the book by more than 50%. */
  contradictions: string[];
}

/** Token rates of an epoch that the map may lack, each scaled from the book by the input or the output ratio. */
const INPUT_KINDS = ["cached_input", "cache_write_5m", "cache_write_1h", "batch_input"] as const;
const OUTPUT_KINDS = ["batch_output", "output_reasoning"] as const;

/** The book's `e` re-based on the map's input and output rates: a kind the map lacks keeps the book's ratio. */
function derive(e: EpochT, input: string, output: string): { rates: Partial<EpochT>; kinds: string[] } {
  const rates: Partial<EpochT> = {};
  const kinds: string[] = [];
  const scale = (v: string, num: string, den: string | undefined) =>
    den === undefined || toMicro(den) === 0n ? v : fromMicro(mulDiv(toMicro(v), toMicro(num), toMicro(den)));
  const put = (k: (typeof INPUT_KINDS)[number] | (typeof OUTPUT_KINDS)[number], num: string, den: string | undefined) => {
    rates[k] = scale(e[k]!, num, den);
    kinds.push(k);
  };
  for (const k of INPUT_KINDS) if (e[k] !== undefined) put(k, input, e.input);
  for (const k of OUTPUT_KINDS) if (e[k] !== undefined) put(k, output, e.output);
  return { rates, kinds };
}

/**
 * Converts a LiteLLM map into llmcost overrides that never break history. For a model the book already prices
 * (found through the same naming rules as ingest), the override keeps every built-in epoch before `effectiveFrom`
 * and the built-in aliases, and adds one epoch from `effectiveFrom` with the map's rates; a rate kind the map lacks
 * (batch, cache writes…) keeps the book's ratio to input or output. A model the book lacks gets one epoch from
 * `effectiveFrom`. Only chat/completion/responses/embedding entries with token prices are kept.
 */
export function convertLiteLLM(raw: unknown, effectiveFrom: string, providers: readonly string[], catalog: Catalog): ImportResult {
  const obj = z.record(z.string(), z.unknown()).parse(raw);
  const models = new Map<string, OverridesT["models"][number]>();
  const result: ImportResult = { overrides: { models: [], discounts: [] }, skipped: 0, stacked: 0, added: 0, derived: [], contradictions: [] };
  const keys = Object.keys(obj)
    .filter((k) => k !== "sample_spec")
    .sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const key of keys) {
    const value = obj[key];
    const entry = typeof value === "object" && value !== null ? (value as Entry) : undefined;
    const provider = entry ? PROVIDERS[String(entry.litellm_provider ?? "")] : undefined;
    if (!entry || !provider || !providers.includes(provider) || (entry.mode !== undefined && !TOKEN_MODES.includes(String(entry.mode)))) {
      result.skipped++;
      continue;
    }
    const { notes: _notes, ...rates } = ratesOf(entry, provider);
    if (rates.input === undefined || rates.output === undefined) {
      result.skipped++;
      continue;
    }
    const source = `LiteLLM map key ${key}, imported effective ${effectiveFrom}`;
    const known = resolveName(catalog, key)?.model;
    if (known && known.origin !== "override") {
      if (models.has(known.id)) continue; // another spelling of a model already imported
      const before = known.prices.filter((e) => e.effective_from < effectiveFrom);
      const current = before.at(-1);
      const derived = current ? derive(current, rates.input, rates.output) : { rates: {}, kinds: [] };
      const kinds = derived.kinds.filter((k) => rates[k as keyof typeof rates] === undefined);
      const epoch: EpochT = {
        ...Object.fromEntries(kinds.map((k) => [k, derived.rates[k as keyof EpochT]])),
        ...rates,
        effective_from: effectiveFrom,
        source: `${source}${kinds.length ? `; ${kinds.join(", ")} at the book's ratio` : ""}`,
      };
      if (kinds.length) result.derived.push(`${known.id}: ${kinds.join(", ")}`);
      if (current) {
        for (const k of ["input", "output", "cached_input"] as const) {
          const a = current[k];
          const b = epoch[k];
          if (a === undefined || b === undefined || Number(a) === 0) continue;
          const change = (Number(b) - Number(a)) / Number(a);
          if (Math.abs(change) > 0.5) result.contradictions.push(`${known.id}: ${k} ${a} → ${b} (${change > 0 ? "+" : ""}${Math.round(change * 100)}%)`);
        }
      }
      const { provider: p, origin: _o, ...model } = known;
      models.set(known.id, { ...model, provider: p, prices: [...before, epoch] });
      result.stacked++;
    } else if (!models.has(key)) {
      models.set(key, { id: key, provider, aliases: [], prices: [{ effective_from: effectiveFrom, ...rates, source }] });
      result.added++;
    }
  }
  result.overrides.models = [...models.values()].sort((a, b) => a.id.localeCompare(b.id));
  return result;
}
