import { z } from "zod";
import { Count, Money, MoneyOrNull, envelope } from "./common.js";

/**
 * The JSON contract of `llmcost budget --format json` (src/schemas/budget.schema.json is generated from it). It is
 * printed whether the checks pass (exit 0) or fail (exit 1).
 */
const Cap = z.strictObject({ name: z.string(), cap: z.strictObject({ usd: Money, period: z.enum(["day", "month"]) }) });

export const BudgetFilters = z
  .strictObject({
    maxDaily: MoneyOrNull,
    maxMonthly: MoneyOrNull,
    featureCaps: z.array(Cap),
    modelCaps: z.array(Cap),
    spike: z.number().nullable().describe("the spike factor (the latest day against the 7-day median)"),
    spikeMinUsd: Money,
    failOnUnpricedPct: z.number().min(0).max(100).nullable(),
    plan: z.string().nullable().describe("the --plan file"),
    maxIncrease: MoneyOrNull,
    maxAge: z.strictObject({ text: z.string(), hours: z.number().positive() }).nullable().describe("null: the config's budgets.maxAge, else 2 days"),
  })
  .describe("the budgets checked: flags, else the config's");

export const CHECK_UNITS = ["usd/day", "usd/month", "hours", "percent"] as const;

export const BudgetJson = z.strictObject({
  ...envelope("budget", BudgetFilters),
  source: z.enum(["requests", "billing"]),
  newestTs: z.string(),
  ageHours: z.number().nonnegative(),
  matched: z.array(z.strictObject({ name: z.string(), matched: z.array(z.string()) })).describe("what each model cap's name matched"),
  refDay: z.string().describe("the latest complete day"),
  monthStart: z.string(),
  daysElapsed: Count,
  daysInMonth: z.number().int().positive(),
  dayUsd: Money,
  monthToDateUsd: Money,
  projectedMonthUsd: Money,
  passed: z.boolean(),
  checks: z.array(
    z.strictObject({
      kind: z.enum(["freshness", "daily", "month-to-date", "projected-month", "feature", "model", "spike", "unpriced", "plan"]),
      scope: z.string(),
      actual: z.number().nullable().describe("in `unit`"),
      limit: z.number().nullable().describe("in `unit`; a spike check fails at actual ≥ limit (factor × median, and at least --spike-min above it)"),
      unit: z.enum(CHECK_UNITS),
      ok: z.boolean(),
      unpricedTokens: Count.optional().describe(
        "a dollar check's tokens of its scope and period without a price, in no sum; when nothing of the scope is priced the check fails",
      ),
      detail: z.string(),
    }),
  ),
  plan: z.array(
    z.strictObject({ feature: z.string(), change: z.string(), currentMonthlyUsd: Money, plannedMonthlyUsd: Money, deltaMonthlyUsd: Money, requests: Count }),
  ),
});
export type BudgetJsonT = z.infer<typeof BudgetJson>;
export type BudgetFiltersT = z.infer<typeof BudgetFilters>;
