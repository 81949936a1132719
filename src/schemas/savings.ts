import { z } from "zod";
import { Count, Money, envelope } from "./common.js";

/** The JSON contract of `llmcost savings --format json` (src/schemas/savings.schema.json is generated from it). */
export const SavingsFilters = z.strictObject({
  features: z.array(z.string()),
  since: z.string().nullable(),
  until: z.string().nullable(),
  tz: z.string(),
});

export const SavingsJson = z.strictObject({
  ...envelope("savings", SavingsFilters),
  estimate: z.literal(true),
  window: z.strictObject({ firstTs: z.string().nullable(), lastTs: z.string().nullable(), days: Count }),
  baselineMonthlyUsd: Money.describe("current spend per 30-day month"),
  opportunities: z
    .array(
      z.strictObject({
        feature: z.string(),
        tactic: z.string(),
        monthlyUsd: Money.describe("saved per 30-day month"),
        savedUsd: Money.describe("saved over the observed window"),
        shareOfFeature: z.number().min(0).max(1).describe("the saving as a fraction of the feature's spend"),
        evidence: z.string(),
      }),
    )
    .describe("each tactic measured alone per feature, largest first; they overlap (simulate composes them)"),
  notes: z.array(z.string()).describe("why a tactic found nothing"),
  assumptions: z.array(z.string()),
});
export type SavingsJsonT = z.infer<typeof SavingsJson>;
