import { z } from "zod";
import { Model } from "../pricing/schema.js";
import { Count, NoFilters, StatedRow, envelope } from "./common.js";

/**
 * The JSON contracts of `llmcost pricing list|show|check|coverage --format json` (src/schemas/pricing-*.schema.json
 * are generated from them). A model is the pricing file's own model entry (src/pricing/schema.ts: rates are exact
 * decimal strings, USD per 1M tokens for token rates) with its provider and where it came from, so it can be given
 * back as a price override.
 */
export const CatalogModelJson = Model.extend({
  provider: z.string(),
  origin: z.string().describe('the pricing file it came from, or "override"'),
});

export const PricingListJson = z.strictObject({
  ...envelope("pricing list", z.strictObject({ provider: z.string().nullable().describe("--provider") })),
  unit: z.literal("USD per 1M tokens"),
  models: z.array(CatalogModelJson),
});
export type PricingListJsonT = z.infer<typeof PricingListJson>;

export const PricingShowJson = z.strictObject({
  ...envelope("pricing show", NoFilters),
  model: CatalogModelJson,
});
export type PricingShowJsonT = z.infer<typeof PricingShowJson>;

/** Exit 1 when `unpriced` is not empty or a `stated` model is flagged; the JSON is printed either way. */
export const PricingCheckJson = z.strictObject({
  ...envelope("pricing check", z.strictObject({ tolerancePct: z.number().nonnegative() })),
  models: Count.describe("models in the price tables"),
  unpriced: z
    .array(
      z.strictObject({
        model: z.string(),
        provider: z.string().nullable(),
        rows: Count,
        requests: Count,
        tokens: Count,
        firstSeen: z.string(),
        lastSeen: z.string(),
        reason: z.string(),
        statedCostRows: Count.describe("rows whose source states a cost (that cost is used)"),
      }),
    )
    .describe("models in the database without a price (their rows are unpriced, never $0)"),
  stated: z.array(StatedRow).describe("per model, the cost the sources stated against the computed one (rows with both); empty without a database"),
});
export type PricingCheckJsonT = z.infer<typeof PricingCheckJson>;

const Decimal = z.string().describe("USD per 1M tokens, an exact decimal");
export const PricingCoverageJson = z.strictObject({
  ...envelope("pricing coverage", NoFilters),
  source: z.string().describe("the price map or list of names read"),
  asOf: z.string().describe("the date whose rates are compared (the map's, from its file name)"),
  modes: z.array(z.string()).nullable().describe("the price-map modes measured; null for a list of names"),
  counts: z.strictObject({ names: Count, priced: Count, differentRate: Count, unpriced: Count }),
  names: z.array(
    z.strictObject({
      name: z.string(),
      provider: z.string().nullable(),
      mode: z.string().nullable(),
      status: z.enum(["priced", "different-rate", "unpriced"]),
      model: z.string().nullable(),
      modelProvider: z.string().nullable(),
      via: z.string().nullable(),
      input: Decimal.nullable(),
      output: Decimal.nullable(),
      expected: z.strictObject({ input: Decimal, output: Decimal, cached: Decimal.nullable() }).nullable().describe("the map's rates, where it states them"),
      reason: z.string().nullable(),
    }),
  ),
});
export type PricingCoverageJsonT = z.infer<typeof PricingCoverageJson>;
