import { z } from "zod";
import { parseCap, parseDuration, parseNamedCap } from "../budget/checks.js";
import { DEFAULTS } from "../defaults.js";
import { usageError } from "../errors.js";
import { format, Globals, numberFlag, parsed, via } from "./common.js";

/**
 * A dollar amount (`5`, `$5`) of the flag's period: `/day` on a daily limit (or `/month` on a monthly one) is
 * allowed, the other period is an error rather than a limit read per the wrong period.
 */
const usd = (name: string, period: "day" | "month", hint: string) =>
  parsed((v) => {
    const cap = parseCap(v, name, period);
    if (cap.period !== period) throw usageError(`${name} is an amount per ${period} (got ${JSON.stringify(v)})`, hint);
    return cap.usd;
  });
const caps = (name: string) => via(z.array(z.string()), (vs) => vs.map((v) => parseNamedCap(v, name))).prefault([]);

/**
 * `llmcost budget`. Keys in the order the flags are checked (the first bad one is the error). Every budget competes
 * with the config's budgets.*: see mergeConfig (budget/collect.ts), which reads which flags the user gave.
 */
export const BudgetFlags = Globals.extend({
  spike: parsed(numberFlag(z.coerce.number().gt(1), (v) => `--spike expects a factor above 1, e.g. 2.0 (got ${JSON.stringify(v)})`)).optional(),
  failOnUnpriced: parsed(
    numberFlag(z.coerce.number().min(0).max(100), (v) => `--fail-on-unpriced expects a percentage from 0 to 100 (got ${JSON.stringify(v)})`),
  ).optional(),
  maxDaily: usd("--max-daily", "day", "for a limit per month, use --max-monthly").optional(),
  maxMonthly: usd("--max-monthly", "month", "for a limit per day, use --max-daily").optional(),
  featureMax: caps("--feature-max"),
  modelMax: caps("--model-max"),
  spikeMin: usd("--spike-min", "day", "it is the smallest rise of a day's spend that counts as a spike").default(DEFAULTS.spikeMinUsd),
  maxIncrease: usd("--max-increase", "month", "it limits the plan's change of monthly cost").optional(),
  maxAge: parsed((v) => parseDuration(v, "--max-age")).optional(),
  plan: z.string().optional(),
  summary: z.string().optional(),
  format: format(),
});
export type BudgetFlagsT = z.output<typeof BudgetFlags>;
