import { z } from "zod";

/** A rate in USD per 1M tokens, as an exact decimal string (numbers are accepted and normalised). */
export const Rate = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === "number" ? String(v) : v.trim()))
  .refine((v) => /^\d+(\.\d{1,6})?$/.test(v), {
    message: "a rate is a non-negative decimal in USD per 1M tokens with at most 6 decimal places",
  });

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "dates are YYYY-MM-DD");

export const TierRates = z.strictObject({
  input: Rate,
  cached_input: Rate.optional(),
  output: Rate,
});

export const LongContext = z.strictObject({
  /** All-or-nothing: a request whose input (uncached + cached + cache writes) exceeds this bills every token here. */
  threshold_tokens: z.number().int().positive(),
  input: Rate,
  cached_input: Rate.optional(),
  cache_write_5m: Rate.optional(),
  cache_write_1h: Rate.optional(),
  output: Rate,
});

export const Epoch = z.strictObject({
  effective_from: IsoDate,
  input: Rate,
  cached_input: Rate.optional(),
  cache_write_5m: Rate.optional(),
  cache_write_1h: Rate.optional(),
  output: Rate,
  batch_input: Rate.optional(),
  batch_output: Rate.optional(),
  long_context: LongContext.optional(),
  long_context_source: z.string().optional(),
  priority: TierRates.optional(),
  flex: TierRates.optional(),
  source: z.string().optional(),
});

export const Model = z.strictObject({
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** The model `simulate --route mini` moves this one's traffic to. */
  cheaper_sibling: z.string().optional(),
  prices: z
    .array(Epoch)
    .min(1)
    .refine((eps) => eps.every((e, i) => i === 0 || eps[i - 1]!.effective_from < e.effective_from), {
      message: "price epochs must be sorted by effective_from, with no duplicate dates",
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
  models: z.array(Model.extend({ provider: z.string().min(1) })).default([]),
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
