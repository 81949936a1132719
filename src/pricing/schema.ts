import { z } from "zod";

/**
 * A rate as an exact decimal string (numbers are accepted and normalised): USD per 1M tokens for token kinds, else the
 * unit its name says. At most 9 integer digits and 6 decimals, so every rate fits DECIMAL(18,6).
 */
export const Rate = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === "number" ? String(v) : v.trim()))
  .refine((v) => /^\d{1,9}(\.\d{1,6})?$/.test(v), {
    message: "a rate is a non-negative decimal (at most 9 digits before the point and 6 after)",
  });

/** A price multiplier such as 1.1 (US-only inference) or 6 (fast mode). */
const Multiplier = Rate.refine((v) => Number(v) > 0 && Number(v) <= 100, { message: "a multiplier is above 0 and at most 100" });

/** A calendar date that exists (2025-02-30 does not). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "dates are YYYY-MM-DD")
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v) && v >= "2000-01-01";
  }, "not a calendar date from 2000 on");

export const LongContext = z.strictObject({
  /** All-or-nothing: a request whose input (uncached + cached + cache writes) exceeds this bills every token here. */
  threshold_tokens: z.number().int().positive(),
  input: Rate,
  cached_input: Rate.optional(),
  cache_write_5m: Rate.optional(),
  cache_write_1h: Rate.optional(),
  output: Rate,
});

/** Priority and flex service tiers: their own token rates (and long-context tier, where the provider has one). */
export const TierRates = z.strictObject({
  input: Rate,
  cached_input: Rate.optional(),
  output: Rate,
  long_context: LongContext.optional(),
});

/**
 * The rates of one model from one date on. Token rates are USD per 1M tokens; `input` and `output` price every token
 * bucket that has no rate of its own. A model priced only per image, second or character (DALL·E, Whisper, TTS) has
 * no token rates: its token traffic is unpriced, never $0.
 */
export const Epoch = z
  .strictObject({
    effective_from: IsoDate,
    input: Rate.optional(),
    cached_input: Rate.optional(),
    cache_write_5m: Rate.optional(),
    cache_write_1h: Rate.optional(),
    output: Rate.optional(),
    /** Thinking/reasoning tokens (a part of output) where the model bills them apart from other output. */
    output_reasoning: Rate.optional(),
    /** Audio tokens (a part of uncached input / of output). */
    input_audio: Rate.optional(),
    cached_input_audio: Rate.optional(),
    output_audio: Rate.optional(),
    /** Image tokens (image models): USD per 1M image tokens. */
    input_image_tokens: Rate.optional(),
    output_image_tokens: Rate.optional(),
    /** USD per generated image (the standard size and quality the snapshot states). */
    per_image: Rate.optional(),
    /** USD per second of audio in or out (transcription, speech). */
    input_per_second: Rate.optional(),
    output_per_second: Rate.optional(),
    /** USD per 1M input characters (text to speech). */
    input_per_1m_characters: Rate.optional(),
    /** USD per 1,000 web search calls. */
    web_search_per_1k: Rate.optional(),
    batch_input: Rate.optional(),
    batch_output: Rate.optional(),
    long_context: LongContext.optional(),
    long_context_source: z.string().optional(),
    priority: TierRates.optional(),
    flex: TierRates.optional(),
    /** Every rate × this factor for requests served in that inference geography (Anthropic `inference_geo: "us"`). */
    geo_multipliers: z.strictObject({ us: Multiplier.optional() }).optional(),
    /** Every rate × this factor for `speed: "fast"` requests (Anthropic fast mode). */
    fast_multiplier: Multiplier.optional(),
    source: z.string().optional(),
  })
  .refine((e) => (e.input === undefined) === (e.output === undefined), {
    message: "input and output rates go together (a model priced per image, second or character has neither)",
  })
  .refine(
    (e) =>
      e.input !== undefined ||
      e.per_image !== undefined ||
      e.input_per_second !== undefined ||
      e.output_per_second !== undefined ||
      e.input_per_1m_characters !== undefined,
    { message: "an epoch needs token rates (input and output) or a per-image, per-second or per-character rate" },
  );

export const Model = z.strictObject({
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** The model `simulate --route mini` moves this one's traffic to. */
  cheaper_sibling: z.string().optional(),
  /** What the model is for, as the price map says (chat, embedding, audio_transcription, image_generation, …). */
  mode: z.string().optional(),
  prices: z
    .array(Epoch)
    .min(1)
    .refine((eps) => eps.every((e, i) => i === 0 || eps[i - 1]!.effective_from < e.effective_from), {
      message: "price epochs must be sorted by effective_from, with no two on one date (epochs may not overlap)",
    }),
});

export const PricingFile = z.strictObject({
  $schema: z.string().optional(),
  provider: z.string().min(1),
  version: IsoDate,
  currency: z.literal("USD"),
  unit: z.literal("USD per 1M tokens"),
  notes: z.string().optional(),
  models: z.array(Model),
});

/** User overrides: negotiated discounts and private or fine-tuned models (config `pricing.overrides` or --pricing). */
export const Overrides = z.strictObject({
  // Ten thousand private models is far beyond any price book (the built-in one has under a thousand).
  models: z
    .array(Model.extend({ provider: z.string().min(1) }))
    .max(10_000)
    .default([]),
  discounts: z
    .array(
      z.strictObject({
        provider: z.string().optional(),
        model: z.string().optional(),
        /** Percent off every rate, e.g. 15 for a 15% negotiated discount. */
        percent: z.number().gt(0).lt(100),
      }),
    )
    .default([]),
});

export type RateT = z.infer<typeof Rate>;
export type EpochT = z.infer<typeof Epoch>;
export type ModelT = z.infer<typeof Model>;
export type PricingFileT = z.infer<typeof PricingFile>;
export type OverridesT = z.infer<typeof Overrides>;
