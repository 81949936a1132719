import { z } from "zod";
import { Money, envelope } from "./common.js";

/**
 * The JSON contract of `llmcost report --format json`. src/schemas/report.schema.json is generated from this
 * (test/json-contracts.test.ts keeps them equal and validates real CLI output against both).
 */
const Tokens = z.strictObject({
  input: z.number().int().nonnegative(),
  cachedInput: z.number().int().nonnegative(),
  cacheWrite5m: z.number().int().nonnegative(),
  cacheWrite1h: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  reasoning: z.number().int().nonnegative(),
});
const Unpriced = z.strictObject({
  rows: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  models: z.array(z.string()),
});
const Provisional = z
  .strictObject({ rows: z.number().int().positive(), costUsd: Money })
  .optional()
  .describe("present when some rows are from buckets after their export's data_refreshed_at (not final yet)");

export const ReportFilters = z.strictObject({
  by: z.array(z.string()).min(1).max(2),
  since: z.string().nullable(),
  until: z.string().nullable(),
  where: z.array(z.string()),
  top: z.number().int().positive().nullable(),
  tz: z.string(),
  source: z.enum(["billing", "requests", "auto"]),
  pricingAsOf: z.string().nullable(),
});

export const ReportJson = z.strictObject({
  ...envelope("report", ReportFilters),
  source: z.enum(["billing", "requests"]),
  basis: z
    .enum(["request logs", "usage exports", "cost exports"])
    .describe("what the rows are: cost exports are the bill itself (billed_cost), with no token counts"),
  pricingMode: z.enum(["stored", "repriced"]),
  allocatedFrom: z.enum(["cost exports", "usage exports"]).nullable(),
  window: z.strictObject({
    since: z.string().nullable(),
    until: z.string().nullable(),
    tz: z.string(),
    firstTs: z.string().nullable(),
    lastTs: z.string().nullable(),
    days: z.array(z.string()),
  }),
  headline: z.strictObject({
    text: z.string(),
    top: z.number().int().nonnegative(),
    groups: z.number().int().nonnegative(),
    share: z.number().min(0).max(1),
  }),
  trend: z
    .strictObject({
      days: z.number().int().nonnegative(),
      peakDay: z.string().nullable(),
      peakUsd: Money,
      meanPerDayUsd: Money,
      last7Usd: Money,
      prior7Usd: Money,
      change: z.number().nullable().describe("last 7 days against the 7 before, as a ratio − 1; null without 14 days or when the 7 before are $0"),
    })
    .nullable()
    .describe("with a time dimension first, the headline is this trend line instead of a Pareto line"),
  matched: z
    .array(z.strictObject({ name: z.string(), modelId: z.string(), matched: z.array(z.string()).min(1) }))
    .describe("what each --where model= name matched: its resolved model id and every stored name (snapshots of a family name)"),
  totals: z.strictObject({ requests: z.number().int().nonnegative(), tokens: Tokens, costUsd: Money, unpriced: Unpriced, provisional: Provisional }),
  rows: z.array(
    z.strictObject({
      key: z.record(z.string(), z.string()),
      requests: z.number().int().nonnegative(),
      tokens: Tokens,
      costUsd: Money,
      share: z.number().min(0).max(1),
      cumulativeShare: z.number().min(0).max(1),
      unpriced: Unpriced,
      provisional: Provisional,
      daily: z.array(z.strictObject({ day: z.string(), costUsd: Money })).optional(),
    }),
  ),
});
export type ReportJsonT = z.infer<typeof ReportJson>;
