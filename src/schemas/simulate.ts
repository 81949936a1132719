import { z } from "zod";
import { Count, Money, envelope } from "./common.js";

/** The JSON contract of `llmcost simulate --format json` (src/schemas/simulate.schema.json is generated from it). */
export const SimulateFilters = z.strictObject({
  features: z.array(z.string()),
  since: z.string().nullable(),
  until: z.string().nullable(),
  tz: z.string(),
  tactics: z.array(z.string()).describe("the tactics in playbook order"),
  monthly: z.boolean(),
});

const Evidence = z.strictObject({ feature: z.string(), text: z.string() });
/** A fraction of a cost (0.25 saved a quarter); negative when a step costs more than it saves. */
const SavedShare = z.number().describe("a fraction of the cost before: 0.25 is 25% saved; negative when the step costs more");

export const SimulateJson = z.strictObject({
  ...envelope("simulate", SimulateFilters),
  estimate: z.literal(true),
  window: z.strictObject({
    since: z.string().nullable(),
    until: z.string().nullable(),
    firstTs: z.string().nullable(),
    lastTs: z.string().nullable(),
    days: Count,
  }),
  requests: Count,
  unpricedRequests: Count.describe("requests without a price: outside every dollar figure (never counted as $0)"),
  baselineUsd: Money,
  steps: z.array(
    z.strictObject({
      tactic: z.string(),
      costUsd: Money.describe("the cost after this tactic and every one before it"),
      savedUsd: Money.describe("what this tactic saved on what the earlier ones left"),
      savedPct: SavedShare,
      affectedRequests: Count,
      assumptions: z.array(z.string()),
      evidence: z.array(Evidence),
      details: z.record(z.string(), z.union([z.number(), z.string()])).describe("numbers the tactic reports: hit rates, escalations…"),
      note: z.string().nullable().describe("why the tactic changed nothing, when it affected no request"),
    }),
  ),
  finalUsd: Money,
  savedUsd: Money,
  savedPct: SavedShare,
  monthly: z
    .strictObject({
      factor: z
        .string()
        .regex(/^\d+\/\d+$/)
        .describe("30 / observed days, as a ratio"),
      baselineUsd: Money,
      finalUsd: Money,
      savedUsd: Money,
    })
    .nullable()
    .describe("with --monthly: the observed window scaled to a 30-day month"),
  features: z.array(
    z.strictObject({ feature: z.string(), baselineUsd: Money, projectedUsd: Money, savedUsd: Money, savedPct: SavedShare, unpricedRequests: Count }),
  ),
  selfHost: z
    .strictObject({
      costPerHourUsd: Money,
      tokensPerSec: z.number().positive(),
      tokensPerMonth: Count,
      instances: z.number().int().positive(),
      selfHostMonthlyUsd: Money,
      apiMonthlyUsd: Money,
      monthlyDeltaUsd: Money.describe("positive: self-hosting saves this much a month"),
      breakEvenMonthlyUsd: Money,
    })
    .nullable()
    .describe("with --self-host"),
});
export type SimulateJsonT = z.infer<typeof SimulateJson>;
