import { z } from "zod";

/**
 * Pieces every JSON contract shares. Each command's contract (src/schemas/<command>.ts) is a strict zod object: a
 * key the contract does not list fails validation, so the contract says exactly what the command prints.
 * `npm run schemas` writes one JSON Schema per contract next to them (src/schemas/<command>.schema.json).
 */

/** US dollars as a JSON number, rounded to 6 decimal places (SPEC: Money). Negative where it is a change. */
export const Money = z.number().describe("US dollars, rounded to 6 decimal places");
export const MoneyOrNull = Money.nullable().describe("US dollars, rounded to 6 decimal places; null: no such data (never shown as $0)");
export const Count = z.number().int().nonnegative();
/** A fraction, 0.86 for 86%. */
export const Share = z.number().min(0).max(1).describe("a fraction: 0.86 is 86%");
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** An exact decimal string as the price tables hold it: USD per 1M tokens for token rates. */
export const RateText = z
  .string()
  .regex(/^\d{1,9}(\.\d{1,6})?$/)
  .describe("an exact decimal as the pricing tables hold it (USD per 1M tokens for token rates)");

/**
 * The envelope of every JSON output (SPEC: Global → Output): schemaVersion, the command, when, the currency, which
 * price tables, and the effective filters. `schemaVersion` changes only when a key is removed or renamed or its type
 * or meaning changes; new keys may be added within a version.
 */
export function envelope<const C extends string, F extends z.ZodType>(command: C, filters: F) {
  return {
    schemaVersion: z.literal(1),
    command: z.literal(command),
    generatedAt: z.string().describe("ISO 8601 time of the run (LLMCOST_NOW when set)"),
    currency: z.literal("USD"),
    pricing: z.strictObject({ version: z.string(), sha256: Sha256 }),
    filters,
  };
}

/** The filters of a command that has none. */
export const NoFilters = z.strictObject({});

/** A model's stated cost against the cost computed from the price tables (reconcile and pricing check, rows with both). */
export const StatedRow = z.strictObject({
  model: z.string(),
  provider: z.string().nullable(),
  rows: Count,
  statedUsd: Money,
  computedUsd: Money,
  diffPct: z.number().nullable().describe("(stated − computed) ÷ computed, in percent; null when computed is 0"),
  flagged: z.boolean(),
});
