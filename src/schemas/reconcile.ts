import { z } from "zod";
import { Count, MoneyOrNull, StatedRow, envelope } from "./common.js";

/** The JSON contract of `llmcost reconcile --format json` (src/schemas/reconcile.schema.json is generated from it). */
export const ReconcileFilters = z.strictObject({
  since: z.string().nullable(),
  until: z.string().nullable(),
  tz: z.string(),
  tolerancePct: z.number().nonnegative(),
  flagged: z.boolean(),
});

const Totals = {
  billedUsd: MoneyOrNull.describe("provider cost exports: what the bill says"),
  computedUsd: MoneyOrNull.describe("priced from provider usage exports"),
  loggedUsd: MoneyOrNull.describe("priced from request logs"),
  attributedUsd: MoneyOrNull.describe("priced from request logs that carry a feature tag"),
  unattributedUsd: MoneyOrNull.describe("billed − tagged, on the lines with a bill; null without a bill"),
  coveragePct: z.number().nullable().describe("tagged ÷ billed on the days with a bill, in percent (86.5 is 86.5%); null without a bill"),
  flaggedLines: Count,
};

export const ReconcileJson = z.strictObject({
  ...envelope("reconcile", ReconcileFilters),
  tolerancePct: z.number().nonnegative(),
  totals: z.strictObject(Totals),
  providers: z.array(z.strictObject({ provider: z.string(), ...Totals })),
  stated: z.array(StatedRow).describe("per model, the cost the sources stated against the cost computed from the price tables (rows with both)"),
  rows: z
    .array(
      z.strictObject({
        day: z.string(),
        provider: z.string(),
        model: z.string(),
        grain: z.enum(["model", "provider", "day"]),
        billedUsd: MoneyOrNull,
        computedUsd: MoneyOrNull,
        loggedUsd: MoneyOrNull,
        attributedUsd: MoneyOrNull,
        unpricedRequests: z.number().int().describe("request-log requests of the line with no price (their cost is not in loggedUsd)"),
        comparedWith: z.enum(["usage exports", "request logs"]).nullable(),
        deltaUsd: MoneyOrNull.describe("(computed, else logged) − billed, when both exist"),
        deltaPct: z.number().nullable().describe("deltaUsd ÷ billed, in percent"),
        flagged: z.boolean(),
      }),
    )
    .describe("day × provider × model, flagged lines first"),
});
export type ReconcileJsonT = z.infer<typeof ReconcileJson>;
export type ReconcileFiltersT = z.infer<typeof ReconcileFilters>;
